"""The roles of SPEC P-03 and what each may do.

A role is always held *at a scope* (an org unit) by an account; see
``accounts.RoleAssignment``. Capabilities are properties here so that views,
the API and scoping ask the same question in the same words.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STUDENT = "student", _("学生")
    SUPERVISOR = "supervisor", _("校内导师")
    ENTERPRISE_MENTOR = "enterprise_mentor", _("企业导师")
    STATION_MANAGER = "station_manager", _("工作站管理人员")
    TEACHING_SECRETARY = "teaching_secretary", _("教学秘书")
    TEACHING_DEAN = "teaching_dean", _("教学院长")
    DEPT_STUDENT_AFFAIRS = "dept_student_affairs", _("培养单位学工组")
    STUDENT_AFFAIRS_OFFICE = "student_affairs_office", _("学工处研究生工作部")
    GRADUATE_SCHOOL = "graduate_school", _("研究生院/学位办")
    CHECKPOINT_OPERATOR = "checkpoint_operator", _("离校点操作员")
    DEPARTMENT_OPERATOR = "department_operator", _("院系操作员")
    COMMITTEE_MEMBER = "committee_member", _("初审委员/分会委员")
    REVIEWING_EXPERT = "reviewing_expert", _("评审专家")
    DEPARTMENT_ADMIN = "department_admin", _("二级院系管理账号")
    SCHOOL_ADMIN = "school_admin", _("学校管理账号")
    PROVINCIAL_ADMIN = "provincial_admin", _("省级管理员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")

    # -- capabilities -------------------------------------------------------

    @property
    def is_personal(self) -> bool:
        """Personal roles see records through their relation to them, not by unit."""
        return self in PERSONAL_ROLES

    @property
    def is_admin(self) -> bool:
        """Admin roles carry the stricter password rules of S-01."""
        return self in ADMIN_ROLES

    @property
    def allowed_unit_kinds(self) -> frozenset[str]:
        return ROLE_UNIT_KINDS[self]


PERSONAL_ROLES = frozenset(
    {Role.STUDENT, Role.SUPERVISOR, Role.ENTERPRISE_MENTOR, Role.STATION_MANAGER, Role.REVIEWING_EXPERT}
)
ADMIN_ROLES = frozenset({Role.DEPARTMENT_ADMIN, Role.SCHOOL_ADMIN, Role.PROVINCIAL_ADMIN, Role.SYSTEM_ADMIN})

# Which kind of org unit a role may be held at (OrgUnit.Kind values).
_DEPT = frozenset({"department"})
_SCHOOL_OR_OFFICE = frozenset({"school", "office"})
ROLE_UNIT_KINDS: dict[Role, frozenset[str]] = {
    Role.STUDENT: _DEPT,
    Role.SUPERVISOR: _DEPT,
    Role.ENTERPRISE_MENTOR: frozenset({"school"}),
    Role.STATION_MANAGER: frozenset({"school"}),
    Role.TEACHING_SECRETARY: _DEPT,
    Role.TEACHING_DEAN: _DEPT,
    Role.DEPT_STUDENT_AFFAIRS: _DEPT,
    Role.STUDENT_AFFAIRS_OFFICE: _SCHOOL_OR_OFFICE,
    Role.GRADUATE_SCHOOL: _SCHOOL_OR_OFFICE,
    Role.CHECKPOINT_OPERATOR: frozenset({"school", "office", "department"}),
    Role.DEPARTMENT_OPERATOR: _DEPT,
    Role.COMMITTEE_MEMBER: frozenset({"school", "department"}),
    Role.REVIEWING_EXPERT: frozenset({"school"}),
    Role.DEPARTMENT_ADMIN: _DEPT,
    Role.SCHOOL_ADMIN: frozenset({"school"}),
    Role.PROVINCIAL_ADMIN: frozenset({"province"}),
    Role.SYSTEM_ADMIN: frozenset({"province", "root"}),
}

# Who manages people and accounts of a school (P-06, P-07, P-08).
SCHOOL_MANAGERS = frozenset({Role.SCHOOL_ADMIN, Role.SYSTEM_ADMIN})
ACCOUNT_MANAGERS = frozenset({Role.SCHOOL_ADMIN, Role.DEPARTMENT_ADMIN, Role.SYSTEM_ADMIN})
AUDIT_READERS = frozenset({Role.SCHOOL_ADMIN, Role.PROVINCIAL_ADMIN, Role.SYSTEM_ADMIN})
STAFF_ROLES = frozenset(set(Role) - {Role.STUDENT, Role.ENTERPRISE_MENTOR})
# Roles that browse the people of their scope (students, teachers, mentors).
PEOPLE_READERS = frozenset(set(Role) - {Role.STUDENT, Role.REVIEWING_EXPERT})
# Who may open practice submissions (leave requests, leave-school applications …).
PRACTICE_REQUEST_READERS = STAFF_ROLES | {Role.STUDENT, Role.ENTERPRISE_MENTOR}
# Who edits approval-chain definitions (W-01) and ends cases early (终止).
DEFINITION_ADMINS = frozenset({Role.SYSTEM_ADMIN, Role.GRADUATE_SCHOOL, Role.SCHOOL_ADMIN})
