"""Leave requests through the real actions, for the engine's tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from campusflow.core.testing import World
from campusflow.practice import leave_actions
from campusflow.practice.models import LeaveRequest
from campusflow.workflow.models import Case, Task


def leave(world: World, days: int, **overrides: Any) -> LeaveRequest:
    start = timezone.localdate() + timedelta(days=1)
    data = leave_actions.LeaveInput(
        start_date=start,
        end_date=start + timedelta(days=days - 1),
        reason=overrides.pop("reason", "家中有事"),
        phone=overrides.pop("phone", "13800138000"),
        father_name="王父",
        father_phone="13700137000",
    )
    actor = overrides.pop("actor", world.student_cs)
    return leave_actions.submit_leave_request(actor=actor, data=data)


def open_task(case: Case | None, step_key: str) -> Task:
    assert case is not None, "the record has no case"
    return case.tasks.get(step__key=step_key, state=Task.State.OPEN, round=case.round)


@pytest.fixture
def leave_of(world: World) -> Any:
    return lambda days, **kw: leave(world, days, **kw)
