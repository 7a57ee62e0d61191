"""List paging shared by every list page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils.functional import cached_property


class KnownCountPaginator(Paginator):
    """A paginator told the total instead of running ``COUNT(*)`` over the list again.

    Pages that already show the figure (a tab's count, a plan's summary counters) pass it in,
    which saves every page view a count over the whole filtered list.
    """

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def paginate(request: HttpRequest, queryset: Any, per_page: int | None = None, *, count: int | None = None) -> Page:
    """The requested page of ``queryset``; ``count``, when the caller knows it, spares the COUNT."""
    size = per_page or settings.LIST_PAGE_SIZE
    paginator = Paginator(queryset, size) if count is None else KnownCountPaginator(queryset, size, count=count)
    return paginator.get_page(request.GET.get("page"))
