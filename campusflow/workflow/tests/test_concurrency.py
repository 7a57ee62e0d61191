"""S-08 / W-05 on PostgreSQL: fifty people pressing 确定 on one step at once move it once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from campusflow.core.errors import ActionError
from campusflow.core.testing import build_world
from campusflow.workflow import actions
from campusflow.workflow.models import Case, CaseEvent, Task
from campusflow.workflow.tests.conftest import leave, open_task

needs_row_locks = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks (SELECT … FOR UPDATE) need PostgreSQL"
)


def _race(count: int, act) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(count)
    wins: list[int] = []
    refusals: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait()
            act()
            with lock:
                wins.append(1)
        except ActionError as error:
            with lock:
                refusals.append(error.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(wins), refusals


@needs_row_locks
@pytest.mark.spec("S-08", "W-05")
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_approvals_give_one_transition_and_one_event():
    world = build_world()
    case = leave(world, 3).case
    assert case is not None
    task = open_task(case, "mentor")
    wins, refusals = _race(
        50, lambda: actions.approve(actor=world.mentor_a, task_id=task.pk, expected_version=case.version)
    )
    assert wins == 1 and len(refusals) == 49
    assert all("处理" in message for message in refusals)
    case = Case.objects.get(pk=task.case_id)
    assert case.version == 2
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.APPROVED).count() == 1
    assert Task.objects.filter(case=case, step__key="supervisor", state=Task.State.OPEN).count() == 1


@needs_row_locks
@pytest.mark.spec("S-08", "W-05")
@pytest.mark.django_db(transaction=True)
def test_approve_and_reject_racing_on_one_step_cannot_both_win():
    world = build_world()
    case = leave(world, 3).case
    assert case is not None
    task = open_task(case, "mentor")
    decisions = iter(["approve", "reject"] * 10)
    pick = threading.Lock()

    def act() -> None:
        with pick:
            decision = next(decisions)
        if decision == "approve":
            actions.approve(actor=world.mentor_a, task_id=task.pk)
        else:
            actions.reject(actor=world.mentor_a, task_id=task.pk, opinion="不同意")

    wins, _refusals = _race(20, act)
    assert wins == 1
    case = Case.objects.get(pk=task.case_id)
    decided = CaseEvent.objects.filter(case=case, kind__in=[CaseEvent.Kind.APPROVED, CaseEvent.Kind.REJECTED])
    assert decided.count() == 1 and case.version == 2
