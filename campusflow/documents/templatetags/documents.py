"""``{% if request.user|may_download:"application" %}``: show a PDF link only to roles its view allows."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def may_download(user: Any, code: str) -> bool:
    from campusflow.documents import views

    view = {
        "application": views.placement_application,
        "assessment": views.placement_assessment,
        "three-party": views.placement_three_party,
        "agreement": views.base_agreement,
    }.get(code)
    if view is None or not getattr(user, "is_authenticated", False):
        return False
    role = getattr(user, "role", None)
    return bool(view.access_rule.allows(role))
