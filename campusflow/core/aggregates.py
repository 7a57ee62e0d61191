"""Several figures of a page in one SELECT.

A dashboard or a tab bar shows a handful of counts over different tables. Counted one by
one they cost a round trip each; here each becomes a scalar subquery of a single SELECT
(``SELECT (SELECT COUNT(*) …) AS todo, (SELECT COUNT(*) …) AS mine …``), evaluated on a
one-row anchor (the signed-in person's own account row) so that Django still converts every
value to its field's Python type.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Expression, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce


def count_of(queryset: QuerySet[Any]) -> Expression:
    """``COUNT(*)`` of ``queryset`` as an expression (0 for an empty or ``.none()`` queryset)."""
    # Grouping by a constant is no grouping: one row with the count, even over no rows.
    counted = queryset.order_by().values(_one=Value(1)).annotate(_n=Count("pk")).values("_n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def first_value(queryset: QuerySet[Any], field: str) -> Subquery:
    """``field`` of the first row of ``queryset`` (None when there is none)."""
    return Subquery(queryset.values(field)[:1])


def one_row(user: Any, **figures: Expression | Subquery) -> dict[str, Any]:
    """Evaluate every expression in one query, anchored on ``user``'s row; {name: value}."""
    if not figures:
        return {}
    from campusflow.accounts.models import User

    row = User.objects.filter(pk=user.pk).values(**figures).first()
    if row is None:  # the account was deleted under the request: nothing to count for it
        return dict.fromkeys(figures, 0)
    return row
