"""W-04, W-06…W-09, S-08: the OA actions, delegation, links, reminders, definitions, pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.utils import timezone

from campusflow.core.errors import ActionError
from campusflow.core.roles import Role
from campusflow.core.testing import client_for, make_user
from campusflow.notifications.models import Notification
from campusflow.workflow import actions, selectors
from campusflow.workflow.models import ActionLink, CarbonCopy, Case, CaseEvent, ProcessDefinition, Task
from campusflow.workflow.tests.conftest import open_task


def _once_token(page: str) -> str:
    match = re.search(r'name="_once" value="([^"]+)"', page)
    assert match, "the form has no one-time token"
    return match.group(1)


def _colleague(world, username="T1002"):
    """Another supervisor of the computer college, with a teacher account."""
    return make_user(username, Role.SUPERVISOR, world.cs, full_name="陈老师")


@pytest.mark.spec("W-08")
def test_transfer_hands_the_task_to_a_colleague(world, leave_of):
    case = leave_of(3).case
    actions.approve(actor=world.mentor_a, task_id=open_task(case, "mentor").pk)
    colleague = _colleague(world)
    task = open_task(case, "supervisor")
    actions.transfer(actor=world.supervisor_cs, task_id=task.pk, to_user=colleague.pk, opinion="出差，请陈老师代审")
    assert selectors.counts(world.supervisor_cs)["todo"] == 0
    assert selectors.counts(colleague)["todo"] == 1
    with pytest.raises(ActionError, match="本校"):
        actions.transfer(actor=colleague, task_id=task.pk, to_user=world.school_admin_b.pk)
    actions.approve(actor=colleague, task_id=task.pk)
    case.refresh_from_db()
    assert open_task(case, "dean")
    assert case.events.filter(kind=CaseEvent.Kind.TRANSFERRED).get().data["to"] == "陈老师"


@pytest.mark.spec("W-08")
def test_an_added_signer_must_also_approve(world, leave_of):
    case = leave_of(3).case
    actions.approve(actor=world.mentor_a, task_id=open_task(case, "mentor").pk)
    colleague = _colleague(world)
    task = open_task(case, "supervisor")
    actions.add_signer(actor=world.supervisor_cs, task_id=task.pk, user=colleague.pk)
    actions.approve(actor=world.supervisor_cs, task_id=task.pk)
    case.refresh_from_db()
    assert not case.tasks.filter(step__key="dean").exists()  # still waiting for the added signer
    added = case.tasks.get(assignee=colleague, state=Task.State.OPEN)
    actions.approve(actor=colleague, task_id=added.pk)
    assert open_task(case, "dean")


@pytest.mark.spec("W-08")
def test_delegation_lets_a_colleague_act_on_behalf_while_it_lasts(world, leave_of):
    colleague = _colleague(world)
    now = timezone.now()
    with pytest.raises(ActionError):
        actions.delegate(actor=world.supervisor_cs, to_user=colleague.pk, starts_at=now, ends_at=now)
    delegation = actions.delegate(
        actor=world.supervisor_cs,
        to_user=colleague.pk,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=3),
        reason="出国访问",
    )
    case = leave_of(3).case
    actions.approve(actor=world.mentor_a, task_id=open_task(case, "mentor").pk)
    assert selectors.counts(colleague)["todo"] == 1
    # The inbox and the home page, as the colleague's browser gets them (the user lookup of a
    # request says whether anyone delegated to them).
    inbox = client_for(colleague).get("/workflow/inbox/").content.decode()
    assert case.title in inbox
    assert 'data-testid="home-todo">1<' in client_for(colleague).get("/").content.decode()
    page = client_for(colleague).get(f"/workflow/cases/{case.pk}/").content.decode()
    assert 'data-testid="my-task"' in page and "委托" in page
    actions.approve(actor=colleague, task_id=open_task(case, "supervisor").pk, opinion="代审同意")
    event = case.events.filter(kind="approved", step_key="supervisor").get()
    assert event.actor == colleague and event.data["on_behalf_of"] == world.supervisor_cs.display_name
    second = leave_of(2).case
    actions.approve(actor=world.mentor_a, task_id=open_task(second, "mentor").pk)
    actions.revoke_delegation(actor=world.supervisor_cs, delegation_id=delegation.pk)
    # Without the delegation the case is none of the colleague's business: not found.
    with pytest.raises(Http404):
        actions.approve(actor=colleague, task_id=open_task(second, "supervisor").pk)


@pytest.mark.spec("W-08", "W-04")
def test_carbon_copy_shows_in_the_copied_tab_and_opens_read_only(world, leave_of):
    case = leave_of(3).case
    colleague = _colleague(world)
    assert actions.carbon_copy(actor=world.mentor_a, case_id=case.pk, users=[colleague.pk]) == 1
    assert actions.carbon_copy(actor=world.mentor_a, case_id=case.pk, users=[colleague.pk]) == 0
    assert selectors.counts(colleague)["cc"] == 1
    page = client_for(colleague).get(f"/workflow/cases/{case.pk}/")
    assert page.status_code == 200 and 'data-testid="my-task"' not in page.content.decode()
    assert CarbonCopy.objects.get(user=colleague).read_at is not None
    with pytest.raises(PermissionDenied):
        actions.approve(actor=colleague, task_id=open_task(case, "mentor").pk)


@pytest.mark.spec("W-08", "W-06")
def test_remind_tells_the_current_actor_at_most_once_an_hour(world, leave_of):
    case = leave_of(3).case
    before = Notification.objects.filter(recipient=world.mentor_a).count()
    actions.remind(actor=world.student_cs, case_id=case.pk)
    assert Notification.objects.filter(recipient=world.mentor_a, kind="workflow.reminder").count() == 1
    with pytest.raises(ActionError, match="一小时"):
        actions.remind(actor=world.student_cs, case_id=case.pk)
    with pytest.raises(PermissionDenied):
        actions.remind(actor=world.dean_cs, case_id=case.pk)
    assert Notification.objects.filter(recipient=world.mentor_a).count() == before + 1


@pytest.mark.spec("W-08")
def test_terminate_is_for_the_offices_and_needs_a_reason(world, leave_of):
    case = leave_of(3).case
    with pytest.raises(PermissionDenied):
        actions.terminate(actor=world.dean_cs, case_id=case.pk, reason="x")
    with pytest.raises(ActionError):
        actions.terminate(actor=world.grad_school, case_id=case.pk, reason="")
    actions.terminate(actor=world.grad_school, case_id=case.pk, reason="学生已退学")
    case.refresh_from_db()
    assert case.state == Case.State.TERMINATED
    assert not case.tasks.filter(state=Task.State.OPEN).exists()


@pytest.mark.spec("W-04")
def test_batch_approve_acts_on_each_and_reports_the_refused(world, leave_of):
    cases = [leave_of(2).case for _ in range(3)]
    ids = [open_task(c, "mentor").pk for c in cases]
    actions.approve(actor=world.mentor_a, task_id=ids[0])  # already handled before the batch
    result = actions.batch_approve(actor=world.mentor_a, task_ids=[*ids, 999999], opinion="同意")
    assert sorted(result.done) == sorted(ids[1:])
    assert {task for task, _msg in result.refused} == {ids[0], 999999}
    assert selectors.counts(world.supervisor_cs)["todo"] == 3


@pytest.mark.spec("W-01")
def test_editing_a_definition_makes_a_new_version_and_running_cases_keep_theirs(world, leave_of):
    running = leave_of(3).case
    current = ProcessDefinition.objects.get(code="practice.leave_request", is_current=True)
    steps = [
        {
            "key": s.key,
            "name": s.name,
            "actor": s.actor,
            "actor_argument": s.actor_argument,
            "prerequisites": s.prerequisites,
            "condition": s.condition,
            "condition_argument": s.condition_argument,
            "allow_auto_pass": True,
        }
        for s in current.steps.order_by("order")
    ]
    steps = [s for s in steps if s["key"] != "dean"]
    steps[-1]["prerequisites"] = ["supervisor"]
    with pytest.raises(PermissionDenied):
        actions.save_definition(
            actor=world.dean_cs, code="practice.leave_request", name="x", description="", steps=steps
        )
    with pytest.raises(ActionError, match="之前"):
        actions.save_definition(
            actor=world.grad_school,
            code="practice.leave_request",
            name="请假",
            description="",
            steps=[{**steps[0], "prerequisites": ["nope"]}],
        )
    new = actions.save_definition(
        actor=world.grad_school,
        code="practice.leave_request",
        name="实践过程请假",
        description="取消教学院长审核",
        steps=steps,
        change_note="试行",
    )
    assert new.version == current.version + 1
    for user, step in [(world.mentor_a, "mentor"), (world.supervisor_cs, "supervisor")]:
        actions.approve(actor=user, task_id=open_task(running, step).pk)
    running.refresh_from_db()
    assert running.definition_id == current.pk and open_task(running, "dean")
    fresh = leave_of(3).case
    assert fresh.definition_id == new.pk
    for user, step in [(world.mentor_a, "mentor"), (world.supervisor_cs, "supervisor")]:
        actions.approve(actor=user, task_id=open_task(fresh, step).pk)
    fresh.refresh_from_db()
    assert fresh.state == Case.State.APPROVED


@pytest.mark.spec("W-07", "W-06")
def test_overdue_tasks_are_reminded_then_escalated(world, leave_of):
    case = leave_of(3).case
    task = open_task(case, "mentor")
    assert task.due_at is not None
    assert actions.remind_overdue() == (0, 0)
    with time_machine.travel(task.due_at + timedelta(hours=1)):
        assert actions.remind_overdue() == (1, 0)
        assert actions.remind_overdue() == (0, 0)  # once a day
    with time_machine.travel(task.due_at + timedelta(days=2, hours=2)):
        assert actions.remind_overdue() == (1, 1)
    # The mentor step escalates to the student's school supervisor.
    assert Notification.objects.filter(recipient=world.supervisor_cs, kind="workflow.escalation").count() == 1
    assert case.events.filter(kind=CaseEvent.Kind.ESCALATED).count() == 1


# -- W-09 one-time links --------------------------------------------------------------


def _link_token(world) -> str:
    note = Notification.objects.filter(recipient=world.mentor_a, kind="workflow.link").latest("created_at")
    match = re.search(r"/workflow/link/([^/\s]+)/", note.url)
    assert match, note.url
    return match.group(1)


@pytest.mark.spec("W-09")
def test_the_mentor_acts_from_a_one_time_link_without_signing_in(world, leave_of):
    case = leave_of(3).case
    token = _link_token(world)
    anonymous = Client()
    page = anonymous.get(f"/workflow/link/{token}/")
    assert page.status_code == 200 and "家中有事" in page.content.decode()
    assert "13800138000" not in page.content.decode()  # masked, as for a signed-in mentor
    done = anonymous.post(f"/workflow/link/{token}/", {"decision": "approve", "opinion": "同意", "version": 1})
    assert done.status_code == 200 and 'data-testid="link-done"' in done.content.decode()
    assert "_auth_user_id" not in anonymous.session  # no sign-in was created
    case.refresh_from_db()
    assert open_task(case, "supervisor")
    event = case.events.get(kind="approved", step_key="mentor")
    assert event.actor == world.mentor_a and event.data["via"] == "link"
    again = anonymous.get(f"/workflow/link/{token}/")
    assert again.status_code == 404
    assert ActionLink.objects.get().used_at is not None
    from campusflow.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="workflow.link_used").count() == 1


@pytest.mark.spec("W-09")
def test_a_link_expires_and_opens_nothing_else(world, leave_of):
    leave_of(3)
    token = _link_token(world)
    anonymous = Client()
    assert anonymous.get("/workflow/inbox/").status_code == 302  # still signed out
    assert anonymous.get(f"/workflow/link/{token}x/").status_code == 404
    with time_machine.travel(timezone.now() + timedelta(hours=73)):
        assert anonymous.get(f"/workflow/link/{token}/").status_code == 404


# -- pages ------------------------------------------------------------------------------


@pytest.mark.spec("W-04", "W-03")
def test_inbox_and_case_page_as_the_mentor(world, leave_of):
    case = leave_of(10).case
    client = client_for(world.mentor_a)
    inbox = client.get("/workflow/inbox/").content.decode()
    assert 'data-testid="count-todo">1<' in inbox and case.title in inbox
    page = client.get(f"/workflow/cases/{case.pk}/").content.decode()
    assert 'data-testid="my-task"' in page and 'data-testid="timeline-event"' in page
    token = _once_token(page)
    form = {
        "op": "approve",
        "task": open_task(case, "mentor").pk,
        "version": case.version,
        "opinion": "同意",
        "_once": token,
    }
    assert client.post(f"/workflow/cases/{case.pk}/act/", form).status_code == 302
    again = client.post(f"/workflow/cases/{case.pk}/act/", form, follow=True)
    assert "已提交过" in again.content.decode()
    assert case.events.filter(kind="approved").count() == 1


@pytest.mark.spec("W-04", "W-03")
def test_inbox_and_case_page_query_counts_do_not_grow_with_rows(world, leave_of, django_assert_max_num_queries):
    for _ in range(3):
        leave_of(2)
    client = client_for(world.mentor_a)
    client.get("/workflow/inbox/")
    with django_assert_max_num_queries(22) as few:
        client.get("/workflow/inbox/")
    for _ in range(12):
        leave_of(2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/workflow/inbox/")
    case = Case.objects.order_by("id")[0]
    client.get(f"/workflow/cases/{case.pk}/")
    with django_assert_max_num_queries(30) as page:
        client.get(f"/workflow/cases/{case.pk}/")
    assert len(page.captured_queries) <= 30


@pytest.mark.spec("W-04")
def test_batch_approve_from_the_inbox_page(world, leave_of):
    cases = [leave_of(2).case for _ in range(2)]
    client = client_for(world.mentor_a)
    page = client.get("/workflow/inbox/").content.decode()
    token = _once_token(page)
    ids = [open_task(c, "mentor").pk for c in cases]
    response = client.post(
        "/workflow/inbox/batch-approve/", {"task": ids, "opinion": "同意", "_once": token}, follow=True
    )
    assert "已批量通过 2 项" in response.content.decode()


@pytest.mark.spec("W-01")
def test_definition_page_saves_a_new_version(world):
    client = client_for(world.grad_school)
    assert client.get("/workflow/definitions/").status_code == 200
    page = client.get("/workflow/definitions/practice.leave_request/").content.decode()
    assert "教学院长审核" in page
    assert client_for(world.dean_cs).get("/workflow/definitions/").status_code == 403
    current = ProcessDefinition.objects.get(code="practice.leave_request", is_current=True)
    steps = list(current.steps.order_by("order"))
    form = {
        "name": "实践过程请假",
        "description": "",
        "change_note": "期限调整",
        "step_key": [s.key for s in steps],
        "step_name": [s.name for s in steps],
        "step_actor": [s.actor for s in steps],
        "step_actor_argument": [s.actor_argument for s in steps],
        "step_sign_mode": [s.sign_mode for s in steps],
        "step_condition": [s.condition for s in steps],
        "step_condition_argument": [s.condition_argument for s in steps],
        "step_prerequisites": [",".join(s.prerequisites) for s in steps],
        "step_due_days": ["5" for _ in steps],
        "step_reject_to": ["" for _ in steps],
        "step_escalate_actor": [s.escalate_actor for s in steps],
        "step_escalate_argument": [s.escalate_argument for s in steps],
        "step_form_fields": ["[]" for _ in steps],
        "step_allow_auto_pass": ["0", "1", "2", "3"],
    }
    assert client.post("/workflow/definitions/practice.leave_request/", form).status_code == 302
    new = ProcessDefinition.objects.get(code="practice.leave_request", is_current=True)
    assert new.version == current.version + 1 and all(s.due_days == 5 for s in new.steps.all())
    bad = client.post("/workflow/definitions/practice.leave_request/", {**form, "step_form_fields": ["{not json"] * 4})
    assert 'data-testid="form-error"' in bad.content.decode()
    assert ProcessDefinition.objects.filter(code="practice.leave_request").count() == 2


@pytest.mark.spec("W-08")
def test_delegation_page(world):
    colleague = _colleague(world)
    client = client_for(world.supervisor_cs)
    response = client.post(
        "/workflow/delegations/",
        {
            "username": colleague.username,
            "starts_at": "2030-01-01T08:00",
            "ends_at": "2030-01-05T18:00",
            "reason": "出差",
        },
        follow=True,
    )
    assert "委托已设置" in response.content.decode()
    bad = client.post(
        "/workflow/delegations/",
        {"username": "nobody", "starts_at": "2030-01-01T08:00", "ends_at": "2030-01-05T18:00"},
        follow=True,
    )
    assert "找不到用户名" in bad.content.decode()
    assert client_for(world.student_cs).get("/workflow/delegations/").status_code == 403


@pytest.mark.spec("W-09", "W-06")
@pytest.mark.django_db(transaction=True)
def test_the_one_time_link_reaches_the_mentor_by_sms(sms_outbox):
    from campusflow.core.testing import build_world
    from campusflow.workflow.tests.conftest import leave

    world = build_world()
    world.mentor_a.phone = "13972000001"
    world.mentor_a.save()
    leave(world, 3)
    texts = [message for phone, message in sms_outbox if phone == "13972000001"]
    assert any(re.search(r"https?://[^ ]+/workflow/link/[^/ ]+/", text) for text in texts), texts
    assert all("13800138000" not in text for text in texts)  # no student's phone in an SMS


@pytest.mark.spec("W-07", "X-08")
def test_the_hourly_job_runs_the_reminders(world, leave_of):
    from campusflow.workflow.tasks import remind_overdue

    task = open_task(leave_of(3).case, "mentor")
    assert task.due_at is not None
    with time_machine.travel(task.due_at + timedelta(hours=1)):
        result = remind_overdue.enqueue()
    assert result.return_value == {"reminded": 1, "escalated": 0}


@pytest.mark.spec("W-03", "W-06")
def test_stored_text_is_in_the_sites_language_whatever_the_actor_chose(world, leave_of):
    from django.utils import translation

    with translation.override("en"):
        case = leave_of(3).case
    assert case is not None and "请假" in case.title
    note = Notification.objects.filter(recipient=world.mentor_a, kind="workflow.task").latest("created_at")
    assert note.title.startswith("待办")
