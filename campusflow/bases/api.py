"""Practice-base API (X-05, B-04): the pages' scoping and masking.

Every staff role browses its school's bases; students and mentors see the
bases they are placed at or mentor for. Phones go out masked only (S-10).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from campusflow.bases.models import BaseMentor, Enterprise, PracticeBase, SchoolEnterprise
from campusflow.core.access import get_visible_or_404
from campusflow.core.api_auth import api_roles, api_signed_in, auth_user
from campusflow.core.privacy import Sensitive, display
from campusflow.core.roles import STAFF_ROLES, Role
from campusflow.core.validators import normalize_code
from campusflow.orgs.api import PageSize, Ref

router = Router(tags=["实践基地"])


def _phone(value: str, context: Any) -> str:
    request = (context or {}).get("request")
    user = getattr(request, "auth", None)
    return display(value, Sensitive.PHONE, user.role if user is not None else None)


class BaseOut(Schema):
    id: int = Field(description="基地ID")
    code: str = Field(description="基地编号")
    name: str = Field(description="基地名称")
    unit_type: PracticeBase.UnitType = Field(description="单位性质")
    unit_type_label: str = Field(description="单位性质名称")
    address: str = Field(description="地址")
    contact_name: str = Field(description="企业联系人")
    contact_phone: str = Field(description="企业联系人电话（脱敏显示）")
    leader_name: str = Field(description="企业负责人")
    leader_phone: str = Field(description="企业负责人电话（脱敏显示）")
    responsible_college: Ref = Field(description="负责学院")
    school_contact_name: str = Field(description="学校联系人")
    school_contact_phone: str = Field(description="学校联系人电话（脱敏显示）")
    level: PracticeBase.Level = Field(
        description="基地级别：school_a 校级A、school_b 校级B、provincial 省级、national 国家级"
    )
    origin: PracticeBase.Origin = Field(
        description="基地来源：school 学校基地、supervisor 导师自主安排、student 学生自行联系"
    )
    status: PracticeBase.Status = Field(description="状态：active 正常、revoked 已撤销")
    school_id: int = Field(description="学校ID")

    @staticmethod
    def resolve_unit_type_label(obj: PracticeBase) -> str:
        return str(obj.get_unit_type_display())

    @staticmethod
    def resolve_responsible_college(obj: PracticeBase) -> Ref:
        return Ref(id=obj.responsible_college.pk, name=obj.responsible_college.name)

    @staticmethod
    def resolve_contact_phone(obj: PracticeBase, context: Any) -> str:
        return _phone(obj.contact_phone, context)

    @staticmethod
    def resolve_leader_phone(obj: PracticeBase, context: Any) -> str:
        return _phone(obj.leader_phone, context)

    @staticmethod
    def resolve_school_contact_phone(obj: PracticeBase, context: Any) -> str:
        return _phone(obj.school_contact_phone, context)


class BaseMentorOut(Schema):
    id: int = Field(description="企业导师ID")
    mentor_no: str = Field(description="企业导师编号")
    name: str = Field(description="企业导师姓名")
    gender: str = Field(description="性别：M 男、F 女")
    enrollment_category: str = Field(description="招生专业类别")
    enrollment_field: str = Field(description="招生专业领域")
    enrollment_direction: str = Field(description="招生专业方向")
    enrollment_specific_direction: str = Field(description="招生具体方向")
    birth_month: date | None = Field(None, description="出生年月")
    department_name: str = Field(description="部门")
    education: str = Field(description="学历")
    degree: str = Field(description="学位")
    professional_title: str = Field(description="专业技术职称")
    position: str = Field(description="职务")
    phone: str = Field(description="手机号码（脱敏显示）")
    partner_supervisor: Ref | None = Field(None, description="合作校内导师")
    willing_first_supervisor: bool = Field(description="是否愿意以第一导师身份招收、培养研究生")

    @staticmethod
    def resolve_phone(obj: Any, context: Any) -> str:
        return _phone(obj.phone, context)

    @staticmethod
    def resolve_partner_supervisor(obj: Any) -> Ref | None:
        teacher = obj.partner_supervisor
        return Ref(id=teacher.pk, name=teacher.name) if teacher is not None else None


class BaseDetailOut(BaseOut):
    mentors: list[BaseMentorOut] = Field(description="基地的企业导师")

    @staticmethod
    def resolve_mentors(obj: PracticeBase) -> list[Any]:
        return list(getattr(obj, "mentor_rows", []))


class BaseFilters(Schema):
    q: str | None = Field(None, max_length=50, description="按基地名称（包含）或编号（前缀）查找")
    unit_type: PracticeBase.UnitType | None = Field(None, description="单位性质")
    level: PracticeBase.Level | None = Field(None, description="基地级别")
    origin: PracticeBase.Origin | None = Field(None, description="基地来源")
    responsible_college: int | None = Field(None, ge=1, description="负责学院ID")
    status: PracticeBase.Status | None = Field(None, description="状态")


@router.get(
    "/bases",
    response=list[BaseOut],
    summary="实践基地列表",
    description="教职工可浏览本校全部基地；学生与企业导师只见与本人相关的基地。电话脱敏。",
)
@api_signed_in
@paginate(PageSize)
def bases(request: HttpRequest, filters: Query[BaseFilters]) -> QuerySet[PracticeBase]:
    rows = PracticeBase.objects.visible_to(auth_user(request)).select_related("responsible_college")
    for name in ("unit_type", "level", "origin", "status"):
        value = getattr(filters, name)
        if value is not None:
            rows = rows.filter(**{name: value})
    if filters.responsible_college is not None:
        rows = rows.filter(responsible_college_id=filters.responsible_college)
    if q := (filters.q or "").strip():
        rows = rows.filter(Q(name__contains=q) | Q(code__startswith=q))
    return rows


@router.get("/bases/{id}", response=BaseDetailOut, summary="实践基地详情", description="含企业导师；电话脱敏。")
@api_signed_in
def base(request: HttpRequest, id: int) -> Any:
    found = get_visible_or_404(PracticeBase.objects.select_related("responsible_college"), auth_user(request), pk=id)
    links = BaseMentor.objects.filter(base=found).select_related("mentor", "mentor__partner_supervisor")
    found.mentor_rows = [link.mentor for link in links]  # type: ignore[attr-defined]
    return found


# -- the enterprise library (B-01…B-03) -------------------------------------------------------


class PositionOut(Schema):
    id: int
    name: str = Field(description="岗位名称")
    headcount: int = Field(description="招收人数")
    location: str = Field(description="工作地点")
    daily_hours: float = Field(description="每日工作时长（小时）")
    night_shift: bool = Field(description="是否夜班")
    is_open: bool = Field(description="正在招收")


class EnterpriseOut(Schema):
    id: int
    credit_code: str = Field(description="统一社会信用代码")
    name: str = Field(description="企业名称")
    nature: str = Field(description="企业性质")
    industry: str = Field(description="所属行业")
    scale: str = Field(description="企业规模")
    staff_count: int | None = Field(description="在职职工人数")
    contact_name: str = Field(description="联系人")
    contact_phone: str = Field(description="联系电话（脱敏显示）")
    relations: list[str] = Field(description="与本校的关系：recommended 推荐（荐）、cooperating 合作（合）")

    @staticmethod
    def resolve_contact_phone(obj: Enterprise, context: Any) -> str:
        return _phone(obj.contact_phone, context)

    @staticmethod
    def resolve_relations(obj: Enterprise) -> list[str]:
        return sorted(getattr(obj, "school_kinds", []))


class EnterpriseDetailOut(EnterpriseOut):
    legal_representative: str = Field(description="法定代表人")
    address: str = Field(description="注册地址")
    introduction: str = Field(description="企业简介")
    positions: list[PositionOut] = Field(description="实习岗位")

    @staticmethod
    def resolve_positions(obj: Enterprise) -> list[Any]:
        return list(obj.positions.order_by("name"))


class EnterpriseFilters(Schema):
    q: str | None = Field(None, max_length=100, description="企业名称（包含）或统一社会信用代码（精确）")
    relation: SchoolEnterprise.Kind | None = Field(None, description="只看与本校有此关系的企业")


def _with_relations(user: Any, enterprises: list[Enterprise]) -> list[Enterprise]:
    assignment = user.active_role
    school_id = assignment.unit.school_id if assignment is not None and assignment.unit is not None else None
    kinds: dict[int, list[str]] = {}
    if school_id is not None:
        for enterprise_id, kind in (
            SchoolEnterprise.objects.current()
            .filter(school_id=school_id, enterprise__in=enterprises)
            .values_list("enterprise_id", "kind")
        ):
            kinds.setdefault(enterprise_id, []).append(kind)
    for enterprise in enterprises:
        enterprise.school_kinds = kinds.get(enterprise.pk, [])  # type: ignore[attr-defined]
    return enterprises


@router.get(
    "/enterprises",
    response=list[EnterpriseOut],
    summary="企业库",
    description="已入驻且状态正常的企业，附与本校的推荐/合作关系。电话脱敏。",
)
@api_roles(STAFF_ROLES | {Role.STUDENT})
@paginate(PageSize)
def enterprises(request: HttpRequest, filters: Query[EnterpriseFilters]) -> Any:
    user = auth_user(request)
    rows = Enterprise.objects.visible_to(user).filter(status=Enterprise.Status.NORMAL).order_by("name")
    if q := (filters.q or "").strip():
        rows = rows.filter(Q(name__contains=q) | Q(credit_code=normalize_code(q).upper()))
    if filters.relation is not None:
        assignment = user.active_role
        school_id = assignment.unit.school_id if assignment is not None and assignment.unit is not None else None
        rows = rows.filter(
            school_relations__school_id=school_id,
            school_relations__kind=filters.relation,
            school_relations__cancelled_at__isnull=True,
        )
    return _LazyRelations(user, rows)


class _LazyRelations:
    """Lets ninja paginate the queryset, then adds the 荐/合 marks to just that page (one query)."""

    def __init__(self, user: Any, rows: QuerySet[Enterprise]) -> None:
        self.user, self.rows = user, rows

    def __len__(self) -> int:
        return self.rows.count()

    def count(self) -> int:
        return self.rows.count()

    def __getitem__(self, item: slice) -> list[Enterprise]:
        return _with_relations(self.user, list(self.rows[item]))


@router.get("/enterprises/{id}", response=EnterpriseDetailOut, summary="企业详情", description="含实习岗位；电话脱敏。")
@api_roles(STAFF_ROLES | {Role.STUDENT})
def enterprise(request: HttpRequest, id: int) -> Any:
    user = auth_user(request)
    found = get_visible_or_404(Enterprise.objects.all(), user, pk=id)
    return _with_relations(user, [found])[0]
