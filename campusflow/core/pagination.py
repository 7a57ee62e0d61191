"""List paging shared by every list page.

A list shows "共 N 条" under its page. Counting every row a filter matches is the costliest
part of a page over a province's million students, so the count stops at ``COUNT_CAP``: past
it the page says "共 10000+ 条" and pages on up to the cap (a person narrows the filter rather
than paging 500 times). Pages that already know their total pass ``count=`` instead.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class KnownCountPaginator(Paginator):
    """A paginator told the total instead of running ``COUNT(*)`` over the list again.

    Pages that already show the figure (a tab's count, a plan's summary counters) pass it in,
    which saves every page view a count over the whole filtered list. ``capped`` says the true
    total is larger than ``count``.
    """

    def __init__(self, object_list: Any, per_page: int, *, count: int, capped: bool = False) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count
        self.capped = capped

    @cached_property
    def count(self) -> int:
        return self._known_count


def capped_count(queryset: QuerySet[Any], cap: int | None = None) -> tuple[int, bool]:
    """(rows, whether there are more than ``cap``): ``COUNT(*)`` over at most ``cap + 1`` rows."""
    cap = COUNT_CAP if cap is None else cap
    counted = queryset.order_by().values("pk")[: cap + 1].count()
    return min(counted, cap), counted > cap


def paginate(request: HttpRequest, queryset: Any, per_page: int | None = None, *, count: int | None = None) -> Page:
    """The requested page of ``queryset``; ``count``, when the caller knows it, spares the COUNT."""
    size = per_page or settings.LIST_PAGE_SIZE
    capped = False
    if count is None:
        if not isinstance(queryset, QuerySet):
            return Paginator(queryset, size).get_page(request.GET.get("page"))
        count, capped = capped_count(queryset)
    paginator = KnownCountPaginator(queryset, size, count=count, capped=capped)
    return paginator.get_page(request.GET.get("page"))
