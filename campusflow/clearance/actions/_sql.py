"""``INSERT … SELECT`` from a queryset: the set-based writes of clearance.

Django has no ``INSERT … SELECT``; :func:`insert_from` compiles the queryset's
``SELECT`` (so filters, joins and expressions stay ORM code, the same on
SQLite and PostgreSQL) and prefixes it with ``INSERT INTO table (columns)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Expression, F, Model, Q, QuerySet


def insert_from(model: type[Model], queryset: QuerySet[Any], columns: dict[str, Expression | F]) -> int:
    """Insert one ``model`` row per row of ``queryset``; ``columns`` maps field names to expressions.

    Returns the number of rows inserted. Every NOT NULL column without a
    database default must be named (Python-side defaults do not apply).
    """
    names = [f"ins_{i}" for i in range(len(columns))]
    select = queryset.annotate(**dict(zip(names, columns.values(), strict=True))).values_list(*names)
    sql, params = select.query.sql_with_params()
    quote = connection.ops.quote_name
    targets = ", ".join(quote(str(getattr(model._meta.get_field(name), "column", name))) for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({targets}) {sql}", params)
        return int(cursor.rowcount)


class _AnyOf(Expression):
    """``column = ANY(%s)`` with the values as one array parameter (PostgreSQL)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, column: str, values: list[int]) -> None:
        super().__init__()
        self.column: Any = F(column)
        self.values = values

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.column,) = exprs

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.column)
        return f"{sql} = ANY(%s)", (*params, self.values)


def among(column: str, values: Iterable[int]) -> Q | Expression:
    """A filter ``column IN values``: on PostgreSQL one array parameter, not one placeholder per value.

    Django compiles ``__in`` with a placeholder (and a conversion) per value, which costs
    about as much in Python as the statement costs the database for a 10,000-row batch.
    """
    ids = [int(v) for v in values if v is not None]
    if connection.vendor == "postgresql":
        return _AnyOf(column, ids)
    return Q(**{f"{column}__in": ids})
