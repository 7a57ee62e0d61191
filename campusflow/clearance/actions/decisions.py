"""Checkpoint decisions (C-02, C-03, the C-04 import) and the practice-exit integration.

See the package docstring for how :func:`pass_tasks` works set-based.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import (
    BooleanField,
    CharField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models import Case as DbCase
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from campusflow.accounts.models import User
from campusflow.clearance.actions._sql import among, insert_from
from campusflow.clearance.actions.plans import (
    AUTO_PASS_REMARK,
    FAIL,
    PASS,
    RESULTS,
    SUPERVISOR_ACTOR,
    _by_department,
    _managed_plan,
    _offices,
    _task_scope_q,
    checkpoints_for,
    open_tasks,
)
from campusflow.clearance.models import ClearanceCounter, ClearancePlan, ClearanceRecord
from campusflow.core import audit
from campusflow.core.errors import ActionError
from campusflow.core.i18n import stored
from campusflow.workflow.models import Case, CaseEvent, StepDefinition, Task

# -- checkpoint decisions (C-02, C-03, and the C-04 import) ----------------------------


@dataclass
class BatchResult:
    """What a decision did, by student id."""

    changed: list[int] = field(default_factory=list)
    already: list[int] = field(default_factory=list)
    # Students whose checkpoint still waits for others: the names of the missing ones.
    blocked: dict[int, list[str]] = field(default_factory=dict)
    # Not in the plan or not in the operator's scope.
    not_found: list[int] = field(default_factory=list)
    # A decision that cannot be made (a passed checkpoint turned into 不通过 …).
    refused: dict[int, str] = field(default_factory=dict)
    opened: int = 0
    cleared: int = 0

    def summary(self) -> str:
        parts = [_("已办理 %(n)d 人。") % {"n": len(self.changed)}]
        if self.already:
            parts.append(_("已办理 %(n)d 人（跳过）。") % {"n": len(self.already)})
        if self.blocked:
            parts.append(_("前置环节未完成 %(n)d 人。") % {"n": len(self.blocked)})
        if self.not_found:
            parts.append(_("不在本方案或不在您的办理范围内 %(n)d 人。") % {"n": len(self.not_found)})
        if self.refused:
            parts.append(_("无法办理 %(n)d 人。") % {"n": len(self.refused)})
        return "".join(parts)


def plan_of(checkpoint: StepDefinition) -> ClearancePlan:
    try:
        return ClearancePlan.objects.select_related("definition", "school").get(definition_id=checkpoint.definition_id)
    except ClearancePlan.DoesNotExist:
        raise Http404 from None


def _clean_remark(result: str, remark: str) -> str:
    if result not in RESULTS:
        raise ActionError(_("请选择办理结果。"), field="result")
    remark = remark.strip()[:500]
    if result == FAIL and not remark:
        raise ActionError(_("不通过时请填写备注，说明原因。"), field="remark")
    return remark


def pass_tasks(
    *, actor: User, checkpoint: StepDefinition, student_ids: Iterable[Any], result: str = PASS, remark: str = ""
) -> BatchResult:
    """Decide one checkpoint for many students at once (批量办理; also what imports call).

    ``student_ids`` are ``orgs.Student`` ids. Students not in the plan or outside
    the actor's scope are ``refused``; already passed ones are ``already``
    (nothing changes); ones whose prerequisites have not passed are ``blocked``.
    """
    remark = _clean_remark(result, remark)
    plan = plan_of(checkpoint)
    assignment = actor.active_role
    if not any(s.pk == checkpoint.pk for s in checkpoints_for(assignment, plan)):
        if not ClearancePlan.objects.visible_to(actor).filter(pk=plan.pk).exists():
            raise Http404
        raise PermissionDenied
    assert assignment is not None  # checkpoints_for() is empty without one
    if plan.state != ClearancePlan.State.ACTIVE:
        raise ActionError(_("该离校方案不在办理中。"))
    ids = _ids(student_ids)
    with transaction.atomic():
        visible = ClearanceRecord.objects.visible_to(actor).filter(among("student_id", ids), plan=plan)
        outcome = _decide(
            plan=plan,
            step=checkpoint,
            records=visible,
            result=result,
            remark=remark,
            actor=actor,
            acting_role=assignment.role,
            task_q=_task_scope_q(actor, assignment),
            kind=CaseEvent.Kind.APPROVED if result == PASS else CaseEvent.Kind.FAILED,
        )
        outcome.result.not_found += [s for s in ids if s not in outcome.seen]
        audit.record(
            "clearance.decide",
            actor=actor,
            target=plan,
            data={
                "step": checkpoint.key,
                "result": result,
                "changed": len(outcome.result.changed),
                "already": len(outcome.result.already),
                "blocked": len(outcome.result.blocked),
                "refused": len(outcome.result.refused) + len(outcome.result.not_found),
                "students": outcome.result.changed[:200],
            },
        )
    return outcome.result


def decide(*, actor: User, checkpoint: StepDefinition, student_id: Any, result: str, remark: str = "") -> BatchResult:
    """单个办理: one student; a refusal is an ``ActionError`` naming the reason."""
    outcome = pass_tasks(actor=actor, checkpoint=checkpoint, student_ids=[student_id], result=result, remark=remark)
    sid = next(iter(_ids([student_id])), 0)
    if sid in outcome.not_found or not sid:
        raise Http404
    if sid in outcome.blocked:
        names = "、".join(outcome.blocked[sid])
        raise ActionError(_("前置环节“%(names)s”尚未通过，暂不能办理本环节。") % {"names": names}, code="blocked")
    if sid in outcome.refused:
        raise ActionError(outcome.refused[sid], code="conflict")
    if sid in outcome.already:
        raise ActionError(_("该学生本环节已办理，无需重复办理。"), code="conflict")
    return outcome


def _ids(values: Iterable[Any]) -> list[int]:
    ids: list[int] = []
    for value in values:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    return list(dict.fromkeys(ids))


@dataclass
class _Outcome:
    result: BatchResult
    seen: set[int]


def _decide(
    *,
    plan: ClearancePlan,
    step: StepDefinition,
    records: QuerySet[ClearanceRecord],
    result: str,
    remark: str,
    actor: User | None,
    acting_role: str,
    task_q: Q | None,
    kind: str,
) -> _Outcome:
    """The set-based core; call inside a transaction.

    One query locks the cases (in id order) and reads their students, one reads
    the tasks at ``step`` (state and whether the actor may act on them); then one
    ``UPDATE`` of the tasks, one of the cases' versions, one ``INSERT … SELECT``
    of the events and one ``UPDATE`` of the counters, whatever the batch size.
    """
    out = BatchResult()
    rows = sorted(
        records.filter(case__isnull=False).order_by().values_list("student_id", "case_id", "department_id"),
        key=lambda row: row[1],
    )
    seen = {student for student, _case, _dept in rows}
    if not rows:
        return _Outcome(out, seen)
    # The lock every decision on these cases queues behind, always taken in id order.
    list(
        Case.objects.select_for_update()
        .filter(among("pk", [case_id for _s, case_id, _d in rows]))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    case_of = {student: case_id for student, case_id, _dept in rows}
    in_scope = Value(True) if task_q is None else DbCase(When(task_q, then=Value(True)), default=Value(False))
    by_case = {
        case_id: (pk, state, scoped)
        for pk, case_id, state, scoped in Task.objects.filter(
            among("case_id", [case_id for _s, case_id, _d in rows]), step=step, round=1
        )
        .annotate(scoped=ExpressionWrapper(in_scope, output_field=BooleanField()))
        .order_by()
        .values_list("pk", "case_id", "state", "scoped")
    }
    change: list[tuple[int, int, str, int]] = []  # student, task, old state, department
    waiting: list[int] = []
    for student, case_id, dept in rows:
        found = by_case.get(case_id)
        if found is None:
            waiting.append(student)
            continue
        pk, state, scoped = found
        if not scoped:
            seen.discard(student)
        elif state == Task.State.APPROVED:
            if result == PASS:
                out.already.append(student)
            else:
                out.refused[student] = _("本环节已通过，不能改为不通过。")
        elif state == Task.State.FAILED and result == FAIL:
            out.already.append(student)
        elif state in (Task.State.OPEN, Task.State.FAILED):
            change.append((student, pk, state, dept))
        else:
            out.refused[student] = _("本环节当前不能办理。")
    steps = list(plan.definition.steps.order_by("order")) if waiting or (result == PASS and change) else []
    if waiting:
        out.blocked = _missing(step, steps, {s: case_of[s] for s in waiting})
    if not change:
        return _Outcome(out, seen)

    now = timezone.now()
    new_state = Task.State.APPROVED if result == PASS else Task.State.FAILED
    task_ids = [pk for _s, pk, _old, _d in change]
    updated = Task.objects.filter(among("pk", task_ids), state__in=[Task.State.OPEN, Task.State.FAILED]).update(
        state=new_state, opinion=remark, acted_by=actor, acted_at=now, acting_role=acting_role
    )
    if updated != len(task_ids):  # cannot happen while the cases are locked
        raise ActionError(_("办理冲突，请刷新后重试。"), code="conflict")
    out.changed = [s for s, _pk, _old, _d in change]
    changed_cases = [case_of[s] for s in out.changed]
    Case.objects.filter(among("pk", changed_cases)).update(version=F("version") + 1, updated_at=now)
    insert_from(
        CaseEvent,
        Task.objects.filter(among("pk", task_ids)).order_by("case_id"),
        _event_columns(
            F("case_id"),
            now,
            kind,
            actor=Value(actor.pk if actor else None, output_field=IntegerField()),
            actor_name=actor.display_name if actor else "",
            actor_role=acting_role,
            step_key=step.key,
            step_name=step.name,
            opinion=remark,
        ),
    )
    passed: Counter[int] = Counter()
    failed: Counter[int] = Counter()
    for _s, _pk, old, dept in change:
        if result == PASS:
            passed[dept] += 1
            if old == Task.State.FAILED:
                failed[dept] -= 1
        else:
            failed[dept] += 1
    ClearanceCounter.objects.filter(plan=plan, step=step, department_id__in=list(set(passed) | set(failed))).update(
        passed=F("passed") + _by_department(dict(passed)), failed=F("failed") + _by_department(dict(failed))
    )
    if result == PASS:
        out.opened = _open_next(plan, steps, step, changed_cases, now)
        out.cleared = _finish(plan, steps, step, changed_cases, now)
    return _Outcome(out, seen)


def _event_columns(case: Any, now: Any, kind: str, **texts: Any) -> dict[str, Any]:
    """The columns of a timeline event for :func:`insert_from` (``texts``: actor and step fields)."""
    columns: dict[str, Any] = {
        "case": case,
        "at": Value(now, output_field=DateTimeField()),
        "round": Value(1, output_field=IntegerField()),
        "kind": Value(kind),
        "data": Value({}, output_field=JSONField()),
    }
    for name in ("actor_name", "actor_role", "step_key", "step_name", "opinion"):
        columns[name] = Value(texts.get(name, ""), output_field=CharField())
    if texts.get("actor") is not None:
        columns["actor"] = texts["actor"]
    return columns


def _missing(step: StepDefinition, steps: list[StepDefinition], cases: dict[int, int]) -> dict[int, list[str]]:
    """For students without a task at ``step``: the prerequisite checkpoints not passed yet."""
    names = {s.key: s.name for s in steps}
    done: dict[int, set[str]] = defaultdict(set)
    for case_id, key in Task.objects.filter(
        among("case_id", cases.values()), step__key__in=step.prerequisites, state=Task.State.APPROVED
    ).values_list("case_id", "step__key"):
        done[case_id].add(key)
    return {
        student: [names.get(p, p) for p in step.prerequisites if p not in done[case_id]] or [step.name]
        for student, case_id in cases.items()
    }


def _open_next(
    plan: ClearancePlan, steps: list[StepDefinition], step: StepDefinition, case_ids: list[int], now: Any
) -> int:
    """Open the checkpoints that wait for ``step`` where all their prerequisites have now passed.

    ``step`` has just passed on every case of ``case_ids``; one ``INSERT … SELECT`` per dependent.
    """
    dependents = [s for s in steps if step.key in s.prerequisites]
    if not dependents:
        return 0
    offices = _offices(plan, dependents)
    ids = {s.key: s.pk for s in steps}
    opened = 0
    for dependent in dependents:
        ready = Case.objects.filter(among("pk", case_ids)).exclude(
            Exists(Task.objects.filter(case_id=OuterRef("pk"), step_id=dependent.pk))
        )
        for other in dependent.prerequisites:
            if other != step.key:
                ready = ready.filter(
                    Exists(
                        Task.objects.filter(case_id=OuterRef("pk"), step_id=ids.get(other), state=Task.State.APPROVED)
                    )
                )
        opened += open_tasks(dependent, ready, offices, now)
    return opened


def _finish(
    plan: ClearancePlan, steps: list[StepDefinition], step: StepDefinition, case_ids: list[int], now: Any
) -> int:
    """Finish the cases whose every checkpoint has passed (``step`` just has, on all of ``case_ids``)."""
    if any(step.key in s.prerequisites for s in steps):
        return 0  # a checkpoint waiting for ``step`` has just been opened (or was open already)
    # The other checkpoints, least passed first (from the summary table): most cases fail the
    # first test, and when one has passed nowhere nobody can finish.
    passed = dict(
        ClearanceCounter.objects.filter(plan=plan)
        .values_list("step_id")
        .annotate(n=Sum("passed"))
        .values_list("step_id", "n")
    )
    others = sorted((s for s in steps if s.pk != step.pk), key=lambda s: passed.get(s.pk) or 0)
    if others and not passed.get(others[0].pk):
        return 0
    finished = Case.objects.filter(among("pk", case_ids), state=Case.State.IN_PROGRESS)
    for other in others:
        finished = finished.filter(
            Exists(Task.objects.filter(case_id=OuterRef("pk"), step_id=other.pk, state=Task.State.APPROVED))
        )
    ids = list(finished.values_list("pk", flat=True))
    if not ids:
        return 0
    Case.objects.filter(among("pk", ids)).update(state=Case.State.APPROVED, finished_at=now)
    completed = _event_columns(F("pk"), now, CaseEvent.Kind.COMPLETED)
    insert_from(CaseEvent, Case.objects.filter(among("pk", ids)).order_by("pk"), completed)
    ClearanceRecord.objects.filter(among("case_id", ids)).update(cleared_at=now)
    return len(ids)


# -- integration: professional-practice exits pass 导师审核 ------------------------------


def _sync_exits(plan: ClearancePlan, actor: User | None) -> int:
    from campusflow.practice.models import Placement

    total = 0
    exited = Placement.objects.filter(status=Placement.Status.EXITED).values("student_id")
    for step in plan.definition.steps.filter(actor=SUPERVISOR_ACTOR).order_by("order"):
        outcome = _decide(
            plan=plan,
            step=step,
            records=ClearanceRecord.objects.filter(plan=plan, student_id__in=exited),
            result=PASS,
            remark=stored(AUTO_PASS_REMARK),
            actor=None,
            acting_role="",
            task_q=None,
            kind=CaseEvent.Kind.AUTO_PASSED,
        )
        total += len(outcome.result.changed)
    if total:
        audit.record("clearance.practice_exits", actor=actor, target=plan, data={"passed": total})
    return total


def sync_practice_exits(*, actor: User, plan_id: Any) -> int:
    """Pass 导师审核 for every student of the plan whose professional practice has ended (已出站)."""
    with transaction.atomic():
        plan = _managed_plan(actor, plan_id, lock=True)
        if not plan.practice_exit_passes_supervisor:
            raise ActionError(_("本方案未开启“导师审核由专业实践出站自动通过”。"))
        if plan.state != ClearancePlan.State.ACTIVE:
            raise ActionError(_("该离校方案不在办理中。"))
        return _sync_exits(plan, actor)
