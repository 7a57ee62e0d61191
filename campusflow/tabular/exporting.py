"""Writing .xlsx files (X-02): exports of any list, import templates and rejected-rows files.

Every cell goes through :func:`write_cell`: strings are always written with
``write_string``, so a value such as ``=HYPERLINK(...)``, ``+cmd`` or
``@SUM(...)`` — also behind leading spaces or tabs — stays text and never
becomes a formula (S-07). Exports use xlsxwriter's ``constant_memory`` mode,
which keeps one row in memory whatever the size of the list.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone
from django.utils.functional import Promise
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
# Characters that make a spreadsheet treat a typed value as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@")


@dataclass(frozen=True)
class ExportColumn:
    header: str | Promise
    value: Callable[[Any], Any]
    width: int = 12


class Formats:
    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.header = workbook.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
        self.required_header = workbook.add_format(
            {"bold": True, "bg_color": "#E8EEF7", "border": 1, "color": "#C00000"}
        )
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.text = workbook.add_format({"num_format": "@"})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})


def looks_like_formula(text: str) -> bool:
    return text.lstrip(" \t\r\n").startswith(FORMULA_PREFIXES)


def write_cell(
    sheet: Worksheet, row: int, col: int, value: Any, formats: Formats, cell_format: Format | None = None
) -> None:
    """One value, typed: numbers as numbers, dates as dates, every string as a string (S-07)."""
    if value is None or value == "":
        if cell_format is not None:
            sheet.write_blank(row, col, None, cell_format)
        return
    if isinstance(value, bool):
        sheet.write_string(row, col, "是" if value else "否", cell_format)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value, cell_format)
    elif isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value)
        sheet.write_datetime(row, col, value, formats.datetime)
    elif isinstance(value, date):
        sheet.write_datetime(row, col, datetime(value.year, value.month, value.day), formats.date)
    else:
        # write_string never evaluates: a leading = + - @ stays text (formula injection, S-07).
        sheet.write_string(row, col, str(value), cell_format)


def _width(header: str, width: int) -> int:
    # CJK characters take two columns of width.
    return max(width, sum(2 if ord(ch) > 0x2E80 else 1 for ch in header) + 2)


def export_xlsx(
    rows: Iterable[Any],
    columns: Sequence[ExportColumn],
    output: str | IO[bytes],
    *,
    sheet_name: str = "Sheet1",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write ``rows`` (objects; each column picks its value) to ``output``; returns the number of rows."""
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True, **WORKBOOK_OPTIONS})
    formats = Formats(workbook)
    sheet = workbook.add_worksheet(sheet_name[:31])
    # constant_memory writes row by row, so widths and the header go first.
    for index, column in enumerate(columns):
        sheet.set_column(index, index, _width(str(column.header), column.width))
    for index, column in enumerate(columns):
        sheet.write_string(0, index, str(column.header), formats.header)
    sheet.freeze_panes(1, 0)
    count = 0
    for count, item in enumerate(rows, start=1):
        for index, column in enumerate(columns):
            write_cell(sheet, count, index, column.value(item), formats)
        if progress is not None and count % 500 == 0:
            progress(count)
    workbook.close()
    return count


def xlsx_bytes(rows: Iterable[Any], columns: Sequence[ExportColumn], *, sheet_name: str = "Sheet1") -> bytes:
    with tempfile.TemporaryFile() as handle:
        export_xlsx(rows, columns, handle, sheet_name=sheet_name)
        handle.seek(0)
        return handle.read()


def xlsx_response(
    rows: Iterable[Any], columns: Sequence[ExportColumn], filename: str, *, sheet_name: str
) -> FileResponse:
    """The export as a download, streamed from a temporary file (deleted when the response closes)."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes (and so deletes) it
    export_xlsx(rows, columns, handle, sheet_name=sheet_name)
    handle.seek(0)
    return attachment(FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE))


def attachment(response: Any) -> Any:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def timestamped(stem: str) -> str:
    return f"{stem}_{timezone.localtime():%Y%m%d%H%M}.xlsx"


@dataclass
class ExportSource:
    """What an export writes: rows (already scoped and masked per column), columns, a file name."""

    rows: Iterable[Any]
    columns: Sequence[ExportColumn]
    stem: str
    sheet_name: str


# kind → builder(actor, params): the same builder serves the streamed download and the job.
EXPORTS: dict[str, Callable[[Any, dict[str, Any]], ExportSource]] = {}


def register_export(kind: str) -> Callable[[Callable[[Any, dict[str, Any]], ExportSource]], Any]:
    def decorate(builder: Callable[[Any, dict[str, Any]], ExportSource]) -> Any:
        EXPORTS[kind] = builder
        return builder

    return decorate
