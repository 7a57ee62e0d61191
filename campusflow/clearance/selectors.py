"""Read-side queries of clearance: a student's checkpoints, the desk's list."""

from __future__ import annotations

from collections import defaultdict
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
    return students_steps([record])[record.pk]


def students_steps(records: list[ClearanceRecord]) -> dict[int, list[StepStatus]]:
    """:func:`student_steps` of several records (``plan__definition`` selected): two queries in all."""
    steps_of: dict[int, list[StepDefinition]] = defaultdict(list)
    for step in StepDefinition.objects.filter(definition_id__in={r.plan.definition_id for r in records}).order_by(
        "definition_id", "order"
    ):
        steps_of[step.definition_id].append(step)
    tasks_of: dict[int, dict[int, Task]] = defaultdict(dict)
    for task in (
        Task.objects.filter(case_id__in=[r.case_id for r in records if r.case_id], round=1)
        .select_related("acted_by")
        .order_by("id")
    ):
        tasks_of[task.case_id][task.step_id] = task
    return {r.pk: _statuses(steps_of[r.plan.definition_id], tasks_of[r.case_id or 0]) for r in records}


def _statuses(steps: list[StepDefinition], tasks: dict[int, Task]) -> list[StepStatus]:
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
