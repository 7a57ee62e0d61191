"""Accounts (P-05), roles held at a scope (P-03), SMS codes (S-04), sessions (S-03), API tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from campusflow.core.fields import BlindIndexField, EncryptedCharField
from campusflow.core.roles import Role
from campusflow.core.scoping import Scope, ScopedQuerySet
from campusflow.core.validators import normalize_phone


class UserQuerySet(ScopedQuerySet):
    pass


class CampusUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """An account. Who the person *is* lives in orgs (Student, Teacher, EnterpriseMentor)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("正常")
        SUSPENDED = "suspended", _("已停用")
        DELETED = "deleted", _("已删除")

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    school = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("所属学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    phone = EncryptedCharField(_("绑定手机"), blank=True)
    phone_index = BlindIndexField(source="phone", normalizer=normalize_phone)
    status = models.CharField(_("账号状态"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    activated_at = models.DateTimeField(_("激活时间"), null=True, blank=True)
    must_change_password = models.BooleanField(_("须修改密码"), default=True)
    # Initial and reset passwords are one-time and expire (S-01).
    temporary_password_expires_at = models.DateTimeField(_("临时密码有效期至"), null=True, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示账号"), default=False)
    created_by = models.ForeignKey(
        "self", verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CampusUserManager()  # type: ignore[misc]
    # Set for a request signed in with an API token: act only in the token's role.
    acts_in_active_role_only: bool = False
    scoping = Scope(school="school", department="roles__unit", personal={})

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")
        ordering = ["username"]

    def __str__(self) -> str:
        return f"{self.display_name}（{self.username}）"

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @cached_property
    def roles_held(self) -> list[RoleAssignment]:
        return list(self.roles.select_related("unit", "unit__school").order_by("id"))

    @cached_property
    def active_role(self) -> RoleAssignment | None:
        """The role this account acts in now; the middleware sets it from the session."""
        held = self.roles_held
        return held[0] if held else None

    def set_active_role(self, assignment: RoleAssignment | None) -> None:
        self.__dict__["active_role"] = assignment

    @property
    def role(self) -> Role | None:
        assignment = self.active_role
        return Role(assignment.role) if assignment else None

    @property
    def is_admin_account(self) -> bool:
        return any(Role(a.role).is_admin for a in self.roles_held)

    @property
    def needs_activation(self) -> bool:
        return self.activated_at is None

    @property
    def password_is_expired(self) -> bool:
        now = timezone.now()
        if self.temporary_password_expires_at and self.temporary_password_expires_at < now:
            return True
        if self.is_admin_account and self.password_changed_at:
            return self.password_changed_at + timedelta(days=settings.ADMIN_PASSWORD_MAX_AGE_DAYS) < now
        return False

    @property
    def is_usable(self) -> bool:
        return self.status == self.Status.ACTIVE and self.is_active


class RoleAssignment(models.Model):
    """One role held by one account at one org unit (P-03)."""

    user = models.ForeignKey(User, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("所在单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_by = models.ForeignKey(
        User, verbose_name=_("授权人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(_("授权时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        constraints = [models.UniqueConstraint(fields=["user", "role", "unit"], name="role_unique_per_unit")]

    def __str__(self) -> str:
        label = Role(self.role).label
        return f"{label} · {self.unit.name}" if self.unit else str(label)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class SmsCode(models.Model):
    """A one-time SMS code (S-04). Only a hash of the code is stored."""

    class Purpose(models.TextChoices):
        BIND_PHONE = "bind_phone", _("绑定手机")
        RESET_PASSWORD = "reset_password", _("找回密码")
        CHANGE_PHONE = "change_phone", _("更换手机")

    phone_index = models.CharField(max_length=64, db_index=True)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    wrong_tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [models.Index(fields=["phone_index", "purpose", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class UserSession(models.Model):
    """Maps an account to its server-side sessions so they can be ended (S-03)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    role = models.ForeignKey(RoleAssignment, verbose_name=_("以此角色调用"), on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_valid(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now
