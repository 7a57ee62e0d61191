"""Every change to a case, task, definition or delegation (W-01…W-09, S-08).

Each action:
- takes ``actor=`` and checks it: 404 when the case is not theirs to see,
  403 when they may see it but it is not their turn, a clear message when the
  step is already decided or the form is stale;
- locks the case row and checks the version the form was rendered at, so two
  people (or one double click) never move a case twice;
- writes the timeline event and the audit event in the same transaction;
- tells the next actors only after commit (through ``notifications.notify``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from campusflow.accounts.models import User
from campusflow.core import audit
from campusflow.core.errors import ActionError
from campusflow.core.i18n import in_stored_language, stored_language
from campusflow.core.roles import DEFINITION_ADMINS, Role
from campusflow.workflow import engine
from campusflow.workflow.forms_spec import check_spec, clean_values
from campusflow.workflow.models import (
    ActionLink,
    CarbonCopy,
    Case,
    CaseEvent,
    Delegation,
    ProcessDefinition,
    StepDefinition,
    Task,
)
from campusflow.workflow.registry import PREDICATES, RESOLVERS

# Who may end a case early (终止) and edit definitions.
CASE_ADMINS = frozenset({Role.GRADUATE_SCHOOL, Role.SCHOOL_ADMIN, Role.SYSTEM_ADMIN})
LINK_VALID_HOURS = 72
REMIND_INTERVAL = timedelta(hours=1)


# -- locking and checks --------------------------------------------------------


def _lock(case_id: int) -> Case:
    """The case row, locked for the rest of the transaction (a no-op on SQLite,
    whose IMMEDIATE transactions already serialise writers)."""
    try:
        return (
            Case.objects.select_for_update(of=("self",))
            .select_related("definition", "student__supervisor", "student__enterprise_mentor", "school", "department")
            .get(pk=case_id)
        )
    except Case.DoesNotExist:
        raise Http404 from None


def _last_handled(case: Case) -> str:
    last = case.events.exclude(kind__in=[CaseEvent.Kind.COPIED, CaseEvent.Kind.REMINDED]).order_by("-at", "-id").first()
    if last is None:
        return _("该事项已被他人处理，请刷新后查看最新状态。")
    when = date_format(timezone.localtime(last.at), "Y-m-d H:i")
    return _("该事项已由 %(who)s 于 %(when)s 处理（%(what)s），请刷新后查看最新状态。") % {
        "who": last.actor_name or _("系统"),
        "when": when,
        "what": last.get_kind_display(),
    }


def _check_version(case: Case, expected_version: int | None) -> None:
    if expected_version is not None and case.version != expected_version:
        raise ActionError(_last_handled(case), code="stale")


def _visible(actor: User, case: Case) -> bool:
    return Case.objects.visible_to(actor).filter(pk=case.pk).exists()


def _task_and_case(actor: User, task_id: Any, expected_version: int | None) -> tuple[Task, Case, str, User | None]:
    """Lock the task's case and check that ``actor`` may act on the task now."""
    try:
        case_id = Task.objects.values_list("case_id", flat=True).get(pk=task_id)
    except (Task.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    case = _lock(case_id)
    if case.definition.code.startswith("clearance."):
        # Clearance checkpoints change their summary counters too: only clearance.actions acts on them.
        raise ActionError(_("离校环节请在“离校现场办理”页面办理。"), code="conflict")
    task = Task.objects.select_related("step", "assignee", "pool_unit").get(pk=task_id)
    capacity = engine.acting_capacity(actor, task)
    if capacity is None:
        if not _visible(actor, case):
            raise Http404
        if task.state != Task.State.OPEN:
            raise ActionError(_last_handled(case), code="conflict")
        raise PermissionDenied
    if task.state != Task.State.OPEN or task.round != case.round or not case.is_open:
        raise ActionError(_last_handled(case), code="conflict")
    _check_version(case, expected_version)
    role, on_behalf = capacity
    return task, case, role, on_behalf


def _save_case(case: Case) -> None:
    case.version += 1
    case.save(update_fields=["version", "state", "round", "finished_at", "updated_at"])


def _case_url(case: Case) -> str:
    return f"/workflow/cases/{case.pk}/"


@in_stored_language
def _announce(case: Case, tasks: Iterable[Task]) -> None:
    """Tell the actors of newly opened tasks (in-app now, e-mail/SMS after commit)."""
    from campusflow.notifications.actions import notify

    for task in tasks:
        recipients = engine.pool_users(task)
        if not recipients:
            continue
        notify(
            recipients=recipients,
            title=_("待办：%(title)s") % {"title": case.title},
            body=_("“%(step)s”等待您办理。") % {"step": task.step.name},
            url=_case_url(case),
            kind="workflow.task",
            email=True,
        )
        if task.acting_role == Role.ENTERPRISE_MENTOR and task.assignee is not None:
            _send_action_link(task)


@in_stored_language
def _tell_applicant(case: Case, text: str) -> None:
    from campusflow.notifications.actions import notify

    notify(recipients=[case.applicant], title=case.title, body=text, url=_case_url(case), kind="workflow.result")


def _require_opinion(opinion: str) -> str:
    opinion = (opinion or "").strip()
    if not opinion:
        raise ActionError(_("请填写意见（驳回或不通过时必填）。"), field="opinion")
    if len(opinion) > 2000:
        raise ActionError(_("意见不能超过2000字。"), field="opinion")
    return opinion


# -- starting a case ---------------------------------------------------------------


def current_definition(code: str) -> ProcessDefinition:
    try:
        return ProcessDefinition.objects.get(code=code, is_current=True)
    except ProcessDefinition.DoesNotExist:
        raise ActionError(_("流程“%(code)s”尚未配置。") % {"code": code}) from None


def submit(
    *,
    actor: User,
    code: str,
    subject: models.Model,
    title: str,
    school: Any,
    department: Any = None,
    student: Any = None,
) -> Case:
    """Start a case for a business record. Call inside the business action's transaction."""
    definition = current_definition(code)
    with transaction.atomic():
        case = Case.objects.create(
            definition=definition,
            title=title[:200],
            subject_type=ContentType.objects.get_for_model(subject),
            subject_id=subject.pk,
            applicant=actor,
            student=student,
            school=school,
            department=department,
        )
        engine.check_actors(case)
        engine.event(case, CaseEvent.Kind.SUBMITTED, actor=actor, role=actor.role or "")
        opened = engine.advance(case, previous_approver=None, actor=actor)
        case.save(update_fields=["state", "finished_at", "updated_at"])
        audit.record("workflow.submit", actor=actor, target=case, school=case.school_id, data={"code": code})
        _announce(case, opened)
    return case


def resubmit(*, actor: User, case_id: Any, expected_version: int | None = None) -> Case:
    """The applicant sends a returned or withdrawn case again, from the first step."""
    with transaction.atomic():
        case = _lock(case_id)
        if case.applicant_id != actor.pk:
            raise Http404 if not _visible(actor, case) else PermissionDenied
        if not case.is_editable:
            raise ActionError(_last_handled(case), code="conflict")
        _check_version(case, expected_version)
        case.round += 1
        case.state = Case.State.IN_PROGRESS
        case.finished_at = None
        engine.check_actors(case)
        engine.event(case, CaseEvent.Kind.RESUBMITTED, actor=actor, role=actor.role or "")
        opened = engine.advance(case, previous_approver=None, actor=actor)
        _save_case(case)
        audit.record("workflow.resubmit", actor=actor, target=case, school=case.school_id)
        _announce(case, opened)
    return case


# -- deciding a task -----------------------------------------------------------------


def approve(
    *,
    actor: User,
    task_id: Any,
    expected_version: int | None = None,
    opinion: str = "",
    data: dict[str, Any] | None = None,
    via_link: bool = False,
) -> Case:
    """确定/通过. Opens the next steps, or ends the case when this was the last."""
    with transaction.atomic():
        task, case, role, on_behalf = _task_and_case(actor, task_id, expected_version)
        step = task.step
        opinion = (opinion or "").strip()
        if step.opinion_required and not opinion:
            raise ActionError(_("请填写审核意见。"), field="opinion")
        if len(opinion) > 2000:
            raise ActionError(_("意见不能超过2000字。"), field="opinion")
        values = clean_values(step.form_fields, data or {})
        now = timezone.now()
        task.state = Task.State.APPROVED
        task.opinion, task.data = opinion, values
        task.acted_by, task.acted_at, task.on_behalf_of = actor, now, on_behalf
        task.save(update_fields=["state", "opinion", "data", "acted_by", "acted_at", "on_behalf_of"])
        if step.sign_mode == StepDefinition.SignMode.ANY:
            # 或签: the first approval decides for the step's own signers.
            case.tasks.filter(round=case.round, step=step, state=Task.State.OPEN, added_by__isnull=True).update(
                state=Task.State.CANCELLED
            )
        engine.event(
            case,
            CaseEvent.Kind.APPROVED,
            actor=actor,
            step=step,
            opinion=opinion,
            role=role,
            data={
                "form": values,
                **({"on_behalf_of": on_behalf.display_name} if on_behalf else {}),
                **({"via": "link"} if via_link else {}),
            },
        )
        opened = engine.advance(case, previous_approver=actor, actor=actor)
        _save_case(case)
        audit.record(
            "workflow.approve",
            actor=actor,
            target=case,
            school=case.school_id,
            data={"step": step.key, "via": "link" if via_link else "web"},
        )
        _announce(case, opened)
        if case.state == Case.State.APPROVED:
            _tell_applicant(case, _("您的申请已审核通过。"))
    return case


def reject(
    *,
    actor: User,
    task_id: Any,
    opinion: str,
    expected_version: int | None = None,
    to_step: str | None = None,
    via_link: bool = False,
) -> Case:
    """驳回: back to the applicant to resubmit (default), or to a chosen earlier step."""
    opinion = _require_opinion(opinion)
    with transaction.atomic():
        task, case, role, on_behalf = _task_and_case(actor, task_id, expected_version)
        step = task.step
        target = to_step if to_step is not None else step.reject_to
        now = timezone.now()
        task.state, task.opinion = Task.State.REJECTED, opinion
        task.acted_by, task.acted_at, task.on_behalf_of = actor, now, on_behalf
        task.save(update_fields=["state", "opinion", "acted_by", "acted_at", "on_behalf_of"])
        if not target:
            engine.cancel_open(case)
            case.state = Case.State.RETURNED
            engine.event(case, CaseEvent.Kind.REJECTED, actor=actor, step=step, opinion=opinion, role=role)
            opened: list[Task] = []
            _tell_applicant(case, _("您的申请被驳回，请修改后重新提交。意见：%(o)s") % {"o": opinion})
        else:
            steps = engine.steps_of(case)
            by_key = {s.key: s for s in steps}
            if target not in by_key or target == step.key:
                raise ActionError(_("只能驳回到本步骤之前已办理的步骤。"), field="to_step")
            earlier = engine.downstream(steps, target)
            by_step = engine.round_tasks(case)
            done = engine.step_state(by_key[target], by_step.get(by_key[target].pk, [])) == engine.StepState.DONE
            if step.key not in earlier or not done:
                raise ActionError(_("只能驳回到本步骤之前已办理的步骤。"), field="to_step")
            engine.cancel_open(case)
            case.tasks.filter(
                round=case.round, step__key__in=earlier, state__in=[Task.State.APPROVED, Task.State.SKIPPED]
            ).update(state=Task.State.SUPERSEDED)
            engine.event(
                case,
                CaseEvent.Kind.REJECTED_TO_STEP,
                actor=actor,
                step=step,
                opinion=opinion,
                role=role,
                data={"to_step": target, "to_step_name": by_key[target].name},
            )
            opened = engine.advance(case, previous_approver=None, actor=actor)
        _save_case(case)
        audit.record(
            "workflow.reject",
            actor=actor,
            target=case,
            school=case.school_id,
            data={"step": step.key, "to": target or "applicant", "via": "link" if via_link else "web"},
        )
        _announce(case, opened)
    return case


def fail(*, actor: User, task_id: Any, opinion: str, expected_version: int | None = None) -> Case:
    """不通过: the case ends here."""
    opinion = _require_opinion(opinion)
    with transaction.atomic():
        task, case, role, on_behalf = _task_and_case(actor, task_id, expected_version)
        task.state, task.opinion = Task.State.FAILED, opinion
        task.acted_by, task.acted_at, task.on_behalf_of = actor, timezone.now(), on_behalf
        task.save(update_fields=["state", "opinion", "acted_by", "acted_at", "on_behalf_of"])
        engine.cancel_open(case)
        engine.event(case, CaseEvent.Kind.FAILED, actor=actor, step=task.step, opinion=opinion, role=role)
        engine.finish(case, Case.State.FAILED, actor=actor)
        _save_case(case)
        audit.record("workflow.fail", actor=actor, target=case, school=case.school_id, data={"step": task.step.key})
        _tell_applicant(case, _("您的申请未通过。意见：%(o)s") % {"o": opinion})
    return case


def revoke(*, actor: User, task_id: Any, expected_version: int | None = None) -> Case:
    """撤销审核: undo one's own approval while no later step has acted."""
    try:
        case_id = Task.objects.values_list("case_id", flat=True).get(pk=task_id)
    except (Task.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    with transaction.atomic():
        case = _lock(case_id)
        task = Task.objects.select_related("step").get(pk=task_id)
        if task.acted_by_id != actor.pk:
            raise Http404 if not _visible(actor, case) else PermissionDenied
        if task.state != Task.State.APPROVED or task.round != case.round:
            raise ActionError(_("只能撤销本轮中自己已通过的审核。"), code="conflict")
        if not case.is_open:
            raise ActionError(_("事项已办结，无法撤销审核。"), code="conflict")
        _check_version(case, expected_version)
        steps = engine.steps_of(case)
        later = engine.downstream(steps, task.step.key) - {task.step.key}
        later_tasks = list(case.tasks.filter(round=case.round, step__key__in=later, state__in=engine.LIVE))
        if any(t.acted_by_id not in (None, actor.pk) for t in later_tasks):
            raise ActionError(_("下一步已办理，无法撤销审核。"), code="conflict")
        case.tasks.filter(pk__in=[t.pk for t in later_tasks]).update(state=Task.State.CANCELLED)
        if task.step.sign_mode == StepDefinition.SignMode.ANY:
            case.tasks.filter(
                round=case.round, step=task.step, state=Task.State.CANCELLED, added_by__isnull=True
            ).update(state=Task.State.OPEN)
        task.state = Task.State.OPEN
        task.opinion, task.data = "", {}
        task.acted_by, task.acted_at, task.on_behalf_of = None, None, None
        task.save(update_fields=["state", "opinion", "data", "acted_by", "acted_at", "on_behalf_of"])
        engine.event(case, CaseEvent.Kind.REVOKED, actor=actor, step=task.step, role=task.acting_role)
        _save_case(case)
        audit.record("workflow.revoke", actor=actor, target=case, school=case.school_id, data={"step": task.step.key})
    return case


def withdraw(*, actor: User, case_id: Any, expected_version: int | None = None) -> Case:
    """撤回: the applicant takes the case back before anyone has decided on it."""
    with transaction.atomic():
        case = _lock(case_id)
        if case.applicant_id != actor.pk:
            raise Http404 if not _visible(actor, case) else PermissionDenied
        if not case.is_open:
            raise ActionError(_last_handled(case), code="conflict")
        _check_version(case, expected_version)
        decided = case.tasks.filter(round=case.round, acted_by__isnull=False).exists()
        if decided:
            raise ActionError(_("已有审核人办理，不能撤回；如需修改请联系当前审核人驳回。"), code="conflict")
        engine.cancel_open(case)
        case.state = Case.State.WITHDRAWN
        engine.event(case, CaseEvent.Kind.WITHDRAWN, actor=actor, role=actor.role or "")
        _save_case(case)
        audit.record("workflow.withdraw", actor=actor, target=case, school=case.school_id)
    return case


def terminate(*, actor: User, case_id: Any, reason: str, expected_version: int | None = None) -> Case:
    """终止: an office ends a case that cannot go on (the student left, the record is void)."""
    reason = _require_opinion(reason)
    with transaction.atomic():
        case = _lock(case_id)
        if not _visible(actor, case):
            raise Http404
        if actor.role not in CASE_ADMINS:
            raise PermissionDenied
        if case.state in Case.FINAL_STATES:
            raise ActionError(_last_handled(case), code="conflict")
        _check_version(case, expected_version)
        engine.cancel_open(case)
        engine.event(case, CaseEvent.Kind.TERMINATED, actor=actor, opinion=reason, role=actor.role or "")
        engine.finish(case, Case.State.TERMINATED, actor=actor)
        _save_case(case)
        audit.record("workflow.terminate", actor=actor, target=case, school=case.school_id)
        _tell_applicant(case, _("您的申请已被终止。原因：%(o)s") % {"o": reason})
    return case


# -- handing work on -------------------------------------------------------------------


def _colleague(actor: User, user_id: Any, case: Case) -> User:
    """A person of the case's school who can take over or join a step."""
    try:
        user = User.objects.get(pk=user_id, status=User.Status.ACTIVE)
    except (User.DoesNotExist, ValueError, TypeError):
        raise ActionError(_("请选择有效的人员。"), field="user") from None
    if user.pk == actor.pk:
        raise ActionError(_("不能选择自己。"), field="user")
    if user.school_id != case.school_id or not user.roles.exclude(role=Role.STUDENT).exists():
        raise ActionError(_("只能选择本校的教职工账号。"), field="user")
    return user


def transfer(
    *, actor: User, task_id: Any, to_user: Any, opinion: str = "", expected_version: int | None = None
) -> Case:
    """转办: hand one's task to a colleague, who then acts in the same role."""
    with transaction.atomic():
        task, case, role, _behalf = _task_and_case(actor, task_id, expected_version)
        target = _colleague(actor, to_user, case)
        task.assignee = target
        task.pool_role, task.pool_unit = "", None
        task.acting_role = role
        task.save(update_fields=["assignee", "pool_role", "pool_unit", "acting_role"])
        engine.event(
            case,
            CaseEvent.Kind.TRANSFERRED,
            actor=actor,
            step=task.step,
            opinion=opinion.strip(),
            role=role,
            data={"to": target.display_name},
        )
        _save_case(case)
        audit.record(
            "workflow.transfer",
            actor=actor,
            target=case,
            school=case.school_id,
            data={"step": task.step.key, "to": target.pk},
        )
        _announce(case, [task])
    return case


def add_signer(*, actor: User, task_id: Any, user: Any, expected_version: int | None = None) -> Case:
    """加签: ask a colleague to sign this step too; the step waits for both."""
    with transaction.atomic():
        task, case, role, _behalf = _task_and_case(actor, task_id, expected_version)
        signer = _colleague(actor, user, case)
        if case.tasks.filter(round=case.round, step=task.step, assignee=signer, state=Task.State.OPEN).exists():
            raise ActionError(_("该人员已在本步骤的待办中。"), field="user")
        signer_role = next(
            (a.role for a in signer.roles_held if a.role == role),
            next((a.role for a in signer.roles_held if a.role != Role.STUDENT), role),
        )
        added = Task.objects.create(
            case=case,
            step=task.step,
            round=case.round,
            assignee=signer,
            acting_role=signer_role,
            added_by=actor,
            due_at=task.due_at,
        )
        engine.event(
            case,
            CaseEvent.Kind.SIGNER_ADDED,
            actor=actor,
            step=task.step,
            role=role,
            data={"signer": signer.display_name},
        )
        _save_case(case)
        audit.record(
            "workflow.add_signer",
            actor=actor,
            target=case,
            school=case.school_id,
            data={"step": task.step.key, "signer": signer.pk},
        )
        _announce(case, [added])
    return case


def carbon_copy(*, actor: User, case_id: Any, users: Iterable[Any]) -> int:
    """抄送: let colleagues follow a case (read-only)."""
    with transaction.atomic():
        case = _lock(case_id)
        if not _visible(actor, case):
            raise Http404
        involved = (
            case.applicant_id == actor.pk
            or case.tasks.filter(acted_by=actor).exists()
            or any(engine.acting_capacity(actor, t) for t in case.tasks.filter(state=Task.State.OPEN))
        )
        if not involved and actor.role not in CASE_ADMINS:
            raise PermissionDenied
        targets = [_colleague(actor, u, case) for u in users]
        if not targets:
            raise ActionError(_("请选择抄送人员。"), field="users")
        existing = set(case.copies.filter(user__in=targets).values_list("user_id", flat=True))
        new = [u for u in targets if u.pk not in existing]
        CarbonCopy.objects.bulk_create([CarbonCopy(case=case, user=u, copied_by=actor) for u in new])
        if new:
            engine.event(
                case,
                CaseEvent.Kind.COPIED,
                actor=actor,
                role=actor.role or "",
                data={"to": [u.display_name for u in new]},
            )
            from campusflow.notifications.actions import notify

            with stored_language():
                notify(
                    recipients=new,
                    title=_("抄送：%(t)s") % {"t": case.title},
                    body=_("%(who)s 将此事项抄送给您。") % {"who": actor.display_name},
                    url=_case_url(case),
                    kind="workflow.copy",
                )
            audit.record(
                "workflow.copy", actor=actor, target=case, school=case.school_id, data={"to": [u.pk for u in new]}
            )
    return len(new)


def remind(*, actor: User, case_id: Any) -> int:
    """催办: the applicant (or an office) nudges the current actors; at most once an hour."""
    with transaction.atomic():
        case = _lock(case_id)
        if not _visible(actor, case):
            raise Http404
        if case.applicant_id != actor.pk and actor.role not in CASE_ADMINS:
            raise PermissionDenied
        if not case.is_open:
            raise ActionError(_("事项不在审核中，无需催办。"), code="conflict")
        now = timezone.now()
        open_tasks = list(case.tasks.filter(round=case.round, state=Task.State.OPEN).select_related("step"))
        if any(t.reminded_at and now - t.reminded_at < REMIND_INTERVAL for t in open_tasks):
            raise ActionError(_("一小时内已催办过，请稍后再试。"), code="throttled")
        case.tasks.filter(pk__in=[t.pk for t in open_tasks]).update(reminded_at=now)
        engine.event(case, CaseEvent.Kind.REMINDED, actor=actor, role=actor.role or "")
        _notify_reminder(case, open_tasks, by=actor)
        audit.record("workflow.remind", actor=actor, target=case, school=case.school_id)
    return len(open_tasks)


@in_stored_language
def _notify_reminder(case: Case, tasks: Iterable[Task], *, by: User | None) -> None:
    from campusflow.notifications.actions import notify

    for task in tasks:
        recipients = engine.pool_users(task)
        if recipients:
            notify(
                recipients=recipients,
                title=_("催办：%(t)s") % {"t": case.title},
                body=_("“%(step)s”尚待您办理，请尽快处理。") % {"step": task.step.name},
                url=_case_url(case),
                kind="workflow.reminder",
                email=True,
                sms=True,
            )


# -- batch ---------------------------------------------------------------------------


@dataclass
class BatchResult:
    done: list[int]
    refused: list[tuple[int, str]]


def batch_approve(*, actor: User, task_ids: Iterable[Any], opinion: str = "") -> BatchResult:
    """Approve each selected task with one opinion; a refused one never stops the others."""
    result = BatchResult(done=[], refused=[])
    for task_id in dict.fromkeys(task_ids):
        try:
            approve(actor=actor, task_id=task_id, opinion=opinion)
            result.done.append(int(task_id))
        except (ActionError, PermissionDenied, Http404) as error:
            message = error.message if isinstance(error, ActionError) else _("无权办理或不存在。")
            result.refused.append((int(task_id) if str(task_id).isdigit() else 0, message))
    audit.record("workflow.batch_approve", actor=actor, data={"done": len(result.done), "refused": len(result.refused)})
    return result


# -- delegation (委托) ---------------------------------------------------------------


def delegate(*, actor: User, to_user: Any, starts_at: datetime, ends_at: datetime, reason: str = "") -> Delegation:
    if ends_at <= starts_at:
        raise ActionError(_("结束时间应晚于开始时间。"), field="ends_at")
    if ends_at - starts_at > timedelta(days=90):
        raise ActionError(_("委托期限最长90天。"), field="ends_at")
    if ends_at <= timezone.now():
        raise ActionError(_("结束时间已过。"), field="ends_at")
    try:
        target = User.objects.get(pk=to_user, status=User.Status.ACTIVE)
    except (User.DoesNotExist, ValueError, TypeError):
        raise ActionError(_("请选择有效的受托人。"), field="to_user") from None
    if target.pk == actor.pk:
        raise ActionError(_("不能委托给自己。"), field="to_user")
    if target.school_id != actor.school_id or not target.roles.exclude(role=Role.STUDENT).exists():
        raise ActionError(_("只能委托给本校的教职工。"), field="to_user")
    with transaction.atomic():
        delegation = Delegation.objects.create(
            delegator=actor, delegate=target, starts_at=starts_at, ends_at=ends_at, reason=reason.strip()[:200]
        )
        audit.record(
            "workflow.delegate",
            actor=actor,
            target=actor,
            school=actor.school_id,
            data={"to": target.pk, "from": starts_at.isoformat(), "until": ends_at.isoformat()},
        )
    return delegation


def revoke_delegation(*, actor: User, delegation_id: Any) -> None:
    try:
        delegation = Delegation.objects.get(pk=delegation_id, delegator=actor, revoked_at__isnull=True)
    except (Delegation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    with transaction.atomic():
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
        audit.record("workflow.revoke_delegation", actor=actor, target=actor, school=actor.school_id)


# -- definitions (W-01: adjusted without code) -------------------------------------------


def save_definition(
    *, actor: User, code: str, name: str, description: str, steps: list[dict[str, Any]], change_note: str = ""
) -> ProcessDefinition:
    """Store an edited chain as a new version; running cases keep the version they started with."""
    if actor.role not in DEFINITION_ADMINS:
        raise PermissionDenied
    current = current_definition(code)
    cleaned = _check_steps(steps)
    with transaction.atomic():
        ProcessDefinition.objects.filter(pk=current.pk).update(is_current=False)
        new = ProcessDefinition.objects.create(
            code=code,
            version=current.version + 1,
            name=name.strip() or current.name,
            description=description.strip(),
            created_by=actor,
            change_note=change_note.strip()[:200],
        )
        StepDefinition.objects.bulk_create([StepDefinition(definition=new, **step) for step in cleaned])
        audit.record(
            "workflow.definition.save",
            actor=actor,
            target=new,
            data={"code": code, "version": new.version, "note": change_note[:200]},
        )
    return new


STEP_FIELDS = (
    "key",
    "name",
    "actor",
    "actor_argument",
    "sign_mode",
    "condition",
    "condition_argument",
    "prerequisites",
    "form_fields",
    "opinion_required",
    "due_days",
    "reject_to",
    "allow_auto_pass",
    "escalate_actor",
    "escalate_argument",
)


def _check_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not steps:
        raise ActionError(_("流程至少需要一个步骤。"))
    keys: list[str] = []
    cleaned: list[dict[str, Any]] = []
    for order, raw in enumerate(steps, start=1):
        step = {name: raw.get(name) for name in STEP_FIELDS}
        key = str(step["key"] or "").strip()
        label = str(step["name"] or key)
        if not key or not key.replace("_", "").isalnum() or key in keys:
            raise ActionError(_("第 %(n)d 步的代码无效或重复。") % {"n": order})
        if step["actor"] not in RESOLVERS:
            raise ActionError(_("“%(s)s”的审核人类型无效。") % {"s": label})
        if step["condition"] and step["condition"] not in PREDICATES:
            raise ActionError(_("“%(s)s”的启用条件无效。") % {"s": label})
        if step["escalate_actor"] and step["escalate_actor"] not in RESOLVERS:
            raise ActionError(_("“%(s)s”的逾期上报对象无效。") % {"s": label})
        prerequisites = [str(p) for p in (step["prerequisites"] or [])]
        if any(p not in keys for p in prerequisites):
            raise ActionError(_("“%(s)s”的前置步骤必须是它之前的步骤。") % {"s": label})
        if step["reject_to"] and step["reject_to"] not in keys:
            raise ActionError(_("“%(s)s”只能驳回到它之前的步骤。") % {"s": label})
        sign_mode = step["sign_mode"] or StepDefinition.SignMode.SINGLE
        if sign_mode not in StepDefinition.SignMode.values:
            raise ActionError(_("“%(s)s”的签批方式无效。") % {"s": label})
        due = step["due_days"]
        if due not in (None, ""):
            try:
                due = int(due)
            except (TypeError, ValueError):
                raise ActionError(_("“%(s)s”的办理期限应为天数。") % {"s": label}) from None
            if not 1 <= due <= 365:
                raise ActionError(_("“%(s)s”的办理期限应在1到365天之间。") % {"s": label})
        cleaned.append(
            {
                "key": key,
                "name": label,
                "order": order,
                "actor": step["actor"],
                "actor_argument": str(step["actor_argument"] or ""),
                "sign_mode": sign_mode,
                "condition": str(step["condition"] or ""),
                "condition_argument": str(step["condition_argument"] or ""),
                "prerequisites": prerequisites,
                "form_fields": check_spec(step["form_fields"] or []),
                "opinion_required": bool(step["opinion_required"]),
                "due_days": due or None,
                "reject_to": str(step["reject_to"] or ""),
                "allow_auto_pass": bool(step["allow_auto_pass"]),
                "escalate_actor": str(step["escalate_actor"] or ""),
                "escalate_argument": str(step["escalate_argument"] or ""),
            }
        )
        keys.append(key)
    return cleaned


# -- W-09: one-time links for enterprise mentors -------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_action_link(task: Task) -> str:
    """A fresh single-use link to ``task`` for its assignee; returns the token (stored only as a digest)."""
    if task.assignee is None:
        raise ActionError(_("只有指定到人的待办可以生成办理链接。"))
    token = secrets.token_urlsafe(32)
    ActionLink.objects.create(
        task=task,
        user=task.assignee,
        digest=_digest(token),
        expires_at=timezone.now() + timedelta(hours=LINK_VALID_HOURS),
    )
    return token


def link_path(token: str) -> str:
    return f"/workflow/link/{token}/"


@in_stored_language
def _send_action_link(task: Task) -> None:
    """Send the mentor a link to this one task (SMS and e-mail carry it; W-09)."""
    token = create_action_link(task)
    from campusflow.notifications.actions import notify

    notify(
        recipients=[task.assignee] if task.assignee else [],
        title=_("请办理：%(t)s") % {"t": task.case.title},
        body=_("“%(step)s”等待您办理，无需登录可直接打开链接（%(h)d小时内有效，仅可使用一次）。")
        % {"step": task.step.name, "h": LINK_VALID_HOURS},
        url=link_path(token),
        kind="workflow.link",
        email=True,
        sms=True,
    )


def open_action_link(token: str) -> ActionLink:
    """The link for ``token`` if it is valid now; otherwise 404 (no hint why)."""
    try:
        link = ActionLink.objects.select_related("task__case", "task__step", "user").get(digest=_digest(token))
    except ActionLink.DoesNotExist:
        raise Http404 from None
    if link.used_at is not None or link.expires_at <= timezone.now() or not link.user.is_usable:
        raise Http404
    return link


def act_by_link(*, token: str, decision: str, opinion: str, expected_version: int | None) -> Case:
    """Approve or reject the one task a link opens, as its assignee; the link is used up."""
    with transaction.atomic():
        try:
            link = ActionLink.objects.select_for_update().select_related("user").get(digest=_digest(token))
        except ActionLink.DoesNotExist:
            raise Http404 from None
        if link.used_at is not None or link.expires_at <= timezone.now() or not link.user.is_usable:
            raise Http404
        actor = link.user
        if decision == "approve":
            case = approve(
                actor=actor, task_id=link.task_id, expected_version=expected_version, opinion=opinion, via_link=True
            )
        elif decision == "reject":
            case = reject(
                actor=actor, task_id=link.task_id, expected_version=expected_version, opinion=opinion, via_link=True
            )
        else:
            raise ActionError(_("未知的操作。"))
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        audit.record(
            "workflow.link_used",
            actor=actor,
            target=case,
            school=case.school_id,
            data={"task": link.task_id, "decision": decision},
        )
    return case


# -- W-07: overdue reminders and escalation (run by the scheduler) ---------------------------


def remind_overdue(now: datetime | None = None) -> tuple[int, int]:
    """Remind the actors of overdue tasks once a day; escalate those two days past due.

    Returns (reminded, escalated). Set-based: one UPDATE per kind, events bulk-written.
    """
    now = now or timezone.now()
    overdue = Task.objects.filter(state=Task.State.OPEN, due_at__lt=now).select_related("case", "step")
    to_remind = [t for t in overdue if t.reminded_at is None or now - t.reminded_at >= timedelta(days=1)]
    to_escalate = [
        t
        for t in overdue
        if t.escalated_at is None and t.step.escalate_actor and t.due_at and now - t.due_at >= timedelta(days=2)
    ]
    with transaction.atomic():
        Task.objects.filter(pk__in=[t.pk for t in to_remind]).update(reminded_at=now)
        Task.objects.filter(pk__in=[t.pk for t in to_escalate]).update(escalated_at=now)
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(
                    case=t.case,
                    round=t.round,
                    kind=CaseEvent.Kind.REMINDED,
                    step_key=t.step.key,
                    step_name=t.step.name,
                    data={"automatic": True},
                )
                for t in to_remind
            ]
            + [
                CaseEvent(
                    case=t.case,
                    round=t.round,
                    kind=CaseEvent.Kind.ESCALATED,
                    step_key=t.step.key,
                    step_name=t.step.name,
                    data={"automatic": True},
                )
                for t in to_escalate
            ]
        )
        for task in to_remind:
            _notify_reminder(task.case, [task], by=None)
        for task in to_escalate:
            _escalate(task)
    return len(to_remind), len(to_escalate)


@in_stored_language
def _escalate(task: Task) -> None:
    from campusflow.notifications.actions import notify

    spec = RESOLVERS.get(task.step.escalate_actor)
    if spec is None:
        return
    recipients: list[User] = []
    for candidate in spec.function(task.case, task.step.escalate_argument):
        if candidate.user is not None:
            recipients.append(candidate.user)
        else:
            pool = Task(pool_role=candidate.role, pool_unit=candidate.unit)
            recipients += engine.pool_users(pool)
    if recipients:
        notify(
            recipients=recipients,
            title=_("逾期上报：%(t)s") % {"t": task.case.title},
            body=_("“%(step)s”已逾期两天以上仍未办理。") % {"step": task.step.name},
            url=_case_url(task.case),
            kind="workflow.escalation",
            email=True,
        )
