"""Telling people things (W-06): in-app messages, and e-mail/SMS after commit.

``notify`` is called from other apps' actions, inside *their* transaction: the
rows are written with it, and delivery is only queued once that transaction
commits, so a rolled-back change never sends a word.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from campusflow.accounts.models import User
from campusflow.core.errors import ActionError
from campusflow.notifications.models import Delivery, Notification, validate_internal_url

logger = logging.getLogger(__name__)

# One delivery task per this many messages, so a notice to a whole school is
# spread over the workers instead of held by one.
DELIVERY_BATCH = 200


def notify(
    *,
    recipients: Iterable[User],
    title: str,
    body: str = "",
    url: str = "",
    kind: str = Notification.Kind.SYSTEM,
    email: bool = False,
    sms: bool = False,
) -> list[Notification]:
    """Create one message per recipient (one INSERT) and queue e-mail/SMS for after commit.

    ``url`` must be a path inside the site. Call it inside the calling action's
    ``transaction.atomic()``; nothing is delivered if that transaction rolls back.
    """
    try:
        validate_internal_url(url)
    except ValidationError as exc:
        raise ActionError(exc.messages[0], field="url", code="external_url") from None
    seen: set[int] = set()
    rows = []
    for person in recipients:
        if person.pk in seen:
            continue
        seen.add(person.pk)
        rows.append(
            Notification(
                recipient=person,
                kind=kind,
                title=title[:200],
                body=body,
                url=url,
                email_status=Delivery.PENDING if email else Delivery.NOT_REQUESTED,
                sms_status=Delivery.PENDING if sms else Delivery.NOT_REQUESTED,
            )
        )
    created = Notification.objects.bulk_create(rows)
    if email or sms:
        ids = [n.pk for n in created]
        for start in range(0, len(ids), DELIVERY_BATCH):
            _deliver_on_commit(ids[start : start + DELIVERY_BATCH])
    return created


def _deliver_on_commit(ids: list[int]) -> None:
    from campusflow.notifications.tasks import deliver

    # robust: a queue that cannot be reached is logged; the committed change stands
    # and the request that made it still succeeds.
    transaction.on_commit(lambda: deliver.enqueue(ids), robust=True)


def mark_read(*, actor: User, notification_id: int) -> Notification:
    """Mark one of ``actor``'s own messages read; someone else's id is a 404 (``Notification.DoesNotExist``)."""
    notification = Notification.objects.visible_to(actor).get(pk=notification_id)
    if notification.read_at is None:
        now = timezone.now()
        # Conditional: a second tab marking it read at the same time keeps the first time.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def mark_all_read(*, actor: User) -> int:
    """One UPDATE over ``actor``'s unread messages; returns how many changed."""
    return Notification.objects.visible_to(actor).unread().update(read_at=timezone.now())
