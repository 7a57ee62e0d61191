"""Every change to the org tree, teachers and commitment letters (P-01, P-06, P-07, P-08),
and the logged reveal of sensitive personal data (P-10, S-10).

Each function takes ``actor=``, checks the actor's role (``PermissionDenied``)
and scope (``Http404``, the same as for a missing record), runs in one
transaction with its audit event, and raises ``ActionError`` with a Chinese
message for bad input — having changed nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.db.models.deletion import ProtectedError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from campusflow.accounts import actions as account_actions
from campusflow.core import audit
from campusflow.core.errors import ActionError
from campusflow.core.privacy import Sensitive, can_reveal
from campusflow.core.roles import ACCOUNT_MANAGERS, SCHOOL_MANAGERS, Role
from campusflow.core.uploads import ValidatedUpload, random_name
from campusflow.core.validators import normalize_code, normalize_phone, normalize_text, validate_mobile
from campusflow.orgs.models import CommitmentLetter, EnterpriseMentor, OrgUnit, Student, Teacher

if TYPE_CHECKING:
    from campusflow.accounts.models import User

# Roles a teacher's account may be created with (held at the teacher's department).
TEACHER_ROLES = (
    Role.SUPERVISOR,
    Role.TEACHING_SECRETARY,
    Role.TEACHING_DEAN,
    Role.DEPT_STUDENT_AFFAIRS,
    Role.DEPARTMENT_OPERATOR,
    Role.COMMITTEE_MEMBER,
)


def _require_role(actor: User, roles: frozenset[Role]) -> None:
    if actor.role not in roles:
        raise PermissionDenied


def _visible(model: type[models.Model], actor: User, pk: Any) -> Any:
    """Re-check scope inside the action: 'not yours' is the same 404 as 'missing'."""
    try:
        return model._default_manager.visible_to(actor).get(pk=pk)  # type: ignore[attr-defined]
    except (model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise Http404 from None


# -- revealing sensitive fields (S-10) ------------------------------------------

# Which fields of each model are sensitive, and of which kind.
SENSITIVE_FIELDS: dict[type[models.Model], dict[str, Sensitive]] = {
    Student: {
        "id_number": Sensitive.ID_NUMBER,
        "phone": Sensitive.PHONE,
        "father_phone": Sensitive.PARENT_PHONE,
        "mother_phone": Sensitive.PARENT_PHONE,
        "accommodation": Sensitive.DORMITORY,
    },
    Teacher: {"phone": Sensitive.PHONE},
    EnterpriseMentor: {"phone": Sensitive.PHONE},
}


def revealable_fields(role: Role | None, model: type[models.Model]) -> list[str]:
    return [name for name, kind in SENSITIVE_FIELDS[model].items() if can_reveal(role, kind)]


def reveal(*, actor: User, subject: Student | Teacher | EnterpriseMentor) -> dict[str, str]:
    """The clear values ``actor`` may see of ``subject``; writes one access-log row (S-10)."""
    model = type(subject)
    allowed = revealable_fields(actor.role, model)
    if not allowed:
        raise PermissionDenied
    subject = _visible(model, actor, subject.pk)
    values = {name: getattr(subject, name) for name in allowed if getattr(subject, name)}
    if not values:
        raise ActionError(_("没有可显示的敏感信息。"))
    audit.record_sensitive_access(actor=actor, subject=subject, fields=values.keys())
    return values


# -- teachers (P-06) ------------------------------------------------------------


@dataclass(frozen=True)
class NewTeacher:
    teacher: Teacher
    initial_password: str


def _clean_phone(phone: str) -> str:
    phone = normalize_phone(phone)
    if not phone:
        return ""
    try:
        validate_mobile(phone)
    except ValidationError as exc:
        raise ActionError(exc.messages[0], field="phone") from None
    return phone


def _teacher_department(actor: User, department: OrgUnit) -> OrgUnit:
    unit: OrgUnit = _visible(OrgUnit, actor, department.pk)
    if unit.kind != OrgUnit.Kind.DEPARTMENT:
        raise ActionError(_("教师只能归属于二级院系。"), field="department")
    if not unit.is_active:
        raise ActionError(_("该院系已停用，不能添加教师。"), field="department")
    return unit


def create_teacher(
    *,
    actor: User,
    department: OrgUnit,
    staff_no: str,
    name: str,
    gender: str = "",
    title: str = "",
    phone: str = "",
    email: str = "",
    is_supervisor: bool = False,
    role: Role = Role.SUPERVISOR,
    username: str = "",
) -> NewTeacher:
    """A teacher record and its account (username = 工号 unless given), in one step."""
    _require_role(actor, ACCOUNT_MANAGERS)
    department = _teacher_department(actor, department)
    staff_no = normalize_code(staff_no)
    name = normalize_text(name)
    if not staff_no:
        raise ActionError(_("请输入工号。"), field="staff_no")
    if not name:
        raise ActionError(_("请输入姓名。"), field="name")
    if role not in TEACHER_ROLES:
        raise ActionError(_("教师账号不能授予该角色。"), field="role")
    phone = _clean_phone(phone)
    school = department.school
    assert school is not None  # a department always belongs to a school
    with transaction.atomic():
        if Teacher.objects.filter(school=school, staff_no=staff_no).exists():
            raise ActionError(_("工号“%(no)s”在本校已存在。") % {"no": staff_no}, field="staff_no")
        created = account_actions.create_account(
            actor=actor,
            username=username or staff_no,
            full_name=name,
            email=email,
            roles=[(role, department)],
        )
        teacher = Teacher.objects.create(
            user=created.user,
            school=school,
            department=department,
            staff_no=staff_no,
            name=name,
            gender=gender,
            title=normalize_text(title),
            phone=phone,
            email=email.strip(),
            is_supervisor=is_supervisor,
        )
        audit.record(
            "orgs.teacher.create",
            actor=actor,
            target=teacher,
            data={"staff_no": staff_no, "department": department.name, "role": str(role)},
        )
    return NewTeacher(teacher=teacher, initial_password=created.initial_password)


TEACHER_EDITABLE = ("department", "name", "gender", "title", "phone", "email", "is_supervisor")


def edit_teacher(
    *,
    actor: User,
    teacher: Teacher,
    department: OrgUnit,
    name: str,
    gender: str = "",
    title: str = "",
    phone: str = "",
    email: str = "",
    is_supervisor: bool = False,
) -> list[str]:
    """Save a teacher's information; returns the names of the fields that changed."""
    _require_role(actor, ACCOUNT_MANAGERS)
    department = _teacher_department(actor, department)
    name = normalize_text(name)
    if not name:
        raise ActionError(_("请输入姓名。"), field="name")
    new = {
        "department": department,
        "name": name,
        "gender": gender,
        "title": normalize_text(title),
        "phone": _clean_phone(phone),
        "email": email.strip(),
        "is_supervisor": is_supervisor,
    }
    with transaction.atomic():
        current: Teacher = _visible(Teacher, actor, teacher.pk)
        current = Teacher.objects.select_for_update().get(pk=current.pk)
        changed = [field for field, value in new.items() if getattr(current, field) != value]
        if not changed:
            return []
        for field in changed:
            setattr(current, field, new[field])
        current.save(update_fields=[*changed, "updated_at"])
        # Field names only: never a phone number in the audit trail (S-10).
        audit.record("orgs.teacher.edit", actor=actor, target=current, data={"fields": changed})
    return changed


# -- the org tree (P-01, P-07) ----------------------------------------------------


def _unit_school(actor: User, school: OrgUnit | None) -> OrgUnit:
    if school is None:
        role = actor.active_role
        unit = role.unit if role is not None else None
        if unit is None or unit.school_id is None:
            raise ActionError(_("请选择学校。"), field="school")
        school = unit.school
    found: OrgUnit = _visible(OrgUnit, actor, school.pk)  # type: ignore[union-attr]
    if found.kind != OrgUnit.Kind.SCHOOL:
        raise ActionError(_("请选择学校。"), field="school")
    return found


def _check_unit_fields(kind: str, name: str, office_type: str) -> None:
    if kind not in {OrgUnit.Kind.DEPARTMENT, OrgUnit.Kind.OFFICE}:
        raise ActionError(_("只能添加二级院系或职能部门。"), field="kind")
    if not name:
        raise ActionError(_("请输入名称。"), field="name")
    if kind == OrgUnit.Kind.DEPARTMENT and office_type:
        raise ActionError(_("二级院系不需要选择部门类别。"), field="office_type")
    if office_type not in OrgUnit.OfficeType.values:
        raise ActionError(_("部门类别不正确。"), field="office_type")


def _check_unit_unique(school: OrgUnit, name: str, code: str, exclude: int | None = None) -> None:
    others = OrgUnit.objects.exclude(pk=exclude) if exclude is not None else OrgUnit.objects.all()
    if others.filter(parent=school, name=name).exists():
        raise ActionError(_("本校已有名为“%(name)s”的单位。") % {"name": name}, field="name")
    if code and others.filter(school=school, code=code).exists():
        raise ActionError(_("代码“%(code)s”在本校已被使用。") % {"code": code}, field="code")


def create_unit(
    *,
    actor: User,
    kind: str,
    name: str,
    school: OrgUnit | None = None,
    code: str = "",
    office_type: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    sort_order: int = 0,
) -> OrgUnit:
    """A department or office directly under a school."""
    _require_role(actor, SCHOOL_MANAGERS)
    school = _unit_school(actor, school)
    name, code = normalize_text(name), normalize_code(code)
    _check_unit_fields(kind, name, office_type)
    with transaction.atomic():
        _check_unit_unique(school, name, code)
        try:
            with transaction.atomic():
                unit = OrgUnit.objects.create(
                    kind=kind,
                    name=name,
                    code=code,
                    office_type=office_type,
                    parent=school,
                    school=school,
                    contact_name=normalize_text(contact_name),
                    contact_phone=normalize_code(contact_phone),
                    sort_order=sort_order,
                )
        except IntegrityError:  # someone added the same name a moment ago
            raise ActionError(_("本校已有同名或同代码的单位。"), field="name") from None
        audit.record("orgs.unit.create", actor=actor, target=unit, data={"kind": kind, "name": name})
    return unit


def update_unit(
    *,
    actor: User,
    unit: OrgUnit,
    name: str,
    code: str = "",
    office_type: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    sort_order: int = 0,
    is_active: bool = True,
) -> list[str]:
    _require_role(actor, SCHOOL_MANAGERS)
    current: OrgUnit = _visible(OrgUnit, actor, unit.pk)
    name, code = normalize_text(name), normalize_code(code)
    _check_unit_fields(current.kind, name, office_type)
    new: dict[str, Any] = {
        "name": name,
        "code": code,
        "office_type": office_type,
        "contact_name": normalize_text(contact_name),
        "contact_phone": normalize_code(contact_phone),
        "sort_order": sort_order,
        "is_active": is_active,
    }
    with transaction.atomic():
        current = OrgUnit.objects.select_for_update().get(pk=current.pk)
        assert current.school is not None
        _check_unit_unique(current.school, name, code, exclude=current.pk)
        changed = [field for field, value in new.items() if getattr(current, field) != value]
        if not changed:
            return []
        for field in changed:
            setattr(current, field, new[field])
        try:
            with transaction.atomic():
                current.save(update_fields=changed)
        except IntegrityError:
            raise ActionError(_("本校已有同名或同代码的单位。"), field="name") from None
        audit.record("orgs.unit.edit", actor=actor, target=current, data={"fields": changed})
    return changed


def unit_in_use(unit: OrgUnit) -> bool:
    """Does anything still belong to this unit (people, roles, sub-units)?"""
    from campusflow.accounts.models import RoleAssignment

    return (
        Student.objects.filter(department=unit).exists()
        or Teacher.objects.filter(department=unit).exists()
        or RoleAssignment.objects.filter(unit=unit).exists()
        or OrgUnit.objects.filter(parent=unit).exists()
    )


def remove_unit(*, actor: User, unit: OrgUnit) -> str:
    """Delete an empty department/office; deactivate one that is still in use. Returns "deleted"/"deactivated"."""
    _require_role(actor, SCHOOL_MANAGERS)
    current: OrgUnit = _visible(OrgUnit, actor, unit.pk)
    if current.kind not in {OrgUnit.Kind.DEPARTMENT, OrgUnit.Kind.OFFICE}:
        raise ActionError(_("只能删除二级院系或职能部门。"))
    with transaction.atomic():
        current = OrgUnit.objects.select_for_update().get(pk=current.pk)
        outcome = "deactivated"
        if not unit_in_use(current):
            try:
                with transaction.atomic():
                    audit.record("orgs.unit.delete", actor=actor, school=current.school_id, data={"name": current.name})
                    current.delete()
                outcome = "deleted"
            except ProtectedError:  # another module still points at it
                outcome = "deactivated"
        if outcome == "deactivated":
            if not current.is_active:
                raise ActionError(_("该单位已停用。"))
            current.is_active = False
            current.save(update_fields=["is_active"])
            audit.record("orgs.unit.deactivate", actor=actor, target=current, data={"name": current.name})
    return outcome


# -- the yearly commitment letter (P-08) -----------------------------------------


def upload_commitment(
    *,
    actor: User,
    upload: ValidatedUpload,
    school: OrgUnit | None = None,
    year: int | None = None,
) -> CommitmentLetter:
    """Store this year's signed letter; an earlier one for the same year stays, no longer current."""
    _require_role(actor, SCHOOL_MANAGERS)
    school = _unit_school(actor, school)
    this_year = timezone.localdate().year
    year = year or this_year
    if not this_year - 1 <= year <= this_year:
        raise ActionError(_("只能上传本年度或上一年度的承诺书。"), field="year")
    # The file is written before the transaction (a slow storage must not hold
    # locks) and removed again if the transaction fails.
    stored = default_storage.save(random_name(f"commitments/{year}", upload), upload.as_file())
    try:
        with transaction.atomic():
            replaced = list(
                CommitmentLetter.objects.select_for_update()
                .filter(school=school, year=year, is_current=True)
                .values_list("pk", flat=True)
            )
            CommitmentLetter.objects.filter(pk__in=replaced).update(is_current=False)
            letter = CommitmentLetter(
                school=school,
                year=year,
                original_name=upload.original_name,
                size=upload.size,
                uploaded_by=actor,
                is_current=True,
            )
            letter.file.name = stored
            letter.save()
            audit.record(
                "orgs.commitment.upload",
                actor=actor,
                target=letter,
                data={"year": year, "name": upload.original_name, "replaced": replaced},
            )
    except IntegrityError:
        default_storage.delete(stored)
        raise ActionError(_("另一位管理员正在上传本年度承诺书，请刷新后重试。")) from None
    except BaseException:
        default_storage.delete(stored)
        raise
    return letter


# -- 学生信息 batch import and delete (V-01, X-01) ----------------------------------


def import_students(*, actor: User, upload: ValidatedUpload, commit: bool) -> Any:
    """Validate every row of a 学生信息 file; with ``commit``, write all rows in one upsert or none.

    Returns the ``tabular.importing.ImportReport``; a file that cannot be read raises ``ActionError``.
    """
    from campusflow.orgs.imports import StudentImport
    from campusflow.tabular.importing import run_import

    return run_import(StudentImport(actor), upload, commit=commit)


@dataclass(frozen=True)
class TeacherImportOutcome:
    report: Any  # tabular.importing.ImportReport
    # The new accounts' initial passwords (committed imports only): for one download, never stored.
    passwords: list[Any]


def import_teachers(*, actor: User, upload: ValidatedUpload, commit: bool) -> TeacherImportOutcome:
    """Validate every row of a 教师信息 file; with ``commit``, write all rows (teachers, and accounts
    for the new ones) in one transaction or none. A file that cannot be read raises ``ActionError``.
    """
    from campusflow.orgs.imports import TeacherImport
    from campusflow.tabular.importing import run_import

    spec = TeacherImport(actor)
    report = run_import(spec, upload, commit=commit)
    return TeacherImportOutcome(report=report, passwords=list(spec.new_passwords) if report.committed else [])


class StudentsInUse(ActionError):
    """Some of the students to delete are still referenced; nothing was deleted."""

    def __init__(self, message: str, blocked: list[tuple[Student, list[str]]]) -> None:
        super().__init__(message, code="conflict")
        self.blocked = blocked


def _referenced_students(error: ProtectedError, students: dict[int, Student]) -> list[tuple[Student, list[str]]]:
    """Which of ``students`` each protecting record points to, named by its kind (实践安排 …)."""
    uses: dict[int, list[str]] = {}
    for record in error.protected_objects:
        kind = str(record._meta.verbose_name)
        for field in record._meta.concrete_fields:
            if field.is_relation and field.related_model is Student:
                pk = getattr(record, field.attname)
                if pk in students and kind not in uses.setdefault(pk, []):
                    uses[pk].append(kind)
    return [(students[pk], kinds) for pk, kinds in uses.items()]


def delete_students(*, actor: User, ids: list[int]) -> int:
    """Delete the chosen students, all or none: any still referenced elsewhere (实践安排, 审批 …) blocks it."""
    from campusflow.orgs.imports import STUDENT_MANAGERS

    _require_role(actor, STUDENT_MANAGERS)
    wanted = set(ids)
    if not wanted:
        raise ActionError(_("请先选择要删除的学生。"))
    with transaction.atomic():
        chosen = {s.pk: s for s in Student.objects.visible_to(actor).select_for_update().filter(pk__in=wanted)}
        if len(chosen) != len(wanted):
            raise Http404
        try:
            Student.objects.filter(pk__in=chosen).delete()
        except ProtectedError as error:
            blocked = _referenced_students(error, chosen)
            names = "、".join(f"{s.student_no} {s.name}" for s, _kinds in blocked)
            raise StudentsInUse(
                _("以下学生仍有关联记录，不能删除，本次未删除任何学生：%(names)s。") % {"names": names}, blocked
            ) from None
        audit.record(
            "orgs.students.delete",
            actor=actor,
            school=next(iter(chosen.values())).school_id,
            data={"count": len(chosen), "students": sorted(s.student_no for s in chosen.values())},
        )
    return len(chosen)
