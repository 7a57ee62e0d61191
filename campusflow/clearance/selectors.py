"""Read-side queries of clearance: a student's checkpoints, the desk's list."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from campusflow.clearance.models import ClearancePlan, ClearanceRecord
from campusflow.workflow.models import StepDefinition, Task

# The status of a student at one checkpoint, as the seed words it.
STATUS_LABELS = {
    "passed": _("已办理"),
    "failed": _("不通过"),
    "open": _("未办理"),
    "waiting": _("等待前置环节"),
}
STATUS_FILTERS = {
    "passed": Task.State.APPROVED,
    "failed": Task.State.FAILED,
    "open": Task.State.OPEN,
}


@dataclass
class StepStatus:
    step: StepDefinition
    status: str  # passed | failed | open | waiting
    remark: str
    acted_by: str
    acted_at: object
    waiting_for: list[str]

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])


def status_of(state: str | None) -> str:
    if state == Task.State.APPROVED:
        return "passed"
    if state == Task.State.FAILED:
        return "failed"
    if state is None:
        return "waiting"
    return "open"


def student_steps(record: ClearanceRecord) -> list[StepStatus]:
    """Every checkpoint of the record's plan with the student's status there (two queries)."""
    steps = list(record.plan.definition.steps.order_by("order"))
    tasks = {
        t.step_id: t
        for t in Task.objects.filter(case_id=record.case_id or 0, round=1).select_related("acted_by").order_by("id")
    }
    names = {s.key: s.name for s in steps}
    passed = {s.key for s in steps if s.pk in tasks and tasks[s.pk].state == Task.State.APPROVED}
    rows = []
    for step in steps:
        task = tasks.get(step.pk)
        rows.append(
            StepStatus(
                step=step,
                status=status_of(task.state if task else None),
                remark=task.opinion if task else "",
                acted_by=(task.acted_by.display_name if task and task.acted_by else ""),
                acted_at=task.acted_at if task else None,
                waiting_for=[names.get(p, p) for p in step.prerequisites if p not in passed] if task is None else [],
            )
        )
    return rows


def desk_rows(records: QuerySet[ClearanceRecord], step: StepDefinition) -> QuerySet[ClearanceRecord]:
    """Records with their task state at ``step`` (``step_state``; None while waiting)."""
    state = Task.objects.filter(case_id=OuterRef("case_id"), step=step).values("state")[:1]
    remark = Task.objects.filter(case_id=OuterRef("case_id"), step=step).values("opinion")[:1]
    return records.select_related("student", "department").annotate(
        step_state=Subquery(state), step_remark=Subquery(remark)
    )


def active_plans(user: object) -> QuerySet[ClearancePlan]:
    return (
        ClearancePlan.objects.visible_to(user)
        .filter(state=ClearancePlan.State.ACTIVE)
        .select_related("definition", "school")
        .order_by("-created_at", "-id")
    )
