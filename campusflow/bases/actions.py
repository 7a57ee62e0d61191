"""Every change to practice bases and their mentors (SPEC B-04).

Who may change a base: the graduate school and the school admin for every base
of their school; a college's teaching secretary and department admin for the
bases their college is responsible for. Everyone on the staff may *browse* the
school's bases (``PracticeBase.objects.visible_to``), so an edit re-checks the
stricter editing scope and answers 404 outside it, like a missing base.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from campusflow.bases.models import BaseMentor, Enterprise, PracticeBase, SchoolEnterprise
from campusflow.core import audit
from campusflow.core.errors import ActionError
from campusflow.core.roles import Role
from campusflow.core.validators import normalize_code, normalize_phone, normalize_text
from campusflow.orgs.models import EnterpriseMentor, OrgUnit

if TYPE_CHECKING:
    from campusflow.accounts.models import User
    from campusflow.core.uploads import ValidatedUpload

SCHOOL_EDITORS = frozenset({Role.GRADUATE_SCHOOL, Role.SCHOOL_ADMIN})
COLLEGE_EDITORS = frozenset({Role.TEACHING_SECRETARY, Role.DEPARTMENT_ADMIN})
BASE_EDITORS = SCHOOL_EDITORS | COLLEGE_EDITORS

_PHONE = re.compile(r"^\+?[0-9][0-9-]{5,19}$")


def _require_editor(actor: User) -> None:
    if actor.role not in BASE_EDITORS:
        raise PermissionDenied


def editable_bases(actor: User) -> models.QuerySet[PracticeBase]:
    """The bases ``actor`` may change: the school's for school roles, the college's for college roles."""
    role = actor.role
    bases = PracticeBase.objects.visible_to(actor)
    if role in SCHOOL_EDITORS:
        return bases
    if role in COLLEGE_EDITORS and actor.active_role is not None:
        return bases.filter(responsible_college_id=actor.active_role.unit_id)
    return bases.none()


def can_edit(actor: User, base: PracticeBase) -> bool:
    return actor.role in BASE_EDITORS and editable_bases(actor).filter(pk=base.pk).exists()


def colleges_for(actor: User) -> models.QuerySet[OrgUnit]:
    """The colleges ``actor`` may make responsible for a base."""
    assignment = actor.active_role
    if actor.role not in BASE_EDITORS or assignment is None or assignment.unit is None:
        return OrgUnit.objects.none()
    colleges = OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT, is_active=True)
    if actor.role in COLLEGE_EDITORS:
        return colleges.filter(pk=assignment.unit.pk)
    return colleges.filter(school_id=assignment.unit.school_id).order_by("sort_order", "code")


def _editable(actor: User, base: PracticeBase) -> PracticeBase:
    _require_editor(actor)
    try:
        return editable_bases(actor).select_for_update().get(pk=base.pk)
    except PracticeBase.DoesNotExist:
        raise Http404 from None


@dataclass
class BaseInput:
    """What a person types for a base (phones may be left empty on edit to keep them)."""

    code: str
    name: str
    unit_type: str
    responsible_college: OrgUnit
    level: str
    origin: str
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    leader_name: str = ""
    leader_phone: str = ""
    school_contact_name: str = ""
    school_contact_phone: str = ""


PHONE_FIELDS = ("contact_phone", "leader_phone", "school_contact_phone")
TEXT_FIELDS = ("name", "address", "contact_name", "leader_name", "school_contact_name")


def _clean(actor: User, data: BaseInput) -> dict[str, Any]:
    values: dict[str, Any] = {f.name: getattr(data, f.name) for f in fields(data)}
    values["code"] = normalize_code(data.code)
    for name in TEXT_FIELDS:
        values[name] = normalize_text(values[name])
    if not values["code"]:
        raise ActionError(_("请输入基地编号。"), field="code")
    if not values["name"]:
        raise ActionError(_("请输入基地名称。"), field="name")
    choices = {
        "unit_type": PracticeBase.UnitType,
        "level": PracticeBase.Level,
        "origin": PracticeBase.Origin,
    }
    for name, enum in choices.items():
        if values[name] not in enum.values:
            raise ActionError(_("请选择有效的选项。"), field=name)
    for name in PHONE_FIELDS:
        phone = normalize_phone(values[name])
        if phone and not _PHONE.match(phone):
            raise ActionError(_("请输入有效的电话号码（手机或座机）。"), field=name)
        values[name] = phone
    if not colleges_for(actor).filter(pk=data.responsible_college.pk).exists():
        raise ActionError(_("只能选择您所在学校（学院）的院系作为负责学院。"), field="responsible_college")
    return values


def _code_taken(school_id: int, code: str, exclude: int | None = None) -> bool:
    taken = PracticeBase.objects.filter(school_id=school_id, code=code)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    return taken.exists()


def create_base(*, actor: User, data: BaseInput) -> PracticeBase:
    _require_editor(actor)
    values = _clean(actor, data)
    school_id = data.responsible_college.school_id
    assert school_id is not None
    with transaction.atomic():
        if _code_taken(school_id, values["code"]):
            raise ActionError(_("基地编号“%(code)s”在本校已存在。") % {"code": values["code"]}, field="code")
        try:
            with transaction.atomic():
                base = PracticeBase.objects.create(school_id=school_id, created_by=actor, **values)
        except IntegrityError:
            raise ActionError(_("基地编号“%(code)s”在本校已存在。") % {"code": values["code"]}, field="code") from None
        audit.record(
            "bases.base.create",
            actor=actor,
            target=base,
            data={"code": base.code, "name": base.name, "college": base.responsible_college.name},
        )
    return base


def edit_base(*, actor: User, base: PracticeBase, data: BaseInput) -> list[str]:
    """Save a base; empty phone fields keep the stored numbers. Returns the names of changed fields."""
    _require_editor(actor)
    values = _clean(actor, data)
    with transaction.atomic():
        base = _editable(actor, base)
        if _code_taken(base.school_id, values["code"], exclude=base.pk):
            raise ActionError(_("基地编号“%(code)s”在本校已存在。") % {"code": values["code"]}, field="code")
        changed = []
        for name, value in values.items():
            if name in PHONE_FIELDS and not value:
                continue
            current = getattr(base, name)
            if current != value:
                setattr(base, name, value)
                changed.append(name)
        if changed:
            base.save(update_fields=[*changed, "updated_at"])
            # Phones are named, never written into the audit trail (S-10).
            audit.record("bases.base.edit", actor=actor, target=base, data={"fields": sorted(changed)})
    return changed


def revoke_base(*, actor: User, base: PracticeBase, reason: str = "") -> PracticeBase:
    """Revoke a base (e.g. 考核不合格, B-09). Current placements keep running until they end."""
    _require_editor(actor)
    with transaction.atomic():
        base = _editable(actor, base)
        if base.status == PracticeBase.Status.REVOKED:
            raise ActionError(_("该基地已撤销。"))
        base.status = PracticeBase.Status.REVOKED
        base.save(update_fields=["status", "updated_at"])
        audit.record("bases.base.revoke", actor=actor, target=base, data={"reason": normalize_text(reason)[:200]})
    return base


def restore_base(*, actor: User, base: PracticeBase) -> PracticeBase:
    _require_editor(actor)
    with transaction.atomic():
        base = _editable(actor, base)
        if base.status == PracticeBase.Status.ACTIVE:
            raise ActionError(_("该基地状态正常，无需恢复。"))
        base.status = PracticeBase.Status.ACTIVE
        base.save(update_fields=["status", "updated_at"])
        audit.record("bases.base.restore", actor=actor, target=base)
    return base


def add_mentor(*, actor: User, base: PracticeBase, mentor: EnterpriseMentor) -> BaseMentor:
    _require_editor(actor)
    with transaction.atomic():
        base = _editable(actor, base)
        if mentor.school_id != base.school_id:
            raise Http404
        if BaseMentor.objects.filter(base=base, mentor=mentor).exists():
            raise ActionError(_("该企业导师已在本基地。"), field="mentor")
        link = BaseMentor.objects.create(base=base, mentor=mentor, added_by=actor)
        audit.record(
            "bases.mentor.add", actor=actor, target=base, data={"mentor": mentor.mentor_no, "name": mentor.name}
        )
    return link


def remove_mentor(*, actor: User, base: PracticeBase, mentor: EnterpriseMentor) -> None:
    from campusflow.practice.models import Placement

    _require_editor(actor)
    with transaction.atomic():
        base = _editable(actor, base)
        link = BaseMentor.objects.filter(base=base, mentor=mentor).first()
        if link is None:
            raise Http404
        if Placement.objects.filter(base=base, mentor=mentor, status=Placement.Status.ON_SITE).exists():
            raise ActionError(_("该企业导师在本基地仍有在站学生，不能移除。"))
        link.delete()
        audit.record(
            "bases.mentor.remove", actor=actor, target=base, data={"mentor": mentor.mentor_no, "name": mentor.name}
        )


# -- the enterprise library and school–enterprise relations (B-01…B-03) ---------------------

RELATION_MANAGERS = frozenset({Role.SCHOOL_ADMIN, Role.SYSTEM_ADMIN})


def _school_of(actor: User) -> OrgUnit:
    assignment = actor.active_role
    if actor.role not in RELATION_MANAGERS or assignment is None or assignment.unit is None:
        raise PermissionDenied
    school = assignment.unit.school
    if school is None:
        raise ActionError(_("请先切换到某所学校的管理角色。"))
    return school


def set_relation(*, actor: User, enterprise: Enterprise, kind: str) -> SchoolEnterprise:
    """推荐企业 / 加入合作: the school starts recommending or cooperating with an enterprise."""
    school = _school_of(actor)
    if kind not in SchoolEnterprise.Kind.values:
        raise ActionError(_("未知的关系类型。"))
    if enterprise.status != Enterprise.Status.NORMAL:
        raise ActionError(_("该企业已停用，不能建立关系。"))
    with transaction.atomic():
        if SchoolEnterprise.objects.current().filter(school=school, enterprise=enterprise, kind=kind).exists():
            raise ActionError(_("该企业已是本校的%(k)s企业。") % {"k": SchoolEnterprise.Kind(kind).label})
        relation = SchoolEnterprise.objects.create(
            school=school, enterprise=enterprise, kind=kind, source=SchoolEnterprise.Source.SCHOOL, created_by=actor
        )
        audit.record("bases.enterprise.relate", actor=actor, target=enterprise, school=school, data={"kind": kind})
    return relation


def cancel_relation(*, actor: User, relation_id: Any) -> SchoolEnterprise:
    """取消推荐 / 取消合作. A recommendation a student made cannot be cancelled by the school."""
    school = _school_of(actor)
    with transaction.atomic():
        try:
            relation = (
                SchoolEnterprise.objects.current()
                .select_for_update()
                .select_related("enterprise")
                .get(pk=relation_id, school=school)
            )
        except (SchoolEnterprise.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
        if relation.kind == SchoolEnterprise.Kind.RECOMMENDED and relation.source == SchoolEnterprise.Source.STUDENT:
            raise ActionError(_("该企业由学生推荐，学校不能取消推荐。"))
        relation.cancelled_at = timezone.now()
        relation.cancelled_by = actor
        relation.save(update_fields=["cancelled_at", "cancelled_by"])
        audit.record(
            "bases.enterprise.unrelate",
            actor=actor,
            target=relation.enterprise,
            school=school,
            data={"kind": relation.kind},
        )
    return relation


def import_enterprises(*, actor: User, upload: ValidatedUpload, commit: bool) -> Any:
    """新增推荐企业: validate every row; with ``commit``, upsert the enterprises and recommend them
    for the actor's school, all rows or none. Returns the ``ImportReport``; an unreadable file
    raises ``ActionError``.
    """
    from campusflow.bases.imports import EnterpriseImport
    from campusflow.tabular.importing import run_import

    return run_import(EnterpriseImport(actor), upload, commit=commit)
