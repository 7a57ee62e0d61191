"""Leaving-school clearance (SPEC C-01…C-08, seed 002).

A ``ClearancePlan`` (离校方案) names the students it covers (criteria, materialised
at initialisation) and owns a ``workflow.ProcessDefinition`` (code
``clearance.plan.<id>``) whose steps are its checkpoints (环节). Each covered
student gets one ``ClearanceRecord`` and one ``workflow.Case``; each checkpoint
whose prerequisites are met has one ``workflow.Task`` on that case. A checkpoint
still waiting for its prerequisites has *no* task yet (the engine's
``step_state`` reads that as "waiting"); tasks are opened set-based when the
prerequisites pass (``clearance.actions``).

``ClearanceCounter`` is the summary table behind 应办理/已通过/未办理/未通过: one row
per (plan, checkpoint, college), changed by deltas in the same transaction as
every status change, and rebuilt by ``actions.recount``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campusflow.core.roles import Role
from campusflow.core.scoping import Scope, ScopedQuerySet


class StudentRange(models.TextChoices):
    """The seed's 学生范围 on the desk."""

    SINGLE = "single", _("单证研究生")
    DOUBLE = "double", _("双证研究生")
    UNDERGRADUATE = "undergraduate", _("本科生")


class ClearancePlan(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ACTIVE = "active", _("办理中")
        CLOSED = "closed", _("已结束")

    school = models.ForeignKey("orgs.OrgUnit", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("方案名称"), max_length=100)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.DRAFT)
    # Which students the plan covers; an empty list means "any".
    grades = models.JSONField(_("年级"), default=list, blank=True)
    categories = models.JSONField(_("学生类别"), default=list, blank=True)
    ranges = models.JSONField(_("学生范围"), default=list, blank=True)
    departments = models.ManyToManyField("orgs.OrgUnit", verbose_name=_("院系"), blank=True, related_name="+")
    practice_exit_passes_supervisor = models.BooleanField(_("导师审核由专业实践出站自动通过"), default=False)
    definition = models.OneToOneField(
        "workflow.ProcessDefinition", verbose_name=_("环节定义"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    initialized_at = models.DateTimeField(_("初始化时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scoping = Scope(
        school="school",
        department_sees_school=True,
        personal={Role.STUDENT: "records__student__user", Role.SUPERVISOR: "records__student__supervisor__user"},
    )

    class Meta:
        verbose_name = _("离校方案")
        verbose_name_plural = _("离校方案")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def process_code(self) -> str:
        return f"clearance.plan.{self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT


class ClearanceRecord(models.Model):
    """One student in one plan: the link to their case and the C-08 issuance."""

    plan = models.ForeignKey(
        ClearancePlan, verbose_name=_("离校方案"), on_delete=models.CASCADE, related_name="records"
    )
    student = models.ForeignKey(
        "orgs.Student", verbose_name=_("学生"), on_delete=models.PROTECT, related_name="clearance_records"
    )
    school = models.ForeignKey("orgs.OrgUnit", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("orgs.OrgUnit", verbose_name=_("院系"), on_delete=models.PROTECT, related_name="+")
    student_range = models.CharField(_("学生范围"), max_length=16, choices=StudentRange.choices)
    case = models.OneToOneField(
        "workflow.Case",
        verbose_name=_("办理流程"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clearance_record",
    )
    cleared_at = models.DateTimeField(_("全部通过时间"), null=True, blank=True)
    diploma_issued_on = models.DateField(_("毕业证发放日期"), null=True, blank=True)
    diploma_issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("毕业证发放人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    degree_issued_on = models.DateField(_("学位证发放日期"), null=True, blank=True)
    degree_issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("学位证发放人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    materials_issued_on = models.DateField(_("毕业材料发放日期"), null=True, blank=True)
    materials_issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("毕业材料发放人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("初始化时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scoping = Scope(
        school="school",
        department="department",
        personal={Role.STUDENT: "student__user", Role.SUPERVISOR: "student__supervisor__user"},
    )

    class Meta:
        verbose_name = _("离校记录")
        verbose_name_plural = _("离校记录")
        ordering = ["student__student_no", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "student"], name="clearance_one_record_per_plan")]
        indexes = [models.Index(fields=["plan", "department"]), models.Index(fields=["plan", "student_range"])]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.student_id}"

    @property
    def is_cleared(self) -> bool:
        return self.cleared_at is not None


class ClearanceCounter(models.Model):
    """应办理 (expected), 已通过 (passed), 未通过 (failed); 未办理 = expected − passed − failed."""

    plan = models.ForeignKey(ClearancePlan, on_delete=models.CASCADE, related_name="counters")
    step = models.ForeignKey("workflow.StepDefinition", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    expected = models.PositiveIntegerField(_("应办理"), default=0)
    passed = models.PositiveIntegerField(_("已通过"), default=0)
    failed = models.PositiveIntegerField(_("未通过"), default=0)

    objects = ScopedQuerySet.as_manager()
    scoping = Scope(school="plan__school", department="department")

    class Meta:
        verbose_name = _("办理计数")
        verbose_name_plural = _("办理计数")
        constraints = [
            models.UniqueConstraint(fields=["plan", "step", "department"], name="clearance_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.step_id}/{self.department_id}"

    @property
    def pending(self) -> int:
        return self.expected - self.passed - self.failed
