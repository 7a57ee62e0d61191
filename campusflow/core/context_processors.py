"""What every page's shell needs: the current role, the roles to switch to, the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from campusflow.core.navigation import menu_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = user.active_role
    return {
        "current_role": role,
        "roles_held": user.roles_held,
        "nav_items": menu_for(user, request.path),
    }
