"""Approval engine API (X-05): the inbox (W-04), a case with its timeline (W-03) and every action (W-02, W-08).

The same as the pages: the inbox tabs come from ``workflow.selectors`` for the
caller's current role (a bearer token's own role), a case answers 404 unless
``Case.objects.visible_to`` includes it, and every action goes through
``workflow.actions`` with the version the caller saw, so a stale or doubled
call never acts twice (W-05, S-08).

Refusals: 404 not yours or missing, 403 yours to see but not your turn, 409
when someone else acted first (``detail`` says who and when), 422 for a rule
of the action (``field`` names the input). A case's business record (a leave
request with its phones …) is never part of an answer: only the case's title.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, Literal, TypeVar, overload

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from campusflow.accounts.models import User
from campusflow.core.api_auth import action_error_status, api_roles, api_signed_in, auth_user
from campusflow.core.errors import ActionError
from campusflow.core.roles import DEFINITION_ADMINS, Role
from campusflow.orgs.api import PageSize
from campusflow.workflow import actions, selectors
from campusflow.workflow.models import CarbonCopy, Case, CaseEvent, ProcessDefinition, StepDefinition, Task

router = Router(tags=["审批流程"])

T = TypeVar("T")
R = TypeVar("R")

STEP_STATE_LABELS = {
    "waiting": gettext_lazy("未开始"),
    "open": gettext_lazy("办理中"),
    "done": gettext_lazy("已完成"),
    "skipped": gettext_lazy("无需办理"),
    "failed": gettext_lazy("不通过"),
}


# -- schemas ---------------------------------------------------------------------------


class Detail(Schema):
    detail: str = Field(description="说明（中文）")


class ActionRefused(Schema):
    detail: str = Field(description="不能办理的原因（中文）")
    field: str | None = Field(None, description="与原因相关的请求字段，如 opinion、to_step、username")
    code: str = Field(description="原因代码：stale 页面已过期、conflict 已被他人处理、invalid 输入不符合要求 等")


class CaseOut(Schema):
    id: int = Field(description="事项ID")
    title: str = Field(description="标题")
    state: Case.State = Field(
        description="状态：in_progress 审核中、returned 已驳回待重新提交、withdrawn 已撤回、"
        "approved 已通过、failed 不通过、terminated 已终止"
    )
    state_label: str = Field(description="状态名称")
    version: int = Field(description="版本号：办理时原样提交，用于防止重复或过期的操作")
    round: int = Field(description="提交轮次（驳回后重新提交加一）")
    process_code: str = Field(description="流程代码")
    process_name: str = Field(description="流程名称")
    process_version: int = Field(description="流程定义版本（事项按发起时的版本办理）")
    applicant_name: str = Field(description="申请人姓名")
    submitted_at: datetime = Field(description="提交时间")
    finished_at: datetime | None = Field(None, description="办结时间")


class TaskBrief(Schema):
    id: int = Field(description="待办ID")
    state: Task.State = Field(description="状态：open 待办、approved 已通过、rejected 已驳回、failed 不通过 等")
    state_label: str = Field(description="状态名称")
    handler: str = Field(description="办理人：指定到人时为姓名，否则为办理角色")
    acted_by: str = Field(description="实际办理人姓名（未办理为空）")
    acted_at: datetime | None = Field(None, description="办理时间")
    due_at: datetime | None = Field(None, description="办理期限")
    overdue: bool = Field(description="是否已逾期")


class StepOut(Schema):
    key: str = Field(description="步骤代码")
    name: str = Field(description="步骤名称")
    order: int = Field(description="顺序")
    sign_mode: StepDefinition.SignMode = Field(description="签批方式：single 单人、any 或签、all 会签")
    state: str = Field(
        description="本轮状态：waiting 未开始、open 办理中、done 已完成、skipped 无需办理、failed 不通过"
    )
    state_label: str = Field(description="本轮状态名称")
    tasks: list[TaskBrief] = Field(description="本轮该步骤的待办")


class StepRef(Schema):
    key: str = Field(description="步骤代码")
    name: str = Field(description="步骤名称")


class MyTaskOut(Schema):
    id: int = Field(description="待办ID（用于办理接口）")
    step_key: str = Field(description="步骤代码")
    step_name: str = Field(description="步骤名称")
    opinion_required: bool = Field(description="通过时是否必须填写意见")
    form_fields: list[dict[str, Any]] = Field(
        description="通过时需填写的审核表单字段（name、label、type、required、choices），值放在 data 中"
    )
    reject_to: list[StepRef] = Field(description="可驳回到的已办理步骤（to_step 取其代码；不填则退回申请人）")
    due_at: datetime | None = Field(None, description="办理期限")


class EventOut(Schema):
    kind: CaseEvent.Kind = Field(description="动作代码，如 submitted、approved、rejected、revoked、transferred")
    kind_label: str = Field(description="动作名称")
    round: int = Field(description="提交轮次")
    step_key: str = Field(description="步骤代码（与步骤无关的动作为空）")
    step_name: str = Field(description="步骤名称")
    actor_name: str = Field(description="操作人姓名（系统自动为空）")
    role_label: str = Field(description="操作人办理时的角色")
    opinion: str = Field(description="意见")
    at: datetime = Field(description="时间")


class CaseDetailOut(CaseOut):
    steps: list[StepOut] = Field(description="流程各步骤及本轮状态")
    my_tasks: list[MyTaskOut] = Field(description="当前账号可办理的待办")
    revocable_task_ids: list[int] = Field(description="当前账号可撤销审核的待办ID")
    is_applicant: bool = Field(description="当前账号是否申请人（可撤回、催办）")
    can_terminate: bool = Field(description="当前角色能否终止此事项")
    events: list[EventOut] = Field(description="审核动态（时间顺序）")


class InboxItem(Schema):
    kind: Literal["task", "case", "copy"] = Field(
        description="行类型：task 待办/已办、case 我发起的事项、copy 抄送我的事项"
    )
    task_id: int | None = Field(None, description="待办ID（待办、已办）")
    case_id: int = Field(description="事项ID")
    title: str = Field(description="事项标题")
    process_code: str = Field(description="流程代码")
    process_name: str = Field(description="流程名称")
    step_name: str = Field(description="步骤名称（待办、已办；其他为空）")
    state: str = Field(description="本行状态：待办/已办为待办状态，其他为事项状态")
    state_label: str = Field(description="本行状态名称")
    case_state: Case.State = Field(description="事项状态")
    case_state_label: str = Field(description="事项状态名称")
    applicant_name: str = Field(description="申请人姓名")
    arrived_at: datetime = Field(description="到达时间（待办到达、事项提交或抄送的时间）")
    due_at: datetime | None = Field(None, description="办理期限")
    acted_at: datetime | None = Field(None, description="办理时间（已办）")
    overdue: bool = Field(description="是否已逾期（仅待办）")
    on_behalf_of: str = Field(description="代谁办理（委托给当前账号的待办；否则为空）")
    copied_by: str = Field(description="抄送人姓名（抄送我的；否则为空）")
    read: bool | None = Field(None, description="是否已读（抄送我的）")


class InboxFilters(Schema):
    tab: Literal["todo", "done", "mine", "cc"] = Field(
        "todo", description="页签：todo 待办、done 已办、mine 我发起的、cc 抄送我的"
    )
    process: str | None = Field(None, max_length=60, description="流程代码")
    q: str | None = Field(None, max_length=50, description="按事项标题（待办、已办还按申请人姓名）查找")
    overdue: bool = Field(False, description="只看逾期待办（仅 todo）")


class CountsOut(Schema):
    todo: int = Field(description="待办数")
    overdue: int = Field(description="逾期待办数")
    done: int = Field(description="已办数")
    mine: int = Field(description="我发起的事项数")
    cc: int = Field(description="未读抄送数")


class VersionIn(Schema):
    version: int = Field(ge=1, description="查看事项时得到的版本号（version）")


class ApproveIn(VersionIn):
    opinion: str = Field("", max_length=2000, description="审核意见（步骤要求时必填）")
    data: dict[str, Any] = Field(default_factory=dict, description="审核表单的填写值，键为 form_fields 的 name")


class RejectIn(VersionIn):
    opinion: str = Field(max_length=2000, description="驳回意见（必填）")
    to_step: str | None = Field(None, max_length=40, description="驳回到的已办理步骤代码；不填则退回申请人重新提交")


class OpinionIn(VersionIn):
    opinion: str = Field(max_length=2000, description="意见（必填）")


class TransferIn(VersionIn):
    username: str = Field(min_length=1, max_length=150, description="接手人的用户名（工号），须为本校教职工")
    opinion: str = Field("", max_length=2000, description="转办说明")


class TerminateIn(VersionIn):
    reason: str = Field(max_length=2000, description="终止原因（必填）")


class BatchApproveIn(Schema):
    task_ids: list[int] = Field(min_length=1, max_length=200, description="要通过的待办ID（最多200个）")
    opinion: str = Field("", max_length=2000, description="统一的审核意见")


class Refused(Schema):
    task: int = Field(description="待办ID")
    message: str = Field(description="未通过的原因")


class BatchOut(Schema):
    done: list[int] = Field(description="已通过的待办ID")
    refused: list[Refused] = Field(description="未能通过的待办及原因")


# -- building answers ----------------------------------------------------------------------


def _name(user: User | None) -> str:
    return user.display_name if user is not None else ""


def case_out(case: Case) -> CaseOut:
    return CaseOut(**_case_fields(case))


def _case_fields(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "title": case.title,
        "state": Case.State(case.state),
        "state_label": str(case.get_state_display()),
        "version": case.version,
        "round": case.round,
        "process_code": case.definition.code,
        "process_name": case.definition.name,
        "process_version": case.definition.version,
        "applicant_name": _name(case.applicant),
        "submitted_at": case.submitted_at,
        "finished_at": case.finished_at,
    }


def _handler(task: Task) -> str:
    if task.assignee is not None:
        return task.assignee.display_name
    role = str(Role(task.pool_role).label) if task.pool_role in Role.values else task.pool_role
    return f"{task.pool_unit.name} {role}" if task.pool_unit is not None else role


def _task_brief(task: Task) -> TaskBrief:
    return TaskBrief(
        id=task.pk,
        state=Task.State(task.state),
        state_label=str(task.get_state_display()),
        handler=_handler(task),
        acted_by=_name(task.acted_by),
        acted_at=task.acted_at,
        due_at=task.due_at,
        overdue=task.is_overdue,
    )


def _event(event: CaseEvent) -> EventOut:
    return EventOut(
        kind=CaseEvent.Kind(event.kind),
        kind_label=str(event.get_kind_display()),
        round=event.round,
        step_key=event.step_key,
        step_name=event.step_name,
        actor_name=event.actor_name or _name(event.actor),
        role_label=event.role_label,
        opinion=event.opinion,
        at=event.at,
    )


def case_detail_out(case: Case, user: User) -> CaseDetailOut:
    page = selectors.case_page(case, user)
    earlier: dict[int, list[StepDefinition]] = page["earlier_steps"]
    return CaseDetailOut(
        **_case_fields(case),
        steps=[
            StepOut(
                key=row.step.key,
                name=row.step.name,
                order=row.step.order,
                sign_mode=row.step.sign_mode,
                state=row.state,
                state_label=str(STEP_STATE_LABELS.get(row.state, row.state)),
                tasks=[_task_brief(t) for t in row.tasks],
            )
            for row in page["steps"]
        ],
        my_tasks=[
            MyTaskOut(
                id=t.pk,
                step_key=t.step.key,
                step_name=t.step.name,
                opinion_required=t.step.opinion_required,
                form_fields=list(t.step.form_fields or []),
                reject_to=[StepRef(key=s.key, name=s.name) for s in earlier.get(t.pk, [])],
                due_at=t.due_at,
            )
            for t in page["my_tasks"]
        ],
        revocable_task_ids=[t.pk for t in page["revocable"]],
        is_applicant=case.applicant_id == user.pk,
        can_terminate=user.role in actions.CASE_ADMINS and case.state not in Case.FINAL_STATES,
        events=[_event(e) for e in page["events"]],
    )


def _task_item(task: Task, user: User) -> InboxItem:
    case = task.case
    behalf = task.assignee if task.assignee_id not in (None, user.pk) else None
    return InboxItem(
        kind="task",
        task_id=task.pk,
        case_id=case.pk,
        title=case.title,
        process_code=case.definition.code,
        process_name=case.definition.name,
        step_name=task.step.name,
        state=task.state,
        state_label=str(task.get_state_display()),
        case_state=Case.State(case.state),
        case_state_label=str(case.get_state_display()),
        applicant_name=_name(case.applicant),
        arrived_at=task.created_at,
        due_at=task.due_at,
        acted_at=task.acted_at,
        overdue=task.is_overdue,
        on_behalf_of=_name(behalf) if task.is_open else _name(task.on_behalf_of),
        copied_by="",
        read=None,
    )


def _case_item(case: Case, *, arrived_at: datetime, copy: CarbonCopy | None = None) -> InboxItem:
    return InboxItem(
        kind="copy" if copy is not None else "case",
        task_id=None,
        case_id=case.pk,
        title=case.title,
        process_code=case.definition.code,
        process_name=case.definition.name,
        step_name="",
        state=case.state,
        state_label=str(case.get_state_display()),
        case_state=Case.State(case.state),
        case_state_label=str(case.get_state_display()),
        applicant_name=_name(case.applicant),
        arrived_at=arrived_at,
        due_at=None,
        acted_at=None,
        overdue=False,
        on_behalf_of="",
        copied_by=_name(copy.copied_by) if copy is not None else "",
        read=(copy.read_at is not None) if copy is not None else None,
    )


class Mapped(Sequence[R]):
    """A queryset seen through ``convert``: ninja's paginator counts it and slices one page."""

    def __init__(self, rows: QuerySet[Any], convert: Callable[[Any], R]) -> None:
        self.rows, self.convert = rows, convert

    def __len__(self) -> int:
        return self.rows.count()

    @overload
    def __getitem__(self, index: int) -> R: ...

    @overload
    def __getitem__(self, index: slice) -> list[R]: ...

    def __getitem__(self, index: int | slice) -> R | list[R]:
        if isinstance(index, slice):
            return [self.convert(row) for row in self.rows[index]]
        return self.convert(self.rows[index])

    def __iter__(self) -> Iterator[R]:
        return (self.convert(row) for row in self.rows)


def inbox_rows(user: User, filters: InboxFilters) -> Mapped[InboxItem]:
    """The inbox page's rows (same selectors, filters and order) as API items."""
    q = (filters.q or "").strip()
    process = (filters.process or "").strip()
    if filters.tab in ("todo", "done"):
        tasks = (selectors.todo(user) if filters.tab == "todo" else selectors.done(user)).select_related(
            "case__definition", "case__applicant", "step", "assignee", "on_behalf_of"
        )
        if q:
            tasks = tasks.filter(Q(case__title__icontains=q) | Q(case__applicant__full_name__icontains=q))
        if process:
            tasks = tasks.filter(case__definition__code=process)
        if filters.overdue and filters.tab == "todo":
            tasks = tasks.filter(due_at__lt=timezone.now())
        tasks = (
            tasks.order_by("due_at", "created_at", "id")
            if filters.tab == "todo"
            else tasks.order_by("-acted_at", "-id")
        )
        return Mapped(tasks, lambda t: _task_item(t, user))
    if filters.tab == "mine":
        cases = selectors.mine(user).select_related("definition", "applicant")
        if q:
            cases = cases.filter(title__icontains=q)
        if process:
            cases = cases.filter(definition__code=process)
        return Mapped(cases.order_by("-submitted_at", "-id"), lambda c: _case_item(c, arrived_at=c.submitted_at))
    copies = selectors.copied(user).select_related("case__definition", "case__applicant", "copied_by")
    if q:
        copies = copies.filter(case__title__icontains=q)
    if process:
        copies = copies.filter(case__definition__code=process)
    return Mapped(copies.order_by("-copied_at", "-id"), lambda c: _case_item(c.case, arrived_at=c.copied_at, copy=c))


def _visible_case(user: User, case_id: int) -> Case:
    case = (
        Case.objects.visible_to(user)
        .select_related("definition", "applicant", "school", "department")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404
    return case


def _refused(error: ActionError) -> Status[CaseOut | ActionRefused]:
    status = action_error_status(error)
    return Status(status, ActionRefused(detail=error.message, field=error.field, code=error.code))


def _act(run: Callable[[], Case]) -> Status[CaseOut | ActionRefused]:
    """Run an action; the updated case, or 409/422 with the action's own message."""
    try:
        case = run()
    except ActionError as error:
        return _refused(error)
    case = Case.objects.select_related("definition", "applicant").get(pk=case.pk)
    return Status(200, case_out(case))


ACTION_RESPONSES: dict[int, Any] = {
    200: CaseOut,
    403: Detail,
    404: Detail,
    409: ActionRefused,
    422: ActionRefused,
    429: ActionRefused,
}
REFUSALS = (
    "不能办理时：404 事项不存在或无权查看；403 可以查看但不是您办理；"
    "409 已被他人处理或页面已过期（detail 说明由谁于何时处理）；422 输入不符合要求（field 指出字段）。"
)


# -- reading -----------------------------------------------------------------------------


@router.get(
    "/workflow/inbox",
    response=list[InboxItem],
    summary="审批事项列表（待办/已办/我发起的/抄送我的）",
    description="与“审批事项”页面相同：按当前角色（访问令牌为令牌的角色）列出，支持按流程、标题或申请人查找，分页。",
)
@api_signed_in
@paginate(PageSize)
def inbox(request: HttpRequest, filters: Query[InboxFilters]) -> Mapped[InboxItem]:
    return inbox_rows(auth_user(request), filters)


@router.get(
    "/workflow/counts",
    response=CountsOut,
    summary="待办数量",
    description="待办、逾期待办、已办、我发起的、未读抄送的数量（当前角色）。",
)
@api_signed_in
def counts(request: HttpRequest) -> CountsOut:
    return CountsOut(**selectors.counts(auth_user(request)))


@router.get(
    "/workflow/cases/{id}",
    response=CaseDetailOut,
    summary="审批事项详情与审核动态",
    description="事项、各步骤状态、当前账号可办理的待办和审核动态。只含事项标题，不含业务记录中的个人信息。"
    "查看抄送给自己的事项即标记为已读。",
)
@api_signed_in
def case_detail(request: HttpRequest, id: int) -> CaseDetailOut:
    user = auth_user(request)
    case = _visible_case(user, id)
    case.copies.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
    return case_detail_out(case, user)


# -- acting on a task ---------------------------------------------------------------------


@router.post(
    "/workflow/tasks/{id}/approve",
    response=ACTION_RESPONSES,
    summary="通过",
    description="确定/通过：打开下一步骤，最后一步通过则办结。" + REFUSALS,
)
@api_signed_in
def approve(request: HttpRequest, id: int, payload: ApproveIn) -> Status[CaseOut | ActionRefused]:
    user = auth_user(request)
    return _act(
        lambda: actions.approve(
            actor=user, task_id=id, expected_version=payload.version, opinion=payload.opinion, data=payload.data
        )
    )


@router.post(
    "/workflow/tasks/{id}/reject",
    response=ACTION_RESPONSES,
    summary="驳回",
    description="驳回重新提交（退回申请人），或驳回到指定的已办理步骤（to_step）；意见必填。" + REFUSALS,
)
@api_signed_in
def reject(request: HttpRequest, id: int, payload: RejectIn) -> Status[CaseOut | ActionRefused]:
    user = auth_user(request)
    return _act(
        lambda: actions.reject(
            actor=user,
            task_id=id,
            expected_version=payload.version,
            opinion=payload.opinion,
            to_step=payload.to_step or None,
        )
    )


@router.post(
    "/workflow/tasks/{id}/fail",
    response=ACTION_RESPONSES,
    summary="不通过",
    description="不通过：事项就此结束；意见必填。" + REFUSALS,
)
@api_signed_in
def fail(request: HttpRequest, id: int, payload: OpinionIn) -> Status[CaseOut | ActionRefused]:
    user = auth_user(request)
    return _act(lambda: actions.fail(actor=user, task_id=id, expected_version=payload.version, opinion=payload.opinion))


@router.post(
    "/workflow/tasks/{id}/revoke",
    response=ACTION_RESPONSES,
    summary="撤销审核",
    description="撤销自己本轮的通过，下一步骤尚未办理时可用。" + REFUSALS,
)
@api_signed_in
def revoke(request: HttpRequest, id: int, payload: VersionIn) -> Status[CaseOut | ActionRefused]:
    user = auth_user(request)
    return _act(lambda: actions.revoke(actor=user, task_id=id, expected_version=payload.version))


@router.post(
    "/workflow/tasks/{id}/transfer",
    response=ACTION_RESPONSES,
    summary="转办",
    description="把自己的待办交给本校另一位教职工，以同一角色办理。" + REFUSALS,
)
@api_signed_in
def transfer(request: HttpRequest, id: int, payload: TransferIn) -> Status[CaseOut | ActionRefused]:
    user = auth_user(request)
    target = User.objects.filter(username__iexact=payload.username.strip()).values_list("pk", flat=True).first()
    if target is None:
        return _refused(
            ActionError(_("找不到用户名为“%(u)s”的账号。") % {"u": payload.username.strip()}, field="username")
        )
    return _act(
        lambda: actions.transfer(
            actor=user, task_id=id, to_user=target, opinion=payload.opinion, expected_version=payload.version
        )
    )


@router.post(
    "/workflow/batch-approve",
    response=BatchOut,
    summary="批量通过",
    description="以同一意见逐项通过所选待办；某项不能通过不影响其他项，原因在 refused 中列出。",
)
@api_signed_in
def batch_approve(request: HttpRequest, payload: BatchApproveIn) -> BatchOut:
    result = actions.batch_approve(actor=auth_user(request), task_ids=payload.task_ids, opinion=payload.opinion)
    return BatchOut(done=result.done, refused=[Refused(task=t, message=m) for t, m in result.refused])


# -- acting on a case ---------------------------------------------------------------------


@router.post(
    "/workflow/cases/{id}/withdraw",
    response=ACTION_RESPONSES,
    summary="撤回",
    description="申请人在首个审核人办理前撤回事项，之后可修改并重新提交。" + REFUSALS,
)
@api_signed_in
def withdraw(request: HttpRequest, id: int, payload: VersionIn) -> Status[CaseOut | ActionRefused]:
    user = auth_user(request)
    return _act(lambda: actions.withdraw(actor=user, case_id=id, expected_version=payload.version))


@router.post(
    "/workflow/cases/{id}/remind",
    response=ACTION_RESPONSES,
    summary="催办",
    description="申请人（或研究生院、学校管理员）提醒当前审核人；一小时内只能催办一次。" + REFUSALS,
)
@api_signed_in
def remind(request: HttpRequest, id: int) -> Status[CaseOut | ActionRefused]:
    user = auth_user(request)

    def run() -> Case:
        actions.remind(actor=user, case_id=id)
        return _visible_case(user, id)

    return _act(run)


@router.post(
    "/workflow/cases/{id}/terminate",
    response=ACTION_RESPONSES,
    summary="终止",
    description="研究生院、学校管理员或系统管理员终止无法继续的事项；原因必填。" + REFUSALS,
)
@api_roles(actions.CASE_ADMINS)
def terminate(request: HttpRequest, id: int, payload: TerminateIn) -> Status[CaseOut | ActionRefused]:
    user = auth_user(request)
    return _act(
        lambda: actions.terminate(actor=user, case_id=id, reason=payload.reason, expected_version=payload.version)
    )


# -- definitions (W-01): read, and save a new version -------------------------------------


class StepDefinitionIO(Schema):
    key: str = Field(description="步骤代码（字母、数字、下划线）")
    name: str = Field(description="步骤名称")
    actor: str = Field(description="审核人类型（注册的解析器名，如 enterprise_mentor、department_role）")
    actor_argument: str = Field("", description="审核人参数，如 teaching_dean")
    sign_mode: StepDefinition.SignMode = Field(
        StepDefinition.SignMode.SINGLE, description="签批方式：single 单人、any 或签、all 会签"
    )
    condition: str = Field("", description="启用条件（注册的条件名，如 leave_days_over），空为总是")
    condition_argument: str = Field("", description="条件参数，如 7")
    prerequisites: list[str] = Field(default_factory=list, description="前置步骤代码；空表示提交后即开始")
    form_fields: list[dict[str, Any]] = Field(default_factory=list, description="审核人填写的字段")
    opinion_required: bool = Field(False, description="通过时也必须填写意见")
    due_days: int | None = Field(None, description="办理期限（天）")
    reject_to: str = Field("", description="默认驳回到的步骤代码；空为退回申请人")
    allow_auto_pass: bool = Field(True, description="与上一步同一人时自动通过")
    escalate_actor: str = Field("", description="逾期上报给（解析器名）")
    escalate_argument: str = Field("", description="逾期上报参数")


class DefinitionOut(Schema):
    code: str = Field(description="流程代码")
    name: str = Field(description="流程名称")
    version: int = Field(description="当前版本")
    description: str = Field(description="说明")
    steps: list[StepDefinitionIO] = Field(description="步骤（按顺序）")

    @staticmethod
    def resolve_steps(obj: Any) -> list[Any]:
        return list(obj.steps.order_by("order"))


class DefinitionIn(Schema):
    name: str = Field(description="流程名称")
    description: str = Field("", description="说明")
    change_note: str = Field("", max_length=200, description="修改说明")
    steps: list[StepDefinitionIO] = Field(description="全部步骤（按顺序）；保存为新版本")


@router.get(
    "/workflow/definitions",
    response=list[DefinitionOut],
    summary="流程定义列表",
    description="各流程的当前版本及其步骤。",
)
@api_roles(DEFINITION_ADMINS)
def definitions(request: HttpRequest) -> Any:
    return ProcessDefinition.objects.filter(is_current=True).prefetch_related("steps").order_by("name")


@router.post(
    "/workflow/definitions/{code}",
    response={200: DefinitionOut, 404: Detail, 422: ActionRefused},
    summary="修改流程定义（保存为新版本）",
    description="保存后新提交的事项按新版本办理；进行中的事项仍按其发起时的版本。",
)
@api_roles(DEFINITION_ADMINS)
def save_definition(request: HttpRequest, code: str, payload: DefinitionIn) -> Any:
    if not ProcessDefinition.objects.filter(code=code, is_current=True).exists():
        raise Http404
    try:
        saved = actions.save_definition(
            actor=auth_user(request),
            code=code,
            name=payload.name,
            description=payload.description,
            steps=[step.model_dump() for step in payload.steps],
            change_note=payload.change_note,
        )
    except ActionError as error:
        return _refused(error)
    return Status(200, saved)
