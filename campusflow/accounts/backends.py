"""The sign-in backend: Django's ModelBackend, with a user lookup that carries the bell's count."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone


class CampusBackend(ModelBackend):
    """Every signed-in page shows the unread-message count in its header.

    Fetching it inside the per-request user lookup (one indexed subquery on
    recipient, read_at) saves every page a query of its own; the shell context processor
    reads ``user.unread_notifications`` when it is there. Likewise ``stands_in``: whether
    anyone has delegated their tasks to this person now — almost never, so the inbox and
    home page skip the lookup of whom for (``workflow.engine.active_delegators``).
    """

    def get_user(self, user_id: Any) -> Any:
        from campusflow.accounts.models import User
        from campusflow.notifications.models import Notification
        from campusflow.workflow.models import Delegation

        unread = (
            Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
            .order_by()
            .values("recipient")
            .annotate(n=Count("id"))
            .values("n")
        )
        now = timezone.now()
        delegations = Delegation.objects.filter(
            delegate=OuterRef("pk"), starts_at__lte=now, ends_at__gt=now, revoked_at__isnull=True
        )
        try:
            user = User._default_manager.annotate(
                unread_notifications=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)),
                stands_in=Exists(delegations),
            ).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
