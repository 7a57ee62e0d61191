"""What definitions may name, registered in code: who acts, when a step applies,
and which business records run through the engine. No ``eval`` anywhere (W-01).

- An **actor resolver** turns a case and an argument into candidates: a person
  (the student's enterprise mentor) or a role pool (teaching deans of the
  student's department).
- A **condition predicate** decides whether a step applies to a case
  (``leave_days_over`` with argument ``7``).
- A **process** ties a definition code to its business model, the template
  that shows the record on the case page, and what happens when the case ends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from campusflow.core.roles import Role

if TYPE_CHECKING:
    from campusflow.accounts.models import User
    from campusflow.orgs.models import OrgUnit
    from campusflow.workflow.models import Case


@dataclass(frozen=True)
class Candidate:
    """One person (``user``) or a pool (``user`` None: anyone with ``role`` at ``unit``)."""

    role: Role
    user: User | None = None
    unit: OrgUnit | None = None


Resolver = Callable[["Case", str], list[Candidate]]
Predicate = Callable[["Case", str], bool]


@dataclass(frozen=True)
class ResolverSpec:
    label: str | Promise
    function: Resolver
    argument_help: str | Promise = ""


@dataclass(frozen=True)
class PredicateSpec:
    label: str | Promise
    function: Predicate
    argument_help: str | Promise = ""


@dataclass(frozen=True)
class ProcessSpec:
    code: str
    model: type[models.Model]
    detail_template: str
    # Called inside the action's transaction when the case reaches a final state.
    on_finished: Callable[[Case], None] | None = None
    # Called when the applicant must edit the record again (rejected back / withdrawn).
    edit_url: Callable[[Any], str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


RESOLVERS: dict[str, ResolverSpec] = {}
PREDICATES: dict[str, PredicateSpec] = {}
PROCESSES: dict[str, ProcessSpec] = {}


def resolver(name: str, label: str | Promise, argument_help: str | Promise = "") -> Callable[[Resolver], Resolver]:
    def register(function: Resolver) -> Resolver:
        RESOLVERS[name] = ResolverSpec(label, function, argument_help)
        return function

    return register


def predicate(name: str, label: str | Promise, argument_help: str | Promise = "") -> Callable[[Predicate], Predicate]:
    def register(function: Predicate) -> Predicate:
        PREDICATES[name] = PredicateSpec(label, function, argument_help)
        return function

    return register


def register_process(spec: ProcessSpec) -> None:
    PROCESSES[spec.code] = spec


# -- the built-in resolvers ----------------------------------------------------


@resolver("enterprise_mentor", _("学生的企业导师"))
def _enterprise_mentor(case: Case, argument: str) -> list[Candidate]:
    mentor = case.student.enterprise_mentor if case.student else None
    if mentor is None or mentor.user_id is None:
        return []
    return [Candidate(Role.ENTERPRISE_MENTOR, user=mentor.user)]


@resolver("school_supervisor", _("学生的校内导师"))
def _school_supervisor(case: Case, argument: str) -> list[Candidate]:
    supervisor = case.student.supervisor if case.student else None
    if supervisor is None or supervisor.user_id is None:
        return []
    return [Candidate(Role.SUPERVISOR, user=supervisor.user)]


@resolver("department_role", _("学生所在院系的某角色"), _("角色代码，如 teaching_dean"))
def _department_role(case: Case, argument: str) -> list[Candidate]:
    if case.department is None or argument not in Role.values:
        return []
    return [Candidate(Role(argument), unit=case.department)]


@resolver("school_role", _("本校某角色（任一单位）"), _("角色代码，如 student_affairs_office"))
def _school_role(case: Case, argument: str) -> list[Candidate]:
    if argument not in Role.values:
        return []
    return [Candidate(Role(argument), unit=case.school)]


@resolver("office_role", _("本校某职能部门的某角色"), _("角色代码@部门类别，如 checkpoint_operator@library"))
def _office_role(case: Case, argument: str) -> list[Candidate]:
    from campusflow.orgs.models import OrgUnit

    role, _sep, office_type = argument.partition("@")
    if role not in Role.values:
        return []
    office = OrgUnit.objects.filter(school=case.school, kind=OrgUnit.Kind.OFFICE, office_type=office_type).first()
    return [Candidate(Role(role), unit=office)] if office else []


# -- the built-in predicates ---------------------------------------------------


@predicate("leave_days_over", _("请假天数超过"), _("天数，如 7"))
def _leave_days_over(case: Case, argument: str) -> bool:
    days = getattr(case.subject, "leave_days", None)
    try:
        return days is not None and int(days) > int(argument)
    except ValueError:
        return False


@predicate("field_equals", _("申请表某字段等于"), _("字段=值，如 location=outside"))
def _field_equals(case: Case, argument: str) -> bool:
    name, _sep, expected = argument.partition("=")
    return str(getattr(case.subject, name, "")) == expected
