"""Read-side queries of the engine: the inbox tabs, their counts, a case's page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Expression, QuerySet, Subquery
from django.utils import timezone

from campusflow.accounts.models import User
from campusflow.core.aggregates import count_of, one_row
from campusflow.workflow import engine
from campusflow.workflow.models import CarbonCopy, Case, StepDefinition, Task

TABS = ("todo", "done", "mine", "cc")
CLEARANCE_PREFIX = "clearance."


def todo(user: User, delegators: list[int] | None = None) -> QuerySet[Task]:
    """Open tasks for the person's current role (and delegated to them)."""
    role = user.active_role
    assignments = [role] if role is not None else []
    # Clearance checkpoints are handled on the clearance desk, which keeps their counters.
    return Task.objects.filter(engine.actionable_q(user, assignments, delegators=delegators)).exclude(
        case__definition__code__startswith=CLEARANCE_PREFIX
    )


def done(user: User) -> QuerySet[Task]:
    return (
        Task.objects.filter(acted_by=user)
        .exclude(state=Task.State.OPEN)
        .exclude(case__definition__code__startswith=CLEARANCE_PREFIX)
    )


def mine(user: User) -> QuerySet[Case]:
    # A clearance case is opened for the student by the plan, not submitted by anyone;
    # the student follows it on 我的离校办理.
    return Case.objects.filter(applicant=user).exclude(definition__code__startswith=CLEARANCE_PREFIX)


def copied(user: User) -> QuerySet[CarbonCopy]:
    return CarbonCopy.objects.filter(user=user)


def count_figures(user: User, delegators: list[int] | None = None) -> dict[str, Expression | Subquery]:
    """The inbox's tab counts as expressions, for one query with other figures of a page."""
    waiting = todo(user, delegators)
    return {
        "todo": count_of(waiting),
        "overdue": count_of(waiting.filter(due_at__lt=timezone.now())),
        "done": count_of(done(user)),
        "mine": count_of(mine(user)),
        "cc": count_of(copied(user).filter(read_at__isnull=True)),
    }


def counts(user: User, delegators: list[int] | None = None) -> dict[str, int]:
    """The tab counts of the inbox, in one query."""
    return one_row(user, **count_figures(user, delegators))


@dataclass
class StepRow:
    step: StepDefinition
    state: str
    tasks: list[Task]


def case_page(case: Case, user: User) -> dict[str, Any]:
    """Everything the case page shows, in a fixed number of queries."""
    steps = list(case.definition.steps.order_by("order"))
    tasks = list(
        case.tasks.filter(round=case.round).select_related("step", "assignee", "acted_by", "pool_unit", "on_behalf_of")
    )
    by_step: dict[int, list[Task]] = {}
    for task in tasks:
        by_step.setdefault(task.step_id, []).append(task)
    live = {sid: [t for t in ts if t.state in engine.LIVE] for sid, ts in by_step.items()}
    rows = [StepRow(s, engine.step_state(s, live.get(s.pk, [])).value, by_step.get(s.pk, [])) for s in steps]
    mine_open = [t for t in tasks if t.state == Task.State.OPEN and engine.acting_capacity(user, t) is not None]
    revocable = [t for t in tasks if t.state == Task.State.APPROVED and t.acted_by_id == user.pk]
    events = list(case.events.select_related("actor").order_by("at", "id"))
    return {
        "steps": rows,
        "my_tasks": mine_open,
        "revocable": revocable if case.is_open else [],
        "events": events,
        "earlier_steps": {
            t.pk: [r.step for r in rows if r.state == "done" and r.step.key in _ancestors(steps, t.step.key)]
            for t in mine_open
        },
    }


def _ancestors(steps: list[StepDefinition], key: str) -> set[str]:
    by_key = {s.key: s for s in steps}
    found: set[str] = set()
    stack = list(by_key[key].prerequisites) if key in by_key else []
    while stack:
        current = stack.pop()
        if current in found or current not in by_key:
            continue
        found.add(current)
        stack.extend(by_key[current].prerequisites)
    return found
