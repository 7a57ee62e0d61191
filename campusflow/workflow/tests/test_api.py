"""X-05 for the approval engine: the inbox, a case and every action through the API, as the pages allow."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from campusflow.accounts.actions import create_api_token
from campusflow.accounts.models import User
from campusflow.core.testing import World, client_for
from campusflow.workflow.models import Case, CaseEvent, Task
from campusflow.workflow.tests.conftest import open_task

pytestmark = pytest.mark.django_db


def token_for(user: User) -> str:
    fresh = User.objects.get(pk=user.pk)
    return create_api_token(actor=fresh, name="审批接口", role=fresh.roles_held[0])


def as_token(user: User) -> Client:
    """A client that calls the API with a bearer token in the user's (only) role, no session, no CSRF token."""
    return Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token_for(user)}"})


def post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, body or {}, content_type="application/json")


def fresh(case: Case) -> Case:
    case.refresh_from_db()
    return case


@pytest.mark.spec("X-05", "W-04")
def test_token_lists_the_mentors_todo_after_a_student_submits(world: World, leave_of: Any) -> None:
    mentor = as_token(world.mentor_a)
    assert mentor.get("/api/workflow/inbox").json()["count"] == 0
    case = leave_of(3).case
    page = mentor.get("/api/workflow/inbox?tab=todo").json()
    assert page["count"] == 1
    item = page["items"][0]
    assert item["kind"] == "task"
    assert item["task_id"] == open_task(case, "mentor").pk
    assert item["case_id"] == case.pk and item["title"] == case.title
    assert item["process_code"] == case.definition.code and item["process_name"] == case.definition.name
    assert item["step_name"] == open_task(case, "mentor").step.name
    assert item["state"] == "open" and item["case_state"] == "in_progress"
    assert item["applicant_name"] == world.student_cs.display_name
    assert item["overdue"] is False and item["acted_at"] is None and item["arrived_at"]
    # Filters and search as on the page.
    assert mentor.get(f"/api/workflow/inbox?process={case.definition.code}").json()["count"] == 1
    assert mentor.get("/api/workflow/inbox?process=nope").json()["count"] == 0
    assert mentor.get(f"/api/workflow/inbox?q={world.student_cs.display_name[:4]}").json()["count"] == 1
    assert mentor.get("/api/workflow/inbox?q=不存在的人").json()["count"] == 0
    assert mentor.get("/api/workflow/inbox?overdue=true").json()["count"] == 0
    # Other people's inboxes stay empty; the student sees the case under 我发起的.
    assert as_token(world.supervisor_cs).get("/api/workflow/inbox").json()["count"] == 0
    mine = as_token(world.student_cs).get("/api/workflow/inbox?tab=mine").json()
    assert [(i["kind"], i["case_id"], i["task_id"]) for i in mine["items"]] == [("case", case.pk, None)]
    assert mentor.get("/api/workflow/inbox?tab=bogus").status_code == 422


@pytest.mark.spec("X-05", "W-02", "W-04")
def test_approve_through_the_api_moves_the_case_to_the_supervisor(world: World, leave_of: Any) -> None:
    case = leave_of(3).case
    task = open_task(case, "mentor")
    response = post(
        as_token(world.mentor_a), f"/api/workflow/tasks/{task.pk}/approve", {"version": case.version, "opinion": "同意"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == case.pk and body["state"] == "in_progress" and body["version"] == case.version + 1
    task.refresh_from_db()
    assert task.state == Task.State.APPROVED and task.acted_by_id == world.mentor_a.pk and task.opinion == "同意"
    supervisor = as_token(world.supervisor_cs)
    todo = supervisor.get("/api/workflow/inbox").json()["items"]
    assert [i["task_id"] for i in todo] == [open_task(case, "supervisor").pk]
    done = as_token(world.mentor_a).get("/api/workflow/inbox?tab=done").json()["items"]
    assert [(i["task_id"], i["state"]) for i in done] == [(task.pk, "approved")]
    assert done[0]["acted_at"] is not None


@pytest.mark.spec("X-05", "W-05", "S-08")
def test_a_stale_version_gets_409_saying_who_handled_it_and_nothing_changes(world: World, leave_of: Any) -> None:
    case = leave_of(3).case
    seen = case.version
    mentor_task = open_task(case, "mentor")
    mentor = as_token(world.mentor_a)
    assert post(mentor, f"/api/workflow/tasks/{mentor_task.pk}/approve", {"version": seen}).status_code == 200
    # A double click: the same call again.
    again = post(mentor, f"/api/workflow/tasks/{mentor_task.pk}/approve", {"version": seen})
    assert again.status_code == 409
    assert "已由 M0001" in again.json()["detail"] and "处理" in again.json()["detail"]
    # The supervisor acting on a page loaded before the mentor approved.
    supervisor_task = open_task(case, "supervisor")
    stale = post(
        as_token(world.supervisor_cs),
        f"/api/workflow/tasks/{supervisor_task.pk}/approve",
        {"version": seen, "opinion": "同意"},
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale" and "已由 M0001" in stale.json()["detail"]
    supervisor_task.refresh_from_db()
    assert supervisor_task.state == Task.State.OPEN
    assert fresh(case).version == seen + 1
    assert case.events.filter(kind=CaseEvent.Kind.APPROVED).count() == 1


@pytest.mark.spec("X-05", "W-02", "S-05", "P-04")
def test_wrong_people_get_404_or_403_and_nothing_changes(world: World, leave_of: Any) -> None:
    case = leave_of(3).case
    task = open_task(case, "mentor")
    body = {"version": case.version, "opinion": "同意"}
    for outsider in (world.secretary_me, world.supervisor_me, world.student_me, world.school_admin_b):
        client = as_token(outsider)
        assert post(client, f"/api/workflow/tasks/{task.pk}/approve", body).status_code == 404
        assert post(client, f"/api/workflow/tasks/{task.pk}/reject", body).status_code == 404
        assert client.get(f"/api/workflow/cases/{case.pk}").status_code == 404
        assert post(client, f"/api/workflow/cases/{case.pk}/withdraw", {"version": case.version}).status_code == 404
    # The CS teaching dean may see the case (their college), but it is the mentor's turn.
    dean = as_token(world.dean_cs)
    assert dean.get(f"/api/workflow/cases/{case.pk}").status_code == 200
    refused = post(dean, f"/api/workflow/tasks/{task.pk}/approve", body)
    assert refused.status_code == 403 and refused.json()["detail"]
    assert post(dean, f"/api/workflow/cases/{case.pk}/withdraw", {"version": case.version}).status_code == 403
    # Terminating is for the offices: other roles are refused before the body is read.
    assert post(dean, f"/api/workflow/cases/{case.pk}/terminate", {}).status_code == 403
    assert post(as_token(world.mentor_a), "/api/workflow/tasks/999999/approve", body).status_code == 404
    task.refresh_from_db()
    assert task.state == Task.State.OPEN and fresh(case).version == 1 and case.events.count() == 1


@pytest.mark.spec("X-05", "W-02", "W-08")
def test_reject_needs_an_opinion_and_can_go_back_to_an_earlier_step(world: World, leave_of: Any) -> None:
    case = leave_of(3).case
    mentor_task = open_task(case, "mentor")
    mentor = as_token(world.mentor_a)
    url = f"/api/workflow/tasks/{mentor_task.pk}/reject"
    blank = post(mentor, url, {"version": case.version, "opinion": "  "})
    assert blank.status_code == 422
    assert blank.json()["field"] == "opinion" and "意见" in blank.json()["detail"]
    assert post(mentor, url, {"version": case.version}).status_code == 422
    assert (
        post(mentor, f"/api/workflow/tasks/{mentor_task.pk}/fail", {"version": case.version, "opinion": ""}).status_code
        == 422
    )
    assert fresh(case).version == 1 and case.events.count() == 1

    post(mentor, f"/api/workflow/tasks/{mentor_task.pk}/approve", {"version": case.version})
    supervisor = as_token(world.supervisor_cs)
    supervisor_task = open_task(fresh(case), "supervisor")
    detail = supervisor.get(f"/api/workflow/cases/{case.pk}").json()
    assert detail["my_tasks"][0]["reject_to"] == [{"key": "mentor", "name": mentor_task.step.name}]
    wrong_step = post(
        supervisor,
        f"/api/workflow/tasks/{supervisor_task.pk}/reject",
        {"version": case.version, "opinion": "请重新确认", "to_step": "dean"},
    )
    assert wrong_step.status_code == 422 and wrong_step.json()["field"] == "to_step"
    back = post(
        supervisor,
        f"/api/workflow/tasks/{supervisor_task.pk}/reject",
        {"version": case.version, "opinion": "请企业导师重新确认", "to_step": "mentor"},
    )
    assert back.status_code == 200 and back.json()["state"] == "in_progress"
    assert [t.step.key for t in fresh(case).tasks.filter(state=Task.State.OPEN)] == ["mentor"]
    again = open_task(case, "mentor")
    to_applicant = post(
        mentor, f"/api/workflow/tasks/{again.pk}/reject", {"version": case.version, "opinion": "日期有误"}
    )
    assert to_applicant.status_code == 200 and to_applicant.json()["state"] == "returned"


@pytest.mark.spec("X-05", "W-04")
def test_batch_approve_reports_done_and_refused(world: World, leave_of: Any) -> None:
    first, second, third = leave_of(3).case, leave_of(2).case, leave_of(4).case
    ids = [open_task(first, "mentor").pk, open_task(second, "mentor").pk]
    post(as_token(world.mentor_a), f"/api/workflow/tasks/{open_task(third, 'mentor').pk}/approve", {"version": 1})
    other = open_task(fresh(third), "supervisor").pk  # the supervisor's turn, not the mentor's
    response = post(
        as_token(world.mentor_a), "/api/workflow/batch-approve", {"task_ids": [*ids, other, 999999], "opinion": "同意"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["done"] == ids
    assert [r["task"] for r in body["refused"]] == [other, 999999]
    assert all(r["message"] for r in body["refused"])
    for case in (first, second):
        assert open_task(fresh(case), "supervisor")
        assert case.events.get(kind=CaseEvent.Kind.APPROVED).opinion == "同意"
    assert Task.objects.get(pk=other).state == Task.State.OPEN
    assert post(as_token(world.mentor_a), "/api/workflow/batch-approve", {"task_ids": []}).status_code == 422


@pytest.mark.spec("X-05", "W-03", "S-10")
def test_case_detail_has_steps_my_tasks_and_timeline_but_no_personal_data(world: World, leave_of: Any) -> None:
    record = leave_of(10, reason="家中老人住院需陪护")
    case = record.case
    mentor_task = open_task(case, "mentor")
    mentor = as_token(world.mentor_a)
    response = mentor.get(f"/api/workflow/cases/{case.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == case.title and body["version"] == 1 and body["round"] == 1
    assert body["process_code"] == case.definition.code and body["process_version"] == case.definition.version
    assert body["applicant_name"] == world.student_cs.display_name
    assert [s["key"] for s in body["steps"]] == ["mentor", "supervisor", "dean", "student_affairs"]
    assert body["steps"][0]["state"] == "open" and body["steps"][1]["state"] == "waiting"
    assert body["steps"][0]["tasks"][0]["id"] == mentor_task.pk
    assert [t["id"] for t in body["my_tasks"]] == [mentor_task.pk]
    assert [e["kind"] for e in body["events"]] == ["submitted"]
    text = response.content.decode()
    for secret in ("13800138000", "13700137000", "王父", "家中老人住院需陪护", record.student.id_number):
        assert secret not in text

    post(mentor, f"/api/workflow/tasks/{mentor_task.pk}/approve", {"version": 1, "opinion": "同意，注意安全"})
    seen_by_student = as_token(world.student_cs).get(f"/api/workflow/cases/{case.pk}").json()
    assert seen_by_student["my_tasks"] == [] and seen_by_student["is_applicant"] is True
    approved = seen_by_student["events"][-1]
    assert approved["kind"] == "approved" and approved["kind_label"] == "通过"
    assert approved["actor_name"] == "M0001" and approved["role_label"] == "企业导师"
    assert approved["opinion"] == "同意，注意安全" and approved["step_key"] == "mentor" and approved["at"]
    mentor_view = mentor.get(f"/api/workflow/cases/{case.pk}").json()
    assert mentor_view["revocable_task_ids"] == [mentor_task.pk] and mentor_view["my_tasks"] == []


@pytest.mark.spec("X-05", "W-04", "W-07")
def test_counts_follow_the_inbox(world: World, leave_of: Any) -> None:
    zero = {"todo": 0, "overdue": 0, "done": 0, "mine": 0, "cc": 0}
    assert as_token(world.mentor_a).get("/api/workflow/counts").json() == zero
    case = leave_of(3).case
    leave_of(2)
    assert as_token(world.mentor_a).get("/api/workflow/counts").json() == {**zero, "todo": 2}
    assert as_token(world.student_cs).get("/api/workflow/counts").json() == {**zero, "mine": 2}
    post(as_token(world.mentor_a), f"/api/workflow/tasks/{open_task(case, 'mentor').pk}/approve", {"version": 1})
    assert as_token(world.mentor_a).get("/api/workflow/counts").json() == {**zero, "todo": 1, "done": 1}
    assert as_token(world.supervisor_cs).get("/api/workflow/counts").json()["todo"] == 1


@pytest.mark.spec("X-05", "W-02", "W-08")
def test_revoke_transfer_withdraw_remind_and_terminate(world: World, leave_of: Any) -> None:
    case = leave_of(3).case
    mentor_task = open_task(case, "mentor")
    mentor = as_token(world.mentor_a)
    post(mentor, f"/api/workflow/tasks/{mentor_task.pk}/approve", {"version": 1})
    revoked = post(mentor, f"/api/workflow/tasks/{mentor_task.pk}/revoke", {"version": 2})
    assert revoked.status_code == 200 and revoked.json()["version"] == 3
    assert open_task(fresh(case), "mentor").pk == mentor_task.pk
    post(mentor, f"/api/workflow/tasks/{mentor_task.pk}/approve", {"version": 3})
    # 转办: the supervisor hands the step to a colleague of the school.
    supervisor = as_token(world.supervisor_cs)
    supervisor_task = open_task(fresh(case), "supervisor")
    url = f"/api/workflow/tasks/{supervisor_task.pk}/transfer"
    unknown = post(supervisor, url, {"version": case.version, "username": "nobody"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "username"
    moved = post(
        supervisor, url, {"version": case.version, "username": world.supervisor_me.username, "opinion": "出差"}
    )
    assert moved.status_code == 200, moved.content
    supervisor_task.refresh_from_db()
    assert supervisor_task.assignee_id == world.supervisor_me.pk
    assert fresh(case).events.filter(kind=CaseEvent.Kind.TRANSFERRED).count() == 1
    # Once decided, the student may no longer withdraw but may remind (once an hour).
    student = as_token(world.student_cs)
    assert post(student, f"/api/workflow/cases/{case.pk}/withdraw", {"version": case.version}).status_code == 409
    assert post(student, f"/api/workflow/cases/{case.pk}/remind").status_code == 200
    throttled = post(student, f"/api/workflow/cases/{case.pk}/remind")
    assert throttled.status_code == 429 and "一小时" in throttled.json()["detail"]
    # The graduate school ends it; a reason is required.
    grad = as_token(world.grad_school)
    url = f"/api/workflow/cases/{case.pk}/terminate"
    assert post(grad, url, {"version": case.version, "reason": ""}).status_code == 422
    ended = post(grad, url, {"version": case.version, "reason": "学生已退学"})
    assert ended.status_code == 200 and ended.json()["state"] == "terminated"
    # A fresh case is withdrawn by its applicant before anyone decides.
    other = leave_of(2).case
    withdrawn = post(student, f"/api/workflow/cases/{other.pk}/withdraw", {"version": other.version})
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"


@pytest.mark.spec("X-05", "S-05", "W-02")
def test_session_calls_need_the_csrf_token_bearer_calls_do_not(world: World, leave_of: Any) -> None:
    case = leave_of(3).case
    task = open_task(case, "mentor")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.mentor_a)
    assert browser.get("/api/workflow/inbox").json()["count"] == 1
    refused = post(browser, f"/api/workflow/tasks/{task.pk}/approve", {"version": 1})
    assert refused.status_code == 403
    task.refresh_from_db()
    assert task.state == Task.State.OPEN
    browser.get("/workflow/inbox/")  # sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    accepted = browser.post(
        f"/api/workflow/tasks/{task.pk}/approve",
        {"version": 1},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert accepted.status_code == 200, accepted.content
    assert Client().get("/api/workflow/inbox").status_code == 401


@pytest.mark.spec("X-05")
def test_openapi_lists_the_workflow_operations(world: World) -> None:
    spec = client_for(world.student_cs).get("/api/openapi.json").json()
    paths = spec["paths"]
    expected = {
        ("/api/workflow/inbox", "get"),
        ("/api/workflow/counts", "get"),
        ("/api/workflow/cases/{id}", "get"),
        ("/api/workflow/tasks/{id}/approve", "post"),
        ("/api/workflow/tasks/{id}/reject", "post"),
        ("/api/workflow/tasks/{id}/fail", "post"),
        ("/api/workflow/tasks/{id}/revoke", "post"),
        ("/api/workflow/tasks/{id}/transfer", "post"),
        ("/api/workflow/batch-approve", "post"),
        ("/api/workflow/cases/{id}/withdraw", "post"),
        ("/api/workflow/cases/{id}/remind", "post"),
        ("/api/workflow/cases/{id}/terminate", "post"),
    }
    for path, method in expected:
        operation = paths[path][method]
        assert operation["tags"] == ["审批流程"], path
        assert operation["summary"], path
    assert "409" in paths["/api/workflow/tasks/{id}/approve"]["post"]["responses"]


@pytest.mark.spec("W-01", "X-05")
def test_definitions_through_the_api_save_a_new_version(world: World, leave_of: Any) -> None:
    running = leave_of(3).case
    grad = client_for(world.grad_school)
    listed = grad.get("/api/workflow/definitions").json()
    leave = next(d for d in listed if d["code"] == "practice.leave_request")
    assert [s["key"] for s in leave["steps"]] == ["mentor", "supervisor", "dean", "student_affairs"]
    steps = [s for s in leave["steps"] if s["key"] != "dean"]
    steps[-1]["prerequisites"] = ["supervisor"]
    url = "/api/workflow/definitions/practice.leave_request"
    body = {"name": "实践过程请假", "change_note": "取消院长审核", "steps": steps}
    assert client_for(world.dean_cs).post(url, body, content_type="application/json").status_code == 403
    bad = grad.post(url, {**body, "steps": [{**steps[0], "actor": "nobody"}]}, content_type="application/json")
    assert bad.status_code == 422 and "审核人类型" in bad.json()["detail"]
    saved = grad.post(url, body, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["version"] == leave["version"] + 1
    assert [s["key"] for s in saved.json()["steps"]] == ["mentor", "supervisor", "student_affairs"]
    assert running is not None and running.definition.version == leave["version"]
    assert grad.post("/api/workflow/definitions/nope", body, content_type="application/json").status_code == 404
