"""A list page and its total in one query (``COUNT(*) OVER ()``), for filtered lists.

Unfiltered lists take their total from the counters summary table
(``core.pagination.paginate(count=…)``); a filtered one has no such figure, and a
separate ``COUNT(*)`` over the filtered list would cost a query of its own. The
window count rides on the page's rows instead; only a page past the end (no rows to
carry it) falls back to counting.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page
from django.db.models import Count, Window
from django.http import HttpRequest

from campusflow.core.pagination import KnownCountPaginator, paginate


def paginate_counted(request: HttpRequest, queryset: Any, *, count: int | None = None) -> Page:
    """The requested page of ``queryset``; its total from ``count`` when known, else from the page's query."""
    if count is not None:
        return paginate(request, queryset, count=count)
    size = settings.LIST_PAGE_SIZE
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isdigit() and int(raw) > 0 else 1

    def fetch(page: int) -> list[Any]:
        return list(queryset.annotate(listed_total=Window(Count("pk")))[(page - 1) * size : page * size])

    rows = fetch(number)
    if rows:
        total = int(rows[0].listed_total)
    else:
        total = queryset.count() if number > 1 else 0
        last = max(1, -(-total // size))
        if number > last:
            number = last
            rows = fetch(number) if total else []
    return Page(rows, number, KnownCountPaginator(queryset, size, count=total))
