"""C-05: the summary counters always equal a recount from the tasks; S-08 on PostgreSQL."""

from __future__ import annotations

import random
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections

from campusflow.clearance import actions
from campusflow.clearance.models import ClearanceCounter
from campusflow.clearance.tests.conftest import Setup, add_students
from campusflow.core.models import AuditEvent
from campusflow.workflow.models import CaseEvent, Task


def snapshot(s: Setup) -> dict[tuple[int, int], tuple[int, int, int]]:
    return {
        (c.step_id, c.department_id): (c.expected, c.passed, c.failed)
        for c in ClearanceCounter.objects.filter(plan=s.plan)
    }


@pytest.mark.django_db
@pytest.mark.spec("C-05", "C-03")
def test_counters_equal_a_recount_after_random_batches(active: Setup) -> None:
    s, w = active, active.world
    students = add_students(w, 30, w.cs, start=300) + add_students(w, 20, w.me, start=400)
    actions.initialise(actor=w.school_admin, plan_id=s.plan.pk)
    ids = [x.pk for x in students] + [w.students["cs"].pk, w.students["me"].pk]
    operators = {
        "导师审核": [w.supervisor_cs, w.supervisor_me, s.dsa_cs, s.dsa_me],
        "培养单位学工审核": [s.dsa_cs, s.dsa_me],
        "图书馆": [w.library_operator],
        "财务清算": [s.finance_operator],
    }
    rng = random.Random(2026)
    for _round in range(40):
        name = rng.choice(list(operators))
        actor = rng.choice(operators[name])
        result = rng.choice(["pass", "pass", "fail"])
        chosen = rng.sample(ids, rng.randint(1, 15))
        actions.pass_tasks(
            actor=actor,
            checkpoint=s.step(name),
            student_ids=chosen,
            result=result,
            remark="随机" if result == "fail" else "",
        )
    before = snapshot(s)
    assert any(passed for _e, passed, _f in before.values())
    call_command("clearance_recount", s.plan.pk, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert snapshot(s) == before
    # and the counters agree with the tasks
    for name in operators:
        t = actions.counters(s.plan, s.step(name))
        assert t.passed == Task.objects.filter(step=s.step(name), state=Task.State.APPROVED).count()
        assert t.failed == Task.objects.filter(step=s.step(name), state=Task.State.FAILED).count()
        assert t.expected == 52


@pytest.mark.django_db
@pytest.mark.spec("C-05")
def test_recount_repairs_drifted_counters(active: Setup) -> None:
    s = active
    ClearanceCounter.objects.filter(plan=s.plan).update(passed=7, expected=0)
    actions.rebuild_counters(actor=s.world.school_admin, plan_id=s.plan.pk)
    assert actions.counters(s.plan, s.step("图书馆")).expected == 2
    assert actions.counters(s.plan, s.step("图书馆")).passed == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.spec("C-03", "C-05", "S-08")
def test_concurrent_overlapping_batches_pass_each_task_once(setup: Setup) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises writers)")
    s, w = setup, setup.world
    students = add_students(w, 60, w.cs, start=500)
    actions.initialise(actor=w.school_admin, plan_id=s.plan.pk)
    lib = s.step("图书馆")
    ids = [x.pk for x in students]
    batches = [ids[:40], ids[20:], ids[10:50], ids]
    barrier = threading.Barrier(len(batches))
    results: list[actions.BatchResult] = []
    errors: list[BaseException] = []

    def run(batch: list[int]) -> None:
        try:
            barrier.wait()
            results.append(actions.pass_tasks(actor=w.library_operator, checkpoint=lib, student_ids=batch))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sum(len(r.changed) for r in results) == 60
    assert sorted(x for r in results for x in r.changed) == sorted(ids)
    assert Task.objects.filter(step=lib, state=Task.State.APPROVED).count() == 60
    assert CaseEvent.objects.filter(step_key=lib.key, kind=CaseEvent.Kind.APPROVED).count() == 60
    assert Task.objects.filter(step=s.step("财务清算")).count() == 60  # opened once each
    assert actions.counters(s.plan, lib).passed == 60
    assert AuditEvent.objects.filter(action="clearance.decide").count() == 4
