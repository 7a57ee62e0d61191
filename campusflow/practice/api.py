"""Placement API (X-05, G-01): the G-01 query with the same scoping as the page.

A supervisor sees own students, a mentor the students placed with them, a
college its students, the graduate school all of its school (P-04).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from campusflow.core.access import get_visible_or_404
from campusflow.core.api_auth import api_roles, auth_user
from campusflow.core.validators import normalize_code
from campusflow.orgs.api import PageSize, Ref
from campusflow.orgs.models import Student
from campusflow.practice.models import Placement
from campusflow.practice.views import DETAIL_READERS, PLACEMENT_READERS, placement_rows

router = Router(tags=["专业实践"])


class PlacementOut(Schema):
    id: int = Field(description="实践安排ID")
    student_id: int = Field(description="学生ID")
    student_no: str = Field(description="学号")
    student_name: str = Field(description="姓名")
    grade: int | None = Field(None, description="年级")
    department: Ref = Field(description="学院")
    major: str = Field(description="专业")
    student_status: Student.Status = Field(description="学生状态（学籍状态）")
    supervisor_no: str = Field(description="校内导师编号（工号）")
    supervisor_name: str = Field(description="校内导师姓名")
    mentor_no: str = Field(description="企业导师编号")
    mentor_name: str = Field(description="企业导师姓名")
    mentor_account: str = Field(description="企业导师登录账号（尚未生成时为空）")
    practice_type: Placement.PracticeType = Field(
        description="专业实践类型：dispatch 基地派遣、supervisor 导师自主安排、self 学生自行联系"
    )
    base: Ref = Field(description="工作站（实践基地）")
    start_date: date = Field(description="实践开始日期")
    end_date: date = Field(description="实践结束日期")
    onsite_start: date = Field(description="现场实践开始日期")
    onsite_end: date = Field(description="现场实践结束日期")
    status: Placement.Status = Field(description="状态分类：on_site 在站、exited 已出站、terminated 已终止")

    @staticmethod
    def resolve_student_no(obj: Placement) -> str:
        return obj.student.student_no

    @staticmethod
    def resolve_student_name(obj: Placement) -> str:
        return obj.student.name

    @staticmethod
    def resolve_grade(obj: Placement) -> int | None:
        return obj.student.grade

    @staticmethod
    def resolve_department(obj: Placement) -> Ref:
        return Ref(id=obj.student.department.pk, name=obj.student.department.name)

    @staticmethod
    def resolve_major(obj: Placement) -> str:
        return obj.student.major

    @staticmethod
    def resolve_student_status(obj: Placement) -> str:
        return obj.student.status

    @staticmethod
    def resolve_supervisor_no(obj: Placement) -> str:
        return obj.supervisor.staff_no

    @staticmethod
    def resolve_supervisor_name(obj: Placement) -> str:
        return obj.supervisor.name

    @staticmethod
    def resolve_mentor_no(obj: Placement) -> str:
        return obj.mentor.mentor_no

    @staticmethod
    def resolve_mentor_name(obj: Placement) -> str:
        return obj.mentor.name

    @staticmethod
    def resolve_mentor_account(obj: Placement) -> str:
        user = obj.mentor.user
        return user.username if user is not None else ""

    @staticmethod
    def resolve_base(obj: Placement) -> Ref:
        return Ref(id=obj.base.pk, name=obj.base.name)


class PlacementFilters(Schema):
    grade: int | None = Field(None, ge=1900, le=2200, description="年级，如 2023")
    practice_type: Placement.PracticeType | None = Field(None, description="专业实践类型")
    base: str | None = Field(None, max_length=100, description="基地名称（包含）")
    student_status: Student.Status | None = Field(None, description="学生状态（学籍状态）")
    status: Placement.Status | None = Field(None, description="状态分类")
    q: str | None = Field(None, max_length=50, description="学生信息：学号（前缀）或姓名（包含）")
    supervisor: str | None = Field(None, max_length=50, description="校内导师：工号（前缀）或姓名（包含）")
    mentor: str | None = Field(None, max_length=50, description="企业导师：编号（前缀）或姓名（包含）")


def _person(rows: QuerySet[Placement], prefix: str, number: str, value: str | None) -> QuerySet[Placement]:
    value = (value or "").strip()
    if not value:
        return rows
    return rows.filter(
        Q(**{f"{prefix}__{number}__startswith": normalize_code(value)}) | Q(**{f"{prefix}__name__contains": value})
    )


@router.get(
    "/placements",
    response=list[PlacementOut],
    summary="学生实践信息查询",
    description="当前角色可见范围内的专业实践安排（G-01），含企业导师账号。",
)
@api_roles(PLACEMENT_READERS)
@paginate(PageSize)
def placements(request: HttpRequest, filters: Query[PlacementFilters]) -> QuerySet[Placement]:
    rows = placement_rows(auth_user(request))
    if filters.grade is not None:
        rows = rows.filter(student__grade=filters.grade)
    if filters.practice_type is not None:
        rows = rows.filter(practice_type=filters.practice_type)
    if base := (filters.base or "").strip():
        rows = rows.filter(base__name__contains=base)
    if filters.student_status is not None:
        rows = rows.filter(student__status=filters.student_status)
    if filters.status is not None:
        rows = rows.filter(status=filters.status)
    rows = _person(rows, "student", "student_no", filters.q)
    rows = _person(rows, "supervisor", "staff_no", filters.supervisor)
    rows = _person(rows, "mentor", "mentor_no", filters.mentor)
    return rows.order_by("student__grade", "student__student_no", "-start_date", "-id")


@router.get("/placements/{id}", response=PlacementOut, summary="专业实践安排详情")
@api_roles(DETAIL_READERS)
def placement(request: HttpRequest, id: int) -> Placement:
    queryset = Placement.objects.select_related(
        "student", "student__department", "base", "supervisor", "mentor", "mentor__user"
    )
    return get_visible_or_404(queryset, auth_user(request), pk=id)
