"""Professional-practice placements (专业实践安排): a student at a base with both supervisors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campusflow.bases.models import PracticeBase
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
