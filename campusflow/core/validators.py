"""Normalising and validating the identifiers people type (or paste from Excel).

Full-width digits, stray spaces and a lower-case ``x`` are normalised; what
cannot be trusted (a wrong checksum, an impossible date) is rejected with a
message in Chinese that says what is wrong.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Full-width digits and Latin letters (what a Chinese input method types in full-width mode).
_FULL_WIDTH_ALNUM = {
    **{0xFF10 + i: ord("0") + i for i in range(10)},
    **{0xFF21 + i: ord("A") + i for i in range(26)},
    **{0xFF41 + i: ord("a") + i for i in range(26)},
    0x3000: ord(" "),  # the ideographic space
}
_INVISIBLE = {0x200B: None, 0xFEFF: None}


def normalize_text(value: str | None) -> str:
    """Free text and names: full-width digits/letters → ASCII, invisible characters dropped, trimmed.

    Chinese punctuation (，。；：（）) is kept as typed: it is part of what the person wrote.
    """
    if value is None:
        return ""
    return str(value).translate(_FULL_WIDTH_ALNUM).translate(_INVISIBLE).strip()


def normalize_code(value: str | None) -> str:
    """For identifiers (学号, 工号, 身份证号, phones): NFKC (full-width → half-width), no whitespace at all."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).translate(_INVISIBLE)
    return re.sub(r"\s+", "", text)


def normalize_id_number(value: str | None) -> str:
    return normalize_code(value).upper()


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")


def id_number_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_id_number(value: str) -> None:
    """GB 11643-1999: 18 characters, a real birth date, the right check digit."""
    value = normalize_id_number(value)
    if not _ID_RE.match(value):
        raise ValidationError(_("身份证号应为18位，前17位为数字，末位为数字或X。"), code="id_format")
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号中的出生日期不存在。"), code="id_birth") from None
    if id_number_check_digit(value[:17]) != value[17]:
        raise ValidationError(_("身份证号校验位不正确，请核对后重新输入。"), code="id_checksum")


def birth_date_from_id(value: str) -> date:
    value = normalize_id_number(value)
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(value: str | None) -> str:
    phone = normalize_code(value).replace("-", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    return phone


def validate_mobile(value: str) -> None:
    if not _MOBILE_RE.match(normalize_phone(value)):
        raise ValidationError(_("请输入11位中国大陆手机号码。"), code="mobile")


# GB 32100-2015 统一社会信用代码: 18 characters from this alphabet, the last a check character.
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = normalize_code(value).upper()
    if len(code) != 18 or any(c not in _USCC_CHARS for c in code):
        raise ValidationError(_("统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）。"), code="uscc_format")
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对后重新输入。"), code="uscc_checksum")
