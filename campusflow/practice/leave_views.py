"""Pages of the leave-school application (G-03) and the leave request (G-06)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render

from campusflow.core import once
from campusflow.core.access import get_visible_or_404, require
from campusflow.core.errors import ActionError
from campusflow.core.http import AuthedRequest
from campusflow.core.navigation import PRACTICE_REQUEST_READERS
from campusflow.core.pagination import paginate
from campusflow.core.roles import Role
from campusflow.practice import leave_actions
from campusflow.practice.leave_forms import LeaveRequestForm, LeaveSchoolForm
from campusflow.practice.models import LeaveRequest, LeaveSchoolApplication
from campusflow.workflow.models import Case

READERS = PRACTICE_REQUEST_READERS


def _show_error(form: Any, error: ActionError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _filtered(request: AuthedRequest, records: Any) -> Any:
    state = request.GET.get("state", "")
    if state in Case.State.values:
        records = records.filter(case__state=state)
    q = request.GET.get("q", "").strip()
    if q:
        records = records.filter(Q(student__name__icontains=q) | Q(student__student_no__startswith=q))
    return records


# -- G-06 leave requests ------------------------------------------------------------


@require(READERS)
def leave_request_list(request: AuthedRequest) -> HttpResponse:
    records = LeaveRequest.objects.visible_to(request.user).select_related("student", "case")
    records = _filtered(request, records).order_by("-created_at")
    return render(
        request,
        "practice/leave_request_list.html",
        {
            "page_obj": paginate(request, records),
            "states": Case.State.choices,
            "is_student": request.user.role == Role.STUDENT,
        },
    )


@require({Role.STUDENT})
def leave_request_new(request: AuthedRequest) -> HttpResponse:
    student = leave_actions._student_of(request.user)
    if request.method == "POST":
        form = LeaveRequestForm(request.POST)
        if form.is_valid():
            if not once.consume(request):
                return redirect("practice:leave_request_list")
            try:
                record = leave_actions.submit_leave_request(
                    actor=request.user, data=leave_actions.LeaveInput(**form.cleaned_data)
                )
                return redirect("workflow:case_detail", record.case_id)
            except ActionError as error:
                _show_error(form, error)
    else:
        form = LeaveRequestForm(
            initial={
                "phone": student.phone,
                "father_name": student.father_name,
                "father_phone": student.father_phone,
                "mother_name": student.mother_name,
                "mother_phone": student.mother_phone,
            }
        )
    return render(request, "practice/leave_request_form.html", {"form": form, "student": student})


@require({Role.STUDENT})
def leave_request_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_visible_or_404(LeaveRequest.objects.select_related("student", "case"), request.user, pk=pk)
    if request.method == "POST":
        form = LeaveRequestForm(request.POST)
        if form.is_valid():
            if not once.consume(request):
                return redirect("workflow:case_detail", record.case_id)
            try:
                leave_actions.resubmit_leave_request(
                    actor=request.user, record=record, data=leave_actions.LeaveInput(**form.cleaned_data)
                )
                return redirect("workflow:case_detail", record.case_id)
            except ActionError as error:
                _show_error(form, error)
    else:
        form = LeaveRequestForm(initial={name: getattr(record, name) for name in LeaveRequestForm.base_fields})
    return render(
        request, "practice/leave_request_form.html", {"form": form, "student": record.student, "record": record}
    )


# -- G-03 leave-school applications ---------------------------------------------------------


@require(READERS)
def leave_school_list(request: AuthedRequest) -> HttpResponse:
    records = LeaveSchoolApplication.objects.visible_to(request.user).select_related("student", "case")
    records = _filtered(request, records).order_by("-created_at")
    return render(
        request,
        "practice/leave_school_list.html",
        {
            "page_obj": paginate(request, records),
            "states": Case.State.choices,
            "is_student": request.user.role == Role.STUDENT,
        },
    )


def _leave_school_input(form: LeaveSchoolForm, request: AuthedRequest) -> leave_actions.LeaveSchoolInput:
    data = form.cleaned_data
    return leave_actions.LeaveSchoolInput(
        station_name=data["station_name"],
        leave_date=data["leave_date"],
        expected_entry_date=data["expected_entry_date"],
        location=data["location"],
        safety_notice_submitted=data["safety_notice_submitted"],
        travel_attachment=request.FILES.get("travel_attachment"),
        safety_notice=request.FILES.get("safety_notice"),
    )


@require({Role.STUDENT})
def leave_school_new(request: AuthedRequest) -> HttpResponse:
    student = leave_actions._student_of(request.user)
    if request.method == "POST":
        form = LeaveSchoolForm(request.POST, request.FILES)
        if form.is_valid():
            if not once.consume(request):
                return redirect("practice:leave_school_list")
            try:
                record = leave_actions.submit_leave_school(actor=request.user, data=_leave_school_input(form, request))
                return redirect("workflow:case_detail", record.case_id)
            except ActionError as error:
                _show_error(form, error)
    else:
        placement = leave_actions._current_placement(student)
        form = LeaveSchoolForm(initial={"station_name": placement.base.name if placement else ""})
    return render(request, "practice/leave_school_form.html", {"form": form, "student": student})


@require({Role.STUDENT})
def leave_school_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_visible_or_404(LeaveSchoolApplication.objects.select_related("student", "case"), request.user, pk=pk)
    if request.method == "POST":
        form = LeaveSchoolForm(request.POST, request.FILES)
        if form.is_valid():
            if not once.consume(request):
                return redirect("workflow:case_detail", record.case_id)
            try:
                leave_actions.resubmit_leave_school(
                    actor=request.user, record=record, data=_leave_school_input(form, request)
                )
                return redirect("workflow:case_detail", record.case_id)
            except ActionError as error:
                _show_error(form, error)
    else:
        form = LeaveSchoolForm(
            initial={
                name: getattr(record, name)
                for name in ("station_name", "leave_date", "expected_entry_date", "location", "safety_notice_submitted")
            }
        )
    return render(
        request, "practice/leave_school_form.html", {"form": form, "student": record.student, "record": record}
    )


@require(READERS)
def leave_school_file(request: AuthedRequest, pk: int, kind: str) -> FileResponse:
    """The travel attachment or safety notice, to those who may see the application (S-06)."""
    if kind not in ("travel_attachment", "safety_notice"):
        raise Http404
    record = get_visible_or_404(LeaveSchoolApplication.objects.all(), request.user, pk=pk)
    stored = getattr(record, kind)
    if not stored:
        raise Http404
    name = getattr(record, f"{kind}_name") or stored.name.rsplit("/", 1)[-1]
    response = FileResponse(stored.open("rb"), as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
