"""The password policy of S-01 as one Django validator."""

from __future__ import annotations

import re
import string
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MIN_LENGTH = 8
ADMIN_MIN_LENGTH = 12
MAX_LENGTH = 64


def character_classes(password: str) -> int:
    classes = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(c in string.punctuation or not c.isalnum() for c in password),
    ]
    return sum(classes)


def _personal_numbers(user: Any) -> list[str]:
    """Numbers a password must not contain: 学号/工号, ID-card digits, phone."""
    numbers: list[str] = []
    if user is None:
        return numbers
    username = getattr(user, "username", "") or ""
    if len(username) >= 4:
        numbers.append(username)
    phone = getattr(user, "phone", "") or ""
    if len(phone) >= 4:
        numbers.append(phone)
    for profile_name, attrs in (
        ("student_profile", ("student_no", "id_number")),
        ("teacher_profile", ("staff_no",)),
    ):
        profile = getattr(user, profile_name, None) if getattr(user, "pk", None) else None
        for attr in attrs:
            value = getattr(profile, attr, "") if profile is not None else ""
            if value and len(value) >= 4:
                numbers.append(value)
                if attr == "id_number":
                    # The memorable parts of an ID number: birth date and last six.
                    numbers.extend([value[6:14], value[-6:]])
    return numbers


class CampusPasswordValidator:
    def __init__(self, min_length: int = MIN_LENGTH, admin_min_length: int = ADMIN_MIN_LENGTH) -> None:
        self.min_length = min_length
        self.admin_min_length = admin_min_length

    def validate(self, password: str, user: Any = None) -> None:
        errors: list[ValidationError] = []
        is_admin = bool(user is not None and getattr(user, "pk", None) and user.is_admin_account)
        needed = self.admin_min_length if is_admin else self.min_length
        if len(password) < needed:
            errors.append(ValidationError(_("密码至少需要 %(n)d 个字符。") % {"n": needed}, code="too_short"))
        if len(password) > MAX_LENGTH:
            errors.append(ValidationError(_("密码最多 %(n)d 个字符。") % {"n": MAX_LENGTH}, code="too_long"))
        if character_classes(password) < 3:
            errors.append(ValidationError(_("密码须包含大写字母、小写字母、数字、符号中的至少三类。"), code="classes"))
        lowered = password.lower()
        for number in _personal_numbers(user):
            if number.lower() in lowered:
                errors.append(ValidationError(_("密码不能包含学号、工号、身份证号或手机号。"), code="personal"))
                break
        if re.search(r"(.)\1{3,}", password):
            errors.append(ValidationError(_("密码不能包含4个以上连续相同的字符。"), code="repeated"))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _(
            "至少8个字符（管理账号12个），最多64个；包含大写字母、小写字母、数字、符号中的至少三类；"
            "不能是常见密码，不能包含学号、工号、身份证号或手机号。"
        )
