"""Delivering messages by e-mail and SMS, in a worker (``manage.py db_worker``).

``manage.py crontask`` imports every installed app's ``tasks`` module, so
periodic jobs declared here with ``@cron`` are found (see ``schedule.py``).
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.tasks import task

from campusflow.accounts.sms import get_sender
from campusflow.core.privacy import mask_id_number, mask_phone
from campusflow.notifications.models import Delivery, Notification

logger = logging.getLogger(__name__)

SMS_PREFIX = "【campusflow】"
SMS_TITLE_LIMIT = 60

# 身份证号 (15 or 18 characters) and phone numbers inside free text, and e-mail addresses.
_LONG_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15}|1[3-9][0-9]{9})(?![0-9Xx])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def scrub(text: str) -> str:
    """Mask ID and phone numbers and e-mail addresses that found their way into a text (S-10)."""

    def mask(match: re.Match[str]) -> str:
        value = match.group(0)
        return mask_phone(value) if len(value) == 11 else mask_id_number(value)

    text = _LONG_NUMBER.sub(mask, text)
    return _EMAIL.sub(lambda m: m.group(0)[:1] + "***@" + m.group(0).rsplit("@", 1)[1], text)


# Kinds whose SMS carries the message's link: the enterprise mentor's one-time
# link (W-09) is the whole point of that message.
SMS_WITH_LINK = frozenset({"workflow.link"})


def absolute(path: str) -> str:
    return settings.CAMPUSFLOW_BASE_URL.rstrip("/") + path


def sms_text(notification: Notification) -> str:
    """The SMS: prefix and title only — the body may hold details that do not belong on a phone."""
    title = scrub(notification.title)
    if len(title) > SMS_TITLE_LIMIT:
        title = title[: SMS_TITLE_LIMIT - 1] + "…"
    if notification.kind in SMS_WITH_LINK and notification.url:
        return f"{SMS_PREFIX}{title} {absolute(notification.url)}"
    return f"{SMS_PREFIX}{title}"


def email_text(notification: Notification) -> tuple[str, str]:
    lines = [scrub(notification.body)] if notification.body else []
    if notification.url:
        lines.append(absolute(notification.url))
    return f"{SMS_PREFIX}{scrub(notification.title)}", "\n\n".join(lines)


def _safe_error(exc: BaseException) -> str:
    return scrub(f"{type(exc).__name__}: {exc}")[:200]


def _claim(pk: int, status_field: str) -> bool:
    """Take the channel of one message from pending to sending; False if someone else did."""
    claimed = Notification.objects.filter(pk=pk, **{status_field: Delivery.PENDING}).update(
        **{status_field: Delivery.SENDING}
    )
    return claimed == 1


def _finish(pk: int, channel: str, error: str | None) -> None:
    status = Delivery.FAILED if error is not None else Delivery.SENT
    Notification.objects.filter(pk=pk).update(**{f"{channel}_status": status, f"{channel}_error": error or ""})


def _send_email(notification: Notification) -> str | None:
    address = notification.recipient.email
    if not address:
        return "no e-mail address"
    subject, message = email_text(notification)
    try:
        send_mail(subject, message, None, [address])
    except Exception as exc:  # any mailer failure is recorded, never raised
        logger.warning("E-mail for notification %s failed: %s", notification.pk, type(exc).__name__)
        return _safe_error(exc)
    return None


def _send_sms(notification: Notification) -> str | None:
    phone = notification.recipient.phone
    if not phone:
        return "no phone number"
    try:
        get_sender().send(phone, sms_text(notification))
    except Exception as exc:  # any gateway failure is recorded, never raised
        logger.warning(
            "SMS for notification %s to %s failed: %s", notification.pk, mask_phone(phone), type(exc).__name__
        )
        return _safe_error(exc)
    return None


@task
def deliver(notification_ids: list[int]) -> dict[str, int]:
    """Send the pending e-mails and SMS of these messages; record each channel's outcome.

    Each channel of each message is claimed before sending, so a repeated or
    restarted job does not send twice; a worker killed mid-send leaves that
    message "sending" (at most once, never twice).
    """
    counts = {"sent": 0, "failed": 0}
    pending = (
        Notification.objects.filter(pk__in=notification_ids)
        .filter(Q(email_status=Delivery.PENDING) | Q(sms_status=Delivery.PENDING))
        .select_related("recipient")
        .order_by("pk")
    )
    for notification in pending:
        for channel, send in (("email", _send_email), ("sms", _send_sms)):
            if getattr(notification, f"{channel}_status") != Delivery.PENDING:
                continue
            if not _claim(notification.pk, f"{channel}_status"):
                continue
            error = send(notification)
            _finish(notification.pk, channel, error)
            counts["failed" if error is not None else "sent"] += 1
    return counts
