"""学生信息 (SPEC V-01) and 教师信息 (P-06) batch imports (X-01): the templates' columns and how rows are written.

Natural key: 学号 within the importer's school. 院系 and 校内导师工号 are resolved
by name/code for all rows in one query each; department-level importers may
only import rows of their own department.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import xlsxwriter
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campusflow.accounts.actions import generate_password
from campusflow.accounts.models import RoleAssignment, User
from campusflow.core.errors import ActionError
from campusflow.core.roles import Role
from campusflow.core.uploads import SPREADSHEETS, validate_upload
from campusflow.core.validators import id_number_check_digit
from campusflow.jobs.models import Job
from campusflow.jobs.registry import JobFailure, JobResult, Progress, register
from campusflow.orgs.models import OrgUnit, Student, Teacher
from campusflow.tabular.cells import CellKind, Column
from campusflow.tabular.exporting import WORKBOOK_OPTIONS, Formats, timestamped, write_cell
from campusflow.tabular.importing import ImportSpec, Row, among, register_import, run_import
from campusflow.tabular.writing import upsert

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


def resolve_departments(
    rows: list[Row], *, school_id: int, own_department: OrgUnit | None, outside_message: str
) -> dict[int, OrgUnit]:
    """Replace each row's 院系 text (a name or a code of the school) by its id, in one query.

    Rows naming an unknown, closed or — for a college-level importer — another college get
    an error (``outside_message`` for the last). Returns the colleges found, by id.
    """
    texts = {row.values["department_id"] for row in rows if row.values.get("department_id")}
    units = list(
        OrgUnit.objects.filter(school_id=school_id, kind=OrgUnit.Kind.DEPARTMENT).filter(
            Q(name__in=texts) | Q(code__in=texts)
        )
    )
    by_text: dict[str, OrgUnit] = {}
    for unit in units:
        by_text.setdefault(unit.code, unit)
    for unit in units:
        by_text[unit.name] = unit  # a name wins over another unit's code
    found_units: dict[int, OrgUnit] = {}
    for row in rows:
        text = row.values.get("department_id")
        if not text:
            continue
        found = by_text.get(text)
        if found is None:
            row.error("院系", _("本校没有名为“%(name)s”的院系。") % {"name": text})
        elif not found.is_active:
            row.error("院系", _("院系“%(name)s”已停用。") % {"name": found.name})
        elif own_department is not None and found.pk != own_department.pk:
            row.error("院系", outside_message)
        else:
            row.values["department_id"] = found.pk
            found_units[found.pk] = found
    return found_units


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
        own = self.own_department
        outside = _("只能导入本院系（%(name)s）的学生。") % {"name": own.name} if own is not None else ""
        resolve_departments(rows, school_id=self.school_id, own_department=own, outside_message=outside)
        if "supervisor_id" in present:
            codes = {row.values["supervisor_id"] for row in rows if row.values.get("supervisor_id")}
            teachers: dict[str, int] = {}
            for chunk in among("staff_no", codes):
                teachers.update(Teacher.objects.filter(chunk, school_id=self.school_id).values_list("staff_no", "pk"))
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
        # The cell is already a normalised, valid 身份证号: its digits 7–14 are the birth date.
        born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        given = row.values.get("birth_date")
        if given is None:
            row.values["birth_date"] = born
        elif given != born:
            row.error("出生日期", _("与身份证号中的出生日期（%(d)s）不一致。") % {"d": born.isoformat()})

    def extra_fields(self, present: set[str]) -> list[str]:
        return ["birth_date"] if "id_number" in present and "birth_date" not in present else []

    def existing(self, rows: list[Row]) -> dict[tuple[Any, ...], dict[str, Any]]:
        numbers = [row.values["student_no"] for row in rows if not row.errors]
        fields = [c.field for c in self.columns]
        found: dict[tuple[Any, ...], dict[str, Any]] = {}
        for chunk in among("student_no", numbers):
            for values in Student.objects.filter(chunk, school_id=self.school_id).values(*fields):
                found[(values["student_no"],)] = values
        if self.own_department is not None:
            for row in rows:
                before = found.get((row.values.get("student_no"),))
                if before is not None and before["department_id"] != self.own_department.pk:
                    row.error("学号", _("该学号已是其他院系的学生，不能修改。"))
        return found

    def write(self, rows: list[Row], fields: list[str]) -> None:
        update = [name for name in fields if name != "student_no"]
        if "id_number" in update:
            update.append("id_number_index")
        upsert(
            Student,
            [row.values for row in rows],
            constants={"school_id": self.school_id},
            unique_fields=["school", "student_no"],
            update_fields=[*update, "updated_at"],
        )


# -- 教师信息 / 导入指导老师信息 (P-06, X-01; seed 003 §6.5) ---------------------------------------

# Who may import teachers: the school admin for the school, a department admin for their department.
TEACHER_IMPORTERS = frozenset({Role.SCHOOL_ADMIN, Role.DEPARTMENT_ADMIN})
# The role every new teacher's account gets, at the teacher's department: 校内导师 is the role a
# school teacher signs in with to guide students (实习指导教师) and to supervise them as 研究生导师.
TEACHER_ACCOUNT_ROLE = Role.SUPERVISOR
_YES_NO = {"是": "1", "否": "0"}


@dataclass(frozen=True)
class InitialPassword:
    """A new account's one-time password: only in memory, for the file shown right after the import."""

    staff_no: str
    name: str
    department: str
    username: str
    password: str


@register_import
class TeacherImport(ImportSpec):
    """Natural key: 工号 within the school. A new teacher also gets an account (username = 工号)."""

    kind = "orgs.teachers"
    title = gettext_lazy("教师信息")
    sheet_name = "教师信息"
    key = ("staff_no",)
    columns = (
        Column(
            "工号",
            "staff_no",
            CellKind.CODE,
            required=True,
            example="T3001",
            max_length=32,
            help=gettext_lazy("本校内唯一，也是新教师账号的用户名；已存在的工号将更新该教师的信息"),
            aliases=("教师工号", "职工号"),
        ),
        Column("姓名", "name", required=True, example="王老师", max_length=50),
        Column(
            "院系",
            "department_id",
            CellKind.REFERENCE,
            required=True,
            example="计算机学院",
            help=gettext_lazy("本校二级院系的名称或代码"),
            aliases=("学院", "所在院系"),
        ),
        Column("性别", "gender", CellKind.CHOICE, example="男", choices=_labels(Student.Gender.choices)),
        Column("职称", "title", example="副教授", max_length=50),
        Column("手机号码", "phone", CellKind.MOBILE, example="13800138000", aliases=("手机", "手机号", "电话")),
        Column("电子邮箱", "email", example="wang@example.edu.cn", max_length=254, aliases=("邮箱", "Email")),
        Column(
            "是否研究生导师",
            "is_supervisor",
            CellKind.CHOICE,
            example="是",
            choices=_YES_NO,
            help=gettext_lazy("不填时新教师为“否”"),
            aliases=("研究生导师",),
        ),
    )
    notes = (
        gettext_lazy(
            "新教师（工号在本校尚不存在）会同时开通账号：用户名为工号，角色为所在院系的“校内导师”"
            "（指导老师和研究生导师都用此角色登录），初始密码随机生成，7 天内有效，首次登录须修改。"
        ),
        gettext_lazy(
            "导入完成后请立即下载“初始密码”文件并妥善转交；该文件只在导入完成的页面提供一次，系统不保存明文密码。"
        ),
        gettext_lazy(
            "已存在的教师只更新信息（姓名、院系、性别、职称、手机号码、电子邮箱、是否研究生导师），其账号和密码不变。"
        ),
        gettext_lazy("工号已被其他账号用作用户名（例如其他学校的账号）时，该行不能导入，请联系系统管理员。"),
        gettext_lazy("二级院系管理账号只能导入本院系的教师。"),
    )

    def __init__(self, actor: Any) -> None:
        super().__init__(actor)
        assignment = actor.active_role
        if assignment is None or Role(assignment.role) not in TEACHER_IMPORTERS or assignment.unit is None:
            raise PermissionDenied
        unit = assignment.unit
        if not unit.school_id:
            raise PermissionDenied
        self.school_id: int = unit.school_id
        self.own_department: OrgUnit | None = unit if unit.kind == OrgUnit.Kind.DEPARTMENT else None
        self.departments: dict[int, OrgUnit] = {}
        # Filled by ``write``: the new accounts' passwords, never stored.
        self.new_passwords: list[InitialPassword] = []

    def audit_school(self) -> Any:
        return self.school_id

    def resolve(self, rows: list[Row], present: set[str]) -> None:
        own = self.own_department
        outside = _("只能导入本院系（%(name)s）的教师。") % {"name": own.name} if own is not None else ""
        self.departments.update(
            resolve_departments(rows, school_id=self.school_id, own_department=own, outside_message=outside)
        )

    def clean_row(self, row: Row, present: set[str]) -> None:
        flag = row.values.get("is_supervisor")
        if flag is not None:
            row.values["is_supervisor"] = flag == "1"
        email = row.values.get("email")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row.error("电子邮箱", _("电子邮箱格式不正确。"))

    def existing(self, rows: list[Row]) -> dict[tuple[Any, ...], dict[str, Any]]:
        numbers = [row.values["staff_no"] for row in rows if not row.errors]
        fields = [c.field for c in self.columns]
        found: dict[tuple[Any, ...], dict[str, Any]] = {}
        for chunk in among("staff_no", numbers):
            for values in Teacher.objects.filter(chunk, school_id=self.school_id).values(*fields):
                found[(values["staff_no"],)] = values
        if self.own_department is not None:
            for row in rows:
                before = found.get((row.values.get("staff_no"),))
                if before is not None and before["department_id"] != self.own_department.pk:
                    row.error("工号", _("该工号已是其他院系的教师，不能修改。"))
        self._check_usernames([row for row in rows if not row.errors and (row.values["staff_no"],) not in found])
        return found

    def _check_usernames(self, new_rows: list[Row]) -> None:
        """A new teacher's username is the 工号: it must be free (case-insensitively, as at sign-in)."""
        wanted: dict[str, list[Row]] = {}
        for row in new_rows:
            wanted.setdefault(row.values["staff_no"].lower(), []).append(row)
        taken: dict[str, Any] = {}
        names = sorted(wanted)
        for start in range(0, len(names), LOOKUP_CHUNK):
            chunk = names[start : start + LOOKUP_CHUNK]
            accounts = (
                User.objects.annotate(lowered=Lower("username"))
                .filter(lowered__in=chunk)
                .values_list("lowered", "school_id")
            )
            taken.update(dict(accounts))
        for lowered, same in wanted.items():
            if lowered in taken:
                school_id = taken[lowered]
                for row in same:
                    if school_id != self.school_id:
                        message = _("用户名“%(u)s”已被其他学校的账号使用，不能为该教师开通账号；请联系系统管理员。")
                    else:
                        message = _("用户名“%(u)s”已被本校的其他账号使用，请核对工号或先在账号管理中处理。")
                    row.error("工号", message % {"u": row.values["staff_no"]})
            elif len(same) > 1:
                numbers = "、".join(str(row.number) for row in same)
                for row in same:
                    message = _("工号仅大小写不同，不能用作不同的用户名（第 %(rows)s 行）。")
                    row.error("工号", message % {"rows": numbers})

    def write(self, rows: list[Row], fields: list[str]) -> None:
        """Teachers in one upsert; for the new ones, accounts and roles in one insert each."""
        now = timezone.now()
        expires = now + timedelta(days=settings.INITIAL_PASSWORD_VALID_DAYS)
        new_rows = [row for row in rows if row.status == "created"]
        accounts: dict[str, User] = {}
        passwords: list[InitialPassword] = []
        for row in new_rows:
            password = generate_password()
            staff_no = row.values["staff_no"]
            accounts[staff_no] = User(
                username=staff_no,
                full_name=row.values["name"],
                email=row.values.get("email") or "",
                school_id=self.school_id,
                password=make_password(password),
                must_change_password=True,
                temporary_password_expires_at=expires,
                created_by=self.actor,
            )
            department = self.departments[row.values["department_id"]]
            passwords.append(InitialPassword(staff_no, row.values["name"], department.name, staff_no, password))
        if accounts:
            User.objects.bulk_create(accounts.values(), batch_size=1000)
            RoleAssignment.objects.bulk_create(
                [
                    RoleAssignment(
                        user=accounts[row.values["staff_no"]],
                        role=TEACHER_ACCOUNT_ROLE,
                        unit_id=row.values["department_id"],
                        granted_by=self.actor,
                    )
                    for row in new_rows
                ],
                batch_size=1000,
            )
        teachers = []
        for row in rows:
            account = accounts.get(row.values["staff_no"])
            teachers.append({**row.values, "user_id": account.pk if account is not None else None})
        update = [name for name in fields if name != "staff_no"]
        upsert(
            Teacher,
            teachers,
            constants={"school_id": self.school_id},
            unique_fields=["school", "staff_no"],
            update_fields=[*update, "updated_at"],
        )
        self.new_passwords = passwords


def initial_passwords_xlsx(passwords: list[InitialPassword]) -> bytes:
    """The new accounts' initial passwords, built in memory for one download (never stored)."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    formats = Formats(workbook)
    sheet = workbook.add_worksheet(_("初始密码"))
    headers = (_("工号"), _("姓名"), _("院系"), _("用户名"), _("初始密码"))
    for index, header in enumerate(headers):
        sheet.write_string(0, index, header, formats.header)
    sheet.set_column(0, len(headers) - 1, 18, formats.text)
    for line, item in enumerate(passwords, start=1):
        for index, value in enumerate((item.staff_no, item.name, item.department, item.username, item.password)):
            write_cell(sheet, line, index, value, formats)
    note = _("初始密码 %(d)s 天内有效，首次登录须修改；请妥善转交本人后删除本文件。") % {
        "d": settings.INITIAL_PASSWORD_VALID_DAYS
    }
    sheet.write_string(len(passwords) + 2, 0, note)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return output.getvalue()


@register("orgs.teacher_import", gettext_lazy("教师信息导入"))
def teacher_import_job(job: Job, progress: Progress) -> JobResult:
    """A large 教师信息 import: like ``tabular.import``, and the result file holds the initial passwords."""
    if not job.input_file:
        raise JobFailure(_("未知的导入类型。"))
    spec = TeacherImport(job.created_by)
    with job.input_file.open("rb") as handle:
        data = handle.read()
    try:
        upload = validate_upload(data, allowed=SPREADSHEETS)
        progress.total(int(job.params.get("rows", 0)), _("正在读取文件"))
        report = run_import(
            spec,
            upload,
            commit=bool(job.params.get("commit")),
            progress=lambda done, message: progress.advance(done, message),
        )
    except ActionError as error:
        raise JobFailure(error.message) from None
    result = JobResult(summary=report.summary())
    if not report.ok:
        result.file_bytes = report.rejected_xlsx()
        result.file_name = timestamped(_("未导入的行"))
        result.message = _("有 %(n)s 行有错误，未写入任何数据；请下载未导入的行，修改后重新上传。") % {
            "n": report.error_rows
        }
    elif report.committed:
        result.message = _("导入完成：新增 %(c)s，更新 %(u)s，未变化 %(s)s。") % {
            "c": report.created,
            "u": report.updated,
            "s": report.unchanged,
        }
        if spec.new_passwords:
            result.file_bytes = initial_passwords_xlsx(spec.new_passwords)
            result.file_name = timestamped(_("新教师账号初始密码"))
            result.message += " " + _("已为 %(n)s 名新教师开通账号，请下载初始密码文件。") % {
                "n": len(spec.new_passwords)
            }
    else:
        result.message = _("预览完成，没有错误，可以确认导入。")
    return result
