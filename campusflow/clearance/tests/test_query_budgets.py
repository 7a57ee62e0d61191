"""Query budgets of the clearance pages (issue 6).

Beyond the session, user and role lookups (``core.testing.page_queries``), a list page runs at
most 4 queries, a detail page 6, a dashboard 2 — and a list runs the same number with 20 rows
as with 100. Each failure lists the page's queries.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

from campusflow.clearance import actions
from campusflow.clearance.tests.conftest import Setup, add_students, build_plan
from campusflow.core.testing import BUDGET, client_for, page_queries

pytestmark = [pytest.mark.django_db, pytest.mark.spec("C-02", "C-03", "C-05", "C-06", "C-07", "C-08")]

# The header's unread-notification count is being folded into the user lookup; while a page
# still runs it on its own it is not the page's query.
BELL = 'FROM "notifications_notification"'


def own_queries(client: Client, url: str) -> list[str]:
    return [sql for sql in page_queries(client, url) if BELL not in sql]


def within(client: Client, url: str, kind: str) -> int:
    own = own_queries(client, url)
    listing = "\n".join(f"  {i + 1}. {sql[:300]}" for i, sql in enumerate(own))
    assert len(own) <= BUDGET[kind], f"{url} ({kind}) runs {len(own)} queries, budget {BUDGET[kind]}:\n{listing}"
    return len(own)


def plan_with(s: Setup, n: int) -> Setup:
    """``n`` more students of 计算机学院 in the plan, some checkpoints decided."""
    w = s.world
    students = add_students(w, n, w.cs, start=1000 * n)
    actions.initialise(actor=w.school_admin, plan_id=s.plan.pk)
    s.plan.refresh_from_db()
    ids = [x.pk for x in students]
    actions.pass_tasks(actor=w.library_operator, checkpoint=s.step("图书馆"), student_ids=ids[: n // 2])
    actions.pass_tasks(
        actor=w.library_operator,
        checkpoint=s.step("图书馆"),
        student_ids=ids[n // 2 : n // 2 + 3],
        result="fail",
        remark="未还书",
    )
    actions.pass_tasks(actor=s.finance_operator, checkpoint=s.step("财务清算"), student_ids=ids[: n // 4])
    return s


def desk_query(s: Setup, step: str, **extra: str) -> str:
    return urlencode({"plan": s.plan.pk, "step": s.step(step).key, **extra})


def list_pages(s: Setup) -> list[tuple[str, Client, str]]:
    """(name, client, url) of every clearance list page, as the persona who uses it."""
    w = s.world
    library = client_for(w.library_operator)
    school = client_for(w.school_admin)
    lib = desk_query(s, "图书馆")
    plan = urlencode({"plan": s.plan.pk})
    return [
        ("desk batch", library, f"/clearance/desk/batch/?{lib}"),
        ("desk batch, filtered", library, f"/clearance/desk/batch/?{lib}&status=open&name=学生"),
        ("desk batch, a college", client_for(s.dsa_cs), f"/clearance/desk/batch/?{desk_query(s, '培养单位学工审核')}"),
        ("query matrix", school, f"/clearance/query/?{plan}"),
        ("query matrix, filtered", school, f"/clearance/query/?{plan}&name=学生"),
        ("checkpoint data", school, f"/clearance/query/checkpoint/?{plan}&step={s.step('图书馆').key}"),
        ("checkpoint data, a status", library, f"/clearance/query/checkpoint/?{lib}&status=passed"),
        ("statistics", school, f"/clearance/query/statistics/?{plan}"),
        ("issuance", client_for(s.issuer_cs), f"/clearance/issuance/?{plan}"),
    ]


@pytest.mark.parametrize("n", [20, 100])
def test_list_pages_within_budget(active: Setup, n: int) -> None:
    s = plan_with(active, n)
    for _name, client, url in list_pages(s):
        within(client, url, "list")


def test_list_pages_run_as_many_queries_with_20_rows_as_with_100(active: Setup) -> None:
    s = active
    counts: dict[str, list[int]] = {}
    for n in (20, 80):  # 20, then 100 in all
        plan_with(s, n)
        for name, client, url in list_pages(s):
            counts.setdefault(name, []).append(len(own_queries(client, url)))
    assert all(a == b for a, b in counts.values()), counts


@pytest.mark.parametrize("n", [20, 100])
def test_plan_list_within_budget(setup: Setup, n: int) -> None:
    w = setup.world
    for i in range(n - 1):
        actions.create_plan(actor=w.school_admin, school=w.school_a, data=actions.PlanInput(name=f"方案{i}"))
    client = client_for(w.school_admin)
    assert within(client, "/clearance/plans/", "list") == len(own_queries(client, "/clearance/plans/?page=2"))


@pytest.mark.parametrize("n", [20, 100])
def test_detail_pages_within_budget(active: Setup, n: int) -> None:
    s = plan_with(active, n)
    w = s.world
    within(client_for(w.school_admin), f"/clearance/plans/{s.plan.pk}/", "detail")
    library = client_for(w.library_operator)
    student = w.students["cs"].pk
    within(library, f"/clearance/desk/?{desk_query(s, '图书馆')}", "detail")
    within(library, f"/clearance/desk/?{desk_query(s, '图书馆', student=str(student))}", "detail")
    within(library, f"/clearance/desk/?{desk_query(s, '图书馆', q='王小明')}", "detail")
    within(library, f"/clearance/desk/import/?{desk_query(s, '图书馆')}", "detail")
    within(client_for(w.school_admin), "/clearance/plans/new/", "detail")
    own = client_for(w.student_cs)
    one = within(own, "/clearance/me/", "detail")
    # a second plan the student is in costs nothing more
    second = build_plan(w, name="2020级研究生12月份")
    actions.initialise(actor=w.school_admin, plan_id=second.pk)
    assert within(own, "/clearance/me/", "detail") == one
    # a draft plan's page counts the students it would cover
    draft = actions.create_plan(actor=w.school_admin, school=w.school_a, data=actions.PlanInput(name="草稿"))
    actions.add_checkpoint(actor=w.school_admin, plan_id=draft.pk, name="图书馆", handler="office:library")
    within(client_for(w.school_admin), f"/clearance/plans/{draft.pk}/", "detail")


@pytest.mark.parametrize("n", [20, 100])
def test_counters_fragment_within_budget(active: Setup, n: int) -> None:
    s = plan_with(active, n)
    within(client_for(s.world.library_operator), f"/clearance/desk/counters/?{desk_query(s, '图书馆')}", "dashboard")
    within(client_for(s.dsa_cs), f"/clearance/desk/counters/?{desk_query(s, '培养单位学工审核')}", "dashboard")
    within(client_for(s.world.library_operator), "/clearance/desk/counters/", "dashboard")


def test_the_list_counts_what_it_shows(active: Setup) -> None:
    """The unfiltered 批量办理 list takes its total from the counters: it must equal its rows."""
    s = plan_with(active, 40)
    operators = (
        (client_for(s.world.library_operator), "图书馆", None),
        (client_for(s.dsa_cs), "培养单位学工审核", s.world.cs.pk),
    )
    for client, step, department in operators:
        url = f"/clearance/desk/batch/?{desk_query(s, step)}"
        tally = actions.counters(s.plan, s.step(step), department_id=department)
        first = client.get(url).content.decode()
        assert f"共 {tally.expected} 条" in first
        shown, page, html = 0, 1, first
        while True:
            shown += html.count('data-testid="batch-row"')
            if "下一页" not in html:
                break
            page += 1
            html = client.get(f"{url}&page={page}").content.decode()
        assert shown == tally.expected
        # a filtered list is counted by its own query (the 40 added students are named 学生…)
        assert "共 40 条" in client.get(f"{url}&name=学生").content.decode()
        assert "共 40 条" in client.get(f"{url}&name=学生&page=2").content.decode()
        assert "共 0 条" in client.get(f"{url}&name=无此人").content.decode()
