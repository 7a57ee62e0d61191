"""Reading an uploaded workbook with python-calamine (.xlsx, .xls, .ods) and finding its header row."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from campusflow.core.errors import ActionError
from campusflow.core.uploads import ValidatedUpload
from campusflow.core.validators import normalize_text
from campusflow.tabular.cells import Column, is_blank

# How far down the header row may be (a title line or two above it is common).
HEADER_SEARCH_ROWS = 20
# Columns our own rejected-rows file adds; ignored when it comes back fixed.
REPORT_HEADERS = ("行号", "列", "原因")
MAX_ROWS = 100_000


@dataclass
class Sheet:
    """The data rows under the header: ``rows`` are (Excel row number, cells), blank rows left out."""

    headers: list[str]  # as written in the file (for the rejected-rows file)
    positions: dict[str, int]  # column field → index in a row
    rows: list[tuple[int, list[Any]]]


def header_key(text: Any) -> str:
    """A header as compared: no spaces, full-width folded, required markers (*, 必填) dropped."""
    key = re.sub(r"\s+", "", normalize_text("" if text is None else str(text)))
    key = re.sub(r"[（(]必填[)）]$", "", key)
    return key.strip("*")


def load_rows(upload: ValidatedUpload) -> list[list[Any]]:
    """All rows of the first sheet, top-left anchored at A1 so indexes match Excel's row numbers."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(upload.content))
        if not workbook.sheet_names:
            raise ActionError(_("表格里没有任何工作表。"), field="file")
        rows: list[list[Any]] = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except ActionError:
        raise
    except Exception:
        raise ActionError(_("无法读取该表格文件，请确认它是 Excel 文件且未加密、未损坏。"), field="file") from None
    return rows


def _match(columns: Sequence[Column]) -> dict[str, Column]:
    return {header_key(name): column for column in columns for name in column.names}


def find_header(rows: list[list[Any]], columns: Sequence[Column]) -> Sheet:
    known = _match(columns)
    best_index, best_hits = -1, 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        hits = len({known[k].field for k in (header_key(c) for c in row) if k in known})
        if hits > best_hits:
            best_index, best_hits = index, hits
    if best_index < 0:
        names = "、".join(c.header for c in columns[:4])
        raise ActionError(
            _("没有找到表头行。请使用下载的导入模板，表头应为：%(names)s……") % {"names": names}, field="file"
        )
    header_row = rows[best_index]
    positions: dict[str, int] = {}
    unknown: list[str] = []
    duplicated: list[str] = []
    for position, cell in enumerate(header_row):
        key = header_key(cell)
        if not key or key in REPORT_HEADERS:
            continue
        column = known.get(key)
        if column is None:
            unknown.append(normalize_text(str(cell)))
        elif column.field in positions:
            duplicated.append(column.header)
        else:
            positions[column.field] = position
    problems = []
    if unknown:
        problems.append(_("无法识别的列：%(names)s。") % {"names": "、".join(unknown)})
    if duplicated:
        problems.append(_("重复的列：%(names)s。") % {"names": "、".join(duplicated)})
    missing = [c.header for c in columns if c.required and c.field not in positions]
    if missing:
        problems.append(_("缺少必填列：%(names)s。") % {"names": "、".join(missing)})
    if problems:
        raise ActionError(" ".join([*problems, _("请使用下载的导入模板。")]), field="file")
    data = [
        (number, row)
        for number, row in enumerate(rows[best_index + 1 :], start=best_index + 2)
        if not all(is_blank(cell) for cell in row)
    ]
    if not data:
        raise ActionError(_("表格里没有数据行。"), field="file")
    if len(data) > MAX_ROWS:
        raise ActionError(_("一次最多导入 %(n)s 行，请拆分文件。") % {"n": MAX_ROWS}, field="file")
    headers = [normalize_text("" if cell is None else str(cell)) for cell in header_row]
    return Sheet(headers=headers, positions=positions, rows=data)


def count_rows(upload: ValidatedUpload, columns: Sequence[Column]) -> int:
    """Data rows under a valid header (one parse, no cell checks), to choose request or background job."""
    return len(find_header(load_rows(upload), columns).rows)
