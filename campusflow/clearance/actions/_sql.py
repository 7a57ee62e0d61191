"""``INSERT … SELECT`` from a queryset: the set-based writes of clearance.

Django has no ``INSERT … SELECT``; :func:`insert_from` compiles the queryset's
``SELECT`` (so filters, joins and expressions stay ORM code, the same on
SQLite and PostgreSQL) and prefixes it with ``INSERT INTO table (columns)``.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Expression, F, Model, QuerySet


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
