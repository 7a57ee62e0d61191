"""Placing professional-degree students at practice bases, and ending a placement.

A placement names the student, the base, the school supervisor and one of the
base's enterprise mentors. Mentors see their students through
``Student.enterprise_mentor`` (P-04), so creating a placement keeps that field
in step in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from campusflow.bases.models import BaseMentor, PracticeBase
from campusflow.core import audit
from campusflow.core.errors import ActionError
from campusflow.core.roles import Role
from campusflow.core.validators import normalize_text
from campusflow.orgs.models import EnterpriseMentor, Student, Teacher
from campusflow.practice.models import Placement

if TYPE_CHECKING:
    from campusflow.accounts.models import User

PLACEMENT_MANAGERS = frozenset({Role.GRADUATE_SCHOOL, Role.SCHOOL_ADMIN, Role.TEACHING_SECRETARY})
PROFESSIONAL = frozenset({Student.Category.PROFESSIONAL_MASTER, Student.Category.PROFESSIONAL_DOCTOR})


def _require_manager(actor: User) -> None:
    if actor.role not in PLACEMENT_MANAGERS:
        raise PermissionDenied


@dataclass
class PlacementInput:
    student: Student
    base: PracticeBase
    mentor: EnterpriseMentor
    practice_type: str
    start_date: date
    end_date: date
    onsite_start: date
    onsite_end: date
    supervisor: Teacher | None = None  # the student's own supervisor when left empty


def _check_dates(data: PlacementInput) -> None:
    if data.end_date <= data.start_date:
        raise ActionError(_("实践结束日期须晚于开始日期。"), field="end_date")
    if data.onsite_end <= data.onsite_start:
        raise ActionError(_("现场实践结束日期须晚于开始日期。"), field="onsite_end")
    if data.onsite_start < data.start_date or data.onsite_end > data.end_date:
        raise ActionError(_("现场实践时间须在专业实践期内。"), field="onsite_start")


def _already_placed() -> str:
    return _("该学生已有在站的专业实践安排，请先结束后再安排。")


def create_placement(*, actor: User, data: PlacementInput) -> Placement:
    _require_manager(actor)
    if data.practice_type not in Placement.PracticeType.values:
        raise ActionError(_("请选择专业实践类型。"), field="practice_type")
    _check_dates(data)
    with transaction.atomic():
        try:
            student = Student.objects.visible_to(actor).select_for_update().get(pk=data.student.pk)
        except Student.DoesNotExist:
            raise Http404 from None
        if student.category not in PROFESSIONAL:
            raise ActionError(
                _("只有专业学位研究生（专业学位硕士、博士）才能安排专业实践；该学生为“%(category)s”。")
                % {"category": student.get_category_display()},
                field="student",
            )
        try:
            base = PracticeBase.objects.visible_to(actor).get(pk=data.base.pk, school_id=student.school_id)
        except PracticeBase.DoesNotExist:
            raise Http404 from None
        if not base.is_active:
            raise ActionError(_("该基地已撤销，不能再安排学生。"), field="base")
        if not BaseMentor.objects.filter(base=base, mentor_id=data.mentor.pk).exists():
            raise ActionError(_("所选企业导师不是该基地的企业导师。"), field="mentor")
        supervisor_id = data.supervisor.pk if data.supervisor is not None else student.supervisor_id
        if supervisor_id is None:
            raise ActionError(_("该学生尚无校内导师，请指定校内导师。"), field="supervisor")
        supervisor = Teacher.objects.filter(pk=supervisor_id, school_id=student.school_id).first()
        if supervisor is None:
            raise ActionError(_("校内导师须为本校教师。"), field="supervisor")
        if Placement.objects.filter(student=student, status=Placement.Status.ON_SITE).exists():
            raise ActionError(_already_placed(), field="student")
        try:
            with transaction.atomic():
                placement = Placement.objects.create(
                    student=student,
                    base=base,
                    supervisor=supervisor,
                    mentor_id=data.mentor.pk,
                    practice_type=data.practice_type,
                    start_date=data.start_date,
                    end_date=data.end_date,
                    onsite_start=data.onsite_start,
                    onsite_end=data.onsite_end,
                    school_id=student.school_id,
                    department_id=student.department_id,
                    created_by=actor,
                )
        except IntegrityError:  # a concurrent placement of the same student won the race
            raise ActionError(_already_placed(), field="student") from None
        # Keep the denormalised links in step: mentors see students through
        # Student.enterprise_mentor; a student without a supervisor gets this one.
        changes: dict[str, int] = {"enterprise_mentor_id": data.mentor.pk}
        if student.supervisor_id is None:
            changes["supervisor_id"] = supervisor.pk
        Student.objects.filter(pk=student.pk).update(**changes, updated_at=timezone.now())
        audit.record(
            "practice.placement.create",
            actor=actor,
            target=placement,
            data={
                "student": student.student_no,
                "base": base.code,
                "mentor": data.mentor.mentor_no,
                "supervisor": supervisor.staff_no,
                "practice_type": data.practice_type,
            },
        )
    return placement


def end_placement(*, actor: User, placement: Placement, status: str, note: str = "") -> Placement:
    """Close a current placement as 已出站 (exited) or 已终止 (terminated)."""
    _require_manager(actor)
    if status not in {Placement.Status.EXITED, Placement.Status.TERMINATED}:
        raise ActionError(_("请选择“已出站”或“已终止”。"), field="status")
    with transaction.atomic():
        try:
            placement = Placement.objects.visible_to(actor).select_for_update().get(pk=placement.pk)
        except Placement.DoesNotExist:
            raise Http404 from None
        if not placement.is_current:
            raise ActionError(_("该专业实践安排已结束。"))
        placement.status = status
        placement.ended_at = timezone.now()
        placement.end_note = normalize_text(note)[:200]
        placement.save(update_fields=["status", "ended_at", "end_note"])
        audit.record(
            "practice.placement.end",
            actor=actor,
            target=placement,
            data={"status": status, "note": placement.end_note},
        )
    return placement
