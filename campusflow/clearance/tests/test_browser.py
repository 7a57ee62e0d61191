"""The desk and the student's page in a real browser at phone width (375 px), CSP watched."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from campusflow.clearance import actions
from campusflow.clearance.tests.conftest import build_plan
from campusflow.core.browser_testing import PHONE, log_in, new_context
from campusflow.core.testing import PASSWORD, build_world, unit

pytestmark = [pytest.mark.browser]


@pytest.mark.spec("C-02", "C-05", "C-07", "S-07")
def test_counters_refresh_in_place_and_the_student_page_fits_a_phone(chromium, live_server, transactional_db, console):
    world = build_world()
    unit("财务处", "office", world.school_a, "92", office_type="finance")
    plan = build_plan(world)
    actions.initialise(actor=world.school_admin, plan_id=plan.pk)
    library = plan.definition.steps.get(name="图书馆")
    base = live_server.url

    context = new_context(chromium, viewport=PHONE)
    page = console.watch(context.new_page())
    log_in(page, base, world.library_operator.username, PASSWORD)
    page.goto(f"{base}/clearance/desk/?q={world.students['cs'].student_no}")
    expect(page.get_by_test_id("count-passed")).to_have_text("0")
    page.get_by_test_id("decide-form").get_by_role("button", name="确定").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("count-passed")).to_have_text("1")
    # another operator passes the other student; 刷新 fetches the fragment without reloading
    actions.pass_tasks(actor=world.library_operator, checkpoint=library, student_ids=[world.students["me"].pk])
    page.evaluate("window.cfMarker = 1")
    page.get_by_test_id("counters-refresh").click()
    expect(page.get_by_test_id("count-passed")).to_have_text("2")
    assert page.evaluate("window.cfMarker") == 1  # same page: no reload
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()

    context = new_context(chromium, viewport=PHONE)
    page = console.watch(context.new_page())
    log_in(page, base, world.student_cs.username, PASSWORD)
    page.goto(f"{base}/clearance/me/")
    expect(page.get_by_test_id("my-step")).to_have_count(4)
    expect(page.get_by_test_id("next")).to_contain_text("导师审核")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
    console.assert_no_csp_violations()
