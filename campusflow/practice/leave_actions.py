"""Leave-school applications (G-03) and leave requests (G-06): filling, submitting, resubmitting.

Each submission creates the record and starts its ``workflow.Case`` in one
transaction; the engine then carries it along the seeded chain. A returned or
withdrawn case is edited here and sent again with ``workflow.actions.resubmit``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from campusflow.core import audit
from campusflow.core.errors import ActionError
from campusflow.core.i18n import stored_language
from campusflow.core.uploads import DOCUMENTS, ValidatedUpload, random_name, validate_upload
from campusflow.core.validators import normalize_phone, normalize_text, validate_mobile
from campusflow.orgs.models import Student
from campusflow.practice.models import LeaveRequest, LeaveSchoolApplication, Placement
from campusflow.workflow import actions as workflow

if TYPE_CHECKING:
    from campusflow.accounts.models import User

LEAVE_SCHOOL = "practice.leave_school"
LEAVE_REQUEST = "practice.leave_request"
MAX_LEAVE_DAYS = 90


def _student_of(actor: User) -> Student:
    student = Student.objects.select_related("supervisor", "enterprise_mentor").filter(user=actor).first()
    if student is None or actor.role != "student":
        raise PermissionDenied
    return student


def _current_placement(student: Student) -> Placement | None:
    return (
        Placement.objects.filter(student=student, status=Placement.Status.ON_SITE)
        .select_related("base")
        .order_by("-start_date")
        .first()
    )


def _phone(value: str, field: str, *, required: bool) -> str:
    phone = normalize_phone(value)
    if not phone:
        if required:
            raise ActionError(_("请填写电话。"), field=field)
        return ""
    try:
        validate_mobile(phone)
    except ValidationError as exc:
        raise ActionError(exc.messages[0], field=field) from None
    return phone


def _editable(actor: User, record: LeaveRequest | LeaveSchoolApplication) -> None:
    if record.student.user_id != actor.pk:
        raise Http404
    if record.case is None or not record.case.is_editable:
        raise ActionError(_("只有被驳回或已撤回的申请可以修改。"), code="conflict")


# -- G-06 leave request ----------------------------------------------------------------


@dataclass(frozen=True)
class LeaveInput:
    start_date: date
    end_date: date
    reason: str
    phone: str
    father_name: str = ""
    father_phone: str = ""
    mother_name: str = ""
    mother_phone: str = ""


def _check_leave(data: LeaveInput) -> dict[str, Any]:
    if data.end_date < data.start_date:
        raise ActionError(_("请假结束日期不能早于开始日期。"), field="end_date")
    if data.start_date < timezone.localdate() - timedelta(days=7):
        raise ActionError(_("请假开始日期不能早于7天前，过去的请假请联系学院补录。"), field="start_date")
    if (data.end_date - data.start_date).days + 1 > MAX_LEAVE_DAYS:
        raise ActionError(_("单次请假不能超过%(n)d天。") % {"n": MAX_LEAVE_DAYS}, field="end_date")
    reason = normalize_text(data.reason)
    if not reason:
        raise ActionError(_("请填写请假事由。"), field="reason")
    if len(reason) > 1000:
        raise ActionError(_("请假事由不能超过1000字。"), field="reason")
    return {
        "start_date": data.start_date,
        "end_date": data.end_date,
        "reason": reason,
        "phone": _phone(data.phone, "phone", required=True),
        "father_name": normalize_text(data.father_name)[:50],
        "father_phone": _phone(data.father_phone, "father_phone", required=False),
        "mother_name": normalize_text(data.mother_name)[:50],
        "mother_phone": _phone(data.mother_phone, "mother_phone", required=False),
    }


def _leave_title(record: LeaveRequest) -> str:
    with stored_language():
        return _("%(name)s 请假 %(start)s 至 %(end)s（%(days)d天）") % {
            "name": record.student.name,
            "start": record.start_date.isoformat(),
            "end": record.end_date.isoformat(),
            "days": record.leave_days,
        }


def submit_leave_request(*, actor: User, data: LeaveInput) -> LeaveRequest:
    student = _student_of(actor)
    values = _check_leave(data)
    with transaction.atomic():
        record = LeaveRequest.objects.create(
            student=student,
            placement=_current_placement(student),
            school_id=student.school_id,
            department_id=student.department_id,
            **values,
        )
        record.case = workflow.submit(
            actor=actor,
            code=LEAVE_REQUEST,
            subject=record,
            title=_leave_title(record),
            school=student.school,
            department=student.department,
            student=student,
        )
        record.save(update_fields=["case"])
        audit.record("practice.leave_request.submit", actor=actor, target=record, data={"days": record.leave_days})
    return record


def resubmit_leave_request(*, actor: User, record: LeaveRequest, data: LeaveInput) -> LeaveRequest:
    _editable(actor, record)
    values = _check_leave(data)
    with transaction.atomic():
        for name, value in values.items():
            setattr(record, name, value)
        record.save()
        assert record.case is not None
        record.case.title = _leave_title(record)
        record.case.save(update_fields=["title"])
        workflow.resubmit(actor=actor, case_id=record.case_id)
        audit.record("practice.leave_request.resubmit", actor=actor, target=record, data={"days": record.leave_days})
    return record


# -- G-03 leave-school application ---------------------------------------------------------


@dataclass(frozen=True)
class LeaveSchoolInput:
    station_name: str
    leave_date: date
    expected_entry_date: date
    location: str
    safety_notice_submitted: bool
    travel_attachment: Any = None  # an uploaded file, or None to keep the current one
    safety_notice: Any = None


def _check_leave_school(
    data: LeaveSchoolInput, current: LeaveSchoolApplication | None
) -> tuple[dict[str, Any], dict[str, ValidatedUpload]]:
    station = normalize_text(data.station_name)
    if not station:
        raise ActionError(_("请填写工作站名称/实践单位名称。"), field="station_name")
    if data.location not in LeaveSchoolApplication.Location.values:
        raise ActionError(_("请选择工作站所在地。"), field="location")
    if data.expected_entry_date < data.leave_date:
        raise ActionError(_("预计进站时间不能早于离校时间。"), field="expected_entry_date")
    if data.leave_date < timezone.localdate() - timedelta(days=7):
        raise ActionError(_("离校时间不能早于7天前。"), field="leave_date")
    files: dict[str, ValidatedUpload] = {}
    if data.travel_attachment is not None:
        files["travel_attachment"] = validate_upload(
            data.travel_attachment, allowed=DOCUMENTS, field="travel_attachment"
        )
    if data.safety_notice is not None:
        files["safety_notice"] = validate_upload(data.safety_notice, allowed=DOCUMENTS, field="safety_notice")
    has_travel = "travel_attachment" in files or bool(current and current.travel_attachment)
    if data.location == LeaveSchoolApplication.Location.OUTSIDE and not has_travel:
        raise ActionError(_("京外工作站必须上传行程附件。"), field="travel_attachment")
    has_notice = "safety_notice" in files or bool(current and current.safety_notice)
    if data.safety_notice_submitted and not has_notice:
        raise ActionError(_("已上交安全须知的，请上传安全须知文件。"), field="safety_notice")
    values = {
        "station_name": station[:200],
        "leave_date": data.leave_date,
        "expected_entry_date": data.expected_entry_date,
        "location": data.location,
        "safety_notice_submitted": data.safety_notice_submitted,
    }
    return values, files


def _store(files: dict[str, ValidatedUpload]) -> dict[str, str]:
    """Write the files before the transaction (slow storage must not hold locks)."""
    return {
        name: default_storage.save(random_name("practice/leave-school", up), up.as_file()) for name, up in files.items()
    }


def _apply_files(record: LeaveSchoolApplication, files: dict[str, ValidatedUpload], stored: dict[str, str]) -> None:
    for name, path in stored.items():
        getattr(record, name).name = path
        setattr(record, f"{name}_name", files[name].original_name[:200])


def _leave_school_title(record: LeaveSchoolApplication) -> str:
    with stored_language():
        return _("%(name)s 专业实践离校申请（%(date)s 离校）") % {
            "name": record.student.name,
            "date": record.leave_date.isoformat(),
        }


def submit_leave_school(*, actor: User, data: LeaveSchoolInput) -> LeaveSchoolApplication:
    student = _student_of(actor)
    values, files = _check_leave_school(data, None)
    stored = _store(files)
    try:
        with transaction.atomic():
            record = LeaveSchoolApplication(
                student=student,
                placement=_current_placement(student),
                school_id=student.school_id,
                department_id=student.department_id,
                **values,
            )
            _apply_files(record, files, stored)
            record.save()
            record.case = workflow.submit(
                actor=actor,
                code=LEAVE_SCHOOL,
                subject=record,
                title=_leave_school_title(record),
                school=student.school,
                department=student.department,
                student=student,
            )
            record.save(update_fields=["case"])
            audit.record("practice.leave_school.submit", actor=actor, target=record, data={"location": record.location})
    except BaseException:
        for path in stored.values():
            default_storage.delete(path)
        raise
    return record


def resubmit_leave_school(
    *, actor: User, record: LeaveSchoolApplication, data: LeaveSchoolInput
) -> LeaveSchoolApplication:
    _editable(actor, record)
    values, files = _check_leave_school(data, record)
    stored = _store(files)
    try:
        with transaction.atomic():
            for name, value in values.items():
                setattr(record, name, value)
            _apply_files(record, files, stored)
            record.save()
            assert record.case is not None
            record.case.title = _leave_school_title(record)
            record.case.save(update_fields=["title"])
            workflow.resubmit(actor=actor, case_id=record.case_id)
            audit.record("practice.leave_school.resubmit", actor=actor, target=record)
    except BaseException:
        for path in stored.values():
            default_storage.delete(path)
        raise
    return record
