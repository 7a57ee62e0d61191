"""The org pages on a phone (X-06) in a real browser (Debian chromium through Playwright)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from pypdf import PdfWriter

from campusflow.core.models import SensitiveAccess
from campusflow.core.testing import PASSWORD, build_world
from campusflow.orgs.models import CommitmentLetter

pytestmark = [pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-quic"]
PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways: {width}px"


@pytest.mark.spec("X-06", "P-02", "P-07", "P-08", "P-10")
def test_org_pages_work_on_a_phone(chromium, live_server, transactional_db, tmp_path):
    world = build_world()
    context = chromium.new_context(locale="zh-CN", viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    base = live_server.url
    log_in(page, base, world.school_admin.username)
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
        fits(page)

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
    fits(page)

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
    fits(page)
    context.close()
