"""Template helpers shared by every module."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict

from campusflow.core.privacy import Sensitive, display

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (for paging and sorting)."""
    request = context.get("request")
    query: QueryDict = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = str(value)
    return query.urlencode()


@register.simple_tag(takes_context=True)
def masked(context: dict[str, Any], value: str | None, kind: str) -> str:
    """The form of a sensitive value the current role may see (S-10)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    role = user.role if user is not None and user.is_authenticated else None
    return display(value, Sensitive(kind), role)


@register.simple_tag(takes_context=True)
def once_token(context: dict[str, Any], *args: Any) -> str:
    from django.utils.html import format_html

    from campusflow.core import once

    return format_html('<input type="hidden" name="{}" value="{}">', once.FIELD, once.issue(context["request"]))


@register.filter
def get_item(mapping: dict[Any, Any] | None, key: Any) -> Any:
    """``mapping[key]`` in a template (None when absent)."""
    return (mapping or {}).get(key)


@register.filter
def kinds_of(relations: list[Any]) -> list[str]:
    """The ``kind`` values of a list of relations (which 荐/合 a school already has)."""
    return [getattr(r, "kind", "") for r in relations]
