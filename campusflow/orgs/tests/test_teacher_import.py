"""教师信息 / 导入指导老师信息 (P-06, X-01): template, preview, all-or-nothing import with accounts,
the one-time initial-password file, department scope, taken usernames, query count.

Files are real .xlsx workbooks built with xlsxwriter and read back with python-calamine.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
import xlsxwriter
from django.contrib.auth.hashers import check_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from campusflow.accounts.models import RoleAssignment, User
from campusflow.core.models import AuditEvent
from campusflow.core.roles import Role
from campusflow.core.testing import World, client_for, make_user
from campusflow.core.uploads import SPREADSHEETS, validate_upload
from campusflow.jobs.models import Job
from campusflow.orgs import actions
from campusflow.orgs.imports import TeacherImport
from campusflow.orgs.models import Teacher

pytestmark = pytest.mark.django_db

LIST = "/org/teachers/"
IMPORT = "/org/teachers/import/"
TEMPLATE = "/org/teachers/import/template/"
HEADERS = ["工号", "姓名", "院系", "性别", "职称", "手机号码", "电子邮箱", "是否研究生导师"]


def workbook(rows: list[list[Any]], headers: list[str] = HEADERS) -> bytes:
    """A real .xlsx; ints become number cells, as in a General-formatted Excel column."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet("教师信息")
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, (int, float)):
                sheet.write_number(r, col, value)
            elif value is not None:
                sheet.write_string(r, col, value)
    book.close()
    return output.getvalue()


def teacher_row(
    no: Any, name: str = "王老师", dept: str = "计算机学院", supervisor: str = "否", phone: Any = ""
) -> list[Any]:
    return [no, name, dept, "男", "讲师", phone, "", supervisor]


def read(data: bytes, sheet: int = 0) -> list[list[Any]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(sheet).to_python()


def upload(data: bytes) -> Any:
    return validate_upload(SimpleUploadedFile("教师.xlsx", data), allowed=SPREADSHEETS)


def preview(client: Any, data: bytes) -> tuple[Any, str]:
    response = client.post(IMPORT, {"file": SimpleUploadedFile("教师.xlsx", data)})
    assert response.status_code == 302, response.content.decode()[:500]
    location = response["Location"]
    return client.get(location), location.rstrip("/").rsplit("/", 1)[-1]


def confirm(client: Any, page: Any, token: str) -> Any:
    once = page.content.decode().split('name="_once" value="')[1].split('"')[0]
    return client.post(f"{IMPORT}{token}/confirm/", {"_once": once})


def count(page: Any, name: str) -> int:
    return int(page.content.decode().split(f'data-testid="count-{name}">')[1].split("<")[0])


def passwords_file(page: Any) -> bytes:
    html = page.content.decode()
    href = html.split('data-testid="passwords-download"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert href.startswith("data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,")
    return base64.b64decode(href.split(",", 1)[1])


@pytest.mark.spec("P-06", "X-01")
def test_template_has_the_columns_and_explains_accounts(world: World) -> None:
    response = client_for(world.school_admin).get(TEMPLATE)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names == ["教师信息", "填写说明"]
    header, example = read(response.content)[:2]
    assert header == HEADERS == [c.header for c in TeacherImport.columns] and example[0] == "T3001"
    guide = "\n".join(str(cell) for line in read(response.content, 1) for cell in line)
    assert "校内导师" in guide and "用户名为工号" in guide and "初始密码" in guide
    # The template as downloaded passes validation; the department admin gets it too.
    page, _token = preview(client_for(world.dept_admin_cs), response.content)
    assert count(page, "created") == 1 and count(page, "errors") == 0
    page = client_for(world.school_admin).get(LIST).content.decode()
    assert 'data-testid="import-link"' in page and "导入指导老师信息" in page


@pytest.mark.spec("P-06", "X-01")
def test_preview_writes_nothing_then_import_creates_teachers_accounts_and_a_one_time_password_file(
    world: World,
) -> None:
    data = workbook(
        [
            teacher_row("T3001", "  周 老师 ", supervisor="是", phone=13800138001),
            teacher_row("Ｔ３００２", "吴老师", dept="02", phone=" 139 0000 0002 "),  # full-width, 院系 by code
            ["T1001", "张导师", "计算机学院", "男", "二级教授", "", "zhang@example.edu.cn", "是"],  # existing: update
        ]
    )
    client = client_for(world.school_admin)
    before = (Teacher.objects.count(), User.objects.count(), RoleAssignment.objects.count(), AuditEvent.objects.count())
    page, token = preview(client, data)
    assert (count(page, "created"), count(page, "updated"), count(page, "errors")) == (2, 1, 0)
    after_preview = (
        Teacher.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after_preview == before  # a dry run writes nothing
    old_password = User.objects.get(username="T1001").password

    done = confirm(client, page, token)
    assert done.status_code == 200 and "no-store" in done["Cache-Control"]
    assert count(done, "created") == 2 and count(done, "accounts") == 2
    lines = read(passwords_file(done))
    assert lines[0] == ["工号", "姓名", "院系", "用户名", "初始密码"]
    by_no = {line[0]: line for line in lines[1:] if line[0] in ("T3001", "T3002")}
    assert sorted(by_no) == ["T3001", "T3002"]

    zhou = Teacher.objects.select_related("user").get(school=world.school_a, staff_no="T3001")
    wu = Teacher.objects.select_related("user").get(school=world.school_a, staff_no="T3002")
    assert (zhou.name, zhou.phone, zhou.is_supervisor, zhou.department) == ("周 老师", "13800138001", True, world.cs)
    assert (wu.phone, wu.is_supervisor, wu.department) == ("13900000002", False, world.me)
    for teacher in (zhou, wu):
        account = teacher.user
        assert account is not None and account.username == teacher.staff_no and account.school == world.school_a
        assert account.must_change_password and account.temporary_password_expires_at is not None
        assert check_password(by_no[teacher.staff_no][4], account.password)  # hashed, never stored in clear
        assert by_no[teacher.staff_no][4] not in account.password
        roles = list(RoleAssignment.objects.filter(user=account).values_list("role", "unit_id"))
        assert roles == [("supervisor", teacher.department_id)]
    # The existing teacher is updated; their account is untouched.
    zhang = Teacher.objects.select_related("user").get(pk=world.teachers["cs"].pk)
    assert (zhang.title, zhang.email, zhang.phone) == ("二级教授", "zhang@example.edu.cn", "13900001001")
    assert zhang.user is not None and zhang.user.password == old_password
    event = AuditEvent.objects.get(action="tabular.import")
    assert event.data["kind"] == "orgs.teachers" and (event.data["created"], event.data["updated"]) == (2, 1)
    assert AuditEvent.objects.count() == before[3] + 1  # one event for the whole import

    # The password file was in that response only: the token is gone, no URL serves it.
    assert client.get(f"{IMPORT}{token}/").status_code == 404
    assert client.post(f"{IMPORT}{token}/confirm/").status_code == 404
    assert "data:application" not in client.get(LIST).content.decode()

    # The same file again: nothing to import, no account made.
    page, token = preview(client, data)
    assert (count(page, "created"), count(page, "updated"), count(page, "unchanged")) == (0, 0, 3)
    assert 'data-testid="import-confirm"' not in page.content.decode()
    users = User.objects.count()
    outcome = actions.import_teachers(actor=world.school_admin, upload=upload(data), commit=True)
    assert (outcome.report.created, outcome.report.updated, outcome.passwords) == (0, 0, [])
    assert User.objects.count() == users


@pytest.mark.spec("P-06", "X-01")
def test_one_bad_row_writes_nothing_and_the_rejected_file_says_why(world: World) -> None:
    make_user("T9001", Role.STUDENT, world.b_info)  # school B's account already holds this username
    rows = [
        teacher_row("T3101", "好老师"),  # row 2
        teacher_row("T9001", "撞名老师"),  # row 3: username taken by another school's account
        teacher_row("T3102", "甲"),  # row 4
        teacher_row("T3102", "乙"),  # row 5: duplicate 工号
        teacher_row("T3103", "院系不明", dept="外星学院"),  # row 6
        teacher_row("T3104", "导师未知", supervisor="也许"),  # row 7
        ["T3105", "邮箱错", "计算机学院", "男", "", "", "not-an-email", "否"],  # row 8
        teacher_row("2023010001", "学生的号"),  # row 9: this school's student account has the username
    ]
    client = client_for(world.school_admin)
    before = (Teacher.objects.count(), User.objects.count())
    page, token = preview(client, workbook(rows))
    html = page.content.decode()
    assert count(page, "errors") == 7 and count(page, "created") == 1
    assert "已被其他学校的账号使用" in html and 'data-testid="import-confirm"' not in html
    outcome = actions.import_teachers(actor=world.school_admin, upload=upload(workbook(rows)), commit=True)
    assert not outcome.report.committed and outcome.passwords == []
    assert (Teacher.objects.count(), User.objects.count()) == before
    assert not AuditEvent.objects.filter(action="tabular.import").exists()

    lines = read(client.get(f"{IMPORT}{token}/rejected/").content)
    assert lines[0][:3] == ["行号", "列", "原因"] and lines[0][3:] == HEADERS
    by_row = {int(line[0]): line for line in lines[1:]}
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9]
    assert by_row[3][1] == "工号" and "其他学校" in by_row[3][2]
    assert "重复" in by_row[4][2] and "4、5" in by_row[5][2]
    assert by_row[6][1] == "院系" and "外星学院" in by_row[6][2]
    assert by_row[7][1] == "是否研究生导师" and "是、否" in by_row[7][2]
    assert by_row[8][1] == "电子邮箱"
    assert "本校的其他账号" in by_row[9][2]


@pytest.mark.spec("P-06", "X-01", "P-04")
def test_department_admin_imports_only_their_department(world: World) -> None:
    rows = [
        teacher_row("T3201", "本院老师"),
        teacher_row("T3202", "外院老师", dept="机械学院"),
        teacher_row("T2001", "改名", dept="计算机学院"),  # 李导师 of 机械学院 has this 工号
    ]
    client = client_for(world.dept_admin_cs)
    page, _token = preview(client, workbook(rows))
    html = page.content.decode()
    assert count(page, "errors") == 2 and count(page, "created") == 1
    assert "只能导入本院系（计算机学院）的教师" in html and "该工号已是其他院系的教师" in html
    assert Teacher.objects.get(staff_no="T2001").name == "李导师"
    page, token = preview(client, workbook(rows[:1]))
    done = confirm(client, page, token)
    assert count(done, "accounts") == 1
    assert Teacher.objects.get(staff_no="T3201").department == world.cs


@pytest.mark.spec("P-06", "X-01", "S-05")
def test_wrong_roles_are_refused_and_other_schools_unaffected(world: World) -> None:
    for person in (world.secretary_cs, world.dean_cs, world.supervisor_cs, world.student_cs, world.grad_school):
        client = client_for(person)
        assert client.get(IMPORT).status_code == 403
        assert client.get(TEMPLATE).status_code == 403
    # School B's admin imports the same 工号 as school A's teacher: a separate teacher of school B;
    # the username T1001 is school A's account, so that row is refused, and school A is untouched.
    client = client_for(world.school_admin_b)
    page, _token = preview(client, workbook([teacher_row("T1001", "乙校老师", dept="信息工程学院")]))
    assert count(page, "errors") == 1 and "其他学校" in page.content.decode()
    page, token = preview(client, workbook([teacher_row("B5001", "乙校老师", dept="信息工程学院")]))
    assert count(done := confirm(client, page, token), "accounts") == 1
    assert Teacher.objects.get(staff_no="B5001").school == world.school_b
    assert Teacher.objects.get(staff_no="T1001").name == "张导师"
    # School A's admin cannot name school B's department.
    page, _token = preview(client_for(world.school_admin), workbook([teacher_row("T3301", dept="信息工程学院")]))
    assert count(page, "errors") == 1
    assert done.status_code == 200


@pytest.mark.spec("P-06", "X-01")
def test_import_query_count_does_not_grow_with_rows(world: World) -> None:
    def queries(n: int) -> int:
        rows = [teacher_row(f"Q{n:03d}{i:04d}", f"老师{i}", phone=13800000000 + i) for i in range(n)]
        data = upload(workbook(rows))
        with CaptureQueriesContext(connection) as captured:
            outcome = actions.import_teachers(actor=world.school_admin, upload=data, commit=True)
        assert outcome.report.created == n and len(outcome.passwords) == n
        return len(captured)

    few = queries(5)  # the first call also loads the importer's role
    assert queries(200) <= few <= 12
    assert queries(7) == queries(300)
    assert User.objects.filter(username__startswith="Q200").count() == 200
    assert RoleAssignment.objects.filter(user__username__startswith="Q300", role="supervisor").count() == 300


@pytest.mark.spec("P-06", "X-01", "X-08")
def test_a_background_import_puts_the_passwords_in_its_result_file(
    world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr("campusflow.orgs.views.BACKGROUND_ROWS", 2)
    rows = [teacher_row(f"J{i:04d}", f"老师{i}") for i in range(3)]
    client = client_for(world.school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _page, token = preview(client, workbook(rows))
    page = client.get(f"{IMPORT}{token}/")
    assert 'data-testid="import-confirm"' in page.content.decode()
    assert not Teacher.objects.filter(staff_no__startswith="J").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(client, page, token)
    job = Job.objects.get(kind="orgs.teacher_import")
    assert response["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.state == "succeeded", job.error
    download: Any = client.get(f"/jobs/{job.pk}/download/")
    data = b"".join(download.streaming_content) if download.streaming else download.content
    lines = read(data)
    assert lines[0][0] == "工号" and sorted(line[0] for line in lines[1:4]) == ["J0000", "J0001", "J0002"]
    account = User.objects.get(username="J0001")
    password = next(line[4] for line in lines if line[0] == "J0001")
    assert check_password(password, account.password)
    assert client_for(world.dept_admin_cs).get(f"/jobs/{job.pk}/download/").status_code == 404
