"""Professional-practice placements (专业实践安排): a student at a base with both supervisors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campusflow.bases.models import PracticeBase
from campusflow.core.fields import EncryptedCharField
from campusflow.core.roles import Role
from campusflow.core.scoping import Scope, ScopedQuerySet
from campusflow.orgs.models import EnterpriseMentor, OrgUnit, Student, Teacher


class Placement(models.Model):
    class PracticeType(models.TextChoices):
        DISPATCH = "dispatch", _("基地派遣")
        SUPERVISOR = "supervisor", _("导师自主安排")
        SELF = "self", _("学生自行联系")

    class Status(models.TextChoices):
        ON_SITE = "on_site", _("在站")
        EXITED = "exited", _("已出站")
        TERMINATED = "terminated", _("已终止")

    student = models.ForeignKey(Student, verbose_name=_("学生"), on_delete=models.PROTECT, related_name="placements")
    base = models.ForeignKey(
        PracticeBase, verbose_name=_("实践基地"), on_delete=models.PROTECT, related_name="placements"
    )
    supervisor = models.ForeignKey(
        Teacher, verbose_name=_("校内导师"), on_delete=models.PROTECT, related_name="placements"
    )
    mentor = models.ForeignKey(
        EnterpriseMentor, verbose_name=_("企业导师"), on_delete=models.PROTECT, related_name="placements"
    )
    practice_type = models.CharField(_("专业实践类型"), max_length=12, choices=PracticeType.choices)
    start_date = models.DateField(_("实践开始日期"))
    end_date = models.DateField(_("实践结束日期"))
    onsite_start = models.DateField(_("现场实践开始日期"))
    onsite_end = models.DateField(_("现场实践结束日期"))
    status = models.CharField(_("状态分类"), max_length=12, choices=Status.choices, default=Status.ON_SITE)
    # The student's school and college, copied so that scoping is one join (P-04).
    school = models.ForeignKey(OrgUnit, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(OrgUnit, verbose_name=_("学院"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("安排人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("安排时间"), auto_now_add=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    end_note = models.CharField(_("结束说明"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scoping = Scope(
        school="school",
        department="department",
        personal={
            Role.STUDENT: "student__user",
            Role.SUPERVISOR: "supervisor__user",
            Role.ENTERPRISE_MENTOR: "mentor__user",
        },
    )

    class Meta:
        verbose_name = _("专业实践安排")
        verbose_name_plural = _("专业实践安排")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"], condition=models.Q(status="on_site"), name="placement_one_current_per_student"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")), name="placement_end_after_start"
            ),
        ]
        indexes = [models.Index(fields=["school", "department", "status"])]

    def __str__(self) -> str:
        return f"{self.student} @ {self.base.name}"

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.ON_SITE


# -- submissions that run through the approval engine (seed 000) -----------------------


class PracticeRequestQuerySet(ScopedQuerySet):
    pass


class PracticeRequest(models.Model):
    """What every practice submission shares: the student, where they are, and its case."""

    student = models.ForeignKey(Student, verbose_name=_("学生"), on_delete=models.PROTECT, related_name="+")
    placement = models.ForeignKey(
        Placement, verbose_name=_("实践安排"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey(OrgUnit, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(OrgUnit, verbose_name=_("学院"), on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField(
        "workflow.Case", verbose_name=_("审批"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("填写时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = PracticeRequestQuerySet.as_manager()
    scoping = Scope(
        school="school",
        department="department",
        personal={
            Role.STUDENT: "student__user",
            Role.SUPERVISOR: "student__supervisor__user",
            Role.ENTERPRISE_MENTOR: "student__enterprise_mentor__user",
        },
    )

    class Meta:
        abstract = True


class LeaveSchoolApplication(PracticeRequest):
    """G-03 专业实践离校申请: student → school supervisor → teaching secretary."""

    class Location(models.TextChoices):
        BEIJING = "beijing", _("京内")
        OUTSIDE = "outside", _("京外")

    station_name = models.CharField(_("工作站名称/实践单位名称"), max_length=200)
    leave_date = models.DateField(_("离校时间"))
    expected_entry_date = models.DateField(_("预计进站时间"))
    location = models.CharField(_("工作站所在地"), max_length=10, choices=Location.choices)
    travel_attachment = models.FileField(_("行程附件"), max_length=200, blank=True)
    travel_attachment_name = models.CharField(_("行程附件原名"), max_length=200, blank=True)
    safety_notice_submitted = models.BooleanField(_("是否已经上交专业实践安全须知"), default=False)
    safety_notice = models.FileField(_("安全须知"), max_length=200, blank=True)
    safety_notice_name = models.CharField(_("安全须知原名"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("专业实践离校申请")
        verbose_name_plural = _("专业实践离校申请")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.student.name} {self._meta.verbose_name} {self.leave_date:%Y-%m-%d}"


class LeaveRequest(PracticeRequest):
    """G-06 实践过程请假: student → enterprise mentor → school supervisor → teaching dean
    → student-affairs office (only for more than a week)."""

    start_date = models.DateField(_("请假开始日期"))
    end_date = models.DateField(_("请假结束日期"))
    reason = models.TextField(_("请假事由"))
    phone = EncryptedCharField(_("电话"))
    father_name = models.CharField(_("父亲"), max_length=50, blank=True)
    father_phone = EncryptedCharField(_("父亲电话"), blank=True)
    mother_name = models.CharField(_("母亲"), max_length=50, blank=True)
    mother_phone = EncryptedCharField(_("母亲电话"), blank=True)

    class Meta:
        verbose_name = _("实践过程请假")
        verbose_name_plural = _("实践过程请假")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.student.name} {self._meta.verbose_name} {self.start_date:%m-%d}~{self.end_date:%m-%d}"

    @property
    def leave_days(self) -> int:
        """Calendar days, both ends included (the condition "more than a week" reads this)."""
        return (self.end_date - self.start_date).days + 1
