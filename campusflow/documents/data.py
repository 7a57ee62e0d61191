"""What each document shows: plain JSON-able data built from the database.

Every value is a string (or a list/bool); the typst template decides where it
goes. Personal data follows S-10: a value the downloading role may reveal is
printed in clear and the export is logged (``SensitiveAccess``, purpose
"export"); otherwise it is masked, or left out for roles it is hidden from.
Documents are official Chinese forms, so they are built in zh-hans whatever
the reader's UI language.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db import models

from campusflow.bases.models import PracticeBase
from campusflow.core.models import SensitiveAccess
from campusflow.core.privacy import Sensitive, can_reveal, display
from campusflow.core.request_context import current_origin
from campusflow.core.roles import Role
from campusflow.orgs.models import OrgUnit, Student
from campusflow.practice.models import Placement

AGREEMENT_TERM_YEARS = 5  # seed 004 第七条: draft agreement, term default 5 years
ADULT_AGE = 18


def cn_date(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def level_word(student: Student) -> str:
    return {Student.Level.DOCTOR: "博士研究生", Student.Level.MASTER: "硕士研究生"}.get(
        Student.Level(student.level), "学生"
    )


class Disclosure:
    """Decides, per value, clear or masked for one reader, and remembers what was shown in clear."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        assignment = getattr(actor, "active_role", None)
        self.role: Role | None = Role(assignment.role) if assignment is not None else None
        self.revealed: dict[tuple[type[models.Model], Any], set[str]] = defaultdict(set)
        self._subjects: dict[tuple[type[models.Model], Any], models.Model] = {}

    def show(self, subject: models.Model, field: str, kind: Sensitive) -> str:
        raw = getattr(subject, field) or ""
        if not raw:
            return ""
        if can_reveal(self.role, kind):
            key = (type(subject), subject.pk)
            self.revealed[key].add(field)
            self._subjects[key] = subject
            return str(raw)
        masked = display(raw, kind, self.role)
        return "" if masked == "—" else masked

    def log(self) -> int:
        """One access-log row per person whose data went out in clear, in one INSERT (S-10)."""
        if not self.revealed or self.actor is None:
            return 0
        ip = current_origin().ip
        rows = [
            SensitiveAccess(
                actor=self.actor,
                actor_role=self.role.value if self.role else "",
                subject_type=self._subjects[key]._meta.label_lower,
                subject_id=str(key[1]),
                subject_repr=str(self._subjects[key])[:200],
                fields=sorted(fields),
                purpose="export",
                school_id=getattr(self._subjects[key], "school_id", None),
                ip=ip,
            )
            for key, fields in self.revealed.items()
        ]
        SensitiveAccess.objects.bulk_create(rows)
        return len(rows)


def placement_queryset() -> models.QuerySet[Placement]:
    return Placement.objects.select_related(
        "student", "student__department", "base", "supervisor", "mentor", "school", "department"
    )


def _school(unit: OrgUnit) -> dict[str, str]:
    return {"name": unit.name, "contact": unit.contact_name, "phone": unit.contact_phone}


def _base(base: PracticeBase, disclosure: Disclosure) -> dict[str, Any]:
    return {
        "code": base.code,
        "name": base.name,
        "unit_type": base.get_unit_type_display(),
        "address": base.address,
        "leader": base.leader_name,
        "leader_phone": disclosure.show(base, "leader_phone", Sensitive.PHONE),
        "contact": base.contact_name,
        "contact_phone": disclosure.show(base, "contact_phone", Sensitive.PHONE),
        "level": base.get_level_display(),
        "is_school_base": base.origin == PracticeBase.Origin.SCHOOL,
    }


def _people(placement: Placement, disclosure: Disclosure) -> dict[str, Any]:
    student, supervisor, mentor = placement.student, placement.supervisor, placement.mentor
    family_name = student.father_name or student.mother_name
    family_phone_field = "father_phone" if student.father_name else "mother_phone"
    return {
        "student": {
            "name": student.name,
            "no": student.student_no,
            "gender": student.get_gender_display(),
            "college": placement.department.name,
            "major": student.major,
            "grade": str(student.grade or ""),
            "category": student.get_category_display(),
            "level": level_word(student),
            "phone": disclosure.show(student, "phone", Sensitive.PHONE),
            "family_name": family_name,
            "family_phone": disclosure.show(student, family_phone_field, Sensitive.PARENT_PHONE),
        },
        "supervisor": {
            "name": supervisor.name,
            "no": supervisor.staff_no,
            "title": supervisor.title,
            "phone": disclosure.show(supervisor, "phone", Sensitive.PHONE),
            "email": supervisor.email,
        },
        "mentor": {
            "name": mentor.name,
            "no": mentor.mentor_no,
            "gender": mentor.get_gender_display(),
            "enterprise": mentor.enterprise_name,
            "department": mentor.department_name,
            "position": mentor.position,
            "phone": disclosure.show(mentor, "phone", Sensitive.PHONE),
        },
    }


def _times(placement: Placement) -> dict[str, str]:
    return {
        "start": cn_date(placement.start_date),
        "end": cn_date(placement.end_date),
        "onsite_start": cn_date(placement.onsite_start),
        "onsite_end": cn_date(placement.onsite_end),
    }


def application(placement: Placement, disclosure: Disclosure) -> dict[str, Any]:
    """附件2 专业实践申请表 (seed 004 第二十一条)."""
    school = placement.school.name
    return {
        "title": f"{school}{level_word(placement.student)}专业实践申请表",
        "school": school,
        **_people(placement, disclosure),
        "base": _base(placement.base, disclosure),
        "times": _times(placement),
        "practice_type": placement.get_practice_type_display(),
    }


def assessment(placement: Placement, disclosure: Disclosure) -> dict[str, Any]:
    """附件3 专业实践考核登记表 (seed 004 第二十四条)."""
    school = placement.school.name
    return {
        "title": f"{school}{level_word(placement.student)}专业实践考核登记表",
        "school": school,
        **_people(placement, disclosure),
        "base": _base(placement.base, disclosure),
        "times": _times(placement),
    }


def three_party(placement: Placement, disclosure: Disclosure) -> dict[str, Any]:
    """三方实习协议 (seed 003 §5.5; 《职业学校学生实习管理规定》)."""
    student = placement.student
    age = student.age
    minor = age is not None and age < ADULT_AGE
    people = _people(placement, disclosure)
    people["student"]["id_number"] = disclosure.show(student, "id_number", Sensitive.ID_NUMBER)
    guardian = {
        "name": student.father_name or student.mother_name,
        "phone": people["student"]["family_phone"],
    }
    return {
        "title": "学生实习三方协议",
        "school": _school(placement.school),
        "college": placement.department.name,
        **people,
        "base": _base(placement.base, disclosure),
        "times": _times(placement),
        "minor": minor,
        "guardian": guardian,
    }


def agreement(base: PracticeBase, disclosure: Disclosure) -> dict[str, Any]:
    """校企合作协议 (seed 003 §5.4; seed 004 第七、十二、十三、二十五、二十七—二十九条)."""
    return {
        "title": "校企合作协议书",
        "school": _school(base.school),
        "college": base.responsible_college.name,
        "school_contact": base.school_contact_name,
        "school_contact_phone": disclosure.show(base, "school_contact_phone", Sensitive.PHONE),
        "base": _base(base, disclosure),
        "term_years": AGREEMENT_TERM_YEARS,
        "term_years_cn": "五" if AGREEMENT_TERM_YEARS == 5 else str(AGREEMENT_TERM_YEARS),
    }
