"""The org pages on a phone (X-06) in a real browser (Debian chromium through Playwright)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter

from campusflow.core.browser_testing import PHONE, log_in, new_context, no_horizontal_scroll
from campusflow.core.models import SensitiveAccess
from campusflow.core.testing import PASSWORD, build_world
from campusflow.orgs.models import CommitmentLetter

pytestmark = [pytest.mark.browser]


@pytest.mark.spec("X-06", "P-02", "P-07", "P-08", "P-10")
def test_org_pages_work_on_a_phone(chromium, live_server, transactional_db, tmp_path, console):
    world = build_world()
    context = new_context(chromium, viewport=PHONE)
    page = console.watch(context.new_page())
    base = live_server.url
    log_in(page, base, world.school_admin.username, PASSWORD)
    for path in (
        "/org/students/",
        "/org/teachers/",
        "/org/mentors/",
        "/org/units/",
        "/org/commitments/",
        "/org/teachers/new/",
        "/org/units/new/",
    ):
        page.goto(base + path)
        assert page.locator("h1").count() == 1, path
        no_horizontal_scroll(page, PHONE["width"])

    # filters stack and work
    page.goto(base + "/org/students/")
    page.fill("#id_q", "小明")
    page.get_by_role("button", name="查询").click()
    assert page.locator('[data-testid="student-row"]').count() == 1

    # reveal on the detail page
    page.locator('[data-testid="student-row"] a').first.click()
    assert "*" in page.locator('[data-testid="id-number"]').inner_text()
    page.get_by_role("button", name="显示完整信息").click()
    page.wait_for_load_state()
    assert page.locator('[data-testid="id-number"]').inner_text() == world.students["cs"].id_number
    assert SensitiveAccess.objects.count() == 1
    no_horizontal_scroll(page, PHONE["width"])

    # upload this year's letter
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    pdf = tmp_path / "承诺书.pdf"
    buffer = io.BytesIO()
    writer.write(buffer)
    pdf.write_bytes(buffer.getvalue())
    page.goto(base + "/org/commitments/")
    page.set_input_files("#id_file", str(pdf))
    page.get_by_role("button", name="上传").click()
    page.wait_for_load_state()
    assert page.locator('[data-testid="commitment-status"]').inner_text() == "已上传"
    assert CommitmentLetter.objects.count() == 1
    no_horizontal_scroll(page, PHONE["width"])
    console.assert_no_csp_violations()
    context.close()
