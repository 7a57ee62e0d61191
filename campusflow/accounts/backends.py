"""The sign-in backend: Django's ModelBackend, with a user lookup that carries the bell's count."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


class CampusBackend(ModelBackend):
    """Every signed-in page shows the unread-message count in its header.

    Fetching it inside the per-request user lookup (one indexed subquery on
    recipient, read_at) saves every page a query of its own; the shell context processor
    reads ``user.unread_notifications`` when it is there.
    """

    def get_user(self, user_id: Any) -> Any:
        from campusflow.accounts.models import User
        from campusflow.notifications.models import Notification

        unread = (
            Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
            .order_by()
            .values("recipient")
            .annotate(n=Count("id"))
            .values("n")
        )
        try:
            user = User._default_manager.annotate(
                unread_notifications=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))
            ).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
