"""A clearance plan on top of the shared ``world``: four checkpoints, two of them waiting for others.

- 导师审核 (the student's supervisor) → 培养单位学工审核 (the college's student-affairs group)
- 图书馆 (library checkpoint operators) → 财务清算 (finance checkpoint operators)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from campusflow.accounts.models import User
from campusflow.clearance import actions
from campusflow.clearance.models import ClearancePlan
from campusflow.core.roles import Role
from campusflow.core.testing import World, make_user, unit, valid_id_number
from campusflow.orgs.models import OrgUnit, Student
from campusflow.workflow.models import StepDefinition


@dataclass
class Setup:
    world: World
    plan: ClearancePlan
    finance: OrgUnit
    dsa_cs: User
    dsa_me: User
    finance_operator: User
    issuer_cs: User

    def step(self, name: str) -> StepDefinition:
        return self.plan.definition.steps.get(name=name)


def add_students(world: World, count: int, department: OrgUnit, *, start: int = 0, **extra: Any) -> list[Student]:
    """Test data in bulk (the import is another module's concern)."""
    prefix = "2020" + (department.code or "99")
    students = [
        Student(
            school=department.school,
            department=department,
            student_no=f"{prefix}{start + i:05d}",
            name=f"学生{start + i}",
            gender="F" if i % 2 else "M",
            id_number=valid_id_number(serial=i % 1000),
            category=Student.Category.ACADEMIC_MASTER,
            level=Student.Level.MASTER,
            **{"grade": 2020, **extra},
        )
        for i in range(count)
    ]
    return Student.objects.bulk_create(students)


def build_plan(world: World, **changes: Any) -> ClearancePlan:
    admin = world.school_admin
    plan = actions.create_plan(
        actor=admin,
        school=world.school_a,
        data=actions.PlanInput(name=changes.pop("name", "2020级研究生6月份"), **changes),
    )
    sup = actions.add_checkpoint(actor=admin, plan_id=plan.pk, name="导师审核", handler="supervisor")
    actions.add_checkpoint(
        actor=admin,
        plan_id=plan.pk,
        name="培养单位学工审核",
        handler="dept:dept_student_affairs",
        prerequisites=[sup.key],
    )
    lib = actions.add_checkpoint(actor=admin, plan_id=plan.pk, name="图书馆", handler="office:library")
    actions.add_checkpoint(
        actor=admin, plan_id=plan.pk, name="财务清算", handler="office:finance", prerequisites=[lib.key]
    )
    return plan


@pytest.fixture
def setup(world: World) -> Setup:
    finance = unit("财务处", "office", world.school_a, "92", office_type="finance")
    plan = build_plan(world)
    return Setup(
        world=world,
        plan=plan,
        finance=finance,
        dsa_cs=make_user("cs_dsa", Role.DEPT_STUDENT_AFFAIRS, world.cs),
        dsa_me=make_user("me_dsa", Role.DEPT_STUDENT_AFFAIRS, world.me),
        finance_operator=make_user("a_finance", Role.CHECKPOINT_OPERATOR, finance),
        issuer_cs=make_user("cs_issuer", Role.DEPARTMENT_OPERATOR, world.cs),
    )


@pytest.fixture
def active(setup: Setup) -> Setup:
    actions.initialise(actor=setup.world.school_admin, plan_id=setup.plan.pk)
    setup.plan.refresh_from_db()
    return setup
