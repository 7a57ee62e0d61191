"""Inbox (W-04), case page with timeline (W-03), definitions (W-01), delegation (W-08), one-time links (W-09)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import select_template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campusflow.accounts.models import User
from campusflow.core import once
from campusflow.core.access import public, require, signed_in
from campusflow.core.errors import ActionError
from campusflow.core.http import AuthedRequest
from campusflow.core.pagination import paginate
from campusflow.core.roles import STAFF_ROLES
from campusflow.workflow import actions, engine, selectors
from campusflow.workflow.models import Case, Delegation, ProcessDefinition, StepDefinition, Task
from campusflow.workflow.registry import PREDICATES, PROCESSES, RESOLVERS


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# -- inbox (W-04) ---------------------------------------------------------------


@signed_in
def inbox(request: AuthedRequest) -> HttpResponse:
    user = request.user
    tab = request.GET.get("tab", "todo")
    if tab not in selectors.TABS:
        tab = "todo"
    q = request.GET.get("q", "").strip()
    process = request.GET.get("process", "")
    overdue = request.GET.get("overdue") == "1"
    delegators = engine.active_delegators(user)  # once, for the list and the counts
    if tab in ("todo", "done"):
        rows: Any = (selectors.todo(user, delegators) if tab == "todo" else selectors.done(user)).select_related(
            "case__definition", "case__applicant", "step", "assignee"
        )
        if q:
            rows = rows.filter(Q(case__title__icontains=q) | Q(case__applicant__full_name__icontains=q))
        if process:
            rows = rows.filter(case__definition__code=process)
        if overdue and tab == "todo":
            rows = rows.filter(due_at__lt=timezone.now())
        rows = rows.order_by("due_at", "created_at") if tab == "todo" else rows.order_by("-acted_at")
    elif tab == "mine":
        rows = selectors.mine(user).select_related("definition")
        if q:
            rows = rows.filter(title__icontains=q)
        if process:
            rows = rows.filter(definition__code=process)
    else:
        rows = selectors.copied(user).select_related("case__definition", "case__applicant", "copied_by")
        if q:
            rows = rows.filter(case__title__icontains=q)
        if process:
            rows = rows.filter(case__definition__code=process)
        rows = rows.order_by("-copied_at")
    processes = ProcessDefinition.objects.filter(is_current=True).order_by("name").values_list("code", "name")
    counts = selectors.counts(user, delegators)
    # The unfiltered tab's length is its count above: no second COUNT for the paginator.
    known = counts.get(tab) if not (q or process or overdue) and tab != "cc" else None
    return render(
        request,
        "workflow/inbox.html",
        {
            "tab": tab,
            "page_obj": paginate(request, rows, count=known),
            "counts": counts,
            "q": q,
            "process": process,
            "overdue": overdue,
            "processes": list(processes),
        },
    )


@require_POST
@signed_in
def batch_approve(request: AuthedRequest) -> HttpResponse:
    ids = [i for i in request.POST.getlist("task") if i.isdigit()]
    if not ids:
        messages.warning(request, _("请先勾选要通过的待办。"))
        return redirect("workflow:inbox")
    if not once.consume(request):
        messages.warning(request, _("该表单已提交过，请勿重复提交。"))
        return redirect("workflow:inbox")
    result = actions.batch_approve(actor=request.user, task_ids=ids, opinion=request.POST.get("opinion", ""))
    if result.done:
        messages.success(request, _("已批量通过 %(n)d 项。") % {"n": len(result.done)})
    for _task_id, message in result.refused:
        messages.error(request, message)
    return redirect("workflow:inbox")


# -- the case page (W-02, W-03) -----------------------------------------------------


def _case_for(request: AuthedRequest, case_id: int) -> Case:
    case = (
        Case.objects.visible_to(request.user)
        .select_related("definition", "applicant", "student__department", "school", "department")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404
    return case


def _subject_template(case: Case) -> str:
    spec = PROCESSES.get(case.definition.code)
    names = [spec.detail_template] if spec else []
    return select_template([*names, "workflow/subject_generic.html"]).template.name  # type: ignore[union-attr]


@signed_in
def case_detail(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = _case_for(request, case_id)
    # Opening a copied case marks the copy read (the 抄送我的 count goes down).
    case.copies.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    context = selectors.case_page(case, request.user)
    spec = PROCESSES.get(case.definition.code)
    context.update(
        {
            "case": case,
            "subject": case.subject,
            "subject_template": _subject_template(case),
            "edit_url": spec.edit_url(case.subject) if spec and spec.edit_url and case.is_editable else "",
            "is_applicant": case.applicant_id == request.user.pk,
            "can_terminate": request.user.role in actions.CASE_ADMINS and case.state not in Case.FINAL_STATES,
        }
    )
    return render(request, "workflow/case_detail.html", context)


TASK_OPS = {"approve", "reject", "fail", "revoke", "transfer", "add_signer"}
CASE_OPS = {"withdraw", "remind", "copy", "terminate", "resubmit"}


@require_POST
@signed_in
def case_act(request: AuthedRequest, case_id: int) -> HttpResponse:
    """Every button of the case page posts here with ``op``, the task and the version seen."""
    user = request.user
    op = request.POST.get("op", "")
    version = _int(request.POST.get("version"))
    task_id = request.POST.get("task", "")
    if op not in TASK_OPS | CASE_OPS:
        raise Http404
    if op in TASK_OPS and not Task.objects.filter(pk=_int(task_id) or 0, case_id=case_id).exists():
        raise Http404
    if not once.consume(request):
        messages.warning(request, _("该表单已提交过，请勿重复提交。"))
        return redirect("workflow:case_detail", case_id)
    opinion = request.POST.get("opinion", "")
    try:
        if op == "approve":
            data = {k[5:]: v for k, v in request.POST.items() if k.startswith("form_")}
            actions.approve(actor=user, task_id=task_id, expected_version=version, opinion=opinion, data=data)
            messages.success(request, _("已通过。"))
        elif op == "reject":
            actions.reject(
                actor=user,
                task_id=task_id,
                expected_version=version,
                opinion=opinion,
                to_step=request.POST.get("to_step") or None,
            )
            messages.success(request, _("已驳回。"))
        elif op == "fail":
            actions.fail(actor=user, task_id=task_id, expected_version=version, opinion=opinion)
            messages.success(request, _("已标记为不通过。"))
        elif op == "revoke":
            actions.revoke(actor=user, task_id=task_id, expected_version=version)
            messages.success(request, _("已撤销审核，可重新办理。"))
        elif op == "transfer":
            actions.transfer(
                actor=user, task_id=task_id, to_user=_pick_user(request), opinion=opinion, expected_version=version
            )
            messages.success(request, _("已转办。"))
        elif op == "add_signer":
            actions.add_signer(actor=user, task_id=task_id, user=_pick_user(request), expected_version=version)
            messages.success(request, _("已加签。"))
        elif op == "withdraw":
            actions.withdraw(actor=user, case_id=case_id, expected_version=version)
            messages.success(request, _("已撤回，可修改后重新提交。"))
        elif op == "resubmit":
            actions.resubmit(actor=user, case_id=case_id, expected_version=version)
            messages.success(request, _("已重新提交。"))
        elif op == "remind":
            actions.remind(actor=user, case_id=case_id)
            messages.success(request, _("已催办。"))
        elif op == "copy":
            count = actions.carbon_copy(actor=user, case_id=case_id, users=[_pick_user(request)])
            messages.success(request, _("已抄送 %(n)d 人。") % {"n": count})
        elif op == "terminate":
            actions.terminate(actor=user, case_id=case_id, reason=opinion, expected_version=version)
            messages.success(request, _("已终止。"))
    except ActionError as error:
        messages.error(request, error.message)
    return redirect("workflow:case_detail", case_id)


def _pick_user(request: AuthedRequest) -> Any:
    """A colleague chosen by username (typed) or id (picked)."""
    username = request.POST.get("username", "").strip()
    if username:
        found = User.objects.filter(username__iexact=username).values_list("pk", flat=True).first()
        if found is None:
            raise ActionError(_("找不到用户名为“%(u)s”的账号。") % {"u": username}, field="user")
        return found
    return request.POST.get("user")


# -- definitions (W-01) --------------------------------------------------------------


@require(actions.DEFINITION_ADMINS)
def definition_list(request: AuthedRequest) -> HttpResponse:
    definitions = ProcessDefinition.objects.filter(is_current=True).prefetch_related("steps").order_by("name")
    return render(request, "workflow/definition_list.html", {"definitions": definitions})


STEP_INPUTS = (
    "key",
    "name",
    "actor",
    "actor_argument",
    "sign_mode",
    "condition",
    "condition_argument",
    "prerequisites",
    "due_days",
    "reject_to",
    "escalate_actor",
    "escalate_argument",
    "form_fields",
)


@require(actions.DEFINITION_ADMINS)
def definition_edit(request: AuthedRequest, code: str) -> HttpResponse:
    current = get_object_or_404(ProcessDefinition, code=code, is_current=True)
    versions = ProcessDefinition.objects.filter(code=code).order_by("-version")
    steps = [_step_dict(s) for s in current.steps.order_by("order")]
    error = ""
    if request.method == "POST":
        rows = _posted_steps(request)
        try:
            new = actions.save_definition(
                actor=request.user,
                code=code,
                name=request.POST.get("name", ""),
                description=request.POST.get("description", ""),
                steps=rows,
                change_note=request.POST.get("change_note", ""),
            )
            messages.success(request, _("已保存为第 %(v)d 版；进行中的事项仍按原版本办理。") % {"v": new.version})
            return redirect("workflow:definition_edit", code)
        except ActionError as exc:
            error = exc.message
            steps = [{**r, "form_fields_json": r.get("form_fields_raw", "")} for r in rows]
    blank = {name: "" for name in STEP_INPUTS} | {"form_fields_json": "[]", "allow_auto_pass": True}
    return render(
        request,
        "workflow/definition_edit.html",
        {
            "definition": current,
            "versions": versions,
            "steps": [*steps, blank, blank],
            "resolvers": RESOLVERS,
            "predicates": PREDICATES,
            "sign_modes": StepDefinition.SignMode.choices,
            "error": error,
        },
    )


def _step_dict(step: StepDefinition) -> dict[str, Any]:
    return {
        "key": step.key,
        "name": step.name,
        "actor": step.actor,
        "actor_argument": step.actor_argument,
        "sign_mode": step.sign_mode,
        "condition": step.condition,
        "condition_argument": step.condition_argument,
        "prerequisites": ",".join(step.prerequisites),
        "due_days": step.due_days or "",
        "reject_to": step.reject_to,
        "escalate_actor": step.escalate_actor,
        "escalate_argument": step.escalate_argument,
        "allow_auto_pass": step.allow_auto_pass,
        "opinion_required": step.opinion_required,
        "form_fields_json": json.dumps(step.form_fields, ensure_ascii=False),
    }


def _posted_steps(request: HttpRequest) -> list[dict[str, Any]]:
    lists = {name: request.POST.getlist(f"step_{name}") for name in STEP_INPUTS}
    auto = set(request.POST.getlist("step_allow_auto_pass"))
    required = set(request.POST.getlist("step_opinion_required"))
    rows: list[dict[str, Any]] = []
    for index, key in enumerate(lists["key"]):
        if not key.strip():
            continue  # an empty row: not a step
        raw_fields = lists["form_fields"][index] if index < len(lists["form_fields"]) else "[]"
        try:
            form_fields = json.loads(raw_fields or "[]")
        except json.JSONDecodeError:
            form_fields = raw_fields  # not a list: the action reports it as an invalid spec
        row: dict[str, Any] = {name: (lists[name][index] if index < len(lists[name]) else "") for name in STEP_INPUTS}
        row.update(
            {
                "key": key.strip(),
                "prerequisites": [p.strip() for p in row["prerequisites"].split(",") if p.strip()],
                "form_fields": form_fields,
                "form_fields_raw": raw_fields,
                "allow_auto_pass": str(index) in auto,
                "opinion_required": str(index) in required,
            }
        )
        rows.append(row)
    return rows


# -- delegation (W-08 委托) ------------------------------------------------------------


@require(STAFF_ROLES)
def delegations(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        if request.POST.get("op") == "revoke":
            actions.revoke_delegation(actor=user, delegation_id=request.POST.get("delegation"))
            messages.success(request, _("委托已取消。"))
            return redirect("workflow:delegations")
        try:
            starts = _parse_local(request.POST.get("starts_at", ""), "starts_at")
            ends = _parse_local(request.POST.get("ends_at", ""), "ends_at")
            actions.delegate(
                actor=user,
                to_user=_pick_user(request),
                starts_at=starts,
                ends_at=ends,
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("委托已设置。"))
            return redirect("workflow:delegations")
        except ActionError as error:
            messages.error(request, error.message)
    given = Delegation.objects.filter(delegator=user).select_related("delegate").order_by("-starts_at")[:50]
    received = Delegation.objects.filter(delegate=user).select_related("delegator").order_by("-starts_at")[:50]
    return render(request, "workflow/delegations.html", {"given": given, "received": received, "now": timezone.now()})


def _parse_local(value: str, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ActionError(_("请填写正确的时间。"), field=field) from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


# -- W-09: the mentor's one-time link ---------------------------------------------------


@public
def link(request: HttpRequest, token: str) -> HttpResponse:
    """One task, no sign-in: show the record and let its assignee approve or reject it."""
    try:
        action_link = actions.open_action_link(token)
    except Http404:
        return render(request, "workflow/link_invalid.html", status=404)
    task = action_link.task
    case = task.case
    if request.method == "POST":
        try:
            actions.act_by_link(
                token=token,
                decision=request.POST.get("decision", ""),
                opinion=request.POST.get("opinion", ""),
                expected_version=_int(request.POST.get("version")),
            )
            return render(request, "workflow/link_done.html", {"case": case})
        except Http404:
            return render(request, "workflow/link_invalid.html", status=404)
        except ActionError as error:
            messages.error(request, error.message)
            case.refresh_from_db()
    events = list(case.events.order_by("at", "id"))
    return render(
        request,
        "workflow/link.html",
        {
            "link": action_link,
            "task": task,
            "case": case,
            "subject": case.subject,
            "subject_template": _subject_template(case),
            "events": events,
            "open": task.state == Task.State.OPEN,
        },
    )
