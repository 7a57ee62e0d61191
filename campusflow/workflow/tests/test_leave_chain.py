"""W-01…W-03, G-06: the leave request chain end to end, as the people in it."""

from __future__ import annotations

import pytest

from campusflow.core.errors import ActionError
from campusflow.core.testing import client_for
from campusflow.notifications.models import Notification
from campusflow.workflow import actions, selectors
from campusflow.workflow.models import Case, CaseEvent, Task
from campusflow.workflow.tests.conftest import open_task


def _approve(user, case, step, opinion="同意"):
    case.refresh_from_db()
    return actions.approve(actor=user, task_id=open_task(case, step).pk, expected_version=case.version, opinion=opinion)


@pytest.mark.spec("G-06", "W-01", "W-03", "W-06")
def test_a_ten_day_leave_goes_through_all_five_people(world, leave_of):
    record = leave_of(10)
    case = record.case
    assert case.state == Case.State.IN_PROGRESS
    assert [t.step.key for t in case.tasks.filter(state=Task.State.OPEN)] == ["mentor"]
    assert selectors.counts(world.mentor_a)["todo"] == 1
    assert Notification.objects.filter(recipient=world.mentor_a, kind="workflow.task").exists()
    _approve(world.mentor_a, case, "mentor")
    _approve(world.supervisor_cs, case, "supervisor")
    _approve(world.dean_cs, case, "dean")
    assert selectors.counts(world.student_affairs)["todo"] == 1
    _approve(world.student_affairs, case, "student_affairs", opinion="注意安全")
    case.refresh_from_db()
    assert case.state == Case.State.APPROVED and case.finished_at is not None
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == ["submitted", "approved", "approved", "approved", "approved", "completed"]
    assert case.events.filter(kind="approved").last().opinion == "注意安全"


@pytest.mark.spec("G-06", "W-01")
def test_a_three_day_leave_skips_the_student_affairs_office(world, leave_of):
    case = leave_of(3).case
    for user, step in [(world.mentor_a, "mentor"), (world.supervisor_cs, "supervisor"), (world.dean_cs, "dean")]:
        _approve(user, case, step)
    case.refresh_from_db()
    assert case.state == Case.State.APPROVED
    assert case.events.filter(kind=CaseEvent.Kind.SKIPPED, step_key="student_affairs").count() == 1
    assert selectors.counts(world.student_affairs)["todo"] == 0


@pytest.mark.spec("G-06", "W-01")
def test_exactly_seven_days_is_not_more_than_a_week(world, leave_of):
    case = leave_of(7).case
    for user, step in [(world.mentor_a, "mentor"), (world.supervisor_cs, "supervisor"), (world.dean_cs, "dean")]:
        _approve(user, case, step)
    case.refresh_from_db()
    assert case.state == Case.State.APPROVED
    eight = leave_of(8).case
    for user, step in [(world.mentor_a, "mentor"), (world.supervisor_cs, "supervisor"), (world.dean_cs, "dean")]:
        _approve(user, eight, step)
    eight.refresh_from_db()
    assert eight.state == Case.State.IN_PROGRESS
    assert open_task(eight, "student_affairs")


@pytest.mark.spec("W-02", "G-06")
def test_reject_back_to_the_applicant_then_resubmit_starts_again(world, leave_of):
    from campusflow.practice import leave_actions

    record = leave_of(3)
    case = record.case
    _approve(world.mentor_a, case, "mentor")
    case.refresh_from_db()
    with pytest.raises(ActionError, match="意见"):
        actions.reject(actor=world.supervisor_cs, task_id=open_task(case, "supervisor").pk, opinion=" ")
    actions.reject(
        actor=world.supervisor_cs,
        task_id=open_task(case, "supervisor").pk,
        opinion="日期写错了",
        expected_version=case.version,
    )
    case.refresh_from_db()
    assert case.state == Case.State.RETURNED and not case.tasks.filter(state=Task.State.OPEN).exists()
    data = leave_actions.LeaveInput(
        start_date=record.start_date, end_date=record.end_date, reason="修改后的事由", phone="13800138000"
    )
    leave_actions.resubmit_leave_request(actor=world.student_cs, record=record, data=data)
    case.refresh_from_db()
    assert case.state == Case.State.IN_PROGRESS and case.round == 2
    assert [t.step.key for t in case.tasks.filter(state=Task.State.OPEN)] == ["mentor"]
    assert case.events.filter(kind=CaseEvent.Kind.RESUBMITTED).count() == 1


@pytest.mark.spec("W-08", "W-02")
def test_reject_to_a_chosen_earlier_step(world, leave_of):
    case = leave_of(3).case
    _approve(world.mentor_a, case, "mentor")
    _approve(world.supervisor_cs, case, "supervisor")
    case.refresh_from_db()
    with pytest.raises(ActionError, match="之前"):
        actions.reject(actor=world.dean_cs, task_id=open_task(case, "dean").pk, opinion="x", to_step="student_affairs")
    actions.reject(
        actor=world.dean_cs,
        task_id=open_task(case, "dean").pk,
        opinion="请企业导师重新确认",
        to_step="mentor",
        expected_version=case.version,
    )
    case.refresh_from_db()
    assert case.state == Case.State.IN_PROGRESS
    assert [t.step.key for t in case.tasks.filter(state=Task.State.OPEN)] == ["mentor"]
    # The supervisor's earlier approval no longer counts: they sign again after the mentor.
    _approve(world.mentor_a, case, "mentor")
    assert open_task(case, "supervisor")


@pytest.mark.spec("W-02")
def test_not_pass_ends_the_case(world, leave_of):
    case = leave_of(3).case
    actions.fail(actor=world.mentor_a, task_id=open_task(case, "mentor").pk, opinion="实践任务紧张，不同意")
    case.refresh_from_db()
    assert case.state == Case.State.FAILED
    with pytest.raises(ActionError):
        actions.resubmit(actor=world.student_cs, case_id=case.pk)


@pytest.mark.spec("W-02")
def test_revoke_works_until_the_next_step_acts(world, leave_of):
    case = leave_of(3).case
    mentor_task = open_task(case, "mentor")
    _approve(world.mentor_a, case, "mentor")
    actions.revoke(actor=world.mentor_a, task_id=mentor_task.pk)
    case.refresh_from_db()
    assert [t.step.key for t in case.tasks.filter(state=Task.State.OPEN)] == ["mentor"]
    _approve(world.mentor_a, case, "mentor")
    _approve(world.supervisor_cs, case, "supervisor")
    with pytest.raises(ActionError, match="下一步已办理"):
        actions.revoke(actor=world.mentor_a, task_id=mentor_task.pk)
    assert case.events.filter(kind=CaseEvent.Kind.REVOKED).count() == 1


@pytest.mark.spec("W-02")
def test_withdraw_only_before_the_first_decision(world, leave_of):
    case = leave_of(3).case
    actions.withdraw(actor=world.student_cs, case_id=case.pk)
    case.refresh_from_db()
    assert case.state == Case.State.WITHDRAWN
    actions.resubmit(actor=world.student_cs, case_id=case.pk)
    _approve(world.mentor_a, case, "mentor")
    with pytest.raises(ActionError, match="不能撤回"):
        actions.withdraw(actor=world.student_cs, case_id=case.pk)


@pytest.mark.spec("W-02", "S-05", "P-04")
def test_wrong_people_get_404_or_403_and_nothing_changes(world, leave_of):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    case = leave_of(3).case
    task = open_task(case, "mentor")
    for outsider in (world.secretary_me, world.supervisor_me, world.student_me, world.school_admin_b):
        with pytest.raises(Http404):
            actions.approve(actor=outsider, task_id=task.pk)
        assert client_for(outsider).get(f"/workflow/cases/{case.pk}/").status_code == 404
    # The teaching dean may see the case (their college) but it is not their turn.
    with pytest.raises(PermissionDenied):
        actions.approve(actor=world.dean_cs, task_id=task.pk)
    with pytest.raises(Http404):
        actions.withdraw(actor=world.student_me, case_id=case.pk)
    case.refresh_from_db()
    task.refresh_from_db()
    assert case.version == 1 and task.state == Task.State.OPEN
    assert case.events.count() == 1


@pytest.mark.spec("S-08", "W-05")
def test_a_stale_form_says_who_handled_it_and_acts_not(world, leave_of):
    case = leave_of(3).case
    task = open_task(case, "mentor")
    seen_version = case.version
    actions.approve(actor=world.mentor_a, task_id=task.pk, expected_version=seen_version)
    with pytest.raises(ActionError, match=r"M0001") as raised:
        actions.approve(actor=world.mentor_a, task_id=task.pk, expected_version=seen_version)
    assert "处理" in raised.value.message
    assert case.events.filter(kind="approved").count() == 1


@pytest.mark.spec("W-08")
def test_auto_pass_when_the_supervisor_is_also_the_teaching_dean(world, leave_of):
    from campusflow.accounts.models import RoleAssignment
    from campusflow.core.roles import Role

    RoleAssignment.objects.create(user=world.supervisor_cs, role=Role.TEACHING_DEAN, unit=world.cs)
    case = leave_of(3).case
    _approve(world.mentor_a, case, "mentor")
    _approve(world.supervisor_cs, case, "supervisor")
    case.refresh_from_db()
    assert case.state == Case.State.APPROVED
    assert case.events.filter(kind=CaseEvent.Kind.AUTO_PASSED, step_key="dean").count() == 1
