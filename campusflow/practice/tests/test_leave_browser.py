"""The leave-school application (G-03) and leave-request forms in a real browser.

Uploads are real files and the attachment comes back as a download for the
supervisor who reviews it (S-06). Every page's console is watched for
Content-Security-Policy violations (S-07).
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfWriter

from campusflow.core.browser_testing import log_in, new_context
from campusflow.core.testing import PASSWORD, build_world
from campusflow.practice import leave_actions
from campusflow.practice.models import LeaveSchoolApplication
from campusflow.workflow import actions
from campusflow.workflow.tests.conftest import leave

pytestmark = [pytest.mark.browser]


def blank_pdf(path: Path) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.spec("G-03", "S-06")
def test_outside_beijing_needs_the_travel_attachment_which_the_supervisor_downloads(
    chromium, live_server, transactional_db, tmp_path, console
):
    world = build_world()
    base = live_server.url
    leave_date = timezone.localdate() + timedelta(days=3)
    entry_date = leave_date + timedelta(days=2)
    pdf = blank_pdf(tmp_path / "行程单.pdf")

    context = new_context(chromium)
    page = console.watch(context.new_page())
    log_in(page, base, world.student_cs.username, PASSWORD)
    page.goto(f"{base}/practice/leave-school/")
    page.get_by_role("link", name="提交离校申请").click()
    page.wait_for_load_state()
    expect(page).to_have_url(f"{base}/practice/leave-school/new/")
    page.fill("#id_station_name", "上海张江研究生工作站")
    page.fill("#id_leave_date", leave_date.isoformat())
    page.fill("#id_expected_entry_date", entry_date.isoformat())
    page.select_option("#id_location", label="京外")

    # Without the travel attachment the application is refused, and what was typed stays.
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state()
    expect(page).to_have_url(f"{base}/practice/leave-school/new/")
    expect(page.get_by_text("京外工作站必须上传行程附件")).to_be_visible()
    expect(page.locator("#id_station_name")).to_have_value("上海张江研究生工作站")
    expect(page.locator("#id_leave_date")).to_have_value(leave_date.isoformat())
    expect(page.locator("#id_location")).to_have_value(LeaveSchoolApplication.Location.OUTSIDE)
    assert not LeaveSchoolApplication.objects.exists()

    page.set_input_files("#id_travel_attachment", str(pdf))
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/workflow/cases/\d+/$"))
    expect(page.get_by_test_id("case-state")).to_have_text("审核中")
    detail = page.get_by_test_id("leave-school-detail")
    expect(detail).to_contain_text("京外")
    expect(detail.get_by_role("link", name="行程单.pdf")).to_be_visible()
    record = LeaveSchoolApplication.objects.get()
    assert record.travel_attachment_name == "行程单.pdf"
    assert record.case is not None
    context.close()

    # The supervisor finds it in the inbox and downloads the attachment.
    context = new_context(chromium)
    page = console.watch(context.new_page())
    log_in(page, base, world.supervisor_cs.username, PASSWORD)
    page.goto(f"{base}/workflow/inbox/")
    expect(page.get_by_test_id("count-todo")).to_have_text("1")
    page.get_by_test_id("todo-row").get_by_role("link", name=record.case.title).click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("my-task")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_test_id("leave-school-detail").get_by_role("link", name="行程单.pdf").click()
    download = info.value
    assert download.suggested_filename == "行程单.pdf"
    saved = tmp_path / "downloaded.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == pdf.read_bytes()
    console.assert_no_csp_violations()
    context.close()


@pytest.mark.spec("G-03", "G-06")
def test_the_edit_form_shows_the_dates_already_given(chromium, live_server, transactional_db, console):
    """Under zh-hans the dates must still reach <input type=date> as YYYY-MM-DD, or it shows them blank."""
    world = build_world()
    base = live_server.url
    request = leave(world, 3)
    school = leave_actions.submit_leave_school(
        actor=world.student_cs,
        data=leave_actions.LeaveSchoolInput(
            station_name="北京中关村工作站",
            leave_date=timezone.localdate() + timedelta(days=3),
            expected_entry_date=timezone.localdate() + timedelta(days=4),
            location=LeaveSchoolApplication.Location.BEIJING,
            safety_notice_submitted=False,
        ),
    )
    for record in (request, school):
        assert record.case is not None
        actions.withdraw(actor=world.student_cs, case_id=record.case_id, expected_version=record.case.version)

    context = new_context(chromium)
    page = console.watch(context.new_page())
    log_in(page, base, world.student_cs.username, PASSWORD)
    page.goto(f"{base}/practice/leave/{request.pk}/edit/")
    shown = {"start_date": page.input_value("#id_start_date"), "end_date": page.input_value("#id_end_date")}
    page.goto(f"{base}/practice/leave-school/{school.pk}/edit/")
    shown["leave_date"] = page.input_value("#id_leave_date")
    shown["expected_entry_date"] = page.input_value("#id_expected_entry_date")
    console.assert_no_csp_violations()
    context.close()
    assert shown == {
        "start_date": request.start_date.isoformat(),
        "end_date": request.end_date.isoformat(),
        "leave_date": school.leave_date.isoformat(),
        "expected_entry_date": school.expected_entry_date.isoformat(),
    }
