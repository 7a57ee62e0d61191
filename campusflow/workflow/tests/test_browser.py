"""The approval chain in a real browser (Debian chromium through Playwright's sync API).

A leave request (G-06) filled by the student and approved by each person of its
chain from the inbox (W-04) and the case page (W-02, W-03), one of them on a phone
(X-06); a return to the applicant and the resubmission (W-02); the mentor's
one-time link without signing in (W-09). Every page's console is watched for
Content-Security-Policy violations (S-07).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from campusflow.accounts.models import User
from campusflow.core.browser_testing import PHONE, Console, log_in, new_context, no_horizontal_scroll
from campusflow.core.testing import PASSWORD, World, build_world
from campusflow.notifications.models import Notification
from campusflow.workflow import actions
from campusflow.workflow.models import Case, Task
from campusflow.workflow.tests.conftest import leave, open_task

pytestmark = [pytest.mark.browser]

NAMES = {
    "student_cs": "王小明",
    "mentor_a": "马建英",
    "supervisor_cs": "张导师",
    "dean_cs": "刘院长",
    "student_affairs": "周老师",
}


def named_world() -> World:
    """The personas, with real names so the timeline says who acted."""
    world = build_world()
    for key, name in NAMES.items():
        User.objects.filter(pk=world.people[key].pk).update(full_name=name)
    return world


def signed_in(chromium: Browser, console: Console, base: str, user: User, **options: Any) -> Page:
    context = new_context(chromium, **options)
    page = console.watch(context.new_page())
    log_in(page, base, user.username, PASSWORD)
    return page


def open_from_inbox(page: Page, base: str, title: str) -> None:
    """The inbox shows one 待办; its link opens the case page."""
    page.goto(f"{base}/workflow/inbox/")
    expect(page.get_by_test_id("count-todo")).to_have_text("1")
    row = page.get_by_test_id("todo-row")
    expect(row).to_have_count(1)
    row.get_by_role("link", name=title).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def act(page: Page, button: str, opinion: str = "") -> None:
    task = page.get_by_test_id("my-task")
    task.get_by_label("审核意见").fill(opinion)
    task.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()


def fill_leave(page: Page, start: str, end: str, reason: str) -> None:
    page.fill("#id_start_date", start)
    page.fill("#id_end_date", end)
    page.fill("#id_reason", reason)


@pytest.mark.spec("G-06", "W-02", "W-03", "W-04", "X-06")
def test_a_ten_day_leave_goes_through_the_whole_chain_in_the_browser(chromium, live_server, transactional_db, console):
    world = named_world()
    base = live_server.url
    start = timezone.localdate() + timedelta(days=1)
    end = start + timedelta(days=9)

    # The student fills the request from 实践过程请假 → 我要请假.
    student = signed_in(chromium, console, base, world.student_cs)
    student.goto(f"{base}/practice/leave/")
    student.get_by_role("link", name="我要请假").click()
    student.wait_for_load_state()
    expect(student).to_have_url(f"{base}/practice/leave/new/")
    expect(student.locator("#id_phone")).to_have_value("13800138000")  # filled from the student's record
    fill_leave(student, start.isoformat(), end.isoformat(), "回家处理家中急事")
    student.get_by_role("button", name="提交审核").click()
    student.wait_for_load_state()
    expect(student).to_have_url(re.compile(r"/workflow/cases/\d+/$"))
    expect(student.get_by_test_id("case-state")).to_have_text("审核中")
    expect(student.get_by_test_id("leave-dates")).to_contain_text("10 天")
    case = Case.objects.get()
    case_url = student.url

    # Each approver in their own browser; the dean on a phone.
    chain = [
        ("mentor_a", "企业导师同意", {}),
        ("supervisor_cs", "学校导师同意", {}),
        ("dean_cs", "注意安全，按时返回", {"viewport": PHONE, "is_mobile": True, "has_touch": True}),
        ("student_affairs", "学工处备案", {}),
    ]
    for key, opinion, options in chain:
        page = signed_in(chromium, console, base, world.people[key], **options)
        open_from_inbox(page, base, case.title)
        if options:
            no_horizontal_scroll(page, PHONE["width"])
        act(page, "确定（通过）", opinion)
        expect(page.get_by_role("alert").filter(has_text="已通过。")).to_be_visible()
        expect(page.get_by_test_id("my-task")).to_have_count(0)
        if options:
            no_horizontal_scroll(page, PHONE["width"])
            page.goto(f"{base}/workflow/inbox/")
            expect(page.get_by_test_id("count-todo")).to_have_text("0")
            no_horizontal_scroll(page, PHONE["width"])
        page.context.close()

    # The student sees the outcome and who said what at each step.
    student.goto(case_url)
    expect(student.get_by_test_id("case-state")).to_have_text("已通过")
    events = student.get_by_test_id("timeline-event")
    expect(events).to_have_count(6)
    expect(events.nth(0)).to_contain_text("提交")
    expect(events.nth(0)).to_contain_text("王小明")
    for index, (key, opinion, _options) in enumerate(chain, start=1):
        event = events.nth(index)
        expect(event).to_contain_text("通过")
        expect(event).to_contain_text(NAMES[key])
        expect(event).to_contain_text(opinion)
    for step in ("企业导师", "学校导师", "教学院长"):
        expect(events.filter(has_text=step)).to_have_count(1)
    steps = student.get_by_test_id("steps")
    expect(steps.get_by_text("已通过")).to_have_count(4)
    console.assert_no_csp_violations()
    student.context.close()


@pytest.mark.spec("G-06", "W-02")
def test_a_returned_leave_is_corrected_and_resubmitted(chromium, live_server, transactional_db, console):
    world = named_world()
    base = live_server.url
    record = leave(world, 3, reason="家中有事")
    case = record.case
    assert case is not None
    actions.approve(actor=world.mentor_a, task_id=open_task(case, "mentor").pk, opinion="同意")
    case.refresh_from_db()
    version = case.version

    supervisor = signed_in(chromium, console, base, world.supervisor_cs)
    open_from_inbox(supervisor, base, case.title)

    # 驳回重新提交 without an opinion is refused in Chinese and changes nothing.
    act(supervisor, "驳回重新提交")
    expect(supervisor.get_by_role("alert").filter(has_text="请填写意见（驳回或不通过时必填）。")).to_be_visible()
    expect(supervisor.get_by_test_id("case-state")).to_have_text("审核中")
    expect(supervisor.get_by_test_id("my-task")).to_have_count(1)
    case.refresh_from_db()
    assert case.state == Case.State.IN_PROGRESS and case.version == version
    assert open_task(case, "supervisor")

    act(supervisor, "驳回重新提交", "请假日期写错了，请核对")
    expect(supervisor.get_by_role("alert").filter(has_text="已驳回。")).to_be_visible()
    expect(supervisor.get_by_test_id("case-state")).to_have_text("已驳回待重新提交")
    supervisor.context.close()

    # The student sees why, corrects the reason and sends it again.
    student = signed_in(chromium, console, base, world.student_cs)
    student.goto(f"{base}/workflow/cases/{case.pk}/")
    expect(student.get_by_test_id("case-state")).to_have_text("已驳回待重新提交")
    expect(student.get_by_test_id("timeline-event").filter(has_text="请假日期写错了，请核对")).to_contain_text("张导师")
    student.get_by_role("link", name="修改并重新提交").click()
    student.wait_for_load_state()
    expect(student).to_have_url(f"{base}/practice/leave/{record.pk}/edit/")
    expect(student.locator("#id_reason")).to_have_value("家中有事")
    expect(student.locator("#id_start_date")).to_have_value(record.start_date.isoformat())
    expect(student.locator("#id_end_date")).to_have_value(record.end_date.isoformat())
    student.fill("#id_reason", "家中老人住院需回家照顾")
    student.get_by_role("button", name="修改并重新提交").click()
    student.wait_for_load_state()
    expect(student).to_have_url(f"{base}/workflow/cases/{case.pk}/")
    expect(student.get_by_test_id("case-state")).to_have_text("审核中")
    expect(student.get_by_text("第 2 次提交")).to_be_visible()
    expect(student.get_by_test_id("leave-detail")).to_contain_text("家中老人住院需回家照顾")
    student.context.close()

    # The chain starts again at the enterprise mentor.
    mentor = signed_in(chromium, console, base, world.mentor_a)
    open_from_inbox(mentor, base, case.title)
    expect(mentor.get_by_test_id("my-task")).to_contain_text("企业导师")
    expect(mentor.get_by_test_id("leave-detail")).to_contain_text("家中老人住院需回家照顾")
    record.refresh_from_db()
    assert record.reason == "家中老人住院需回家照顾"
    case.refresh_from_db()
    assert case.round == 2 and open_task(case, "mentor")
    console.assert_no_csp_violations()
    mentor.context.close()


@pytest.mark.spec("W-09")
def test_the_mentor_approves_from_the_one_time_link(chromium, live_server, transactional_db, console):
    world = named_world()
    base = live_server.url
    case = leave(world, 3, reason="参加学术会议").case
    assert case is not None
    note = Notification.objects.filter(recipient=world.mentor_a, kind="workflow.link").latest("created_at")
    match = re.search(r"/workflow/link/[^/\s]+/", note.url)
    assert match, note.url
    link = base + match.group(0)

    context = new_context(chromium, viewport=PHONE, is_mobile=True, has_touch=True)
    page = console.watch(context.new_page())
    page.goto(link)
    expect(page.get_by_role("heading", name=case.title)).to_be_visible()
    expect(page.get_by_text("此链接仅用于办理")).to_contain_text("马建英")
    details = page.get_by_test_id("leave-detail")
    expect(details).to_contain_text("参加学术会议")
    expect(details).to_contain_text("王小明")
    expect(details).not_to_contain_text("13800138000")  # the phone stays masked
    no_horizontal_scroll(page, PHONE["width"])
    page.fill("#link-opinion", "同意，路上注意安全")
    page.get_by_role("button", name="确定（通过）").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("link-done")).to_contain_text(case.title)

    again = page.goto(link)
    assert again is not None and again.status == 404
    expect(page.get_by_test_id("link-invalid")).to_be_visible()
    expect(page.get_by_role("button", name="确定（通过）")).to_have_count(0)
    page.goto(f"{base}/workflow/inbox/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))  # the link signed nobody in
    context.close()

    supervisor = signed_in(chromium, console, base, world.supervisor_cs)
    open_from_inbox(supervisor, base, case.title)
    link_event = supervisor.get_by_test_id("timeline-event").filter(has_text="短信链接")
    expect(link_event).to_contain_text("马建英")
    expect(link_event).to_contain_text("同意，路上注意安全")
    case.refresh_from_db()
    assert case.tasks.get(step__key="mentor").state == Task.State.APPROVED
    console.assert_no_csp_violations()
    supervisor.context.close()
