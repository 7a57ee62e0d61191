"""Turning one spreadsheet cell into a clean value, or a reason in Chinese why not (X-01).

Nothing is mangled silently: full-width characters and stray spaces are
normalised, an ID that Excel stored as a whole number gets its digits back,
but a number that has already lost digits (an 18-digit 身份证号 typed into a
General cell) is refused with an explanation instead of being guessed.
"""

from __future__ import annotations

import dataclasses
import math
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from campusflow.core.validators import (
    normalize_code,
    normalize_id_number,
    normalize_phone,
    normalize_text,
    validate_id_number,
    validate_mobile,
)


class CellKind(StrEnum):
    TEXT = "text"  # free text: 姓名, 专业
    CODE = "code"  # an identifier: 学号, 工号, 考生号 (digits must survive Excel)
    ID_NUMBER = "id_number"  # 身份证号: a code with the GB 11643 checksum
    MOBILE = "mobile"  # 手机号码
    DATE = "date"
    INTEGER = "integer"
    CHOICE = "choice"  # a Chinese label (男/女) mapped to the stored value
    REFERENCE = "reference"  # a name or code resolved to a row by the spec, in bulk


# Kinds whose template column is formatted as text so Excel keeps every digit.
TEXT_FORMATTED = frozenset({CellKind.CODE, CellKind.ID_NUMBER, CellKind.MOBILE})

# Whole numbers at or above this are no longer exact once Excel stores them as a
# double (it keeps 15 significant digits): the trailing digits are already gone.
_EXACT_LIMIT = 10**15
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


@dataclass(frozen=True)
class Column:
    """One column of an importable kind, as it appears in the template."""

    header: str  # the Chinese header in the template (a file format, matched as written)
    field: str  # where the clean value goes (a model attname, or a name the spec resolves)
    kind: CellKind = CellKind.TEXT
    required: bool = False
    help: str | Promise = ""
    example: str = ""
    aliases: tuple[str, ...] = ()
    choices: Mapping[str, str] = dataclasses.field(default_factory=dict)  # label → stored value
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)

    @property
    def text_formatted(self) -> bool:
        return self.kind in TEXT_FORMATTED


class CellInvalid(Exception):
    """A cell that cannot be imported; ``message`` says why, in Chinese."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = str(message)


def precision_lost() -> CellInvalid:
    return CellInvalid(_("单元格被Excel存成了数字，已丢失精度，请将该列设为文本后重新填写"))


# ASCII fast paths. The normalisers' tables (full-width forms, invisible characters) hold no
# ASCII character and NFKC leaves ASCII as it is, so for an ASCII string normalize_text is strip()
# and normalize_code is "remove whitespace"; anything else goes through the normalisers themselves.
_WHITESPACE = re.compile(r"\s+")
_INTEGER = re.compile(r"[+-]?\d+")


def _text(value: str) -> str:
    """``normalize_text`` of a string, cheaper for the common ASCII cell."""
    return value.strip() if value.isascii() else normalize_text(value)


def _code(value: str) -> str:
    """``normalize_code`` of a string, cheaper for the common ASCII cell."""
    if value.isascii():
        return value if value.isalnum() else _WHITESPACE.sub("", value)
    return normalize_code(value)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and _text(value) == "")


def _code_text(value: Any) -> str:
    """An identifier as text. Integers Excel turned into floats get their digits back; lost digits are refused."""
    if isinstance(value, bool):
        raise CellInvalid(_("应填写编号，不能是是/否。"))
    if isinstance(value, int):
        if abs(value) >= _EXACT_LIMIT:
            raise precision_lost()
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer() or abs(value) >= _EXACT_LIMIT:
            raise precision_lost()
        return str(int(value))
    if isinstance(value, (date, datetime, time, timedelta)):
        raise CellInvalid(_("应填写编号，不能是日期或时间。"))
    text = _code(str(value))
    if _SCIENTIFIC.match(text):
        raise precision_lost()
    return text


def _plain_text(value: Any) -> str:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return _text(str(value))


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellInvalid(_("请填写日期，如 2001-05-17（或将单元格设为日期格式）。"))
    text = _code(str(value))
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellInvalid(_("日期格式不正确，请填写如 2001-05-17 或 2001/5/17。"))


def _integer(column: Column, value: Any) -> int:
    if isinstance(value, bool):
        raise CellInvalid(_("请填写整数。"))
    if isinstance(value, float):
        if not value.is_integer():
            raise CellInvalid(_("请填写整数。"))
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        text = _code(str(value))
        if not _INTEGER.fullmatch(text):
            raise CellInvalid(_("请填写整数。"))
        number = int(text)
    if column.min_value is not None and number < column.min_value:
        raise CellInvalid(_("不能小于 %(n)s。") % {"n": column.min_value})
    if column.max_value is not None and number > column.max_value:
        raise CellInvalid(_("不能大于 %(n)s。") % {"n": column.max_value})
    return number


def choice_table(choices: Mapping[str, str]) -> dict[str, str]:
    """What a CHOICE cell may hold (a label, normalised, or a stored value) → the stored value.

    Built in the choices' order, first entry kept: the same value wins as a scan of the labels.
    """
    table: dict[str, str] = {}
    for label, stored in choices.items():
        table.setdefault(normalize_code(label), stored)
        table.setdefault(stored, stored)
    return table


def _choice(column: Column, value: Any, table: dict[str, str] | None = None) -> str:
    stored = (table if table is not None else choice_table(column.choices)).get(_code(_plain_text(value)))
    if stored is None:
        raise CellInvalid(_("只能填写：%(labels)s。") % {"labels": "、".join(column.choices)})
    return stored


def _validated(validator: Any, text: str) -> str:
    try:
        validator(text)
    except ValidationError as exc:
        raise CellInvalid(exc.messages[0]) from None
    return text


# What validate_id_number / validate_mobile accept, for an ASCII value that is already normalised:
# such a value is accepted without calling them (they would normalise it again); anything else is
# left to them, so what is accepted and every message stay theirs.
_ID_FORMAT = re.compile(r"[0-9]{17}[0-9X]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643-1999


def _check_digit(first17: str) -> str:
    """``id_number_check_digit`` for 17 ASCII digits, without a generator (it runs once per row)."""
    return "10X98765432"[sum(map(operator.mul, map(int, first17), _ID_WEIGHTS)) % 11]


_MOBILE_FORMAT = re.compile(r"1[3-9][0-9]{9}")


def _id_number(code: str) -> str:
    """A 身份证号 from the normalised code text (``normalize_id_number`` of it, validated)."""
    if code.isascii():
        text = code.upper()
        if _ID_FORMAT.fullmatch(text) and _check_digit(text[:17]) == text[17]:
            try:
                date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
            except ValueError:
                pass
            else:
                return text
    else:
        text = normalize_id_number(code)
    return _validated(validate_id_number, text)


def _mobile(code: str) -> str:
    """A mobile number from the normalised code text (``normalize_phone`` of it, validated)."""
    if code.isascii():
        phone = code.replace("-", "")
        if phone.startswith("+86"):
            phone = phone[3:]
        if _MOBILE_FORMAT.fullmatch(phone):
            return phone
    else:
        phone = normalize_phone(code)
    return _validated(validate_mobile, phone)


def parse_cell(column: Column, value: Any, table: dict[str, str] | None = None) -> Any:
    """The clean value of one cell; None for an empty one (required is checked by the caller).

    ``table`` is the column's :func:`choice_table` when the caller has built it once for many cells.
    """
    if is_blank(value):
        return None
    kind = column.kind
    result: Any
    if kind == CellKind.CODE:
        result = _code_text(value)
    elif kind == CellKind.ID_NUMBER:
        result = _id_number(_code_text(value))
    elif kind == CellKind.MOBILE:
        result = _mobile(_code_text(value))
    elif kind == CellKind.DATE:
        return _date(value)
    elif kind == CellKind.INTEGER:
        return _integer(column, value)
    elif kind == CellKind.CHOICE:
        return _choice(column, value, table)
    else:  # TEXT and REFERENCE: the spec resolves references by their text, in bulk
        result = _plain_text(value)
    if column.max_length is not None and len(result) > column.max_length:
        raise CellInvalid(_("不能超过 %(n)s 个字。") % {"n": column.max_length})
    return result or None
