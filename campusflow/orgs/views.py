"""People and org-tree pages. (Being built out: see the orgs helper brief.)"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from campusflow.core.access import get_visible_or_404, require
from campusflow.core.http import AuthedRequest
from campusflow.core.pagination import paginate
from campusflow.core.roles import PEOPLE_READERS, SCHOOL_MANAGERS, Role
from campusflow.orgs.models import CommitmentLetter, EnterpriseMentor, OrgUnit, Student, Teacher


@require(PEOPLE_READERS)
def student_list(request: AuthedRequest) -> HttpResponse:
    students = Student.objects.visible_to(request.user).select_related("department")
    return render(request, "orgs/student_list.html", {"page_obj": paginate(request, students)})


@require(PEOPLE_READERS | {Role.STUDENT})
def student_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    student = get_visible_or_404(Student.objects.select_related("department", "supervisor"), request.user, pk=pk)
    return render(request, "orgs/student_detail.html", {"student": student})


@require(PEOPLE_READERS - {Role.ENTERPRISE_MENTOR})
def teacher_list(request: AuthedRequest) -> HttpResponse:
    teachers = Teacher.objects.visible_to(request.user).select_related("department")
    return render(request, "orgs/teacher_list.html", {"page_obj": paginate(request, teachers)})


@require(PEOPLE_READERS)
def mentor_list(request: AuthedRequest) -> HttpResponse:
    mentors = EnterpriseMentor.objects.visible_to(request.user)
    return render(request, "orgs/mentor_list.html", {"page_obj": paginate(request, mentors)})


@require(SCHOOL_MANAGERS | {Role.PROVINCIAL_ADMIN})
def unit_list(request: AuthedRequest) -> HttpResponse:
    units = OrgUnit.objects.visible_to(request.user)
    return render(request, "orgs/unit_list.html", {"units": units})


@require(SCHOOL_MANAGERS | {Role.PROVINCIAL_ADMIN})
def commitment_list(request: AuthedRequest) -> HttpResponse:
    letters = CommitmentLetter.objects.visible_to(request.user)
    return render(request, "orgs/commitment_list.html", {"letters": letters})
