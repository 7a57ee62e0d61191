"""Platform-wide records: the audit trail and the sensitive-data access log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campusflow.core.roles import Role
from campusflow.core.scoping import Scope, ScopedQuerySet


class AppendOnlyError(RuntimeError):
    pass


class AppendOnlyModel(models.Model):
    """Rows are written once. Updates are refused here and, in the database, by a trigger."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(f"{type(self).__name__} rows cannot be deleted")


class AuditEvent(AppendOnlyModel):
    """P-09: who did what, when and from where. Written by actions, in their transaction."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=100, blank=True)
    actor_role = models.CharField(_("角色"), max_length=40, blank=True)
    action = models.CharField(_("操作"), max_length=80, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=80, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_repr = models.CharField(_("对象"), max_length=200, blank=True)
    school = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ip = models.GenericIPAddressField(_("来源IP"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=200, blank=True)
    via = models.CharField(_("途径"), max_length=10, blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()
    scoping = Scope(school="school")

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["actor", "-at"]), models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    @property
    def role_label(self) -> str:
        return str(Role(self.actor_role).label) if self.actor_role in Role.values else self.actor_role


class SensitiveAccess(AppendOnlyModel):
    """S-10: each reveal or export of unmasked personal data (kept ≥ 3 years, S-11)."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("查看人"), on_delete=models.PROTECT)
    actor_role = models.CharField(_("角色"), max_length=40)
    subject_type = models.CharField(_("对象类型"), max_length=80)
    subject_id = models.CharField(_("对象编号"), max_length=64)
    subject_repr = models.CharField(_("对象"), max_length=200)
    fields = models.JSONField(_("字段"), default=list)
    purpose = models.CharField(_("用途"), max_length=20, default="reveal")
    school = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ip = models.GenericIPAddressField(_("来源IP"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scoping = Scope(school="school")

    class Meta:
        verbose_name = _("敏感信息访问记录")
        verbose_name_plural = _("敏感信息访问记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.subject_repr}"
