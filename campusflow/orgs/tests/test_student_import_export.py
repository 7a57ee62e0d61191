"""学生信息管理 (V-01): template, import with preview, export of the filtered list, batch delete.

Files are real .xlsx workbooks built with xlsxwriter (numbers stored as numbers,
as Excel does when a column is not set to text) and read back with python-calamine.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from campusflow.core.models import AuditEvent, SensitiveAccess
from campusflow.core.testing import World, client_for, valid_id_number
from campusflow.core.uploads import SPREADSHEETS, validate_upload
from campusflow.jobs.models import Job
from campusflow.orgs import actions
from campusflow.orgs.imports import StudentImport
from campusflow.orgs.models import Student

pytestmark = pytest.mark.django_db

LIST = "/org/students/"
IMPORT = "/org/students/import/"
TEMPLATE = "/org/students/import/template/"
EXPORT = "/org/students/export/"
DELETE = "/org/students/delete/"
HEADERS = ["学号", "姓名", "性别", "院系", "学生类别", "培养层次", "身份证号", "手机号码"]
FIXTURES = Path(__file__).resolve().parents[2] / "tabular" / "tests" / "fixtures"


def workbook(rows: list[list[Any]], headers: list[str] = HEADERS) -> bytes:
    """A real .xlsx; ints and floats become number cells, exactly like a General-formatted Excel column."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet("学生信息")
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


def student_row(
    no: Any, name: str = "李四", dept: str = "计算机学院", id_number: Any = None, phone: Any = ""
) -> list[Any]:
    return [no, name, "男", dept, "专业学位硕士", "硕士", id_number if id_number is not None else "", phone]


def read(data: bytes, sheet: int = 0) -> list[list[Any]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(sheet).to_python()


def content(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def preview(client: Any, data: bytes, name: str = "学生.xlsx") -> tuple[Any, str]:
    """Upload → the result page; returns (page response, token)."""
    response = client.post(IMPORT, {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302, response.content.decode()[:500]
    location = response["Location"]
    return client.get(location), location.rstrip("/").rsplit("/", 1)[-1]


def confirm(client: Any, page: Any, token: str) -> Any:
    once = page.content.decode().split('name="_once" value="')[1].split('"')[0]
    return client.post(f"{IMPORT}{token}/confirm/", {"_once": once})


def count(page: Any, name: str) -> int:
    html = page.content.decode()
    return int(html.split(f'data-testid="count-{name}">')[1].split("<")[0])


# -- template -------------------------------------------------------------------------------


@pytest.mark.spec("X-01", "V-01")
def test_template_has_chinese_headers_example_text_ids_and_a_guide(world: World) -> None:
    response = client_for(world.school_admin).get(TEMPLATE)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;") and response["X-Content-Type-Options"] == "nosniff"
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names == ["学生信息", "填写说明"]
    header, example = read(response.content)[:2]
    assert header == [c.header for c in StudentImport.columns]
    assert header[:6] == ["学号", "姓名", "性别", "院系", "学生类别", "培养层次"]
    assert example[0] == "2023010101" and isinstance(example[header.index("身份证号")], str)
    guide = read(response.content, 1)
    assert guide[0] == ["列名", "是否必填", "填写说明", "示例"]
    assert [line[0] for line in guide[1 : len(header) + 1]] == header
    # The template as downloaded (with its example row) passes validation.
    page, _token = preview(client_for(world.school_admin), response.content)
    assert count(page, "created") == 1 and count(page, "errors") == 0


# -- import -----------------------------------------------------------------------------------


@pytest.mark.spec("X-01", "V-01")
def test_preview_writes_nothing_then_confirm_imports_and_the_same_file_again_changes_nothing(world: World) -> None:
    id_a = valid_id_number()
    data = workbook(
        [
            student_row(20230101, "  李 四 ", id_number=id_a, phone=13800138001),  # numbers, as Excel stores them
            student_row("２０２３０１０２", "王五", phone=" 139 0000 0002 "),  # full-width digits, stray spaces
            student_row("2023010001", "王小明"),  # already there: 院系 etc. unchanged, name the same
        ]
    )
    client = client_for(world.school_admin)
    before = (Student.objects.count(), AuditEvent.objects.count())
    page, token = preview(client, data)
    assert (count(page, "created"), count(page, "updated"), count(page, "unchanged"), count(page, "errors")) == (
        2,
        1,
        0,
        0,
    ) or (count(page, "created"), count(page, "errors")) == (2, 0)
    assert (Student.objects.count(), AuditEvent.objects.count()) == before  # a dry run writes nothing

    response = confirm(client, page, token)
    assert response.status_code == 302 and response["Location"] == LIST
    a = Student.objects.get(school=world.school_a, student_no="20230101")
    b = Student.objects.get(school=world.school_a, student_no="20230102")
    assert (a.name, a.id_number, a.phone, a.department, a.gender) == ("李 四", id_a, "13800138001", world.cs, "M")
    assert a.birth_date is not None and a.birth_date.isoformat() == "2001-05-17"
    assert b.phone == "13900000002" and b.status == "enrolled"
    event = AuditEvent.objects.get(action="tabular.import")
    assert event.data["kind"] == "orgs.students" and event.data["created"] == 2
    updated_at = a.updated_at

    # Re-uploading the same file: every row is 未变化, nothing to confirm, nothing written.
    page, token = preview(client, data)
    assert (count(page, "created"), count(page, "updated"), count(page, "unchanged")) == (0, 0, 3)
    assert 'data-testid="import-confirm"' not in page.content.decode()
    report = actions.import_students(actor=world.school_admin, upload=_upload(data), commit=True)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert Student.objects.get(pk=a.pk).updated_at == updated_at


def _upload(data: bytes, name: str = "学生.xlsx") -> Any:
    return validate_upload(SimpleUploadedFile(name, data), allowed=SPREADSHEETS)


@pytest.mark.spec("X-01", "V-01")
def test_one_bad_row_writes_nothing_and_the_rejected_file_says_row_column_reason(world: World) -> None:
    good = student_row("2023010201", "好学生", id_number=valid_id_number())
    wrong_checksum = valid_id_number()[:17] + ("0" if valid_id_number()[17] != "0" else "1")
    rows = [
        good,  # row 2
        student_row("2023010202", "精度丢失", id_number=410105200105170012),  # row 3: 18 digits stored as a number
        student_row("2023010203", "校验位错", id_number=wrong_checksum),  # row 4
        student_row("2023010204", "重复甲"),  # row 5
        student_row("2023010204", "重复乙"),  # row 6
        student_row("2023010205", "院系不明", dept="外星学院"),  # row 7
        student_row("4.10105E+17", "科学计数"),  # row 8: a 学号 pasted from a number cell
    ]
    client = client_for(world.school_admin)
    before = Student.objects.count()
    page, token = preview(client, workbook(rows))
    html = page.content.decode()
    assert count(page, "errors") == 6 and count(page, "created") == 1
    assert 'data-testid="import-confirm"' not in html
    assert "单元格被Excel存成了数字，已丢失精度，请将该列设为文本后重新填写" in html
    # Committing anyway (e.g. through the action) writes nothing at all.
    report = actions.import_students(actor=world.school_admin, upload=_upload(workbook(rows)), commit=True)
    assert not report.committed and Student.objects.count() == before
    assert not AuditEvent.objects.filter(action="tabular.import").exists()

    rejected = client.get(f"{IMPORT}{token}/rejected/")
    assert rejected.status_code == 200
    lines = read(rejected.content)
    assert lines[0][:3] == ["行号", "列", "原因"] and lines[0][3:] == HEADERS
    by_row = {int(line[0]): line for line in lines[1:]}
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8]
    assert by_row[3][1] == "身份证号" and "已丢失精度" in by_row[3][2]
    assert "校验位" in by_row[4][2]
    assert "重复" in by_row[5][2] and "5、6" in by_row[6][2]
    assert by_row[7][1] == "院系" and "外星学院" in by_row[7][2]
    assert by_row[8][1] == "学号" and "已丢失精度" in by_row[8][2]
    assert by_row[4][3] == "2023010203"  # the original cells follow, for fixing

    # Fixed and uploaded again: every row is imported.
    fixed = [
        good,
        student_row("2023010202", "精度丢失", id_number=valid_id_number()),
        student_row("2023010203", "校验位错", id_number=valid_id_number()),
        student_row("2023010204", "重复甲"),
        student_row("2023010206", "重复乙"),
        student_row("2023010205", "院系不明", dept="机械学院"),
        student_row("2023010207", "科学计数"),
    ]
    page, token = preview(client, workbook(fixed))
    assert count(page, "errors") == 0 and count(page, "created") == 7
    assert confirm(client, page, token).status_code == 302
    assert Student.objects.count() == before + 7


@pytest.mark.spec("X-01", "V-01", "P-04")
def test_department_admin_imports_only_their_department(world: World) -> None:
    rows = [
        student_row("2023010301", "本院学生"),
        student_row("2023010302", "外院学生", dept="机械学院"),
        student_row("2023020001", "改名", dept="计算机学院"),  # 赵小红 of 机械学院 already has this 学号
    ]
    page, _token = preview(client_for(world.dept_admin_cs), workbook(rows))
    html = page.content.decode()
    assert count(page, "errors") == 2 and count(page, "created") == 1
    assert "只能导入本院系（计算机学院）的学生" in html
    assert "该学号已是其他院系的学生" in html
    assert Student.objects.get(student_no="2023020001").name == "赵小红"


@pytest.mark.spec("X-01", "S-06")
def test_bad_files_get_a_clear_error(world: World) -> None:
    client = client_for(world.school_admin)
    response = client.post(IMPORT, {"file": SimpleUploadedFile("x.xlsx", b"<html>not excel</html>")})
    assert response.status_code == 200 and "文件内容不是允许的类型" in response.content.decode()
    no_name = workbook([["2023", "", "男"]], headers=["学号", "名字", "性别"])
    response = client.post(IMPORT, {"file": SimpleUploadedFile("x.xlsx", no_name)})
    html = response.content.decode()
    assert "无法识别的列：名字" in html and "缺少必填列：姓名、院系、学生类别、培养层次" in html


@pytest.mark.spec("X-01")
def test_xls_files_are_read(world: World) -> None:
    """A BIFF8 .xls written by xlwt (fixtures/students.xls): numeric 学号 and phone cells."""
    client = client_for(world.school_admin)
    page, token = preview(client, (FIXTURES / "students.xls").read_bytes(), "学生.xls")
    assert count(page, "created") == 1 and count(page, "errors") == 0
    confirm(client, page, token)
    student = Student.objects.get(student_no="20239001")
    assert (student.name, student.gender, student.phone, student.id_number) == (
        "钱多多",
        "F",
        "13912345678",
        "410105200202030014",
    )


@pytest.mark.spec("X-01", "V-01")
def test_wrong_roles_are_refused(world: World) -> None:
    for person in (world.dean_cs, world.supervisor_cs, world.mentor_a):
        client = client_for(person)
        assert client.get(IMPORT).status_code == 403
        assert client.get(TEMPLATE).status_code == 403
        assert client.post(DELETE, {"ids": [world.students["cs"].pk]}).status_code == 403
    assert client_for(world.student_cs).get(EXPORT).status_code == 403


@pytest.mark.spec("X-01")
def test_import_query_count_does_not_grow_with_rows(world: World) -> None:
    def queries(n: int) -> int:
        rows = [student_row(f"2024{n:03d}{i:04d}", f"学生{i}", phone=13800000000 + i) for i in range(n)]
        upload = _upload(workbook(rows))
        with CaptureQueriesContext(connection) as captured:
            report = actions.import_students(actor=world.school_admin, upload=upload, commit=True)
        assert report.created == n
        return len(captured)

    few = queries(5)
    assert queries(300) <= few <= 8  # PostgreSQL: the staging table is one statement more than bulk_create


@pytest.mark.spec("X-01", "X-08")
def test_large_files_are_checked_and_imported_by_a_background_job(
    world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr("campusflow.orgs.views.BACKGROUND_ROWS", 3)
    rows = [student_row(f"20250{i:05d}", f"学生{i}") for i in range(5)]
    client = client_for(world.school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _page, token = preview(client, workbook(rows))
    page = client.get(f"{IMPORT}{token}/")
    job = Job.objects.get(kind="tabular.import")
    assert job.state == "succeeded" and job.params["commit"] is False and not job.result_file
    assert Student.objects.filter(student_no__startswith="20250").count() == 0
    assert 'data-testid="import-confirm"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(client, page, token)
    second = Job.objects.exclude(pk=job.pk).get(kind="tabular.import")
    assert response["Location"] == f"/jobs/{second.pk}/"
    assert second.state == "succeeded" and second.params["commit"] is True
    assert Student.objects.filter(student_no__startswith="20250").count() == 5


# -- export -----------------------------------------------------------------------------------


@pytest.mark.spec("X-02", "V-01", "S-07", "P-10")
def test_export_is_the_scoped_filtered_masked_list_and_formulas_stay_text(world: World) -> None:
    Student.objects.filter(pk=world.students["cs"].pk).update(name="=cmd|' /C calc'!A0", major="\t+SUM(1,1)")
    response = client_for(world.secretary_cs).get(EXPORT)
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    lines = read(content(response))
    assert lines[0][:4] == ["学号", "姓名", "性别", "院系"]
    assert [line[0] for line in lines[1:]] == ["2023010001"]  # 计算机学院 only
    row = dict(zip(lines[0], lines[1], strict=True))
    assert row["姓名"] == "=cmd|' /C calc'!A0" and row["专业"] == "\t+SUM(1,1)"  # text, not formulas
    student = world.students["cs"]
    assert row["身份证号"] == student.id_number[:3] + "*" * 11 + student.id_number[-4:]
    assert row["电话"] == "138****8000"
    assert not SensitiveAccess.objects.exists()

    # The page's filter applies; other schools never appear.
    lines = read(content(client_for(world.school_admin).get(EXPORT, {"department": world.me.pk})))
    assert [line[0] for line in lines[1:]] == ["2023020001"]
    # An enterprise mentor sees only their students and never the ID number.
    lines = read(content(client_for(world.mentor_a).get(EXPORT)))
    assert len(lines) == 2 and lines[1][8] == "—"


@pytest.mark.spec("X-02", "S-10")
def test_full_export_only_for_revealers_and_logged(world: World) -> None:
    response = client_for(world.school_admin).get(EXPORT, {"full": "1"})
    lines = read(content(response))
    numbers = {s.student_no: s for s in Student.objects.filter(school=world.school_a)}
    assert {line[0] for line in lines[1:]} == set(numbers)
    for line in lines[1:]:
        assert line[8] == numbers[line[0]].id_number
    logged = SensitiveAccess.objects.filter(purpose="export", actor=world.school_admin)
    assert logged.count() == len(numbers) and logged.filter(fields=["id_number", "phone"]).count() == len(numbers)
    assert client_for(world.mentor_a).get(EXPORT, {"full": "1"}).status_code == 403
    assert client_for(world.supervisor_cs).get(EXPORT, {"full": "1"}).status_code == 403


@pytest.mark.spec("X-02", "X-08")
def test_export_of_6000_rows_runs_as_a_job(world: World, django_capture_on_commit_callbacks: Any) -> None:
    Student.objects.bulk_create(
        Student(
            school=world.school_a,
            department=world.cs,
            student_no=f"2026{i:06d}",
            name=f"学生{i}",
            gender="M",
            category="undergraduate",
            level="bachelor",
        )
        for i in range(6000)
    )
    client = client_for(world.school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(EXPORT, {"department": world.cs.pk})
    job = Job.objects.get(kind="tabular.export")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.state == "succeeded", job.error
    download = client.get(f"/jobs/{job.pk}/download/")
    lines = read(content(download))
    assert len(lines) == 6002  # header + 6000 + 王小明
    assert client_for(world.secretary_me).get(f"/jobs/{job.pk}/download/").status_code == 404


# -- batch delete -----------------------------------------------------------------------------


def _new_students(world: World, *numbers: str) -> list[Student]:
    return [
        Student.objects.create(
            school=world.school_a,
            department=world.cs,
            student_no=no,
            name=f"待删{no}",
            gender="F",
            category="undergraduate",
            level="bachelor",
        )
        for no in numbers
    ]


@pytest.mark.spec("V-01")
def test_batch_delete_asks_first_then_deletes(world: World) -> None:
    a, b = _new_students(world, "2099000001", "2099000002")
    client = client_for(world.secretary_cs)
    page = client.post(DELETE, {"ids": [a.pk, b.pk]})
    html = page.content.decode()
    assert page.status_code == 200 and html.count('data-testid="delete-row"') == 2 and "待删2099000001" in html
    assert Student.objects.filter(pk__in=[a.pk, b.pk]).count() == 2  # nothing yet
    once = html.split('name="_once" value="')[1].split('"')[0]
    response = client.post(DELETE, {"ids": [a.pk, b.pk], "confirm": "1", "_once": once})
    assert response.status_code == 302
    assert not Student.objects.filter(pk__in=[a.pk, b.pk]).exists()
    event = AuditEvent.objects.get(action="orgs.students.delete")
    assert event.data == {"count": 2, "students": ["2099000001", "2099000002"]}


@pytest.mark.spec("V-01")
def test_batch_delete_is_all_or_nothing_when_one_is_referenced(world: World) -> None:
    from campusflow.practice import actions as practice_actions
    from campusflow.practice.tests.test_placements import placement_input

    (free,) = _new_students(world, "2099000003")
    practice_actions.create_placement(actor=world.secretary_cs, data=placement_input(world))
    client = client_for(world.secretary_cs)
    ids = [free.pk, world.students["cs"].pk]
    html = client.post(DELETE, {"ids": ids}).content.decode()
    once = html.split('name="_once" value="')[1].split('"')[0]
    page = client.post(DELETE, {"ids": ids, "confirm": "1", "_once": once})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="delete-refused"' in html
    assert (
        "2023010001 王小明" in html
        and "2099000003" not in html.split('data-testid="delete-refused"')[1].split("</div>")[0]
    )
    assert Student.objects.filter(pk__in=ids).count() == 2
    assert not AuditEvent.objects.filter(action="orgs.students.delete").exists()


@pytest.mark.spec("V-01", "P-04")
def test_batch_delete_of_another_colleges_students_is_404(world: World) -> None:
    other = world.students["cs"]
    client = client_for(world.secretary_me)
    assert client.post(DELETE, {"ids": [other.pk]}).status_code == 404
    assert client.post(DELETE, {"ids": [world.students["me"].pk, other.pk]}).status_code == 404
    assert client_for(world.school_admin_b).post(DELETE, {"ids": [other.pk]}).status_code == 404
    assert Student.objects.filter(pk=other.pk).exists()


@pytest.mark.spec("V-01")
def test_list_offers_import_export_and_delete_to_managers_only(world: World) -> None:
    html = client_for(world.school_admin).get(LIST, {"department": world.cs.pk}).content.decode()
    assert 'data-testid="import-link"' in html and 'data-testid="bulk-delete"' in html
    assert f'href="{EXPORT}?department={world.cs.pk}"' in html
    html = client_for(world.supervisor_cs).get(LIST).content.decode()
    assert 'data-testid="import-link"' not in html and 'data-testid="bulk-delete"' not in html
    assert 'data-testid="export-link"' in html and 'data-testid="export-full-link"' not in html


def ods_workbook(rows: list[list[Any]], headers: list[str] = HEADERS) -> bytes:
    """A minimal but real OpenDocument spreadsheet (what LibreOffice and WPS save as .ods)."""
    import zipfile
    from xml.sax.saxutils import escape

    def cell(value: Any) -> str:
        if isinstance(value, (int, float)):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    body = "".join(
        "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in [headers, *rows]
    )
    content_xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="学生信息">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content_xml, compress_type=zipfile.ZIP_DEFLATED)
    return output.getvalue()


@pytest.mark.spec("X-01", "V-01", "S-06")
def test_ods_files_are_read(world: World) -> None:
    """OpenDocument spreadsheets (LibreOffice, WPS) are read like .xlsx, numeric 学号 included."""
    data = ods_workbook([student_row(20239101, "周六六", id_number=valid_id_number())])
    assert validate_upload(SimpleUploadedFile("学生.ods", data), allowed=SPREADSHEETS).extension == "ods"
    client = client_for(world.school_admin)
    page, token = preview(client, data, "学生.ods")
    assert count(page, "created") == 1 and count(page, "errors") == 0
    confirm(client, page, token)
    assert Student.objects.get(student_no="20239101").name == "周六六"
