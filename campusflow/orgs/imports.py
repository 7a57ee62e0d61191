"""学生信息 batch import (SPEC V-01, X-01): the template's columns and how rows become students.

Natural key: 学号 within the importer's school. 院系 and 校内导师工号 are resolved
by name/code for all rows in one query each; department-level importers may
only import rows of their own department.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campusflow.core.roles import Role
from campusflow.core.validators import birth_date_from_id, id_number_check_digit
from campusflow.orgs.models import OrgUnit, Student, Teacher
from campusflow.tabular.cells import CellKind, Column
from campusflow.tabular.importing import ImportSpec, Row, register_import

# Who may import, export in full and delete students (seed 003 §5.1).
STUDENT_MANAGERS = frozenset({Role.SCHOOL_ADMIN, Role.DEPARTMENT_ADMIN, Role.GRADUATE_SCHOOL, Role.TEACHING_SECRETARY})
# Keys per IN (...) lookup: well under SQLite's limit of bound variables.
LOOKUP_CHUNK = 5000


def _labels(choices: Any) -> dict[str, str]:
    """Chinese label → stored value; the template is Chinese whatever language the page is in."""
    with translation.override("zh-hans"):
        return {str(label): value for value, label in choices if value}


_EXAMPLE_ID = "41010520010517001" + id_number_check_digit("41010520010517001")
_PHONE_ALIASES = ("电话", "手机", "手机号", "联系电话", "手机号码（学生）")


@register_import
class StudentImport(ImportSpec):
    kind = "orgs.students"
    title = gettext_lazy("学生信息")
    sheet_name = "学生信息"
    key = ("student_no",)
    columns = (
        Column(
            "学号",
            "student_no",
            CellKind.CODE,
            required=True,
            example="2023010101",
            max_length=32,
            help=gettext_lazy("本校内唯一；已存在的学号将更新该学生的信息"),
            aliases=("学生学号",),
        ),
        Column("姓名", "name", required=True, example="张三", max_length=50),
        Column("性别", "gender", CellKind.CHOICE, required=True, example="男", choices=_labels(Student.Gender.choices)),
        Column(
            "院系",
            "department_id",
            CellKind.REFERENCE,
            required=True,
            example="计算机学院",
            help=gettext_lazy("本校二级院系的名称或代码"),
            aliases=("学院", "所在院系", "培养单位"),
        ),
        Column(
            "学生类别",
            "category",
            CellKind.CHOICE,
            required=True,
            example="专业学位硕士",
            choices=_labels(Student.Category.choices),
        ),
        Column(
            "培养层次", "level", CellKind.CHOICE, required=True, example="硕士", choices=_labels(Student.Level.choices)
        ),
        Column("身份证号", "id_number", CellKind.ID_NUMBER, example=_EXAMPLE_ID, aliases=("身份证号码", "证件号码")),
        Column(
            "出生日期", "birth_date", CellKind.DATE, example="2001-05-17", help=gettext_lazy("不填时按身份证号自动计算")
        ),
        Column("专业", "major", example="计算机技术", max_length=100),
        Column("班级", "class_name", example="计硕2301", max_length=50),
        Column("年级", "grade", CellKind.INTEGER, example="2023", min_value=1950, max_value=2100),
        Column(
            "学籍状态",
            "status",
            CellKind.CHOICE,
            example="在读",
            choices=_labels(Student.Status.choices),
            help=gettext_lazy("不填时新增学生为“在读”"),
        ),
        Column("手机号码", "phone", CellKind.MOBILE, example="13800138000", aliases=_PHONE_ALIASES),
        Column("考生号", "candidate_no", CellKind.CODE, max_length=32),
        Column("父亲姓名", "father_name", max_length=50),
        Column("父亲电话", "father_phone", CellKind.MOBILE),
        Column("母亲姓名", "mother_name", max_length=50),
        Column("母亲电话", "mother_phone", CellKind.MOBILE),
        Column("住宿信息", "accommodation", max_length=100, example="学生公寓3号楼201"),
        Column(
            "校内导师工号",
            "supervisor_id",
            CellKind.REFERENCE,
            aliases=("导师工号",),
            help=gettext_lazy("本校教师的工号"),
        ),
    )
    notes = (gettext_lazy("二级院系账号和教学秘书只能导入本院系的学生。"),)

    def __init__(self, actor: Any) -> None:
        super().__init__(actor)
        assignment = actor.active_role
        if assignment is None or Role(assignment.role) not in STUDENT_MANAGERS or assignment.unit is None:
            raise PermissionDenied
        unit = assignment.unit
        if not unit.school_id:
            raise PermissionDenied
        self.school_id: int = unit.school_id
        self.own_department: OrgUnit | None = unit if unit.kind == OrgUnit.Kind.DEPARTMENT else None

    def audit_school(self) -> Any:
        return self.school_id

    def resolve(self, rows: list[Row], present: set[str]) -> None:
        names = {row.values["department_id"] for row in rows if row.values.get("department_id")}
        units = OrgUnit.objects.filter(school_id=self.school_id, kind=OrgUnit.Kind.DEPARTMENT).filter(
            Q(name__in=names) | Q(code__in=names)
        )
        by_text: dict[str, OrgUnit] = {}
        for unit in units:
            by_text.setdefault(unit.code, unit)
        for unit in units:
            by_text[unit.name] = unit  # a name wins over another unit's code
        for row in rows:
            text = row.values.get("department_id")
            if not text:
                continue
            found = by_text.get(text)
            if found is None:
                row.error("院系", _("本校没有名为“%(name)s”的院系。") % {"name": text})
            elif not found.is_active:
                row.error("院系", _("院系“%(name)s”已停用。") % {"name": found.name})
            elif self.own_department is not None and found.pk != self.own_department.pk:
                row.error("院系", _("只能导入本院系（%(name)s）的学生。") % {"name": self.own_department.name})
            else:
                row.values["department_id"] = found.pk
        if "supervisor_id" in present:
            codes = {row.values["supervisor_id"] for row in rows if row.values.get("supervisor_id")}
            teachers = dict(
                Teacher.objects.filter(school_id=self.school_id, staff_no__in=codes).values_list("staff_no", "pk")
            )
            for row in rows:
                code = row.values.get("supervisor_id")
                if code is None:
                    continue
                if code in teachers:
                    row.values["supervisor_id"] = teachers[code]
                else:
                    row.error("校内导师工号", _("本校没有工号为“%(no)s”的教师。") % {"no": code})

    def clean_row(self, row: Row, present: set[str]) -> None:
        id_number = row.values.get("id_number")
        if not id_number:
            return
        born = birth_date_from_id(id_number)
        given = row.values.get("birth_date")
        if given is None:
            row.values["birth_date"] = born
        elif given != born:
            row.error("出生日期", _("与身份证号中的出生日期（%(d)s）不一致。") % {"d": born.isoformat()})

    def extra_fields(self, present: set[str]) -> list[str]:
        return ["birth_date"] if "id_number" in present and "birth_date" not in present else []

    def existing(self, rows: list[Row]) -> dict[tuple[Any, ...], dict[str, Any]]:
        numbers = sorted({row.values["student_no"] for row in rows if not row.errors})
        fields = [c.field for c in self.columns]
        found: dict[tuple[Any, ...], dict[str, Any]] = {}
        for start in range(0, len(numbers), LOOKUP_CHUNK):
            chunk = numbers[start : start + LOOKUP_CHUNK]
            for values in Student.objects.filter(school_id=self.school_id, student_no__in=chunk).values(*fields):
                found[(values["student_no"],)] = values
        if self.own_department is not None:
            for row in rows:
                before = found.get((row.values.get("student_no"),))
                if before is not None and before["department_id"] != self.own_department.pk:
                    row.error("学号", _("该学号已是其他院系的学生，不能修改。"))
        return found

    def write(self, rows: list[Row], fields: list[str]) -> None:
        students = [
            Student(
                school_id=self.school_id, **{name: value for name, value in row.values.items() if value is not None}
            )
            for row in rows
        ]
        update = [name for name in fields if name != "student_no"]
        if "id_number" in update:
            update.append("id_number_index")
        Student.objects.bulk_create(
            students,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["school", "student_no"],
            update_fields=[*update, "updated_at"],
        )
