"""Practice bases (实践基地/联合培养基地, SPEC B-04) and their enterprise mentors."""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

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


# -- the enterprise library (企业库) and each school's relation to it (B-01…B-03, seed 003 §4) ------


class EnterpriseQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any) -> Self:
        """The library is the province's: every signed-in staff member or student browses it."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        role = user.role
        if role is None or role == Role.ENTERPRISE_MENTOR:
            return self.none()
        return self.all()


class Enterprise(models.Model):
    """An enterprise that has joined the system (企业入驻), identified by its 统一社会信用代码."""

    class Status(models.TextChoices):
        NORMAL = "normal", _("正常")
        SUSPENDED = "suspended", _("停用")

    class Scale(models.TextChoices):
        MICRO = "micro", _("微型（20人以下）")
        SMALL = "small", _("小型（20–299人）")
        MEDIUM = "medium", _("中型（300–999人）")
        LARGE = "large", _("大型（1000人以上）")

    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("企业名称"), max_length=200)
    nature = models.CharField(_("企业性质"), max_length=30, choices=PracticeBase.UnitType.choices, blank=True)
    industry = models.CharField(_("所属行业"), max_length=60, blank=True)
    scale = models.CharField(_("企业规模"), max_length=10, choices=Scale.choices, blank=True)
    staff_count = models.PositiveIntegerField(_("在职职工人数"), null=True, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    address = models.CharField(_("注册地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = EncryptedCharField(_("联系电话"), blank=True)
    introduction = models.TextField(_("企业简介"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.NORMAL)
    created_at = models.DateTimeField(_("入驻时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = EnterpriseQuerySet.as_manager()
    scoping = Scope(school=None)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业库")
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "name"])]

    def __str__(self) -> str:
        return self.name


class InternshipPosition(models.Model):
    """实习岗位 an enterprise offers."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="positions"
    )
    name = models.CharField(_("岗位名称"), max_length=100)
    headcount = models.PositiveIntegerField(_("招收人数"), default=1)
    description = models.TextField(_("岗位说明"), blank=True)
    location = models.CharField(_("工作地点"), max_length=200, blank=True)
    daily_hours = models.DecimalField(_("每日工作时长（小时）"), max_digits=4, decimal_places=1, default=8)
    night_shift = models.BooleanField(_("是否夜班"), default=False)
    is_open = models.BooleanField(_("正在招收"), default=True)

    class Meta:
        verbose_name = _("实习岗位")
        verbose_name_plural = _("实习岗位")
        ordering = ["enterprise", "name"]

    def __str__(self) -> str:
        return self.name


class SchoolEnterpriseQuerySet(ScopedQuerySet):
    def current(self) -> Self:
        return self.filter(cancelled_at__isnull=True)


class SchoolEnterprise(models.Model):
    """B-02: 推荐 (荐, by the school or by a student) or 合作 (合); no row means no relation."""

    class Kind(models.TextChoices):
        RECOMMENDED = "recommended", _("推荐")
        COOPERATING = "cooperating", _("合作")

    class Source(models.TextChoices):
        SCHOOL = "school", _("学校推荐")
        STUDENT = "student", _("学生推荐")

    school = models.ForeignKey(OrgUnit, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="school_relations"
    )
    kind = models.CharField(_("关系"), max_length=12, choices=Kind.choices)
    source = models.CharField(_("推荐来源"), max_length=10, choices=Source.choices, default=Source.SCHOOL)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("建立时间"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("取消人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = SchoolEnterpriseQuerySet.as_manager()
    scoping = Scope(school="school", department_sees_school=True)

    class Meta:
        verbose_name = _("校企关系")
        verbose_name_plural = _("校企关系")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "enterprise", "kind"],
                condition=models.Q(cancelled_at__isnull=True),
                name="school_enterprise_one_current_relation_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_id}-{self.enterprise_id} {self.kind}"

    @property
    def mark(self) -> str:
        return (
            pgettext("relation mark", "荐") if self.kind == self.Kind.RECOMMENDED else pgettext("relation mark", "合")
        )
