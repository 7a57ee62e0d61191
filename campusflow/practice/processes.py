"""The practice chains this app runs through the approval engine (W-01 registry)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from campusflow.practice.leave_actions import LEAVE_REQUEST, LEAVE_SCHOOL
from campusflow.practice.models import LeaveRequest, LeaveSchoolApplication
from campusflow.workflow.registry import ProcessSpec, register_process


def _edit(name: str) -> Any:
    return lambda record: reverse(name, args=[record.pk])


register_process(
    ProcessSpec(
        code=LEAVE_REQUEST,
        model=LeaveRequest,
        detail_template="practice/leave_request_detail.html",
        edit_url=_edit("practice:leave_request_edit"),
    )
)
register_process(
    ProcessSpec(
        code=LEAVE_SCHOOL,
        model=LeaveSchoolApplication,
        detail_template="practice/leave_school_detail.html",
        edit_url=_edit("practice:leave_school_edit"),
    )
)
