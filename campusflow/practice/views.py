"""Professional-practice pages: G-01 学生实践信息查询, placing a student, a placement's page.

Lists and details start from ``Placement.objects.visible_to`` (a supervisor sees
own students, a mentor the students placed with them, a college its students);
changes go through ``practice.actions``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campusflow.bases.models import PracticeBase
from campusflow.core import once
from campusflow.core.access import get_visible_or_404, require
from campusflow.core.errors import ActionError
from campusflow.core.http import AuthedRequest
from campusflow.core.pagination import paginate
from campusflow.core.roles import PEOPLE_READERS, Role
from campusflow.orgs.models import EnterpriseMentor, Student, Teacher
from campusflow.practice import actions
from campusflow.practice.filters import PlacementFilter
from campusflow.practice.forms import EndForm, PlacementForm
from campusflow.practice.models import Placement

PLACEMENT_READERS = PEOPLE_READERS
DETAIL_READERS = PLACEMENT_READERS | {Role.STUDENT}
MANAGERS = actions.PLACEMENT_MANAGERS


def _show_error(form: Form, error: ActionError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def placement_rows(user: Any) -> Any:
    """The placements ``user`` may see, with everything the G-01 columns need in one query."""
    return Placement.objects.visible_to(user).select_related(
        "student", "student__department", "base", "supervisor", "mentor", "mentor__user"
    )


@require(PLACEMENT_READERS)
def query(request: AuthedRequest) -> HttpResponse:
    filterset = PlacementFilter(request.GET or None, queryset=placement_rows(request.user), request=request)
    rows = filterset.queryset.none() if filterset.is_bound and not filterset.is_valid() else filterset.qs
    page = paginate(request, rows.order_by("student__grade", "student__student_no", "-start_date", "-id"))
    context = {"filter": filterset, "page_obj": page, "can_create": request.user.role in MANAGERS}
    response = render(request, "practice/query.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _school_id(request: AuthedRequest) -> int | None:
    assignment = request.user.active_role
    return assignment.unit.school_id if assignment is not None and assignment.unit is not None else None


@require(MANAGERS)
def placement_create(request: AuthedRequest) -> HttpResponse:
    user = request.user
    school_id = _school_id(request)
    bases = PracticeBase.objects.visible_to(user).filter(status=PracticeBase.Status.ACTIVE).order_by("code")
    mentors = EnterpriseMentor.objects.filter(practice_bases__in=bases).distinct().order_by("mentor_no")
    form = PlacementForm(
        request.POST or None,
        students=Student.objects.visible_to(user),
        bases=bases,
        mentors=mentors,
        teachers=Teacher.objects.filter(school_id=school_id),
        initial={"practice_type": Placement.PracticeType.DISPATCH},
    )
    if request.method == "POST" and form.is_valid():
        if not once.consume(request):
            messages.warning(request, _("该表单已提交过，请勿重复提交。"))
            return redirect("practice:query")
        data = form.cleaned_data
        try:
            placement = actions.create_placement(
                actor=user,
                data=actions.PlacementInput(
                    student=data["student_no"],
                    base=data["base"],
                    mentor=data["mentor"],
                    supervisor=data["supervisor_no"],
                    practice_type=data["practice_type"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    onsite_start=data["onsite_start"],
                    onsite_end=data["onsite_end"],
                ),
            )
        except ActionError as error:
            _show_error(form, error if error.field != "student" else ActionError(error.message, field="student_no"))
        else:
            messages.success(request, _("已为 %(name)s 安排专业实践。") % {"name": placement.student.name})
            return redirect("practice:placement_detail", placement.pk)
    return render(request, "practice/placement_form.html", {"form": form})


def _placement(request: AuthedRequest, pk: int) -> Placement:
    queryset = Placement.objects.select_related(
        "student", "student__department", "base", "base__responsible_college", "supervisor", "mentor", "mentor__user"
    )
    return get_visible_or_404(queryset, request.user, pk=pk)


@require(DETAIL_READERS)
def placement_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    placement = _placement(request, pk)
    can_end = request.user.role in MANAGERS and placement.is_current
    context = {"placement": placement, "end_form": EndForm() if can_end else None}
    response = render(request, "practice/placement_detail.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require(MANAGERS)
@require_POST
def placement_end(request: AuthedRequest, pk: int) -> HttpResponse:
    placement = _placement(request, pk)
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择“已出站”或“已终止”。"))
        return redirect("practice:placement_detail", pk)
    try:
        actions.end_placement(
            actor=request.user, placement=placement, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
        )
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("专业实践安排已结束。"))
    return redirect("practice:placement_detail", pk)
