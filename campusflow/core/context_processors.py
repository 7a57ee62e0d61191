"""What every page's shell needs: the current role, the roles to switch to, the navigation, the bell."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from campusflow.core.navigation import menu_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from campusflow.notifications.models import Notification

    role = user.active_role
    # The sign-in backend's user lookup carries the count (accounts/backends.py); a user
    # authenticated otherwise (an API token) costs one indexed COUNT.
    unread = getattr(user, "unread_notifications", None)
    if unread is None:
        unread = Notification.objects.visible_to(user).unread().count()
    return {
        "current_role": role,
        "roles_held": user.roles_held,
        "nav_items": menu_for(user, request.path),
        "unread_notifications": unread,
        "unread_notifications_label": "99+" if unread > 99 else str(unread),
    }
