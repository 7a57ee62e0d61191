"""The approval engine's records (W-01…W-09).

- ``ProcessDefinition`` / ``StepDefinition``: a chain as data, versioned. Editing
  a definition creates a new version; a ``Case`` keeps the version it started with.
- ``Case``: one submission of one business record (a leave request …) through a chain.
- ``Task``: one person's (or one role pool's) turn at one step of a case.
- ``CaseEvent``: the append-only timeline (审核动态).
- ``CarbonCopy``, ``Delegation``, ``ActionLink``: 抄送, 委托, and the mentor's one-time link.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campusflow.core.models import AppendOnlyModel
from campusflow.core.roles import Role
from campusflow.core.scoping import Scope, ScopedQuerySet, scope_q


class ProcessDefinition(models.Model):
    code = models.CharField(_("流程代码"), max_length=60)
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("流程名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    is_current = models.BooleanField(_("当前版本"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    change_note = models.CharField(_("修改说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("流程定义")
        verbose_name_plural = _("流程定义")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="definition_unique_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="definition_one_current_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class StepDefinition(models.Model):
    class SignMode(models.TextChoices):
        SINGLE = "single", _("单人审核")
        ANY = "any", _("或签（一人通过即可）")
        ALL = "all", _("会签（全部通过）")

    definition = models.ForeignKey(ProcessDefinition, on_delete=models.CASCADE, related_name="steps")
    key = models.SlugField(_("步骤代码"), max_length=40)
    name = models.CharField(_("步骤名称"), max_length=60)
    order = models.PositiveSmallIntegerField(_("顺序"))
    actor = models.CharField(_("审核人"), max_length=40)
    actor_argument = models.CharField(_("审核人参数"), max_length=60, blank=True)
    sign_mode = models.CharField(_("签批方式"), max_length=8, choices=SignMode.choices, default=SignMode.SINGLE)
    condition = models.CharField(_("启用条件"), max_length=40, blank=True)
    condition_argument = models.CharField(_("条件参数"), max_length=60, blank=True)
    # Keys of the steps that must be done first. The seeds' chains are
    # sequential (each step waits for the one before); clearance checkpoints
    # list their own, and an empty list makes a step start at submission.
    prerequisites = models.JSONField(_("前置步骤"), default=list, blank=True)
    # What the actor fills in besides the opinion: a list of
    # {"name", "label", "type": text|textarea|choice|integer|date|boolean, "required", "choices"}.
    form_fields = models.JSONField(_("审核表单字段"), default=list, blank=True)
    opinion_required = models.BooleanField(_("通过时必须填写意见"), default=False)
    due_days = models.PositiveSmallIntegerField(_("办理期限（天）"), null=True, blank=True)
    reject_to = models.CharField(_("驳回到"), max_length=40, blank=True, help_text=_("留空表示退回申请人"))
    allow_auto_pass = models.BooleanField(_("与上一步同一人时自动通过"), default=True)
    escalate_actor = models.CharField(_("逾期上报给"), max_length=40, blank=True)
    escalate_argument = models.CharField(_("上报参数"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("流程步骤")
        verbose_name_plural = _("流程步骤")
        ordering = ["definition", "order"]
        constraints = [models.UniqueConstraint(fields=["definition", "key"], name="step_unique_key")]

    def __str__(self) -> str:
        return self.name


class CaseQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any) -> CaseQuerySet:
        """Cases in the person's scope, plus every case they have a task on or were copied on."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        now = timezone.now()
        delegators = Delegation.objects.filter(
            delegate=user, starts_at__lte=now, ends_at__gt=now, revoked_at__isnull=True
        ).values("delegator_id")
        involved = Task.objects.filter(
            Q(assignee=user) | Q(acted_by=user) | Q(assignee__in=delegators, state=Task.State.OPEN)
        ).values("case_id")
        copied = CarbonCopy.objects.filter(user=user).values("case_id")
        return self.filter(
            scope_q(self.model, user.active_role) | Q(applicant=user) | Q(pk__in=involved) | Q(pk__in=copied)
        )


class Case(models.Model):
    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("审核中")
        RETURNED = "returned", _("已驳回待重新提交")
        WITHDRAWN = "withdrawn", _("已撤回")
        APPROVED = "approved", _("已通过")
        FAILED = "failed", _("不通过")
        TERMINATED = "terminated", _("已终止")

    OPEN_STATES = (State.IN_PROGRESS,)
    EDITABLE_STATES = (State.RETURNED, State.WITHDRAWN)
    FINAL_STATES = (State.APPROVED, State.FAILED, State.TERMINATED)

    definition = models.ForeignKey(ProcessDefinition, verbose_name=_("流程"), on_delete=models.PROTECT)
    title = models.CharField(_("标题"), max_length=200)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    student = models.ForeignKey(
        "orgs.Student", verbose_name=_("学生"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey("orgs.OrgUnit", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("院系"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    round = models.PositiveSmallIntegerField(_("提交轮次"), default=1)
    # Bumped by every action; a form carries the version it was rendered at so a
    # stale form is refused instead of acting twice (S-08).
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = CaseQuerySet.as_manager()
    scoping = Scope(
        school="school",
        department="department",
        personal={
            Role.STUDENT: "applicant",
            Role.SUPERVISOR: "student__supervisor__user",
            Role.ENTERPRISE_MENTOR: "student__enterprise_mentor__user",
        },
    )

    class Meta:
        verbose_name = _("审批事项")
        verbose_name_plural = _("审批事项")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subject_type", "subject_id"], name="case_one_per_subject"),
        ]
        indexes = [models.Index(fields=["applicant", "-submitted_at"]), models.Index(fields=["state", "school"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state == self.State.IN_PROGRESS

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE_STATES


class Task(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("待办")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("已驳回")
        FAILED = "failed", _("不通过")
        SKIPPED = "skipped", _("无需办理")
        CANCELLED = "cancelled", _("已取消")
        SUPERSEDED = "superseded", _("已重审")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    step = models.ForeignKey(StepDefinition, verbose_name=_("步骤"), on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField(default=1)
    # Either one person, or a pool: anyone holding ``pool_role`` at ``pool_unit``
    # (at a school: at any unit of that school).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    pool_role = models.CharField(_("办理角色"), max_length=32, choices=Role.choices, blank=True)
    pool_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("办理单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acting_role = models.CharField(_("以何角色办理"), max_length=32, choices=Role.choices, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.OPEN)
    opinion = models.TextField(_("意见"), blank=True)
    data = models.JSONField(_("审核表单"), default=dict, blank=True)
    due_at = models.DateTimeField(_("办理期限"), null=True, blank=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acted_at = models.DateTimeField(_("办理时间"), null=True, blank=True)
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办对象"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("加签人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reminded_at = models.DateTimeField(_("最近催办"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("到达时间"), default=timezone.now)

    class Meta:
        verbose_name = _("待办任务")
        verbose_name_plural = _("待办任务")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["assignee", "state"]),
            models.Index(fields=["pool_role", "pool_unit", "state"]),
            models.Index(fields=["acted_by", "-acted_at"]),
            models.Index(fields=["case", "round"]),
            models.Index(fields=["state", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.step_id} {self.state}"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < timezone.now()


class CaseEvent(AppendOnlyModel):
    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("提交")
        RESUBMITTED = "resubmitted", _("重新提交")
        APPROVED = "approved", _("通过")
        AUTO_PASSED = "auto_passed", _("自动通过")
        REJECTED = "rejected", _("驳回重新提交")
        REJECTED_TO_STEP = "rejected_to_step", _("驳回到指定节点")
        FAILED = "failed", _("不通过")
        REVOKED = "revoked", _("撤销审核")
        WITHDRAWN = "withdrawn", _("撤回")
        TRANSFERRED = "transferred", _("转办")
        SIGNER_ADDED = "signer_added", _("加签")
        COPIED = "copied", _("抄送")
        REMINDED = "reminded", _("催办")
        ESCALATED = "escalated", _("逾期上报")
        SKIPPED = "skipped", _("无需办理")
        TERMINATED = "terminated", _("终止")
        COMPLETED = "completed", _("办结")
        LINK_USED = "link_used", _("通过短信链接办理")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    round = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(_("动作"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人"), max_length=100, blank=True)
    actor_role = models.CharField(_("角色"), max_length=32, blank=True)
    step_key = models.CharField(max_length=40, blank=True)
    step_name = models.CharField(_("步骤"), max_length=60, blank=True)
    opinion = models.TextField(_("意见"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("审核动态")
        verbose_name_plural = _("审核动态")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def role_label(self) -> str:
        return str(Role(self.actor_role).label) if self.actor_role in Role.values else ""


class CarbonCopy(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="copies")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    copied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    copied_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("抄送")
        verbose_name_plural = _("抄送")
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="copy_once_per_user")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.user_id}"


class Delegation(models.Model):
    """委托: while away, ``delegate`` may act on ``delegator``'s personal tasks."""

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("委托人"), on_delete=models.CASCADE, related_name="+"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("受托人"), on_delete=models.CASCADE, related_name="+"
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    reason = models.CharField(_("事由"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("委托")
        verbose_name_plural = _("委托")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["delegate", "starts_at", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.delegator_id} → {self.delegate_id}"

    def is_active(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.starts_at <= now < self.ends_at


class ActionLink(models.Model):
    """W-09: a signed, single-use, expiring link that opens exactly one task."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("一次性办理链接")
        verbose_name_plural = _("一次性办理链接")

    def __str__(self) -> str:
        return f"link for task {self.task_id}"
