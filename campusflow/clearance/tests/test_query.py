"""C-06 后台管理 → 查询统计: the matrix, statistics from the counters, per-checkpoint data, exports (X-02, X-04)."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from campusflow.clearance import actions
from campusflow.clearance.models import ClearanceCounter
from campusflow.clearance.tests.conftest import Setup, add_students
from campusflow.core.testing import client_for
from campusflow.orgs.models import Student

pytestmark = [pytest.mark.django_db, pytest.mark.spec("C-06")]


@pytest.fixture
def mixed(setup: Setup) -> Setup:
    s = setup
    add_students(s.world, 12, s.world.cs)
    add_students(s.world, 4, s.world.me)
    first = add_students(s.world, 1, s.world.me, start=50)[0]
    Student.objects.filter(pk=first.pk).update(name="=HYPERLINK(1)")
    actions.initialise(actor=s.world.school_admin, plan_id=s.plan.pk)
    s.plan.refresh_from_db()
    cs = list(Student.objects.filter(department=s.world.cs, student_no__startswith="2020").order_by("student_no"))
    lib = s.step("图书馆")
    actions.pass_tasks(actor=s.world.library_operator, checkpoint=lib, student_ids=[x.pk for x in cs[:6]])
    actions.pass_tasks(
        actor=s.world.library_operator,
        checkpoint=lib,
        student_ids=[x.pk for x in cs[6:8]],
        result="fail",
        remark="欠书",
    )
    actions.pass_tasks(actor=s.finance_operator, checkpoint=s.step("财务清算"), student_ids=[x.pk for x in cs[:3]])
    return s


def sheet(content: bytes) -> list[list[Any]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def download(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


@pytest.mark.spec("X-02")
def test_matrix_filters_states_and_fixed_query_count(mixed: Setup) -> None:
    s = mixed
    client = client_for(s.world.school_admin)
    page = client.get("/clearance/query/", {"plan": str(s.plan.pk), "department": str(s.world.cs.pk), "page_size": "5"})
    body = page.content.decode()
    assert page.status_code == 200
    for label in ("已办理", "未办理", "不通过", "未开始"):
        assert label in body
    cs = Student.objects.filter(department=s.world.cs, student_no__startswith="2020").order_by("student_no")
    one = client.get("/clearance/query/", {"plan": str(s.plan.pk), "student_no": cs[7].student_no}).content.decode()
    assert one.count('data-testid="query-row"') == 1 and 'data-status="failed"' in one
    assert client.get("/clearance/query/", {"plan": str(s.plan.pk), "gender": "F", "name": "学生1"}).status_code == 200

    def count(size: int) -> int:
        from django.test import override_settings

        with override_settings(LIST_PAGE_SIZE=size), CaptureQueriesContext(connection) as ctx:
            assert client.get("/clearance/query/", {"plan": str(s.plan.pk)}).status_code == 200
        return len(ctx.captured_queries)

    assert count(3) == count(15)


@pytest.mark.spec("X-04")
def test_statistics_equal_the_counters_and_chart(mixed: Setup) -> None:
    s = mixed
    page = client_for(s.world.school_admin).get("/clearance/query/statistics/", {"plan": str(s.plan.pk)})
    body = page.content.decode()
    found = re.search(r'<script id="chart-clearance" type="application/json">(.*?)</script>', body)
    assert found
    option = json.loads(found.group(1))
    names = [x["name"] for x in option["series"]]
    assert names == ["已通过", "未通过", "未办理"]
    steps = list(s.plan.definition.steps.order_by("order"))
    lib = steps.index(s.step("图书馆"))
    tally = actions.counters(s.plan, s.step("图书馆"))
    assert option["series"][0]["data"][lib] == tally.passed == 6
    assert option["series"][1]["data"][lib] == tally.failed == 2
    assert option["series"][2]["data"][lib] == tally.pending
    assert 'data-echarts="chart-clearance"' in body and "echarts.min.js" in body
    before = sorted(ClearanceCounter.objects.values_list("step_id", "department_id", "passed", "failed"))
    actions.recount(s.plan)
    assert before == sorted(ClearanceCounter.objects.values_list("step_id", "department_id", "passed", "failed"))


@pytest.mark.spec("X-02")
def test_exports_are_masked_scoped_and_formula_safe(mixed: Setup) -> None:
    s = mixed
    dsa = client_for(s.dsa_cs)
    rows = sheet(download(dsa.get("/clearance/query/export/", {"plan": str(s.plan.pk)})))
    header = rows[0]
    assert "图书馆" in header and "身份证号" in header
    departments = {r[header.index("院系")] for r in rows[1:]}
    assert departments == {s.world.cs.name}
    ids = [r[header.index("身份证号")] for r in rows[1:]]
    assert all("*" in str(i) for i in ids if i)
    checkpoint = sheet(
        download(
            dsa.get(
                "/clearance/query/checkpoint/export/",
                {"plan": str(s.plan.pk), "step": s.step("图书馆").key, "status": "failed"},
            )
        )
    )
    assert len(checkpoint) == 3 and checkpoint[1][-1] == "欠书"
    stats = sheet(
        download(client_for(s.world.school_admin).get("/clearance/query/statistics/export/", {"plan": str(s.plan.pk)}))
    )
    assert stats[0][:2] == ["环节", "院系"]
    # A name that looks like a formula stays text.
    full = client_for(s.world.school_admin).get("/clearance/query/export/", {"plan": str(s.plan.pk)})
    names = [r[2] for r in sheet(download(full))[1:]]
    assert "=HYPERLINK(1)" in names


def test_roles_and_schools(mixed: Setup) -> None:
    s = mixed
    assert client_for(s.world.student_cs).get("/clearance/query/").status_code == 403
    assert client_for(s.world.supervisor_cs).get("/clearance/query/statistics/").status_code == 403
    assert client_for(s.world.school_admin_b).get("/clearance/query/", {"plan": str(s.plan.pk)}).status_code == 404
    op = client_for(s.world.library_operator)
    page = op.get(
        "/clearance/query/checkpoint/", {"plan": str(s.plan.pk), "step": s.step("图书馆").key, "status": "passed"}
    )
    assert page.content.decode().count('data-testid="checkpoint-row"') == 6
