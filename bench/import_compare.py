"""Issue 6, side by side: the same student import through django-import-export vs calamine parse + COPY.

What a Django team would reach for: a ``ModelResource`` for ``orgs.Student`` whose columns
are the template's Chinese headers, the natural key 学号 within the importer's school
(``import_id_fields`` + a school-scoped queryset), foreign keys through
``ForeignKeyWidget`` (院系 by name, 校内导师 by 工号, both within the school), choice
labels (男, 本科生 …) mapped by a small widget, model validation on
(``clean_model_instances``) and the documented bulk mode (``use_bulk``, batches of
1,000). The file is read as django-import-export reads it: tablib's XLSX format
(openpyxl). The floor is the same as the suite's import floor: calamine parse + COPY of
the same rows into ``orgs_student``. Both run in a transaction that is rolled back. The
django-import-export side runs once (tens of seconds for 10k rows); ``extra.statements`` is
the number of SQL statements it sent.

Called by ``bench/suite.py``: ``measure(size, runs)`` → 10k rows, and 100k on size L.
"""

from __future__ import annotations

import io
import time
from typing import Any

from bench.common import Measurement, Size, rolled_back

COLUMNS = {
    "学号": "student_no",
    "姓名": "name",
    "性别": "gender",
    "院系": "department",
    "学生类别": "category",
    "培养层次": "level",
    "身份证号": "id_number",
    "出生日期": "birth_date",
    "专业": "major",
    "班级": "class_name",
    "年级": "grade",
    "学籍状态": "status",
    "手机号码": "phone",
    "考生号": "candidate_no",
    "父亲姓名": "father_name",
    "父亲电话": "father_phone",
    "母亲姓名": "mother_name",
    "母亲电话": "mother_phone",
    "住宿信息": "accommodation",
    "校内导师工号": "supervisor",
}


def resource_class(school_id: int) -> Any:
    """The ModelResource a team would write for the 学生信息 template (scoped to one school)."""
    from django.utils import translation
    from import_export import fields, resources, widgets

    from campusflow.orgs.models import OrgUnit, Student, Teacher

    class LabelWidget(widgets.Widget):
        """A Chinese choice label (男, 本科生, 在读) → the stored value."""

        def __init__(self, choices: Any) -> None:
            super().__init__()
            with translation.override("zh-hans"):
                self.values = {str(label): value for value, label in choices}

        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            if value in (None, ""):
                return ""
            try:
                return self.values[str(value).strip()]
            except KeyError:
                raise ValueError(f"不能识别的值：{value}") from None

    class SchoolForeignKey(widgets.ForeignKeyWidget):
        """A foreign key looked up by name/code among the importing school's rows."""

        def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> Any:
            return self.model.objects.filter(school_id=school_id)

    def text(attribute: str, header: str) -> Any:
        return fields.Field(attribute=attribute, column_name=header, widget=widgets.CharWidget())

    class StudentResource(resources.ModelResource):
        student_no = text("student_no", "学号")
        name = text("name", "姓名")
        gender = fields.Field(attribute="gender", column_name="性别", widget=LabelWidget(Student.Gender.choices))
        department = fields.Field(
            attribute="department", column_name="院系", widget=SchoolForeignKey(OrgUnit, field="name")
        )
        category = fields.Field(
            attribute="category", column_name="学生类别", widget=LabelWidget(Student.Category.choices)
        )
        level = fields.Field(attribute="level", column_name="培养层次", widget=LabelWidget(Student.Level.choices))
        id_number = text("id_number", "身份证号")
        birth_date = fields.Field(attribute="birth_date", column_name="出生日期", widget=widgets.DateWidget())
        major = text("major", "专业")
        class_name = text("class_name", "班级")
        grade = fields.Field(attribute="grade", column_name="年级", widget=widgets.IntegerWidget())
        status = fields.Field(attribute="status", column_name="学籍状态", widget=LabelWidget(Student.Status.choices))
        phone = text("phone", "手机号码")
        candidate_no = text("candidate_no", "考生号")
        father_name = text("father_name", "父亲姓名")
        father_phone = text("father_phone", "父亲电话")
        mother_name = text("mother_name", "母亲姓名")
        mother_phone = text("mother_phone", "母亲电话")
        accommodation = text("accommodation", "住宿信息")
        supervisor = fields.Field(
            attribute="supervisor", column_name="校内导师工号", widget=SchoolForeignKey(Teacher, field="staff_no")
        )

        class Meta:
            model = Student
            fields = tuple(COLUMNS.values())
            import_id_fields = ("student_no",)
            clean_model_instances = True
            use_bulk = True
            batch_size = 1000

        def get_queryset(self) -> Any:
            return Student.objects.filter(school_id=school_id)

        def init_instance(self, row: Any = None) -> Any:
            return Student(school_id=school_id)

    return StudentResource


def _floor(content: bytes, school_id: int) -> None:
    """calamine parse + COPY of the same rows into orgs_student (as the suite's import floor)."""
    from django.db import connection
    from python_calamine import CalamineWorkbook

    from campusflow.orgs.models import OrgUnit

    departments = dict(
        OrgUnit.objects.filter(school_id=school_id, kind=OrgUnit.Kind.DEPARTMENT).values_list("name", "pk")
    )
    table: list[list[Any]] = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    at = {header: index for index, header in enumerate(table[0])}
    with (
        connection.cursor() as c,
        c.cursor.copy(
            "COPY orgs_student (student_no, candidate_no, name, gender, id_number, id_number_index, major,"
            " class_name, grade, category, certificate, level, phone, father_name, father_phone, mother_name,"
            " mother_phone, household_transfer, accommodation, status, created_at, updated_at, department_id,"
            " school_id) FROM STDIN"
        ) as copy,
    ):
        for line in table[1:]:
            copy.write_row(
                (
                    line[at["学号"]],
                    "",
                    line[at["姓名"]],
                    "M",
                    line[at["身份证号"]],
                    "",
                    line[at["专业"]],
                    line[at["班级"]],
                    int(line[at["年级"]]),
                    "undergraduate",
                    "",
                    "bachelor",
                    line[at["手机号码"]],
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "enrolled",
                    "2025-09-01",
                    "2025-09-01",
                    departments[line[at["院系"]]],
                    school_id,
                )
            )


def compare_rows(rows: int, runs: int, seed: int = 1) -> Measurement:
    from django.db import connection
    from import_export.formats.base_formats import XLSX

    from bench import generate

    content = generate.import_file(rows, seed, bad=False).read_bytes()
    school = generate.school_id(1)
    resource = resource_class(school)

    statements = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements[0] += 1
        return execute(sql, params, many, context)

    def op() -> None:
        dataset = XLSX().create_dataset(content)
        with connection.execute_wrapper(count):
            result = resource().import_data(dataset, dry_run=False, raise_errors=True, use_transactions=False)
        assert result.totals["new"] == rows, dict(result.totals)

    name = f"django-import-export {rows:,} students"
    note = (
        "django-import-export ModelResource (tablib XLSX/openpyxl, ForeignKeyWidget, clean_model_instances, "
        "use_bulk, batch 1,000), rolled back"
    )
    floor_note = "calamine parse + COPY of the same rows into orgs_student, rolled back"
    m = _measure(name, rolled_back(op), rolled_back(lambda: _floor(content, school)), runs=runs, note=note)
    m.floor_note = floor_note
    m.extra = {"django_import_export": _version(), "statements": statements[0]}
    return m


def _measure(name: str, op: Any, floor: Any, *, runs: int, note: str) -> Measurement:
    """The floor like every other figure (a warm-up, then the median of ``runs``); the
    django-import-export side once, without a warm-up: it takes tens of seconds for 10k rows
    (minutes for 100k), so repeating it would blow the quick suite's 3 minutes, and a warm-up
    changes little against that.
    """
    m = Measurement(name, note=note + "; one run")
    floor()
    for _ in range(runs):
        m.floor_ms.append(_clock(floor))
    m.op_ms.append(_clock(op))
    print(f"  {name:<44} {m.op:10.2f} ms   floor {m.floor:10.2f} ms   {m.op / m.floor:5.2f}×", flush=True)
    return m


def _clock(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _version() -> str:
    from importlib.metadata import version

    return version("django-import-export")


def measure(size: Size, runs: int) -> list[Measurement]:
    """django-import-export vs calamine + COPY: 10k rows, and 100k on size L (the suite's import sizes)."""
    return [compare_rows(rows, runs) for rows in size.import_rows]
