"""Personal-data protection (SPEC P-10, S-10): masking and who may reveal what.

Every page, API schema and export renders sensitive values through
``display()``; revealing an unmasked value goes through
``accounts``/``orgs`` actions that write a ``SensitiveAccess`` row.
"""

from __future__ import annotations

from enum import StrEnum

from campusflow.core.roles import Role


class Sensitive(StrEnum):
    ID_NUMBER = "id_number"  # 身份证号
    PHONE = "phone"  # the person's own phone
    PARENT_PHONE = "parent_phone"  # 父母电话
    DORMITORY = "dormitory"  # 住宿信息


# Roles that may reveal each kind of value (each reveal is logged). Everyone
# else sees the masked form; enterprise mentors never see ID numbers, parents'
# phones or dormitories at all (S-10).
_OFFICE_STAFF = {
    Role.SCHOOL_ADMIN,
    Role.DEPARTMENT_ADMIN,
    Role.GRADUATE_SCHOOL,
    Role.STUDENT_AFFAIRS_OFFICE,
    Role.DEPT_STUDENT_AFFAIRS,
    Role.TEACHING_SECRETARY,
    Role.SYSTEM_ADMIN,
}
REVEAL_ROLES: dict[Sensitive, frozenset[Role]] = {
    Sensitive.ID_NUMBER: frozenset(_OFFICE_STAFF | {Role.STUDENT}),
    Sensitive.PHONE: frozenset(
        _OFFICE_STAFF | {Role.STUDENT, Role.SUPERVISOR, Role.ENTERPRISE_MENTOR, Role.DEPARTMENT_OPERATOR}
    ),
    Sensitive.PARENT_PHONE: frozenset(_OFFICE_STAFF | {Role.STUDENT, Role.SUPERVISOR}),
    Sensitive.DORMITORY: frozenset(_OFFICE_STAFF | {Role.STUDENT, Role.CHECKPOINT_OPERATOR}),
}
HIDDEN_FROM: dict[Sensitive, frozenset[Role]] = {
    Sensitive.ID_NUMBER: frozenset({Role.ENTERPRISE_MENTOR, Role.STATION_MANAGER}),
    Sensitive.PARENT_PHONE: frozenset({Role.ENTERPRISE_MENTOR, Role.STATION_MANAGER}),
    Sensitive.DORMITORY: frozenset({Role.ENTERPRISE_MENTOR, Role.STATION_MANAGER}),
    Sensitive.PHONE: frozenset(),
}
HIDDEN = "—"


def mask_id_number(value: str) -> str:
    """``110105199001011234`` → ``110***********123X``-style: keep 3 + 4."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    """``13812341234`` → ``138****1234``; other lengths keep 3 + 4 as well."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_text(value: str) -> str:
    if not value:
        return ""
    return value[:1] + "*" * max(len(value) - 1, 2)


_MASKERS = {
    Sensitive.ID_NUMBER: mask_id_number,
    Sensitive.PHONE: mask_phone,
    Sensitive.PARENT_PHONE: mask_phone,
    Sensitive.DORMITORY: mask_text,
}


def can_reveal(role: Role | None, kind: Sensitive) -> bool:
    return role is not None and role in REVEAL_ROLES[kind]


def is_hidden(role: Role | None, kind: Sensitive) -> bool:
    return role is None or role in HIDDEN_FROM[kind]


def display(value: str | None, kind: Sensitive, role: Role | None) -> str:
    """The form of ``value`` a person in ``role`` may see without revealing."""
    if not value:
        return ""
    if is_hidden(role, kind):
        return HIDDEN
    return _MASKERS[kind](value)
