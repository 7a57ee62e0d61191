"""Org tree and people API (X-05): the same scoping and masking as the pages.

Every list starts from ``Model.objects.visible_to(user)`` (P-04) and every
detail answers 404 alike for "not yours" and "does not exist". Sensitive
values (身份证号, phones, 住宿) go out only in their masked form through
``core.privacy.display`` (S-10): revealing a clear value is a logged page
action, never an API field. ID numbers are looked up with a POST body so that
they never appear in a URL or an access log (S-10).
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from campusflow.core.access import get_visible_or_404
from campusflow.core.api_auth import api_roles, auth_user
from campusflow.core.errors import ActionError
from campusflow.core.privacy import HIDDEN, REVEAL_ROLES, Sensitive, display, is_hidden
from campusflow.core.roles import PEOPLE_READERS, PERSONAL_ROLES, Role
from campusflow.core.validators import normalize_id_number
from campusflow.orgs.models import EnterpriseMentor, OrgUnit, PersonQuerySet, Student, Teacher

router = Router(tags=["组织与人员"])

STUDENT_LIST_ROLES = PEOPLE_READERS
STUDENT_DETAIL_ROLES = PEOPLE_READERS | {Role.STUDENT}
TEACHER_ROLES = PEOPLE_READERS - {Role.ENTERPRISE_MENTOR}
MENTOR_ROLES = PEOPLE_READERS
# Looking a student up by 身份证号 is for the offices that hold the numbers anyway.
ID_LOOKUP_ROLES = REVEAL_ROLES[Sensitive.ID_NUMBER] - {Role.STUDENT}
# Personal roles see people through their relation to them, never the org tree.
UNIT_ROLES = frozenset(Role) - PERSONAL_ROLES


class PageSize(PageNumberPagination):
    """``page`` (from 1) and ``page_size`` (at most 100)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=30, max_page_size=100, **kwargs)


def _role(context: Any) -> Role | None:
    request = (context or {}).get("request")
    user = getattr(request, "auth", None)
    return user.role if user is not None else None


def _show(value: str | None, kind: Sensitive, context: Any) -> str:
    return display(value, kind, _role(context))


# -- schemas ---------------------------------------------------------------------------


class Ref(Schema):
    id: int = Field(description="ID")
    name: str = Field(description="名称/姓名")


def _ref(obj: Any) -> Ref | None:
    return Ref(id=obj.pk, name=obj.name) if obj is not None else None


class OrgUnitOut(Schema):
    id: int = Field(description="单位ID")
    name: str = Field(description="名称")
    code: str = Field(description="代码")
    kind: OrgUnit.Kind = Field(
        description="类型：province 省级（教育厅）、school 学校、department 二级院系、office 职能部门"
    )
    kind_label: str = Field(description="类型名称")
    office_type: str = Field(description="职能部门类别（仅职能部门）")
    parent_id: int | None = Field(None, description="上级单位ID")
    school_id: int | None = Field(None, description="所属学校ID")
    is_active: bool = Field(description="是否启用")

    @staticmethod
    def resolve_kind_label(obj: OrgUnit) -> str:
        return str(obj.get_kind_display())


class StudentOut(Schema):
    id: int = Field(description="学生ID")
    student_no: str = Field(description="学号")
    name: str = Field(description="姓名")
    gender: str = Field(description="性别：M 男、F 女")
    school_id: int = Field(description="学校ID")
    department: Ref = Field(description="院系")
    major: str = Field(description="专业")
    class_name: str = Field(description="班级")
    grade: int | None = Field(None, description="年级")
    category: Student.Category = Field(description="学生类别")
    category_label: str = Field(description="学生类别名称")
    level: Student.Level = Field(description="培养层次")
    status: Student.Status = Field(description="学籍状态")
    status_label: str = Field(description="学籍状态名称")
    id_number: str = Field(description="身份证号（脱敏显示；企业导师不可见，显示为“—”）")
    phone: str = Field(description="电话（脱敏显示）")
    supervisor: Ref | None = Field(None, description="校内导师")
    enterprise_mentor: Ref | None = Field(None, description="企业导师")

    @staticmethod
    def resolve_department(obj: Student) -> Ref | None:
        return _ref(obj.department)

    @staticmethod
    def resolve_supervisor(obj: Student) -> Ref | None:
        return _ref(obj.supervisor)

    @staticmethod
    def resolve_enterprise_mentor(obj: Student) -> Ref | None:
        return _ref(obj.enterprise_mentor)

    @staticmethod
    def resolve_category_label(obj: Student) -> str:
        return str(obj.get_category_display())

    @staticmethod
    def resolve_status_label(obj: Student) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_id_number(obj: Student, context: Any) -> str:
        return _show(obj.id_number, Sensitive.ID_NUMBER, context)

    @staticmethod
    def resolve_phone(obj: Student, context: Any) -> str:
        return _show(obj.phone, Sensitive.PHONE, context)


class StudentDetailOut(StudentOut):
    candidate_no: str = Field(description="考生号")
    birth_date: date | None = Field(None, description="出生日期（企业导师不可见）")
    certificate: str = Field(description="单证/双证：single 单证、double 双证")
    father_name: str = Field(description="父亲姓名（企业导师不可见）")
    father_phone: str = Field(description="父亲电话（脱敏显示；企业导师不可见）")
    mother_name: str = Field(description="母亲姓名（企业导师不可见）")
    mother_phone: str = Field(description="母亲电话（脱敏显示；企业导师不可见）")
    household_transfer: str = Field(description="户口迁移")
    accommodation: str = Field(description="住宿信息（脱敏显示；企业导师不可见）")

    @staticmethod
    def resolve_birth_date(obj: Student, context: Any) -> date | None:
        # The birth date is six digits of the ID number: hidden wherever the number is.
        return None if is_hidden(_role(context), Sensitive.ID_NUMBER) else obj.birth_date

    @staticmethod
    def resolve_father_name(obj: Student, context: Any) -> str:
        return HIDDEN if obj.father_name and is_hidden(_role(context), Sensitive.PARENT_PHONE) else obj.father_name

    @staticmethod
    def resolve_mother_name(obj: Student, context: Any) -> str:
        return HIDDEN if obj.mother_name and is_hidden(_role(context), Sensitive.PARENT_PHONE) else obj.mother_name

    @staticmethod
    def resolve_father_phone(obj: Student, context: Any) -> str:
        return _show(obj.father_phone, Sensitive.PARENT_PHONE, context)

    @staticmethod
    def resolve_mother_phone(obj: Student, context: Any) -> str:
        return _show(obj.mother_phone, Sensitive.PARENT_PHONE, context)

    @staticmethod
    def resolve_accommodation(obj: Student, context: Any) -> str:
        return _show(obj.accommodation, Sensitive.DORMITORY, context)


class TeacherOut(Schema):
    id: int = Field(description="教师ID")
    staff_no: str = Field(description="工号")
    name: str = Field(description="姓名")
    gender: str = Field(description="性别：M 男、F 女，空为未填")
    school_id: int = Field(description="学校ID")
    department: Ref = Field(description="院系")
    title: str = Field(description="职称")
    phone: str = Field(description="手机号码（脱敏显示）")
    email: str = Field(description="电子邮箱")
    is_supervisor: bool = Field(description="是否研究生导师")

    @staticmethod
    def resolve_department(obj: Teacher) -> Ref | None:
        return _ref(obj.department)

    @staticmethod
    def resolve_phone(obj: Teacher, context: Any) -> str:
        return _show(obj.phone, Sensitive.PHONE, context)


class MentorOut(Schema):
    id: int = Field(description="企业导师ID")
    mentor_no: str = Field(description="企业导师编号")
    name: str = Field(description="企业导师姓名")
    gender: str = Field(description="性别：M 男、F 女")
    school_id: int = Field(description="学校ID")
    enterprise_name: str = Field(description="所在单位")
    department_name: str = Field(description="部门")
    enrollment_category: str = Field(description="招生专业类别")
    enrollment_field: str = Field(description="招生专业领域")
    enrollment_direction: str = Field(description="招生专业方向")
    enrollment_specific_direction: str = Field(description="招生具体方向")
    birth_month: date | None = Field(None, description="出生年月")
    education: str = Field(description="学历")
    degree: str = Field(description="学位")
    professional_title: str = Field(description="专业技术职称")
    position: str = Field(description="职务")
    phone: str = Field(description="手机号码（脱敏显示）")
    partner_supervisor: Ref | None = Field(None, description="合作校内导师")
    willing_first_supervisor: bool = Field(description="是否愿意以第一导师身份招收、培养研究生")

    @staticmethod
    def resolve_partner_supervisor(obj: EnterpriseMentor) -> Ref | None:
        return _ref(obj.partner_supervisor)

    @staticmethod
    def resolve_phone(obj: EnterpriseMentor, context: Any) -> str:
        return _show(obj.phone, Sensitive.PHONE, context)


# -- filters ---------------------------------------------------------------------------


class UnitFilters(Schema):
    kind: OrgUnit.Kind | None = Field(None, description="单位类型")
    parent: int | None = Field(None, ge=1, description="上级单位ID")


class StudentFilters(Schema):
    department: int | None = Field(None, ge=1, description="院系ID")
    grade: int | None = Field(None, ge=1900, le=2200, description="年级，如 2023")
    category: Student.Category | None = Field(None, description="学生类别")
    status: Student.Status | None = Field(None, description="学籍状态")
    q: str | None = Field(None, max_length=50, description="按学号（前缀）或姓名（包含）查找")


class TeacherFilters(Schema):
    department: int | None = Field(None, ge=1, description="院系ID")
    is_supervisor: bool | None = Field(None, description="只看研究生导师")
    q: str | None = Field(None, max_length=50, description="按工号（前缀）或姓名（包含）查找")


class MentorFilters(Schema):
    q: str | None = Field(None, max_length=50, description="按编号（前缀）、姓名或所在单位（包含）查找")


class IdNumberLookup(Schema):
    id_number: str = Field(
        min_length=15,
        max_length=40,
        description="身份证号（精确匹配，可含空格或全角数字；经盲索引查找，不出现在URL中）",
    )


def _text(q: str | None) -> str:
    return (q or "").strip()


# -- operations -----------------------------------------------------------------------


@router.get(
    "/org-units", response=list[OrgUnitOut], summary="组织单位列表", description="当前角色可见范围内的组织单位。"
)
@api_roles(UNIT_ROLES)
@paginate(PageSize)
def org_units(request: HttpRequest, filters: Query[UnitFilters]) -> QuerySet[OrgUnit]:
    units = OrgUnit.objects.visible_to(auth_user(request))
    if filters.kind is not None:
        units = units.filter(kind=filters.kind)
    if filters.parent is not None:
        units = units.filter(parent_id=filters.parent)
    return units


def _students() -> PersonQuerySet:
    return cast(PersonQuerySet, Student.objects.select_related("department", "supervisor", "enterprise_mentor"))


@router.get(
    "/students",
    response=list[StudentOut],
    summary="学生列表",
    description="当前角色可见范围内的学生（学校/院系/本人指导/本人带教），身份证号与电话脱敏。",
)
@api_roles(STUDENT_LIST_ROLES)
@paginate(PageSize)
def students(request: HttpRequest, filters: Query[StudentFilters]) -> QuerySet[Student]:
    rows = _students().visible_to(auth_user(request))
    if filters.department is not None:
        rows = rows.filter(department_id=filters.department)
    if filters.grade is not None:
        rows = rows.filter(grade=filters.grade)
    if filters.category is not None:
        rows = rows.filter(category=filters.category)
    if filters.status is not None:
        rows = rows.filter(status=filters.status)
    if q := _text(filters.q):
        rows = rows.filter(Q(student_no__startswith=q) | Q(name__contains=q))
    return rows


@router.post(
    "/students/find-by-id-number",
    response=list[StudentOut],
    summary="按身份证号查找学生",
    description="在可见范围内按身份证号精确查找；身份证号放在请求体中，不进入URL和访问日志。",
)
@api_roles(ID_LOOKUP_ROLES)
def students_by_id_number(request: HttpRequest, payload: IdNumberLookup) -> list[Student]:
    from campusflow.core.crypto import blind_index

    normalized = normalize_id_number(payload.id_number)
    if not normalized:
        raise ActionError(_("请输入身份证号。"), field="id_number")
    return list(_students().visible_to(auth_user(request)).filter(id_number_index=blind_index(normalized))[:20])


@router.get("/students/{id}", response=StudentDetailOut, summary="学生详情", description="身份证号、电话、住宿脱敏。")
@api_roles(STUDENT_DETAIL_ROLES)
def student(request: HttpRequest, id: int) -> Student:
    return get_visible_or_404(_students(), auth_user(request), pk=id)


def _teachers() -> PersonQuerySet:
    return cast(PersonQuerySet, Teacher.objects.select_related("department"))


@router.get("/teachers", response=list[TeacherOut], summary="教师列表", description="当前角色可见范围内的教师。")
@api_roles(TEACHER_ROLES)
@paginate(PageSize)
def teachers(request: HttpRequest, filters: Query[TeacherFilters]) -> QuerySet[Teacher]:
    rows = _teachers().visible_to(auth_user(request))
    if filters.department is not None:
        rows = rows.filter(department_id=filters.department)
    if filters.is_supervisor is not None:
        rows = rows.filter(is_supervisor=filters.is_supervisor)
    if q := _text(filters.q):
        rows = rows.filter(Q(staff_no__startswith=q) | Q(name__contains=q))
    return rows


@router.get("/teachers/{id}", response=TeacherOut, summary="教师详情")
@api_roles(TEACHER_ROLES | {Role.STUDENT})
def teacher(request: HttpRequest, id: int) -> Teacher:
    return get_visible_or_404(_teachers(), auth_user(request), pk=id)


def _mentors() -> PersonQuerySet:
    return cast(PersonQuerySet, EnterpriseMentor.objects.select_related("partner_supervisor"))


@router.get("/mentors", response=list[MentorOut], summary="企业导师列表", description="当前角色可见范围内的企业导师。")
@api_roles(MENTOR_ROLES)
@paginate(PageSize)
def mentors(request: HttpRequest, filters: Query[MentorFilters]) -> QuerySet[EnterpriseMentor]:
    rows = _mentors().visible_to(auth_user(request))
    if q := _text(filters.q):
        rows = rows.filter(Q(mentor_no__startswith=q) | Q(name__contains=q) | Q(enterprise_name__contains=q))
    return rows


@router.get("/mentors/{id}", response=MentorOut, summary="企业导师详情")
@api_roles(MENTOR_ROLES | {Role.STUDENT})
def mentor(request: HttpRequest, id: int) -> EnterpriseMentor:
    return get_visible_or_404(_mentors(), auth_user(request), pk=id)
