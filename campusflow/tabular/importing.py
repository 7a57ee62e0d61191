"""The import engine (X-01): one path for every importable kind, in a request or in a background job.

parse (calamine) → clean every cell → duplicates of the natural key in the file →
references resolved in bulk (one query per kind) → compare with what exists
(one query) → if nothing is wrong and this is not a dry run, one upsert and one
audit event. Any error anywhere means nothing is written: the person gets a
report (row as Excel numbers it, column, reason) and a rejected-rows .xlsx.

A kind is an :class:`ImportSpec` subclass registered with :func:`register_import`;
see ``orgs/imports.py`` and docs/development.md ("Excel import and export").
"""

from __future__ import annotations

import gc
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import xlsxwriter
from django.db import connection, transaction
from django.db.models import BooleanField, Expression, F, Q
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from campusflow.core import audit
from campusflow.core.uploads import ValidatedUpload
from campusflow.tabular.cells import CellInvalid, CellKind, Column, choice_table, parse_cell
from campusflow.tabular.exporting import WORKBOOK_OPTIONS, Formats, write_cell
from campusflow.tabular.reading import REPORT_HEADERS, Sheet, find_header, load_rows

if TYPE_CHECKING:
    from campusflow.accounts.models import User

# Files with more data rows than this are imported by a background job.
BACKGROUND_ROWS = 2000
# How many errors the result page lists (the rejected-rows file has all of them).
ERRORS_SHOWN = 50


@dataclass(frozen=True)
class CellError:
    row: int  # as Excel shows it
    column: str  # the column's header
    message: str


@dataclass
class Row:
    number: int
    cells: list[Any]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)
    status: str = ""  # created / updated / unchanged

    def error(self, column: str, message: str | Promise) -> None:
        self.errors.append(CellError(self.number, column, str(message)))

    def key(self, fields: Sequence[str]) -> tuple[Any, ...] | None:
        values = tuple(map(self.values.get, fields))
        return None if None in values else values


class ImportSpec:
    """One importable kind. Subclasses set the class attributes and implement the hooks."""

    kind: ClassVar[str]
    title: ClassVar[str | Promise]  # 学生信息
    sheet_name: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    key: ClassVar[tuple[str, ...]]  # fields of the natural key (within the importer's school)
    notes: ClassVar[tuple[str | Promise, ...]] = ()  # general lines for the 填写说明 sheet

    def __init__(self, actor: User) -> None:
        """Raise ``PermissionDenied`` if ``actor`` may not import this kind."""
        self.actor = actor

    # -- hooks ----------------------------------------------------------------

    def resolve(self, rows: list[Row], present: set[str]) -> None:
        """Turn reference texts into ids for all rows at once (one query per reference kind)."""

    def clean_row(self, row: Row, present: set[str]) -> None:
        """Checks across the cells of one row; add errors with ``row.error``."""

    def extra_fields(self, present: set[str]) -> list[str]:
        """Fields written besides the columns in the file (derived values)."""
        return []

    def existing(self, rows: list[Row]) -> dict[tuple[Any, ...], dict[str, Any]]:
        """Current values of the records the rows name, by natural key (one query); may add row errors."""
        raise NotImplementedError

    def write(self, rows: list[Row], fields: list[str]) -> None:
        """Insert or update ``rows`` in one set-based upsert. Runs inside the import's transaction."""
        raise NotImplementedError

    def audit_school(self) -> Any:
        return self.actor.school_id

    # -- derived --------------------------------------------------------------

    @classmethod
    def column(cls, name: str) -> Column:
        return next(c for c in cls.columns if c.field == name)

    @classmethod
    def key_header(cls) -> str:
        return "、".join(cls.column(name).header for name in cls.key)


IMPORTS: dict[str, type[ImportSpec]] = {}


def register_import(spec: type[ImportSpec]) -> type[ImportSpec]:
    IMPORTS[spec.kind] = spec
    return spec


@dataclass
class ImportReport:
    kind: str
    dry_run: bool
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_rows: int = 0
    errors: list[CellError] = field(default_factory=list)
    committed: bool = False
    headers: list[str] = field(default_factory=list)
    rejected: list[Row] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_rows == 0

    @property
    def shown_errors(self) -> list[CellError]:
        return self.errors[:ERRORS_SHOWN]

    def summary(self) -> dict[str, Any]:
        """Counts for the job page (labels are what the person reads there)."""
        mode = _("预览（未写入）") if self.dry_run else (_("已导入") if self.committed else _("未导入"))
        return {
            _("结果"): mode,
            _("总行数"): self.total,
            _("新增"): self.created,
            _("更新"): self.updated,
            _("未变化"): self.unchanged,
            _("有错误"): self.error_rows,
        }

    def rejected_xlsx(self) -> bytes:
        """The rows with errors: 行号, 列, 原因, then the row as it was uploaded."""
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
        formats = Formats(workbook)
        sheet = workbook.add_worksheet(_("未导入的行"))
        headers = [*REPORT_HEADERS, *self.headers]
        for index, header in enumerate(headers):
            sheet.write_string(0, index, header, formats.header)
        sheet.set_column(0, 0, 6)
        sheet.set_column(1, 1, 14)
        sheet.set_column(2, 2, 50)
        sheet.set_column(3, 3 + max(len(self.headers) - 1, 0), 16, formats.text)
        for line, row in enumerate(self.rejected, start=1):
            columns = list(dict.fromkeys(error.column for error in row.errors))
            reasons = "；".join(f"{error.column}：{error.message}" for error in row.errors)
            write_cell(sheet, line, 0, row.number, formats)
            write_cell(sheet, line, 1, "、".join(columns), formats)
            write_cell(sheet, line, 2, reasons, formats)
            for index, value in enumerate(row.cells[: len(self.headers)]):
                write_cell(sheet, line, 3 + index, value, formats)
        sheet.freeze_panes(1, 3)
        workbook.close()
        return output.getvalue()


Progress = Callable[[int, str], None]

# Keys per IN (...) lookup where a lookup is chunked: well under SQLite's limit of bound variables.
LOOKUP_CHUNK = 5000


class _AnyOf(Expression):
    """``column = ANY(%s)``: the values as one array parameter (PostgreSQL)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, column: str, values: list[Any]) -> None:
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


def among(field: str, values: Iterable[Any]) -> Iterator[Q | Expression]:
    """Filters that together select ``field IN values``, for the lookups of an import.

    PostgreSQL: one ``= ANY(array)`` with a single parameter (Django's ``__in`` binds and
    converts a placeholder per value, which costs as much as the query for 10,000 keys).
    Elsewhere: ``__in`` in chunks of ``LOOKUP_CHUNK``.
    """
    keys = sorted(set(values))
    if not keys:
        return
    if connection.vendor == "postgresql":
        yield _AnyOf(field, keys)
        return
    for start in range(0, len(keys), LOOKUP_CHUNK):
        yield Q(**{f"{field}__in": keys[start : start + LOOKUP_CHUNK]})


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while the rows are built and checked.

    An import makes hundreds of thousands of small objects (cells, rows, values) and no
    cycles; the collector would scan them over and over (a third of the validation
    time measured for 10,000 rows) and free nothing. They are freed by reference
    counting as usual; the collector runs again afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Per column, clean values are remembered by raw cell while a column has at most this many distinct
# cells (性别, 院系, 学生类别, 年级 …); a column with more (学号, 姓名) stops remembering.
MEMO_LIMIT = 1024
_INVALID = object()  # the memo's marker for "this raw cell is invalid"; the message follows


def _clean_cells(spec: ImportSpec, sheet: Sheet, progress: Progress | None) -> list[Row]:
    """Every cell through ``parse_cell``; the same raw cell of a column is parsed once."""
    rows = []
    required = _("必填，不能为空。")
    plan = [
        (
            column.field,
            column.header,
            column.required,
            sheet.positions[column.field],
            column,
            choice_table(column.choices),
        )
        for column in spec.columns
        if column.field in sheet.positions
    ]
    memos: list[dict[Any, Any] | None] = [{} for _ in plan]
    for count, (number, cells) in enumerate(sheet.rows, start=1):
        row = Row(number, cells)
        values = row.values
        width = len(cells)
        for index, (name, header, is_required, position, column, table) in enumerate(plan):
            raw = cells[position] if position < width else None
            memo = memos[index]
            if raw is None or raw == "":
                found = None  # blank, as parse_cell would say
            elif memo is not None:
                # Other than for text, the type is part of the key: True, 1 and 1.0 are equal dict
                # keys but not equal cells (and a text never equals a tuple).
                key = raw if raw.__class__ is str else (raw.__class__, raw)
                found = memo.get(key, memo)
                if found is memo:
                    try:
                        found = parse_cell(column, raw, table)
                    except CellInvalid as invalid:
                        found = (_INVALID, invalid.message)
                    if len(memo) < MEMO_LIMIT:
                        memo[key] = found
                    else:
                        memos[index] = None
            else:
                try:
                    found = parse_cell(column, raw, table)
                except CellInvalid as invalid:
                    found = (_INVALID, invalid.message)
            if found is None:
                if is_required:
                    row.error(header, required)
                continue
            if found.__class__ is tuple and found[0] is _INVALID:
                row.error(header, found[1])
                continue
            values[name] = found
        rows.append(row)
        if progress is not None and count % 500 == 0:
            progress(count, _("正在校验"))
    return rows


def _flag_duplicates(spec: ImportSpec, rows: Iterable[Row]) -> None:
    seen: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    for row in rows:
        key = row.key(spec.key)
        if key is not None:
            seen[key].append(row)
    header = spec.key_header()
    for same in seen.values():
        if len(same) < 2:
            continue
        numbers = "、".join(str(row.number) for row in same)
        for row in same:
            row.error(header, _("%(key)s 在文件中重复出现（第 %(rows)s 行）。") % {"key": header, "rows": numbers})


def _classify(spec: ImportSpec, rows: list[Row], fields: list[str]) -> None:
    current = spec.existing(rows)
    for row in rows:
        if row.errors:
            continue
        if not current:
            row.status = "created"
            continue
        key = row.key(spec.key)
        before = current.get(key) if key is not None else None
        if before is None:
            row.status = "created"
            continue
        # An empty cell keeps what is there: an import never blanks a value by omission.
        for name in fields:
            if row.values.get(name) is None and name in before:
                row.values[name] = before[name]
        changed = any(row.values.get(name) != before.get(name) for name in fields)
        row.status = "updated" if changed else "unchanged"


def run_import(
    spec: ImportSpec,
    upload: ValidatedUpload,
    *,
    commit: bool,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate every row; write all of them (commit, no errors) or none. Raises ``ActionError`` for a bad file."""
    with _collector_paused():
        return _run_import(spec, upload, commit=commit, progress=progress)


def _run_import(spec: ImportSpec, upload: ValidatedUpload, *, commit: bool, progress: Progress | None) -> ImportReport:
    sheet = find_header(load_rows(upload), spec.columns)
    if progress is not None:
        progress(0, _("正在校验"))
    rows = _clean_cells(spec, sheet, progress)
    present = set(sheet.positions)
    _flag_duplicates(spec, rows)
    spec.resolve(rows, present)
    for row in rows:
        if not row.errors:
            spec.clean_row(row, present)
    fields = [c.field for c in spec.columns if c.field in present] + spec.extra_fields(present)
    _classify(spec, rows, fields)

    report = ImportReport(kind=spec.kind, dry_run=not commit, total=len(rows), headers=sheet.headers)
    for row in rows:
        if row.errors:
            report.error_rows += 1
            report.errors.extend(row.errors)
            report.rejected.append(row)
        elif row.status == "created":
            report.created += 1
        elif row.status == "updated":
            report.updated += 1
        else:
            report.unchanged += 1
    if not commit or not report.ok:
        return report
    to_write = [row for row in rows if row.status in ("created", "updated")]
    if progress is not None:
        progress(len(rows), _("正在写入"))
    with transaction.atomic():
        if to_write:
            spec.write(to_write, fields)
        audit.record(
            "tabular.import",
            actor=spec.actor,
            school=spec.audit_school(),
            data={
                "kind": spec.kind,
                "file": upload.original_name,
                "rows": report.total,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            },
        )
    report.committed = True
    return report


# -- the template ---------------------------------------------------------------


def _kind_help(column: Column) -> str:
    if column.kind == CellKind.CHOICE:
        return _("只能填写：%(labels)s") % {"labels": "、".join(column.choices)}
    return {
        CellKind.CODE: _("文本格式，按原样保留每一位数字"),
        CellKind.ID_NUMBER: _("18位居民身份证号，文本格式；末位X大小写均可"),
        CellKind.MOBILE: _("11位手机号码，文本格式"),
        CellKind.DATE: _("日期，如 2001-05-17 或 2001/5/17"),
        CellKind.INTEGER: _("整数"),
    }.get(column.kind, "")


def template_xlsx(spec: type[ImportSpec]) -> bytes:
    """The import template: headers, one example row, ID columns as text, and a 填写说明 sheet."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    formats = Formats(workbook)
    sheet = workbook.add_worksheet(spec.sheet_name)
    for index, column in enumerate(spec.columns):
        width = max(12, len(column.header) * 2 + 4, len(column.example) + 2)
        # Text format on the whole column: Excel keeps 学号 and 身份证号 as typed.
        sheet.set_column(index, index, width, formats.text if column.text_formatted else None)
        sheet.write_string(0, index, column.header, formats.required_header if column.required else formats.header)
        if column.example:
            sheet.write_string(1, index, column.example, formats.text if column.text_formatted else None)
        if column.kind == CellKind.CHOICE:
            sheet.data_validation(1, index, 10000, index, {"validate": "list", "source": list(column.choices)})
        if column.help:
            sheet.write_comment(0, index, str(column.help))
    sheet.freeze_panes(1, 0)

    guide = workbook.add_worksheet("填写说明")
    guide.set_column(0, 0, 16)
    guide.set_column(1, 1, 8)
    guide.set_column(2, 2, 60)
    guide.set_column(3, 3, 22)
    for index, header in enumerate((_("列名"), _("是否必填"), _("填写说明"), _("示例"))):
        guide.write_string(0, index, header, formats.header)
    for line, column in enumerate(spec.columns, start=1):
        explanation = "；".join(part for part in (str(column.help), _kind_help(column)) if part)
        if column.aliases:
            explanation += _("（也可写作：%(names)s）") % {"names": "、".join(column.aliases)}
        guide.write_string(line, 0, column.header)
        guide.write_string(line, 1, _("必填") if column.required else _("选填"))
        guide.write_string(line, 2, explanation, formats.wrap)
        guide.write_string(line, 3, column.example, formats.text)
    line = len(spec.columns) + 2
    general = [
        _("第一行是表头，请勿修改列名；示例行请删除或改写后再上传。"),
        _("红色列名为必填列。学号、身份证号、手机号码等列已设为文本格式，请勿改为数字或常规格式。"),
        _("%(key)s 相同的行视为同一条记录：已存在则更新，不存在则新增；空白单元格不会清除已有信息。")
        % {"key": spec.key_header()},
        _("只要有一行出错，整个文件都不会导入；请下载“未导入的行”文件，按原因修改后重新上传。"),
        *[str(note) for note in spec.notes],
    ]
    for offset, text in enumerate(general):
        guide.write_string(line + offset, 0, f"{offset + 1}. {text}")
    workbook.close()
    return output.getvalue()
