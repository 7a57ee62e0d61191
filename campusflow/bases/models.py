"""Practice bases (实践基地/联合培养基地, SPEC B-04) and their enterprise mentors."""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campusflow.core.fields import EncryptedCharField
from campusflow.core.roles import PERSONAL_ROLES, STAFF_ROLES, Role
from campusflow.core.scoping import Scope, ScopedQuerySet
from campusflow.orgs.models import EnterpriseMentor, OrgUnit

# Staff who hold a personal role (supervisors, station managers, experts) browse every
# base of their school (seed 000 §二.1: 学校导师和学院可以查看已建立的实践基地信息).
SCHOOL_WIDE_BROWSERS = frozenset(STAFF_ROLES & PERSONAL_ROLES)


class PracticeBaseQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any) -> Self:
        """Every staff role browses its school's bases; students and mentors only their own."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        assignment = user.active_role
        if assignment is not None and Role(assignment.role) in SCHOOL_WIDE_BROWSERS:
            unit = assignment.unit
            if unit is None or unit.school_id is None:
                return self.none()
            return self.filter(school_id=unit.school_id)
        return super().visible_to(user)


class PracticeBase(models.Model):
    class UnitType(models.TextChoices):
        STATE_OWNED = "state_owned", _("国有企业")
        PRIVATE_HITECH = "private_hitech", _("民营高新技术企业")
        PUBLIC_INSTITUTION = "public_institution", _("事业单位")
        FOREIGN = "foreign", _("外资企业")
        OTHER = "other", _("其他")

    class Level(models.TextChoices):
        SCHOOL_A = "school_a", _("校级A")
        SCHOOL_B = "school_b", _("校级B")
        PROVINCIAL = "provincial", _("省级")
        NATIONAL = "national", _("国家级")

    class Origin(models.TextChoices):
        SCHOOL = "school", _("学校基地")
        SUPERVISOR = "supervisor", _("导师自主安排")
        STUDENT = "student", _("学生自行联系")

    class Status(models.TextChoices):
        ACTIVE = "active", _("正常")
        REVOKED = "revoked", _("已撤销")

    school = models.ForeignKey(OrgUnit, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("基地编号"), max_length=32)
    name = models.CharField(_("基地名称"), max_length=200)
    unit_type = models.CharField(_("单位性质"), max_length=24, choices=UnitType.choices)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("企业联系人"), max_length=50, blank=True)
    contact_phone = EncryptedCharField(_("企业联系人电话"), blank=True)
    leader_name = models.CharField(_("企业负责人"), max_length=50, blank=True)
    leader_phone = EncryptedCharField(_("企业负责人电话"), blank=True)
    responsible_college = models.ForeignKey(
        OrgUnit, verbose_name=_("负责学院"), on_delete=models.PROTECT, related_name="practice_bases"
    )
    school_contact_name = models.CharField(_("学校联系人"), max_length=50, blank=True)
    school_contact_phone = EncryptedCharField(_("学校联系人电话"), blank=True)
    level = models.CharField(_("基地级别"), max_length=12, choices=Level.choices, default=Level.SCHOOL_B)
    origin = models.CharField(_("基地来源"), max_length=12, choices=Origin.choices, default=Origin.SCHOOL)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    mentors = models.ManyToManyField(
        EnterpriseMentor, verbose_name=_("企业导师"), through="BaseMentor", related_name="practice_bases", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PracticeBaseQuerySet.as_manager()
    scoping = Scope(
        school="school",
        department_sees_school=True,
        personal={
            Role.STUDENT: "placements__student__user",
            Role.ENTERPRISE_MENTOR: "mentors__user",
        },
    )

    class Meta:
        verbose_name = _("实践基地")
        verbose_name_plural = _("实践基地")
        ordering = ["code", "id"]
        constraints = [models.UniqueConstraint(fields=["school", "code"], name="base_unique_code_in_school")]
        indexes = [models.Index(fields=["school", "responsible_college", "status"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class BaseMentor(models.Model):
    """An enterprise mentor of a base (seed 000: 基地信息和企业导师情况)."""

    base = models.ForeignKey(PracticeBase, verbose_name=_("实践基地"), on_delete=models.CASCADE)
    mentor = models.ForeignKey(EnterpriseMentor, verbose_name=_("企业导师"), on_delete=models.PROTECT)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("添加人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(_("添加时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("基地企业导师")
        verbose_name_plural = _("基地企业导师")
        ordering = ["base", "mentor__mentor_no"]
        constraints = [models.UniqueConstraint(fields=["base", "mentor"], name="base_mentor_unique")]

    def __str__(self) -> str:
        return f"{self.base} · {self.mentor}"
