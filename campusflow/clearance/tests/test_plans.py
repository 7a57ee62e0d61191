"""C-01: plans, checkpoints and the set-based initialisation."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from campusflow.clearance import actions
from campusflow.clearance.models import ClearanceCounter, ClearancePlan, ClearanceRecord
from campusflow.clearance.tests.conftest import Setup, add_students, build_plan
from campusflow.core.errors import ActionError
from campusflow.core.models import AuditEvent
from campusflow.core.testing import World, client_for
from campusflow.orgs.models import Student
from campusflow.workflow.models import Case, Task

pytestmark = pytest.mark.django_db


@pytest.mark.spec("C-01")
def test_plan_is_a_process_definition_with_one_step_per_checkpoint(setup: Setup) -> None:
    plan = setup.plan
    assert plan.definition.code == f"clearance.plan.{plan.pk}"
    steps = list(plan.definition.steps.order_by("order"))
    assert [s.name for s in steps] == ["导师审核", "培养单位学工审核", "图书馆", "财务清算"]
    assert [(s.actor, s.actor_argument) for s in steps] == [
        ("school_supervisor", ""),
        ("department_role", "dept_student_affairs"),
        ("office_role", "checkpoint_operator@library"),
        ("office_role", "checkpoint_operator@finance"),
    ]
    assert steps[1].prerequisites == [steps[0].key] and steps[2].prerequisites == []


@pytest.mark.spec("C-01")
def test_checkpoint_rules(setup: Setup) -> None:
    admin, plan = setup.world.school_admin, setup.plan
    lib, fin = setup.step("图书馆"), setup.step("财务清算")
    with pytest.raises(ActionError, match="前置环节只能选择排在本环节之前"):
        actions.update_checkpoint(
            actor=admin, plan_id=plan.pk, key=lib.key, name="图书馆", handler="office:library", prerequisites=[fin.key]
        )
    with pytest.raises(ActionError, match="不能排在其后"):
        actions.move_checkpoint(actor=admin, plan_id=plan.pk, key=fin.key, up=True)
    with pytest.raises(ActionError, match="同名"):
        actions.add_checkpoint(actor=admin, plan_id=plan.pk, name="图书馆", handler="office:library")
    # removing a checkpoint removes it from the others' prerequisites
    actions.remove_checkpoint(actor=admin, plan_id=plan.pk, key=lib.key)
    fin.refresh_from_db()
    assert fin.prerequisites == []
    actions.move_checkpoint(actor=admin, plan_id=plan.pk, key=fin.key, up=True)
    assert [s.name for s in plan.definition.steps.order_by("order")] == ["导师审核", "财务清算", "培养单位学工审核"]


@pytest.mark.spec("C-01", "P-04")
def test_only_the_schools_managers_configure_plans(setup: Setup) -> None:
    w = setup.world
    with pytest.raises(Http404):
        actions.add_checkpoint(actor=w.school_admin_b, plan_id=setup.plan.pk, name="x", handler="supervisor")
    with pytest.raises(PermissionDenied):
        actions.initialise(actor=w.library_operator, plan_id=setup.plan.pk)
    assert client_for(w.library_operator).get("/clearance/plans/").status_code == 403
    assert client_for(w.school_admin_b).get(f"/clearance/plans/{setup.plan.pk}/").status_code == 404
    assert client_for(w.system_admin).get(f"/clearance/plans/{setup.plan.pk}/").status_code == 200


@pytest.mark.spec("C-01")
def test_initialise_materialises_every_covered_student(setup: Setup) -> None:
    w = setup.world
    add_students(w, 5, w.cs)
    add_students(w, 3, w.me)
    result = actions.initialise(actor=w.school_admin, plan_id=setup.plan.pk)
    plan = ClearancePlan.objects.get(pk=setup.plan.pk)
    assert plan.state == ClearancePlan.State.ACTIVE and plan.initialized_at
    assert result.created == 10  # 8 new + the world's two school-A students
    records = ClearanceRecord.objects.filter(plan=plan)
    assert records.count() == 10 and not records.filter(case__isnull=True).exists()
    assert Case.objects.filter(definition=plan.definition).count() == 10
    # the two parallel checkpoints are open; the two waiting for them have no task yet
    assert set(Task.objects.filter(case__definition=plan.definition).values_list("step__name", flat=True)) == {
        "图书馆",
        "导师审核",
    }
    assert Task.objects.filter(case__definition=plan.definition).count() == 20
    # counters: 应办理 per checkpoint and college
    counts = {
        (c.step.name, c.department_id): c.expected
        for c in ClearanceCounter.objects.filter(plan=plan).select_related("step")
    }
    assert counts[("财务清算", w.cs.pk)] == 6 and counts[("财务清算", w.me.pk)] == 4 and len(counts) == 8
    assert AuditEvent.objects.filter(action="clearance.initialise").count() == 1
    # running it again adds only newcomers
    add_students(w, 2, w.me, start=100)
    assert actions.initialise(actor=w.school_admin, plan_id=plan.pk).created == 2
    assert ClearanceCounter.objects.get(plan=plan, step=setup.step("图书馆"), department=w.me).expected == 6
    with pytest.raises(ActionError, match="环节不能再修改"):
        actions.add_checkpoint(actor=w.school_admin, plan_id=plan.pk, name="校医院", handler="office:hospital")


@pytest.mark.spec("C-01")
def test_criteria_choose_the_students(world: World) -> None:
    add_students(world, 4, world.cs)
    add_students(world, 2, world.me, start=50, certificate=Student.Certificate.SINGLE)
    plan = build_plan(world, name="单证", ranges=["single"], grades=[2020])
    assert actions.covered_students(plan).count() == 2
    plan = build_plan(world, name="计算机", departments=[world.cs])
    assert set(actions.covered_students(plan).values_list("department_id", flat=True)) == {world.cs.pk}


@pytest.mark.spec("C-01")
def test_initialise_refuses_a_missing_office(world: World) -> None:
    plan = build_plan(world)  # no 财务处 in this world
    with pytest.raises(ActionError, match="财务处"):
        actions.initialise(actor=world.school_admin, plan_id=plan.pk)
    assert not ClearanceRecord.objects.exists()


def _initialise_queries(world: World, count: int, grade: int) -> int:
    add_students(world, count, world.cs, start=grade * 1000, grade=grade)
    plan = build_plan(world, name=f"{grade}级", grades=[grade])
    with CaptureQueriesContext(connection) as ctx:
        result = actions.initialise(actor=world.school_admin, plan_id=plan.pk)
    assert result.created == count
    assert Task.objects.filter(case__definition=plan.definition).count() == 2 * count
    return len(ctx.captured_queries)


@pytest.mark.spec("C-01")
def test_initialise_is_set_based(setup: Setup) -> None:
    few = _initialise_queries(setup.world, 50, 2019)
    many = _initialise_queries(setup.world, 500, 2021)
    assert few == many, (few, many)


@pytest.mark.spec("C-01")
def test_plan_pages(setup: Setup) -> None:
    client = client_for(setup.world.school_admin)
    page = client.get(f"/clearance/plans/{setup.plan.pk}/").content.decode()
    assert "导师审核" in page and "财务清算" in page and "初始化" in page
    assert client.get("/clearance/plans/").status_code == 200
    new = client.get("/clearance/plans/new/").content.decode()
    token = new.split('name="_once" value="')[1].split('"')[0]
    response = client.post(
        "/clearance/plans/new/", {"_once": token, "name": "2021级本科生", "ranges": ["undergraduate"]}
    )
    plan = ClearancePlan.objects.get(name="2021级本科生")
    assert response.status_code == 302 and plan.ranges == ["undergraduate"] and plan.school == setup.world.school_a
