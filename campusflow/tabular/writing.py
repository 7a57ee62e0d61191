"""Writing an import's rows in one set-based upsert (X-01, DESIGN "COPY into a staging table + one upsert").

PostgreSQL: the rows go by COPY into a temporary staging table, then one
``INSERT … SELECT … ON CONFLICT (natural key) DO UPDATE`` sets the named columns of
the rows that exist and inserts the others. Any other database (SQLite in tests):
``bulk_create(update_conflicts=True)``, the same upsert in batches of 1,000.

Both write what ``Model(**values)`` + ``bulk_create`` would: a value left out (or None)
is the field's default, ``auto_now``/``auto_now_add`` are the time of the write, every
value goes through its field's ``get_db_prep_save`` (so encrypted fields are encrypted
by the field itself) and a blind index is computed from its source as ``pre_save`` does.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.db import connections, models, transaction
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone

from campusflow.core.fields import BlindIndexField

# Fields whose pre_save the PostgreSQL path reproduces (the plain one, auto_now/auto_now_add, blind index).
_KNOWN_PRE_SAVE = (models.Field.pre_save, models.DateField.pre_save, models.DateTimeField.pre_save)
_STAGES = itertools.count(1)
_PER_ROW = object()  # a default prepared for each row that leaves the field out (callable, or encrypted)
# Fields whose get_db_prep_save returns a value of this exact type unchanged on PostgreSQL
# (to_python/get_prep_value of a clean value are the identity): such values skip the call.
_AS_IS: dict[type[models.Field[Any, Any]], type] = {
    models.CharField: str,
    models.TextField: str,
    models.EmailField: str,
    models.BooleanField: bool,
    models.IntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.DateField: date,
    models.AutoField: int,  # and foreign keys to such a key
    models.BigAutoField: int,
}


def upsert(
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]],
    *,
    constants: Mapping[str, Any],
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
    using: str = "default",
) -> None:
    """Insert ``rows`` (attname → value; None = the default); where ``unique_fields`` conflict, set ``update_fields``.

    ``constants`` are values every row has (the school). Runs in the caller's transaction.
    """
    if not rows:
        return
    connection = connections[using]
    if connection.vendor != "postgresql" or not _copyable(model):
        objects = [
            model(**constants, **{name: value for name, value in row.items() if value is not None}) for row in rows
        ]
        model._default_manager.db_manager(using).bulk_create(
            objects,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=list(unique_fields),
            update_fields=list(update_fields),
        )
        return
    with transaction.atomic(using=using, savepoint=False):
        _copy_upsert(model, rows, constants, unique_fields, update_fields, connection)


def _copyable(model: type[models.Model]) -> bool:
    """Whether every field's value can be prepared without a model instance (else: bulk_create)."""
    for field in model._meta.concrete_fields:
        if field.generated or field.db_default is not NOT_PROVIDED:
            return False
        if not isinstance(field, BlindIndexField) and type(field).pre_save not in _KNOWN_PRE_SAVE:
            return False
    return True


def _copy_upsert(
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]],
    constants: Mapping[str, Any],
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
    connection: Any,
) -> None:
    meta = model._meta
    quote = connection.ops.quote_name
    now = timezone.now()
    given: set[str] = set()
    for row in rows:
        given.update(row)
    fields = [f for f in meta.concrete_fields if not (f.primary_key and f.attname not in given)]

    # Per column: a value prepared once (the same for every row), or how to prepare each row's.
    fixed: dict[int, Any] = {}
    per_row: list[tuple[int, str, Any, Any, type | None]] = []  # (position, attname, field, default, as-is type)
    indexes: list[tuple[int, BlindIndexField, str, Any]] = []  # (position, field, source attname, constant source)
    for position, field in enumerate(fields):
        attname = field.attname
        if isinstance(field, BlindIndexField):
            source = _field(meta, field.source).attname
            if source in constants or source not in given:
                raw = constants.get(source, _field(meta, field.source).get_default())
                fixed[position] = field.get_db_prep_save(field.compute(raw), connection)
            else:
                indexes.append((position, field, source, _field(meta, field.source).get_default()))
        elif getattr(field, "auto_now", False) or (getattr(field, "auto_now_add", False) and attname not in given):
            fixed[position] = field.get_db_prep_save(now, connection)
        elif attname in constants:
            if _once_for_all(field, constants[attname]):
                fixed[position] = field.get_db_prep_save(constants[attname], connection)
            else:  # prepared for each row, as if each row had it
                per_row.append((position, attname, field, _PER_ROW, None))
                rows = [{**row, attname: constants[attname]} for row in rows]
        elif attname not in given and not _callable_default(field) and _once_for_all(field, field.get_default()):
            fixed[position] = field.get_db_prep_save(field.get_default(), connection)
        else:
            once = not _callable_default(field) and _once_for_all(field, field.get_default())
            default = field.get_db_prep_save(field.get_default(), connection) if once else _PER_ROW
            plain = _AS_IS.get(type(field.target_field if field.is_relation else field))  # type: ignore[attr-defined]
            per_row.append((position, attname, field, default, plain))

    # Only the columns that differ between rows go through COPY; the others are one parameter each.
    staged = [position for position in range(len(fields)) if position not in fixed]
    slot = {position: index for index, position in enumerate(staged)}
    per_row = [(slot[position], *rest) for position, *rest in per_row]
    indexes = [(slot[position], *rest) for position, *rest in indexes]
    staged_columns = ", ".join(quote(fields[position].column) for position in staged)
    selected = ", ".join(
        f"CAST(%s AS {fields[position].cast_db_type(connection)})"
        if position in fixed
        else quote(fields[position].column)
        for position in range(len(fields))
    )
    parameters = [fixed[position] for position in range(len(fields)) if position in fixed]
    columns = ", ".join(quote(f.column) for f in fields)
    table = quote(meta.db_table)
    # In the session's own schema (never a real table), named afresh for each upsert: one statement
    # creates it even when an earlier upsert of this transaction left its stage (dropped at commit).
    stage = "pg_temp." + quote(f"import_{meta.db_table}_{next(_STAGES)}")
    keys = ", ".join(quote(_field(meta, name).column) for name in unique_fields)
    sets = ", ".join(
        f"{quote(_field(meta, name).column)} = EXCLUDED.{quote(_field(meta, name).column)}" for name in update_fields
    )
    width = len(staged)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS SELECT {staged_columns} FROM {table} WITH NO DATA"  # noqa: S608
        )
        with cursor.cursor.copy(f"COPY {stage} ({staged_columns}) FROM STDIN") as copy:
            for row in rows:
                line: list[Any] = [None] * width
                for index, attname, field, default, plain in per_row:
                    value = row.get(attname)
                    if value.__class__ is plain:
                        line[index] = value
                    elif value is None:
                        line[index] = (
                            field.get_db_prep_save(field.get_default(), connection) if default is _PER_ROW else default
                        )
                    else:
                        line[index] = field.get_db_prep_save(value, connection)
                for index, field, source, source_default in indexes:
                    value = row.get(source)
                    line[index] = field.compute(source_default if value is None else value)
                copy.write_row(line)
        action = f"DO UPDATE SET {sets}" if sets else "DO NOTHING"
        upsert_sql = f"INSERT INTO {table} ({columns}) SELECT {selected} FROM {stage} ON CONFLICT ({keys}) {action}"  # noqa: S608
        cursor.execute(upsert_sql, parameters)


def _once_for_all(field: Any, value: Any) -> bool:
    """Whether one prepared ``value`` may stand for every row: a plain field, or an empty value.

    An encrypted field's non-empty value is prepared for each row (a fresh nonce each time),
    as ``bulk_create`` would.
    """
    target = field.target_field if field.is_relation else field
    return type(target) in _AS_IS or isinstance(field, models.DateTimeField) or value in (None, "")


def _callable_default(field: Any) -> bool:
    return bool(field.has_default() and callable(field.default))


def _field(meta: Any, name: str) -> Any:
    """A concrete field by name or attname (``school`` or ``school_id``)."""
    return meta.get_field(name)
