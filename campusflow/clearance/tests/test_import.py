"""C-04 批量导入 at the desk: 学号匹配 / 身份证号匹配, partial commit of the good rows, re-imports."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied
from python_calamine import CalamineWorkbook

from campusflow.clearance import actions, imports
from campusflow.clearance.models import ClearanceCounter
from campusflow.clearance.tests.conftest import Setup, add_students
from campusflow.core.testing import client_for, valid_id_number
from campusflow.core.uploads import SPREADSHEETS, validate_upload
from campusflow.jobs.models import Job
from campusflow.orgs.models import Student
from campusflow.workflow.models import Task

pytestmark = [pytest.mark.django_db, pytest.mark.spec("C-04"), pytest.mark.spec("X-01")]


def workbook(header: list[str], rows: list[list[Any]]) -> bytes:
    """A real .xlsx; ints are written as numbers, as Excel users type 学号."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output)
    sheet = book.add_worksheet()
    for c, h in enumerate(header):
        sheet.write_string(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(r, c, value)
            elif value is not None:
                sheet.write_string(r, c, value)
    book.close()
    return output.getvalue()


def run(s: Setup, actor: Any, step: str, data: bytes, *, match: str = "student_no", commit: bool = True) -> Any:
    spec = imports.spec_for(actor, s.step(step), match)
    return imports.run(spec, validate_upload(data, allowed=SPREADSHEETS), commit=commit)


def errors(outcome: Any) -> dict[int, str]:
    found: dict[int, str] = {}
    for e in outcome.report.errors:
        found[e.row] = found.get(e.row, "") + f"{e.column}:{e.message}"
    return found


def assert_counters_match(s: Setup) -> None:
    before = sorted(
        ClearanceCounter.objects.filter(plan=s.plan).values_list(
            "step_id", "department_id", "expected", "passed", "failed"
        )
    )
    actions.recount(s.plan)
    after = sorted(
        ClearanceCounter.objects.filter(plan=s.plan).values_list(
            "step_id", "department_id", "expected", "passed", "failed"
        )
    )
    assert before == after


@pytest.fixture
def many(setup: Setup) -> Setup:
    add_students(setup.world, 6, setup.world.cs)
    add_students(setup.world, 2, setup.world.me)
    actions.initialise(actor=setup.world.school_admin, plan_id=setup.plan.pk)
    setup.plan.refresh_from_db()
    return setup


def cs_students(s: Setup) -> list[Student]:
    return list(Student.objects.filter(department=s.world.cs, student_no__startswith="2020").order_by("student_no"))


HEAD = ["学号", "姓名", "办理结果", "备注"]


def test_by_student_no_with_numeric_cells_commits_and_counts(many: Setup) -> None:
    s, op = many, many.world.library_operator
    st = cs_students(s)[:3]
    data = workbook(HEAD, [[int(x.student_no), x.name, "通过", None] for x in st])
    preview = run(s, op, "图书馆", data, commit=False)
    assert (preview.to_pass, preview.error_rows, preview.committed) == (3, 0, False)
    assert not Task.objects.filter(step=s.step("图书馆"), state=Task.State.APPROVED).exists()
    done = run(s, op, "图书馆", data)
    assert (done.passed, done.already, done.error_rows) == (3, 0, 0)
    assert Task.objects.filter(step=s.step("图书馆"), state=Task.State.APPROVED).count() == 3
    # The same file again changes nothing: every row is 已办理 and skipped.
    again = run(s, op, "图书馆", data)
    assert (again.passed, again.already, again.error_rows) == (0, 3, 0)
    assert actions.counters(s.plan, s.step("图书馆")).passed == 3
    assert_counters_match(s)


def test_by_id_number_through_the_blind_index(many: Setup) -> None:
    s, op = many, many.world.library_operator
    st = cs_students(s)[:3]
    for k, x in enumerate(st):
        x.id_number = valid_id_number(serial=700 + k)
        x.save()
    st[2].id_number = st[1].id_number
    st[2].save()
    st = st[:2]
    data = workbook(["身份证号", "姓名", "办理结果", "备注"], [[x.id_number, x.name, "未通过", "图书未还"] for x in st])
    done = run(s, op, "图书馆", data, match="id_number")
    assert (done.failed, done.error_rows) == (1, 1)
    assert "多名学生" in errors(done)[3]
    task = Task.objects.get(case__student=st[0], step=s.step("图书馆"))
    assert (task.state, task.opinion) == (Task.State.FAILED, "图书未还")
    assert_counters_match(s)


def test_bad_rows_are_reported_and_good_ones_committed_then_corrected_rows_complete(many: Setup) -> None:
    s, op = many, many.world.library_operator
    st = cs_students(s)
    rows = [
        [int(st[0].student_no), st[0].name, "通过", None],  # row 2: good
        [int(st[1].student_no), st[1].name, "通过", None],  # row 3: duplicate
        [int(st[1].student_no), st[1].name, "通过", None],  # row 4: duplicate
        [int(st[2].student_no), "不是他", "通过", None],  # row 5: name mismatch
        [int(st[3].student_no), st[3].name, "未通过", None],  # row 6: 未通过 without 备注
        [99999999999, "无此人", "通过", None],  # row 7: not in the plan
        [int(st[4].student_no), st[4].name, "未通过", "欠费"],  # row 8: good
        [int(st[5].student_no), st[5].name, "通过了", None],  # row 9: bad result
    ]
    done = run(s, op, "图书馆", workbook(HEAD, rows))
    assert (done.passed, done.failed, done.error_rows) == (1, 1, 6)
    found = errors(done)
    assert set(found) == {3, 4, 5, 6, 7, 9}
    assert "重复" in found[3] and "重复" in found[4]
    assert found[5].startswith("姓名")
    assert found[6].startswith("备注")
    assert "不在本离校方案中" in found[7]
    assert found[9].startswith("办理结果")
    assert done.report.rejected_xlsx()[:2] == b"PK"
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(done.report.rejected_xlsx())).get_sheet_by_index(0).to_python()
    assert [int(str(r[0]).split(".")[0]) for r in sheet[1:]] == [3, 4, 5, 6, 7, 9]
    # The corrected rows complete the job; the rows done before are skipped.
    fixed = [
        [int(st[0].student_no), st[0].name, "通过", None],
        [int(st[1].student_no), st[1].name, "通过", None],
        [int(st[2].student_no), st[2].name, "通过", None],
        [int(st[3].student_no), st[3].name, "未通过", "损坏图书"],
        [int(st[5].student_no), st[5].name, "通过", None],
    ]
    again = run(s, op, "图书馆", workbook(HEAD, fixed))
    assert (again.passed, again.failed, again.already, again.error_rows) == (3, 1, 1, 0)
    assert actions.counters(s.plan, s.step("图书馆"), department_id=s.world.cs.pk).failed == 2
    assert_counters_match(s)


def test_prerequisites_name_the_missing_checkpoint_and_passed_cannot_fail(many: Setup) -> None:
    s = many
    st = cs_students(s)
    data = workbook(HEAD, [[int(st[0].student_no), st[0].name, "通过", None]])
    blocked = run(s, s.finance_operator, "财务清算", data)
    assert blocked.passed == 0 and "前置环节“图书馆”尚未通过" in errors(blocked)[2]
    run(s, s.world.library_operator, "图书馆", data)
    assert run(s, s.finance_operator, "财务清算", data).passed == 1
    refused = run(
        s, s.world.library_operator, "图书馆", workbook(HEAD, [[st[0].student_no, st[0].name, "未通过", "x"]])
    )
    assert "不能改为不通过" in errors(refused)[2]
    assert_counters_match(s)


def test_students_out_of_the_operators_scope_are_rejected(many: Setup) -> None:
    s = many
    me = Student.objects.filter(department=s.world.me, student_no__startswith="2020").first()
    cs = cs_students(s)[0]
    assert me is not None
    data = workbook(HEAD, [[me.student_no, me.name, "通过", None], [cs.student_no, cs.name, "通过", None]])
    done = run(s, s.dsa_cs, "导师审核", data)
    assert done.passed == 1 and "不在您的办理范围内" in errors(done)[2]
    with pytest.raises(PermissionDenied):
        imports.spec_for(s.dsa_cs, s.step("图书馆"), "student_no")
    assert_counters_match(s)


def _once(page: str) -> str:
    found = re.search(r'name="_once" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_desk_pages_upload_preview_confirm_and_rejected_file(many: Setup) -> None:
    s = many
    st = cs_students(s)
    client = client_for(s.world.library_operator)
    page = client.get("/clearance/desk/import/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "学号匹配" in text and "身份证号匹配" in text
    assert client.get("/clearance/desk/import/template/student_no/").status_code == 200
    data = workbook(HEAD, [[int(st[0].student_no), st[0].name, "通过", None], [1, "无", "通过", None]])
    upload = io.BytesIO(data)
    upload.name = "图书馆.xlsx"
    step = s.step("图书馆")
    response = client.post(
        "/clearance/desk/import/",
        {"plan": s.plan.pk, "step": step.key, "match": "student_no", "student_no-file": upload},
    )
    assert response.status_code == 302
    result = client.get(response["Location"])
    body = result.content.decode()
    assert 'data-testid="count-to-pass">1<' in body and 'data-testid="count-errors">1<' in body
    assert not Task.objects.filter(step=step, state=Task.State.APPROVED).exists()
    rejected = client.get(response["Location"] + "rejected/")
    assert rejected.status_code == 200 and rejected.content[:2] == b"PK"
    done = client.post(response["Location"] + "confirm/", {"_once": _once(body)})
    assert done.status_code == 200
    assert 'data-testid="count-passed">1<' in done.content.decode()
    assert Task.objects.filter(step=step, state=Task.State.APPROVED).count() == 1
    # Wrong role: a student gets 403.
    assert client_for(s.world.student_cs).get("/clearance/desk/import/").status_code == 403


def test_a_large_file_runs_as_a_job_with_the_operators_role(
    many: Setup, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    s = many
    monkeypatch.setattr("campusflow.clearance.import_views.BACKGROUND_ROWS", 2)
    st = cs_students(s)[:3]
    client = client_for(s.world.library_operator)
    upload = io.BytesIO(workbook(HEAD, [[int(x.student_no), x.name, "通过", None] for x in st]))
    upload.name = "big.xlsx"
    step = s.step("图书馆")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/clearance/desk/import/",
            {"plan": s.plan.pk, "step": step.key, "match": "student_no", "student_no-file": upload},
        )
    preview = Job.objects.get(kind="clearance.import")
    assert preview.state == Job.State.SUCCEEDED and not preview.params["commit"]
    body = client.get(response["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"] + "confirm/", {"_once": _once(body)})
    job = Job.objects.filter(kind="clearance.import").latest("pk")
    assert job.state == Job.State.SUCCEEDED and job.params["commit"]
    assert Task.objects.filter(step=step, state=Task.State.APPROVED).count() == 3
    assert_counters_match(s)
