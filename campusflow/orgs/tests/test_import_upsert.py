"""How an import writes (X-01): COPY into a staging table + one upsert on PostgreSQL, bulk_create elsewhere.

Every test here runs on both databases (``DATABASE_URL`` chooses); they pin that both
write the same thing: only the file's columns change on an existing student, new
students get the model defaults, ID numbers are encrypted with a working blind index,
one bad row writes nothing, and the statements do not grow with the rows.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
import xlsxwriter
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campusflow.core import crypto
from campusflow.core.models import AuditEvent
from campusflow.core.testing import World, valid_id_number
from campusflow.core.uploads import SPREADSHEETS, ValidatedUpload, validate_upload
from campusflow.core.validators import normalize_id_number
from campusflow.orgs import actions
from campusflow.orgs.models import Student, Teacher
from campusflow.tabular import writing

pytestmark = pytest.mark.django_db

BASE = ["学号", "姓名", "性别", "院系", "学生类别", "培养层次"]


def upload(headers: list[str], rows: list[list[Any]]) -> ValidatedUpload:
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
    return validate_upload(output.getvalue(), allowed=SPREADSHEETS)


def base(no: str, name: str, dept: str = "计算机学院") -> list[Any]:
    return [no, name, "女", dept, "学历硕士", "硕士"]


def stored(no: str) -> dict[str, Any]:
    """The row as the database holds it (ciphertext, not the decrypted value)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, id_number_index, phone, birth_date FROM orgs_student WHERE student_no = %s", [no]
        )
        row = cursor.fetchone()
    return dict(zip(("id_number", "id_number_index", "phone", "birth_date"), row, strict=True))


@pytest.fixture
def on_copy_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL, fail if an import falls back to bulk_create: the COPY path is what is tested there."""
    if connection.vendor != "postgresql":
        return

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("PostgreSQL imports write through COPY + one upsert, not bulk_create")

    monkeypatch.setattr(type(Student.objects), "bulk_create", refuse)


@pytest.mark.spec("X-01", "V-01")
def test_an_existing_student_changes_only_in_the_files_columns(world: World, on_copy_path: None) -> None:
    before = Student.objects.get(pk=world.students["cs"].pk)
    headers = [*BASE, "专业", "班级"]
    rows = [
        [*base("2023010001", "王小明（改）", "机械学院"), "软件工程", ""],  # 班级 left empty: kept
        [*base("2024099001", "新同学"), "人工智能", "AI2401"],
    ]
    report = actions.import_students(actor=world.school_admin, upload=upload(headers, rows), commit=True)
    assert report.committed and (report.created, report.updated) == (1, 1)

    after = Student.objects.get(pk=before.pk)
    assert (after.name, after.gender, after.department_id, after.category) == (
        "王小明（改）",
        "F",
        world.me.pk,
        Student.Category.ACADEMIC_MASTER,
    )
    assert after.major == "软件工程" and after.class_name == before.class_name
    # Columns not in the file are left exactly as they were, encrypted ones included.
    for name in ("phone", "father_name", "father_phone", "accommodation", "id_number", "status", "grade"):
        assert getattr(after, name) == getattr(before, name), name
    assert (after.user_id, after.supervisor_id, after.enterprise_mentor_id) == (
        before.user_id,
        before.supervisor_id,
        before.enterprise_mentor_id,
    )
    assert after.id_number_index == before.id_number_index
    assert after.created_at == before.created_at and after.updated_at > before.updated_at

    new = Student.objects.get(school=world.school_a, student_no="2024099001")
    assert (new.name, new.department_id, new.major, new.class_name) == ("新同学", world.cs.pk, "人工智能", "AI2401")
    # The model's defaults for what the file does not say.
    assert new.status == Student.Status.ENROLLED and new.certificate == "" and new.phone == ""
    assert new.id_number == "" and new.id_number_index == "" and new.grade is None and new.user_id is None
    assert new.created_at is not None and new.updated_at is not None


@pytest.mark.spec("X-01")
def test_a_student_of_another_school_with_the_same_number_is_another_student(world: World) -> None:
    rows = [base("2024010001", "同号不同校")]  # school B's student has this number
    report = actions.import_students(actor=world.school_admin, upload=upload(BASE, rows), commit=True)
    assert report.created == 1
    assert Student.objects.get(pk=world.students["b"].pk).name == "孙小刚"
    assert Student.objects.filter(student_no="2024010001").count() == 2


@pytest.mark.spec("X-01", "V-01")
def test_id_numbers_are_stored_encrypted_and_found_by_blind_index(world: World, on_copy_path: None) -> None:
    id_new, id_old = valid_id_number(), valid_id_number()
    headers = [*BASE, "身份证号", "手机号码"]
    rows = [
        [*base("2024099002", "甲"), id_new[:17] + id_new[17].lower(), "138-0013-8001"],
        [*base("2023010001", "王小明"), id_old, ""],
    ]
    report = actions.import_students(actor=world.school_admin, upload=upload(headers, rows), commit=True)
    assert report.committed

    for no, number in (("2024099002", id_new), ("2023010001", id_old)):
        raw = stored(no)
        assert raw["id_number"].startswith("v1:") and number not in raw["id_number"]
        assert crypto.decrypt(raw["id_number"]) == number.upper()
        assert raw["id_number_index"] == crypto.blind_index(normalize_id_number(number))
        found = Student.objects.get(id_number_index=crypto.blind_index(normalize_id_number(number.lower())))
        assert found.student_no == no and found.id_number == number.upper()
        # Born on the date in the ID number (the column was not in the file).
        assert raw["birth_date"] is not None and raw["birth_date"].strftime("%Y%m%d") == number[6:14]
    new = stored("2024099002")
    assert new["phone"].startswith("v1:") and crypto.decrypt(new["phone"]) == "13800138001"
    # An empty 手机号码 keeps the phone the student had.
    assert Student.objects.get(pk=world.students["cs"].pk).phone == "13800138000"


@pytest.mark.spec("X-01")
def test_one_bad_row_writes_nothing(world: World, on_copy_path: None) -> None:
    students = Student.objects.count()
    names = dict(Student.objects.values_list("pk", "name"))
    events = AuditEvent.objects.count()
    rows = [base(f"20240990{i:02d}", f"学生{i}") for i in range(50)]
    rows.append(base("2023010001", "王小明（改）"))
    rows.append(base("2024099100", "坏行", dept="不存在学院"))
    report = actions.import_students(actor=world.school_admin, upload=upload(BASE, rows), commit=True)

    assert not report.committed and report.error_rows == 1
    assert report.errors[0].row == 53 and report.errors[0].column == "院系"
    assert "不存在学院" in report.errors[0].message
    assert Student.objects.count() == students and dict(Student.objects.values_list("pk", "name")) == names
    assert AuditEvent.objects.count() == events


@pytest.mark.spec("X-01")
def test_the_statements_of_an_import_do_not_grow_with_its_rows(world: World) -> None:
    headers = [*BASE, "身份证号", "手机号码", "导师工号"]

    def statements(n: int, prefix: str) -> int:
        rows = [
            [*base(f"{prefix}{i:04d}", f"学生{i}"), valid_id_number(serial=i % 1000), 13800000000 + i, "T1001"]
            for i in range(n)
        ]
        rows.append([*base("2023010001", f"王小明{n}"), "", "", ""])  # one update among the inserts
        file = upload(headers, rows)
        with CaptureQueriesContext(connection) as captured:
            report = actions.import_students(actor=world.school_admin, upload=file, commit=True)
        assert report.committed and (report.created, report.updated) == (n, 1)
        return len(captured)

    statements(1, "2024090")  # the first also loads the importer's role (cached on the user)
    few = statements(20, "2024091")
    assert statements(200, "2024092") == few <= 8
    assert Student.objects.filter(student_no__startswith="202409").count() == 221
    assert Student.objects.get(pk=world.students["cs"].pk).name == "王小明200"


@pytest.mark.spec("X-01")
def test_twice_in_one_transaction(world: World) -> None:
    """The staging table of the first import in a transaction does not get in the way of the second."""
    for name in ("一", "二"):
        report = actions.import_students(
            actor=world.school_admin, upload=upload(BASE, [base("2024099300", name)]), commit=True
        )
        assert report.committed
    assert Student.objects.get(student_no="2024099300").name == "二"


@pytest.mark.spec("X-01")
def test_upsert_helper_writes_what_bulk_create_writes(world: World) -> None:
    """``tabular.writing.upsert`` on this database vs ``bulk_create`` on the same values: the same rows."""
    values = [
        {"staff_no": "T9001", "name": "甲", "department_id": world.cs.pk, "phone": "13900009001", "gender": None},
        {"staff_no": "T1001", "name": "张导师（改）", "department_id": world.cs.pk, "phone": None, "gender": "F"},
    ]
    before = Teacher.objects.get(pk=world.teachers["cs"].pk)
    writing.upsert(
        Teacher,
        values,
        constants={"school_id": world.school_a.pk},
        unique_fields=["school", "staff_no"],
        update_fields=["name", "gender", "updated_at"],
    )
    new = Teacher.objects.get(staff_no="T9001")
    assert (new.name, new.phone, new.gender, new.is_supervisor, new.title, new.user_id) == (
        "甲",
        "13900009001",
        "",
        False,
        "",
        None,
    )
    old = Teacher.objects.get(pk=before.pk)
    assert (old.name, old.gender, old.phone, old.title, old.user_id) == (
        "张导师（改）",
        "F",
        before.phone,
        before.title,
        before.user_id,
    )

    Teacher.objects.bulk_create(
        [Teacher(school_id=world.school_a.pk, staff_no="T9002", name="甲", department_id=world.cs.pk)]
    )
    skip = {"id", "staff_no", "phone", "created_at", "updated_at"}
    reference = {k: v for k, v in Teacher.objects.filter(staff_no="T9002").values().get().items() if k not in skip}
    copied = {k: v for k, v in Teacher.objects.filter(staff_no="T9001").values().get().items() if k not in skip}
    assert copied == reference


@pytest.mark.spec("X-01")
def test_an_encrypted_value_common_to_all_rows_is_encrypted_for_each(world: World) -> None:
    values = [{"staff_no": f"T95{i:02d}", "name": f"教师{i}", "department_id": world.cs.pk} for i in range(3)]
    writing.upsert(
        Teacher,
        values,
        constants={"school_id": world.school_a.pk, "phone": "13900009500"},
        unique_fields=["school", "staff_no"],
        update_fields=["name", "updated_at"],
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM orgs_teacher WHERE staff_no LIKE 'T95%%'")
        stored_phones = [row[0] for row in cursor.fetchall()]
    assert len(set(stored_phones)) == 3  # a fresh nonce for each row
    assert {crypto.decrypt(value) for value in stored_phones} == {"13900009500"}
    assert {t.phone for t in Teacher.objects.filter(staff_no__startswith="T95")} == {"13900009500"}
