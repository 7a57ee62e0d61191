"""The engine's mechanics: which steps are open, who acts, when a case ends.

Only ``workflow.actions`` calls these, inside its transaction and with the
case row locked. A step's state is derived from its tasks in the current
round, so there is no second copy of the truth to keep in step:

- no tasks → not reached yet;
- a ``skipped`` task → its condition did not apply;
- ``any`` (或签): done when one task is approved;
- ``single``/``all`` (会签, and any signer added with 加签): done when every task is approved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campusflow.accounts.models import RoleAssignment, User
from campusflow.core.errors import ActionError
from campusflow.core.i18n import stored
from campusflow.core.roles import Role
from campusflow.workflow.models import Case, CaseEvent, Delegation, StepDefinition, Task
from campusflow.workflow.registry import PREDICATES, PROCESSES, RESOLVERS, Candidate

if TYPE_CHECKING:
    from campusflow.orgs.models import OrgUnit

LIVE = (Task.State.OPEN, Task.State.APPROVED, Task.State.SKIPPED, Task.State.FAILED, Task.State.REJECTED)


class StepState(StrEnum):
    WAITING = "waiting"
    OPEN = "open"
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"


def steps_of(case: Case) -> list[StepDefinition]:
    return list(case.definition.steps.order_by("order"))


def round_tasks(case: Case) -> dict[int, list[Task]]:
    """The live tasks of the current round, by step id."""
    by_step: dict[int, list[Task]] = defaultdict(list)
    for task in case.tasks.filter(round=case.round, state__in=LIVE).order_by("id"):
        by_step[task.step_id].append(task)
    return by_step


def step_state(step: StepDefinition, tasks: list[Task]) -> StepState:
    if not tasks:
        return StepState.WAITING
    states = {t.state for t in tasks}
    if Task.State.SKIPPED in states:
        return StepState.SKIPPED
    if Task.State.FAILED in states:
        return StepState.FAILED
    if step.sign_mode == StepDefinition.SignMode.ANY:
        # Signers added with 加签 always have to agree, whatever the step's mode.
        added = [t for t in tasks if t.added_by_id]
        own = [t for t in tasks if not t.added_by_id]
        own_done = any(t.state == Task.State.APPROVED for t in own) or not own
        if own_done and all(t.state == Task.State.APPROVED for t in added):
            return StepState.DONE
        return StepState.OPEN
    if all(t.state == Task.State.APPROVED for t in tasks):
        return StepState.DONE
    return StepState.OPEN


def resolve(case: Case, step: StepDefinition) -> list[Candidate]:
    spec = RESOLVERS.get(step.actor)
    if spec is None:
        return []
    return spec.function(case, step.actor_argument)


def applies(case: Case, step: StepDefinition) -> bool:
    if not step.condition:
        return True
    spec = PREDICATES.get(step.condition)
    return bool(spec and spec.function(case, step.condition_argument))


def check_actors(case: Case) -> None:
    """Refuse a submission that some applicable step could never be handled for."""
    for step in steps_of(case):
        if applies(case, step) and not resolve(case, step):
            raise ActionError(
                _("“%(step)s”找不到办理人（%(who)s），暂时无法提交，请联系学院核实。")
                % {"step": step.name, "who": RESOLVERS[step.actor].label if step.actor in RESOLVERS else step.actor}
            )


def event(
    case: Case,
    kind: CaseEvent.Kind,
    *,
    actor: User | None,
    step: StepDefinition | None = None,
    opinion: str = "",
    role: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        round=case.round,
        kind=kind,
        actor=actor,
        actor_name=actor.display_name if actor is not None else "",
        actor_role=role,
        step_key=step.key if step else "",
        step_name=step.name if step else "",
        opinion=opinion,
        data=data or {},
    )


def _due(step: StepDefinition) -> Any:
    return timezone.now() + timedelta(days=step.due_days) if step.due_days else None


def open_step(case: Case, step: StepDefinition, *, previous_approver: User | None) -> list[Task]:
    """Create the step's tasks; auto-pass when the previous approver is the only actor."""
    if not applies(case, step):
        Task.objects.create(case=case, step=step, round=case.round, state=Task.State.SKIPPED)
        event(case, CaseEvent.Kind.SKIPPED, actor=None, step=step)
        return []
    candidates = resolve(case, step)
    if not candidates:
        raise ActionError(_("“%(step)s”找不到办理人，请联系学院核实。") % {"step": step.name})
    holder = _same_holder(candidates, previous_approver) if step.allow_auto_pass else None
    if holder is not None and previous_approver is not None:
        now = timezone.now()
        Task.objects.create(
            case=case,
            step=step,
            round=case.round,
            assignee=previous_approver,
            acting_role=holder.role,
            state=Task.State.APPROVED,
            acted_by=previous_approver,
            acted_at=now,
            opinion=stored(gettext_lazy("与上一步为同一人，自动通过")),
        )
        event(case, CaseEvent.Kind.AUTO_PASSED, actor=previous_approver, step=step, role=holder.role)
        return []
    due = _due(step)
    tasks = [
        Task(
            case=case,
            step=step,
            round=case.round,
            assignee=c.user,
            pool_role=c.role if c.user is None else "",
            pool_unit=c.unit if c.user is None else None,
            acting_role=c.role,
            due_at=due,
        )
        for c in candidates
    ]
    return Task.objects.bulk_create(tasks)


def _same_holder(candidates: list[Candidate], person: User | None) -> Candidate | None:
    """The candidate ``person`` stands for when the step is theirs alone to act on.

    A step of one named person auto-passes when that person just approved the
    step before; a role pool does too when that person holds the pool's role at
    its unit (a supervisor who is also the teaching dean signs once).
    """
    if person is None or len(candidates) != 1:
        return None
    candidate = candidates[0]
    if candidate.user is not None:
        return candidate if candidate.user.pk == person.pk else None
    probe = Task(pool_role=candidate.role, pool_unit=candidate.unit)
    return candidate if any(pool_covers(a, probe) for a in person.roles_held) else None


def advance(case: Case, *, previous_approver: User | None, actor: User | None) -> list[Task]:
    """Open every step whose prerequisites are met; end the case when every step is done.

    Returns the tasks opened, so the caller can tell their actors.
    """
    steps = steps_of(case)
    opened: list[Task] = []
    while True:
        by_step = round_tasks(case)
        states = {s.key: step_state(s, by_step.get(s.pk, [])) for s in steps}
        ready = [
            s
            for s in steps
            if states[s.key] == StepState.WAITING
            and all(states.get(p) in (StepState.DONE, StepState.SKIPPED) for p in s.prerequisites)
        ]
        if not ready:
            break
        for step in ready:
            opened += open_step(case, step, previous_approver=previous_approver)
    if all(state in (StepState.DONE, StepState.SKIPPED) for state in states.values()):
        finish(case, Case.State.APPROVED, actor=actor)
    return opened


def finish(case: Case, state: Case.State, *, actor: User | None) -> None:
    case.state = state
    case.finished_at = timezone.now()
    if state == Case.State.APPROVED:
        event(case, CaseEvent.Kind.COMPLETED, actor=None)
    spec = PROCESSES.get(case.definition.code)
    if spec is not None and spec.on_finished is not None:
        spec.on_finished(case)


def cancel_open(case: Case, *, keep: Iterable[int] = ()) -> list[Task]:
    """Cancel the open tasks of the current round (after a rejection, withdrawal or termination)."""
    open_tasks = list(case.tasks.filter(round=case.round, state=Task.State.OPEN).exclude(pk__in=list(keep)))
    case.tasks.filter(pk__in=[t.pk for t in open_tasks]).update(state=Task.State.CANCELLED)
    return open_tasks


def downstream(steps: list[StepDefinition], start_key: str) -> set[str]:
    """``start_key`` and every step that (transitively) waits for it."""
    found = {start_key}
    changed = True
    while changed:
        changed = False
        for step in steps:
            if step.key not in found and any(p in found for p in step.prerequisites):
                found.add(step.key)
                changed = True
    return found


# -- who may act on a task ---------------------------------------------------------


def pool_covers(assignment: RoleAssignment, task: Task) -> bool:
    if not task.pool_role or assignment.role != task.pool_role or assignment.unit is None:
        return False
    unit: OrgUnit | None = task.pool_unit
    if unit is None:
        return False
    return assignment.unit_id == unit.pk or (unit.kind == "school" and assignment.unit.school_id == unit.pk)


def active_delegators(user: User) -> list[int]:
    # The request's user lookup tells whether anyone delegated to them (accounts/backends.py).
    if getattr(user, "stands_in", None) is False:
        return []
    now = timezone.now()
    return list(
        Delegation.objects.filter(delegate=user, starts_at__lte=now, ends_at__gt=now, revoked_at__isnull=True)
        .values_list("delegator_id", flat=True)
        .distinct()
    )


def acting_capacity(user: User, task: Task) -> tuple[str, User | None] | None:
    """(role acted in, on-behalf-of) if ``user`` may act on ``task``; None otherwise."""
    if task.assignee_id is not None:
        if task.assignee_id == user.pk:
            return task.acting_role, None
        if task.assignee_id in active_delegators(user):
            return task.acting_role, task.assignee
        return None
    assignments = user.roles_held
    if getattr(user, "acts_in_active_role_only", False):
        assignments = [user.active_role] if user.active_role else []
    for assignment in assignments:
        if pool_covers(assignment, task):
            return assignment.role, None
    return None


def actionable_q(
    user: User,
    assignments: Iterable[RoleAssignment],
    *,
    include_delegated: bool = True,
    delegators: list[int] | None = None,
) -> Q:
    """Open tasks these role assignments (and delegations to ``user``) may act on.

    ``delegators`` (from ``active_delegators``) spares the lookup when a page has it already.
    """
    q = Q(pk__in=[])
    roles = set()
    for assignment in assignments:
        roles.add(assignment.role)
        if assignment.unit_id is not None:
            q |= Q(pool_role=assignment.role, pool_unit_id=assignment.unit_id)
            if (
                assignment.unit is not None
                and assignment.unit.school_id
                and assignment.unit.school_id != assignment.unit_id
            ):
                q |= Q(pool_role=assignment.role, pool_unit_id=assignment.unit.school_id)
    if roles:
        q |= Q(assignee=user, acting_role__in=roles)
    if include_delegated:
        # A literal list, not a subquery: PostgreSQL then combines the pool and assignee
        # indexes (BitmapOr); a subquery here becomes a filter over every open task.
        if delegators is None:
            delegators = active_delegators(user)
        if delegators:
            q |= Q(assignee_id__in=delegators)
    return q & Q(state=Task.State.OPEN)


def pool_users(task: Task) -> list[User]:
    """Everyone who may act on a pool task (to tell them it arrived)."""
    if task.assignee_id is not None:
        return [task.assignee] if task.assignee else []
    if not task.pool_role or task.pool_unit is None:
        return []
    assignments = RoleAssignment.objects.filter(role=task.pool_role)
    if task.pool_unit.kind == "school":
        assignments = assignments.filter(unit__school_id=task.pool_unit_id)
    else:
        assignments = assignments.filter(unit_id=task.pool_unit_id)
    return list(User.objects.filter(pk__in=assignments.values("user_id"), status=User.Status.ACTIVE))


def role_of(value: str) -> str:
    return str(Role(value).label) if value in Role.values else ""
