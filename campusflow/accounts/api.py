"""Accounts API (X-05): who am I, in which role, and which roles I hold."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from campusflow.accounts.models import RoleAssignment, User
from campusflow.core.api_auth import api_signed_in, auth_user
from campusflow.core.roles import Role

router = Router(tags=["账号"])


class UnitRef(Schema):
    id: int = Field(description="单位ID")
    name: str = Field(description="单位名称")
    kind: str = Field(description="单位类型：province 省级、school 学校、department 院系、office 职能部门")


class RoleOut(Schema):
    id: int = Field(description="角色授权ID")
    role: str = Field(description="角色代码")
    role_label: str = Field(description="角色名称")
    unit: UnitRef | None = Field(None, description="角色所在单位")


class MeOut(Schema):
    id: int = Field(description="账号ID")
    username: str = Field(description="用户名（学号/工号）")
    full_name: str = Field(description="姓名")
    school: UnitRef | None = Field(None, description="所属学校")
    current_role: RoleOut | None = Field(None, description="当前角色")
    roles: list[RoleOut] = Field(description="持有的全部角色")


def _unit(unit: object) -> UnitRef | None:
    if unit is None:
        return None
    return UnitRef(id=unit.pk, name=unit.name, kind=unit.kind)  # type: ignore[attr-defined]


def role_out(assignment: RoleAssignment) -> RoleOut:
    return RoleOut(
        id=assignment.pk,
        role=assignment.role,
        role_label=str(Role(assignment.role).label),
        unit=_unit(assignment.unit),
    )


def me_out(user: User) -> MeOut:
    current = user.active_role
    return MeOut(
        id=user.pk,
        username=user.username,
        full_name=user.display_name,
        school=_unit(user.school),
        current_role=role_out(current) if current is not None else None,
        roles=[role_out(a) for a in user.roles_held],
    )


@router.get("/me", response=MeOut, summary="当前账号", description="当前账号、当前角色及持有的全部角色。")
@api_signed_in
def me(request: HttpRequest) -> MeOut:
    return me_out(auth_user(request))
