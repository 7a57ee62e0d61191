"""In-app messages and their e-mail/SMS delivery record (W-06, X-08)."""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_internal_url(value: str) -> None:
    """A path inside this site: starts with one "/" (not "//" or "/\\"), no scheme, no whitespace.

    A message's link is followed after a click, so an outside address here
    would be an open redirect.
    """
    if not value:
        return
    if (
        not value.startswith("/")
        or value.startswith(("//", "/\\"))
        or "\\" in value
        or any(ch.isspace() or ord(ch) < 32 for ch in value)
    ):
        raise ValidationError(_("消息链接只能是本站内的地址。"), code="external_url")


class Delivery(models.TextChoices):
    NOT_REQUESTED = "not_requested", _("不发送")
    PENDING = "pending", _("待发送")
    # Claimed by a worker; a worker killed now leaves the row here, never sent twice.
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def visible_to(self, user: Any) -> Self:
        """A person sees only their own messages, whatever role they act in."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> Self:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    class Kind(models.TextChoices):
        SYSTEM = "system", _("系统消息")
        WORKFLOW_TASK = "workflow.task", _("待办")
        WORKFLOW_REMINDER = "workflow.reminder", _("催办")
        WORKFLOW_ESCALATION = "workflow.escalation", _("超期提醒")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    # Not limited to Kind: a module may add its own code ("bases.expiry") without a migration.
    kind = models.CharField(_("类别"), max_length=40, default=Kind.SYSTEM)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True, validators=[validate_internal_url])
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    email_status = models.CharField(_("邮件"), max_length=16, choices=Delivery.choices, default=Delivery.NOT_REQUESTED)
    email_error = models.CharField(_("邮件错误"), max_length=200, blank=True)
    sms_status = models.CharField(_("短信"), max_length=16, choices=Delivery.choices, default=Delivery.NOT_REQUESTED)
    sms_error = models.CharField(_("短信错误"), max_length=200, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The bell's unread count on every page: recipient = ? AND read_at IS NULL.
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_recent"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def kind_label(self) -> str:
        try:
            return str(self.Kind(self.kind).label)
        except ValueError:
            return self.kind
