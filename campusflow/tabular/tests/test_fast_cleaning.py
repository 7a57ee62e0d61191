"""The cheap paths of cell cleaning (X-01) accept, refuse and normalise exactly what the plain rules do.

``cells`` skips work for ASCII cells and for ID numbers/phones already in normal form,
and ``_clean_cells`` parses each distinct raw cell of a column once. These tests hold
them against the validators they stand in for, on awkward inputs.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from campusflow.core.testing import valid_id_number
from campusflow.core.validators import (
    id_number_check_digit,
    normalize_code,
    normalize_id_number,
    normalize_phone,
    normalize_text,
    validate_id_number,
    validate_mobile,
)
from campusflow.tabular import importing
from campusflow.tabular.cells import CellInvalid, CellKind, Column, _check_digit, _code, _code_text, _text, parse_cell
from campusflow.tabular.reading import Sheet

TEXTS = [
    "",
    " ",
    "abc",
    " a b ",
    "\tx\n",
    "a\x1cb",
    "２０２３ ０１",
    "\u3000张三\u3000",
    "李\u200b四",
    "\ufeff2023",
    "Ａｂｃ",
    "x\u00a0y",
    "١٢٣",
    "+86 138-0013-8000",
    "1.2E+17",
]


@pytest.mark.spec("X-01")
@pytest.mark.parametrize("text", TEXTS)
def test_ascii_shortcuts_equal_the_normalisers(text: str) -> None:
    assert _text(text) == normalize_text(text)
    assert _code(text) == normalize_code(text)


def _reference(kind: CellKind, value: Any) -> str:
    """The rule as it was written before the shortcuts: normalise, then the validator."""
    if kind == CellKind.ID_NUMBER:
        text, validator = normalize_id_number(_code_text(value)), validate_id_number
    else:
        text, validator = normalize_phone(_code_text(value)), validate_mobile
    try:
        validator(text)
    except ValidationError as exc:
        raise CellInvalid(exc.messages[0]) from None
    return text


def _outcome(call: Any) -> tuple[str, Any]:
    try:
        return "ok", call()
    except CellInvalid as invalid:
        return "refused", invalid.message


GOOD_ID = valid_id_number(date(1999, 12, 3))
ID_INPUTS = [
    GOOD_ID,
    GOOD_ID.lower(),
    GOOD_ID[:17] + ("0" if GOOD_ID[17] != "0" else "1"),  # wrong check digit
    "41010519990231" + "0012",  # 31 February
    GOOD_ID[:17],
    " " + GOOD_ID + " ",
    GOOD_ID.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}),  # full-width digits
    "٤" + GOOD_ID[1:],  # an Arabic-Indic digit
    "4101051999120" + "3X99X",
    int(GOOD_ID[:15]),
]
PHONE_INPUTS = [
    "13800138000",
    "138-0013-8000",
    "+8613800138000",
    "+86+8613800138000",
    "+86 138 0013 8000",
    "１３８００１３８０００",
    "12800138000",
    "1380013800",
    13800138000.0,
    "١3800138000",
]


@pytest.mark.spec("X-01")
@pytest.mark.parametrize(
    ("kind", "value"), [(CellKind.ID_NUMBER, v) for v in ID_INPUTS] + [(CellKind.MOBILE, v) for v in PHONE_INPUTS]
)
def test_id_numbers_and_phones_as_the_validators_decide(kind: CellKind, value: Any) -> None:
    column = Column("列", "field", kind)
    assert _outcome(lambda: parse_cell(column, value)) == _outcome(lambda: _reference(kind, value))


class _Spec(importing.ImportSpec):
    kind = "test.fast"
    title = "测试"
    sheet_name = "测试"
    key = ("no",)
    columns = (
        Column("编号", "no", CellKind.CODE, required=True),
        Column("年级", "grade", CellKind.INTEGER, min_value=1, max_value=3000),
        Column("是否", "flag", CellKind.CHOICE, choices={"是": "1", "否": "0", "１": "x"}),
        Column("日期", "day", CellKind.DATE),
        Column("名称", "name", required=True, max_length=4),
    )

    def __init__(self) -> None:
        pass


@pytest.mark.spec("X-01")
def test_each_cell_is_cleaned_as_parse_cell_cleans_it_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Repeated raw cells come from the memo; equal-but-different cells (True, 1, 1.0, "1") are not confused."""
    monkeypatch.setattr(importing, "MEMO_LIMIT", 8)  # and past the limit the column stops remembering
    samples: list[list[Any]] = [
        [1, 1, "是", date(2001, 5, 17), "甲"],
        [1.0, 1.0, "1", datetime(2001, 5, 17, 8, 0), "甲乙丙丁戊"],
        [True, True, True, "2001/5/17", None],
        ["1", "1", "１", 20010517, " "],
        ["1.5E+3", 1.5, "否", "2001-02-30", "乙"],
        [None, "", "x", "", "丙"],
    ]
    rows = [(n + 2, list(samples[n % len(samples)])) for n in range(60)]
    for n, (_number, cells) in enumerate(rows):
        cells[0] = cells[0] if n < len(samples) else f"N{n}"  # the key column: many distinct cells
    sheet = Sheet(
        headers=[c.header for c in _Spec.columns],
        positions={c.field: i for i, c in enumerate(_Spec.columns)},
        rows=rows,
    )
    cleaned = importing._clean_cells(_Spec(), sheet, None)

    for row, (number, cells) in zip(cleaned, rows, strict=True):
        assert row.number == number
        expected_values: dict[str, Any] = {}
        expected_errors: list[tuple[str, str]] = []
        for column, raw in zip(_Spec.columns, cells, strict=True):
            kind, outcome = _outcome(lambda column=column, raw=raw: parse_cell(column, raw))
            if kind == "refused":
                expected_errors.append((column.header, outcome))
            elif outcome is None:
                if column.required:
                    expected_errors.append((column.header, "必填，不能为空。"))
            else:
                expected_values[column.field] = outcome
        assert row.values == expected_values
        assert all(type(row.values[k]) is type(v) for k, v in expected_values.items())
        assert [(e.column, e.message) for e in row.errors] == expected_errors


@pytest.mark.spec("X-01")
def test_the_check_digit_shortcut_equals_the_validators() -> None:
    for n in range(0, 10**17, 10**17 // 5003):
        first17 = f"{n:017d}"
        assert _check_digit(first17) == id_number_check_digit(first17)
