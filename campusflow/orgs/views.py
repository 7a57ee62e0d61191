"""People, org-tree and commitment-letter pages (P-01, P-02, P-04, P-06…P-08, P-10).

Views parse input, check access and render; every change goes through
``orgs.actions``. Lists and details start from ``visible_to(request.user)``.
"""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.forms import Form
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campusflow.core import once
from campusflow.core.access import get_visible_or_404, require
from campusflow.core.errors import ActionError
from campusflow.core.http import AuthedRequest
from campusflow.core.pagination import paginate
from campusflow.core.privacy import REVEAL_ROLES, Sensitive, display
from campusflow.core.roles import ACCOUNT_MANAGERS, PEOPLE_READERS, SCHOOL_MANAGERS, Role
from campusflow.core.uploads import DOCUMENTS, SPREADSHEETS, ValidatedUpload, validate_upload
from campusflow.jobs.actions import start as start_job
from campusflow.jobs.models import Job
from campusflow.orgs import actions, exports
from campusflow.orgs.filters import IdNumberSearchForm, MentorFilter, StudentFilter, TeacherFilter
from campusflow.orgs.forms import CommitmentUploadForm, TeacherCreateForm, TeacherEditForm, UnitForm
from campusflow.orgs.imports import (
    STUDENT_MANAGERS,
    TEACHER_IMPORTERS,
    StudentImport,
    TeacherImport,
    initial_passwords_xlsx,
)
from campusflow.orgs.models import CommitmentLetter, EnterpriseMentor, OrgUnit, Student, Teacher
from campusflow.orgs.selectors import commitment_overview, commitment_status
from campusflow.tabular import pending
from campusflow.tabular.exporting import EXPORTS, XLSX_CONTENT_TYPE, timestamped, xlsx_response
from campusflow.tabular.forms import ImportUploadForm
from campusflow.tabular.importing import BACKGROUND_ROWS
from campusflow.tabular.pages import rejected_download, template_download
from campusflow.tabular.reading import count_rows

STUDENT_READERS = PEOPLE_READERS | {Role.STUDENT}
TEACHER_READERS = PEOPLE_READERS - {Role.ENTERPRISE_MENTOR}
UNIT_READERS = SCHOOL_MANAGERS | {Role.PROVINCIAL_ADMIN}
# Who may press "显示完整信息": for students anyone who may reveal at least one
# kind of value (the action narrows it per field); teachers and mentors only have a phone.
STUDENT_REVEALERS = STUDENT_READERS & frozenset().union(*REVEAL_ROLES.values())
TEACHER_REVEALERS = TEACHER_READERS & REVEAL_ROLES[Sensitive.PHONE]
MENTOR_REVEALERS = PEOPLE_READERS & REVEAL_ROLES[Sensitive.PHONE]


def _show_error(form: Form, error: ActionError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _shown(request: AuthedRequest, subject: Any, revealed: dict[str, str] | None) -> dict[str, str]:
    """Each sensitive field as this person sees it now: revealed in clear, otherwise masked."""
    role = request.user.role
    revealed = revealed or {}
    return {
        name: revealed[name] if name in revealed else display(getattr(subject, name), kind, role)
        for name, kind in actions.SENSITIVE_FIELDS[type(subject)].items()
    }


def _can_reveal(request: AuthedRequest, subject: Any) -> bool:
    fields = actions.revealable_fields(request.user.role, type(subject))
    return any(getattr(subject, name) for name in fields)


def _listing(request: AuthedRequest, filterset: Any) -> Any:
    """The filtered rows, or none with the form's errors shown when the filter is invalid."""
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs


# -- students (P-02, P-04, P-10) -----------------------------------------------------


@require(PEOPLE_READERS)
def student_list(request: AuthedRequest) -> HttpResponse:
    students = Student.objects.visible_to(request.user).select_related("department", "supervisor")
    filterset = StudentFilter(request.GET or None, queryset=students, request=request)
    if request.method == "POST":
        # An exact 身份证号 search: a POST, so the number stays out of URLs and logs (S-10).
        id_form = IdNumberSearchForm(request.POST)
        rows = id_form.search(students)
    else:
        id_form = IdNumberSearchForm()
        rows = _listing(request, filterset)
    page = paginate(request, rows)
    context = {
        "filter": filterset,
        "id_form": id_form,
        "page_obj": page,
        "can_manage": request.user.role in STUDENT_MANAGERS,
        "can_export_full": bool(exports.revealable(request.user)),
    }
    response = render(request, "orgs/student_list.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _student(request: AuthedRequest, pk: int) -> Student:
    queryset = Student.objects.select_related("school", "department", "supervisor", "enterprise_mentor")
    return get_visible_or_404(queryset, request.user, pk=pk)


def _student_page(request: AuthedRequest, student: Student, revealed: dict[str, str] | None = None) -> HttpResponse:
    context = {
        "student": student,
        "shown": _shown(request, student, revealed),
        "revealed": revealed or {},
        "can_reveal": _can_reveal(request, student),
    }
    response = render(request, "orgs/student_detail.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require(STUDENT_READERS)
def student_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _student_page(request, _student(request, pk))


@require(STUDENT_REVEALERS)
@require_POST
def student_reveal(request: AuthedRequest, pk: int) -> HttpResponse:
    student = _student(request, pk)
    try:
        revealed = actions.reveal(actor=request.user, subject=student)
    except ActionError as error:
        messages.info(request, error.message)
        return redirect("orgs:student_detail", pk)
    return _student_page(request, student, revealed)


# -- teachers (P-02, P-06) --------------------------------------------------------------


def _departments(request: AuthedRequest) -> Any:
    return (
        OrgUnit.objects.visible_to(request.user)
        .filter(kind=OrgUnit.Kind.DEPARTMENT, is_active=True)
        .select_related("school")
        .order_by("school__sort_order", "sort_order", "code")
    )


@require(TEACHER_READERS)
def teacher_list(request: AuthedRequest) -> HttpResponse:
    teachers = Teacher.objects.visible_to(request.user).select_related("department")
    filterset = TeacherFilter(request.GET or None, queryset=teachers, request=request)
    page = paginate(request, _listing(request, filterset))
    context = {
        "filter": filterset,
        "page_obj": page,
        "can_create": request.user.role in ACCOUNT_MANAGERS,
        "can_import": request.user.role in TEACHER_IMPORTERS,
    }
    return render(request, "orgs/teacher_list.html", context)


def _teacher_page(request: AuthedRequest, teacher: Teacher, revealed: dict[str, str] | None = None) -> HttpResponse:
    context = {
        "teacher": teacher,
        "shown": _shown(request, teacher, revealed),
        "revealed": revealed or {},
        "can_reveal": _can_reveal(request, teacher),
        "can_edit": request.user.role in ACCOUNT_MANAGERS,
        "student_count": Student.objects.visible_to(request.user).filter(supervisor=teacher).count(),
    }
    response = render(request, "orgs/teacher_detail.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _teacher(request: AuthedRequest, pk: int) -> Teacher:
    return get_visible_or_404(Teacher.objects.select_related("school", "department", "user"), request.user, pk=pk)


@require(TEACHER_READERS)
def teacher_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _teacher_page(request, _teacher(request, pk))


@require(TEACHER_REVEALERS)
@require_POST
def teacher_reveal(request: AuthedRequest, pk: int) -> HttpResponse:
    teacher = _teacher(request, pk)
    try:
        revealed = actions.reveal(actor=request.user, subject=teacher)
    except ActionError as error:
        messages.info(request, error.message)
        return redirect("orgs:teacher_detail", pk)
    return _teacher_page(request, teacher, revealed)


@require(ACCOUNT_MANAGERS)
def teacher_create(request: AuthedRequest) -> HttpResponse:
    departments = _departments(request)
    form = TeacherCreateForm(request.POST or None, departments=departments)
    if request.method == "POST" and form.is_valid():
        if not once.consume(request):
            messages.warning(request, _("该表单已提交过，请勿重复提交。"))
            return redirect("orgs:teacher_list")
        data = form.cleaned_data
        try:
            created = actions.create_teacher(
                actor=request.user,
                department=data["department"],
                staff_no=data["staff_no"],
                username=data["username"],
                name=data["name"],
                gender=data["gender"],
                title=data["title"],
                phone=data["phone"],
                email=data["email"],
                is_supervisor=data["is_supervisor"],
                role=Role(data["role"]),
            )
        except ActionError as error:
            _show_error(form, error)
        else:
            response = render(request, "orgs/teacher_created.html", {"created": created})
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "orgs/teacher_form.html", {"form": form, "creating": True})


@require(ACCOUNT_MANAGERS)
def teacher_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    teacher = _teacher(request, pk)
    initial = {field: getattr(teacher, field) for field in actions.TEACHER_EDITABLE}
    form = TeacherEditForm(request.POST or None, initial=initial, departments=_departments(request))
    if request.method == "POST" and form.is_valid():
        try:
            changed = actions.edit_teacher(actor=request.user, teacher=teacher, **form.cleaned_data)
        except ActionError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("教师信息已保存。") if changed else _("没有需要保存的修改。"))
            return redirect("orgs:teacher_detail", teacher.pk)
    return render(request, "orgs/teacher_form.html", {"form": form, "teacher": teacher, "creating": False})


# -- enterprise mentors (P-02) -------------------------------------------------------


@require(PEOPLE_READERS)
def mentor_list(request: AuthedRequest) -> HttpResponse:
    mentors = EnterpriseMentor.objects.visible_to(request.user).select_related("partner_supervisor")
    filterset = MentorFilter(request.GET or None, queryset=mentors, request=request)
    page = paginate(request, _listing(request, filterset))
    return render(request, "orgs/mentor_list.html", {"filter": filterset, "page_obj": page})


def _mentor(request: AuthedRequest, pk: int) -> EnterpriseMentor:
    return get_visible_or_404(
        EnterpriseMentor.objects.select_related("school", "partner_supervisor"), request.user, pk=pk
    )


def _mentor_page(
    request: AuthedRequest, mentor: EnterpriseMentor, revealed: dict[str, str] | None = None
) -> HttpResponse:
    context = {
        "mentor": mentor,
        "shown": _shown(request, mentor, revealed),
        "revealed": revealed or {},
        "can_reveal": _can_reveal(request, mentor),
        "students": Student.objects.visible_to(request.user)
        .filter(enterprise_mentor=mentor)
        .select_related("department")[:50],
    }
    response = render(request, "orgs/mentor_detail.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require(PEOPLE_READERS)
def mentor_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _mentor_page(request, _mentor(request, pk))


@require(MENTOR_REVEALERS)
@require_POST
def mentor_reveal(request: AuthedRequest, pk: int) -> HttpResponse:
    mentor = _mentor(request, pk)
    try:
        revealed = actions.reveal(actor=request.user, subject=mentor)
    except ActionError as error:
        messages.info(request, error.message)
        return redirect("orgs:mentor_detail", pk)
    return _mentor_page(request, mentor, revealed)


# -- the org tree (P-01, P-07) -------------------------------------------------------------


def _schools(request: AuthedRequest) -> Any:
    return OrgUnit.objects.visible_to(request.user).filter(kind=OrgUnit.Kind.SCHOOL).order_by("sort_order", "code")


@require(UNIT_READERS)
def unit_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    children = (
        OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.DEPARTMENT, OrgUnit.Kind.OFFICE])
        .annotate(
            student_count=Count("students", distinct=True),
            teacher_count=Count("teachers", distinct=True),
        )
        .order_by("kind", "sort_order", "code", "id")
    )
    schools = list(_schools(request).select_related("parent").prefetch_related(Prefetch("children", queryset=children)))
    provinces: dict[int | None, dict[str, Any]] = {}
    for school in schools:
        entry = provinces.setdefault(school.parent_id, {"province": school.parent, "schools": []})
        entry["schools"].append(school)
    context = {
        "provinces": list(provinces.values()),
        "can_change": user.role in SCHOOL_MANAGERS,
    }
    return render(request, "orgs/unit_list.html", context)


@require(SCHOOL_MANAGERS)
def unit_create(request: AuthedRequest) -> HttpResponse:
    initial: dict[str, Any] = {"kind": request.GET.get("kind", OrgUnit.Kind.DEPARTMENT), "sort_order": 0}
    if request.GET.get("school"):
        initial["school"] = request.GET["school"]
    form = UnitForm(request.POST or None, schools=_schools(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        if not once.consume(request):
            messages.warning(request, _("该表单已提交过，请勿重复提交。"))
            return redirect("orgs:unit_list")
        data = form.cleaned_data
        try:
            unit = actions.create_unit(
                actor=request.user,
                kind=data["kind"],
                school=data["school"],
                name=data["name"],
                code=data["code"],
                office_type=data["office_type"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                sort_order=data["sort_order"] or 0,
            )
        except ActionError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("已添加“%(name)s”。") % {"name": unit.name})
            return redirect("orgs:unit_list")
    return render(request, "orgs/unit_form.html", {"form": form, "creating": True})


def _unit(request: AuthedRequest, pk: int) -> OrgUnit:
    unit = get_visible_or_404(OrgUnit.objects.select_related("school"), request.user, pk=pk)
    if unit.kind not in {OrgUnit.Kind.DEPARTMENT, OrgUnit.Kind.OFFICE}:
        raise Http404
    return unit


@require(SCHOOL_MANAGERS)
def unit_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    fields = ("name", "code", "office_type", "contact_name", "contact_phone", "sort_order", "is_active")
    form = UnitForm(request.POST or None, editing=True, initial={f: getattr(unit, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = actions.update_unit(
                actor=request.user, unit=unit, **{**data, "sort_order": data["sort_order"] or 0}
            )
        except ActionError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("已保存。") if changed else _("没有需要保存的修改。"))
            return redirect("orgs:unit_list")
    in_use = actions.unit_in_use(unit)
    return render(request, "orgs/unit_form.html", {"form": form, "unit": unit, "creating": False, "in_use": in_use})


@require(SCHOOL_MANAGERS)
@require_POST
def unit_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    name = unit.name
    try:
        outcome = actions.remove_unit(actor=request.user, unit=unit)
    except ActionError as error:
        messages.error(request, error.message)
        return redirect("orgs:unit_edit", pk)
    if outcome == "deleted":
        messages.success(request, _("已删除“%(name)s”。") % {"name": name})
    else:
        messages.success(request, _("“%(name)s”仍有学生、教师或账号，已停用而未删除。") % {"name": name})
    return redirect("orgs:unit_list")


# -- the yearly commitment letter (P-08) --------------------------------------------------


@require(UNIT_READERS)
def commitment_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    can_upload = user.role in SCHOOL_MANAGERS
    schools = _schools(request)
    form = CommitmentUploadForm(request.POST or None, request.FILES or None, schools=schools) if can_upload else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            if not once.consume(request):
                messages.warning(request, _("该表单已提交过，请勿重复提交。"))
                return redirect("orgs:commitment_list")
            try:
                upload = validate_upload(form.cleaned_data["file"], allowed=DOCUMENTS)
                letter = actions.upload_commitment(
                    actor=user, upload=upload, school=form.cleaned_data["school"], year=form.cleaned_data["year"]
                )
            except ActionError as error:
                _show_error(form, error)
            else:
                messages.success(request, _("%(year)s 年度承诺书已上传。") % {"year": letter.year})
                return redirect("orgs:commitment_list")
    letters = CommitmentLetter.objects.visible_to(user).select_related("school", "uploaded_by")
    own_school = user.active_role.unit if user.active_role else None
    context = {
        "form": form,
        "letters": letters,
        "status": commitment_status(user) if own_school is not None and own_school.school_id else None,
        "overview": commitment_overview(user) if user.role in {Role.PROVINCIAL_ADMIN, Role.SYSTEM_ADMIN} else None,
    }
    return render(request, "orgs/commitment_list.html", context)


@require(UNIT_READERS)
def commitment_download(request: AuthedRequest, pk: int) -> FileResponse:
    letter = get_visible_or_404(CommitmentLetter.objects.all(), request.user, pk=pk)
    extension = (letter.file.name or "").rsplit(".", 1)[-1].lower()
    content_types = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}
    try:
        handle = letter.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    base = letter.original_name.rsplit(".", 1)[0] or "commitment"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{letter.year}-{base}.{extension}",
        content_type=content_types.get(extension, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


# -- 学生信息管理: import, export, batch delete (V-01, X-01, X-02) ----------------------------


def _pending_upload(request: AuthedRequest, token: str) -> tuple[dict[str, Any], ValidatedUpload]:
    found = pending.entry(request, token, StudentImport.kind)
    try:
        return found, pending.upload_of(found)
    except ActionError:
        raise Http404 from None


@require(STUDENT_MANAGERS)
def student_import_template(request: AuthedRequest) -> HttpResponse:
    StudentImport(request.user)  # the same permission check as the import itself
    return template_download(StudentImport)


@require(STUDENT_MANAGERS)
def student_import(request: AuthedRequest) -> HttpResponse:
    """Upload → preview (dry run, nothing written) → 确认导入 on the result page."""
    StudentImport(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = validate_upload(form.cleaned_data["file"], allowed=SPREADSHEETS)
            rows = count_rows(upload, StudentImport.columns)
        except ActionError as error:
            form.add_error("file", error.message)
        else:
            token = pending.keep(request, StudentImport.kind, upload, rows)
            if rows > BACKGROUND_ROWS:
                job = start_job(
                    actor=request.user,
                    kind="tabular.import",
                    title=_("学生信息导入预览：%(name)s") % {"name": upload.original_name},
                    params={"kind": StudentImport.kind, "commit": False, "rows": rows},
                    upload=upload,
                )
                pending.update(request, token, job=job.pk)
            return redirect("orgs:student_import_result", token)
    context = {
        "form": form,
        "spec": StudentImport,
        "back": "orgs:student_list",
        "template_url": "orgs:student_import_template",
    }
    return render(request, "tabular/import_form.html", context)


@require(STUDENT_MANAGERS)
def student_import_result(request: AuthedRequest, token: str) -> HttpResponse:
    found, upload = _pending_upload(request, token)
    job = None
    report = None
    if found["job"]:
        job = get_visible_or_404(Job.objects.all(), request.user, pk=found["job"])
    else:
        try:
            report = actions.import_students(actor=request.user, upload=upload, commit=False)
        except ActionError as error:
            messages.error(request, error.message)
            pending.discard(request, token)
            return redirect("orgs:student_import")
    # A background preview found no errors when it finished without a rejected-rows file.
    job_clean = job is not None and job.state == Job.State.SUCCEEDED and not job.result_file
    context = {
        "spec": StudentImport,
        "report": report,
        "job": job,
        "can_confirm": (report is not None and report.ok and report.created + report.updated > 0) or job_clean,
        "token": token,
        "file_name": found["name"],
        "rows": found["rows"],
        "back": "orgs:student_list",
        "confirm_url": "orgs:student_import_confirm",
        "rejected_url": "orgs:student_import_rejected",
        "again_url": "orgs:student_import",
    }
    return render(request, "tabular/import_result.html", context)


@require(STUDENT_MANAGERS)
def student_import_rejected(request: AuthedRequest, token: str) -> HttpResponse:
    _found, upload = _pending_upload(request, token)
    try:
        report = actions.import_students(actor=request.user, upload=upload, commit=False)
    except ActionError:
        raise Http404 from None
    if report.ok:
        raise Http404
    return rejected_download(report)


@require(STUDENT_MANAGERS)
@require_POST
def student_import_confirm(request: AuthedRequest, token: str) -> HttpResponse:
    found, upload = _pending_upload(request, token)
    if not once.consume(request):
        messages.warning(request, _("该表单已提交过，请勿重复提交。"))
        return redirect("orgs:student_list")
    if found["rows"] > BACKGROUND_ROWS:
        job = start_job(
            actor=request.user,
            kind="tabular.import",
            title=_("学生信息导入：%(name)s") % {"name": found["name"]},
            params={"kind": StudentImport.kind, "commit": True, "rows": found["rows"]},
            upload=upload,
        )
        pending.discard(request, token)
        messages.info(request, _("文件较大，已转为后台任务导入，可在本页查看进度。"))
        return redirect("jobs:detail", job.pk)
    try:
        report = actions.import_students(actor=request.user, upload=upload, commit=True)
    except ActionError as error:
        messages.error(request, error.message)
        return redirect("orgs:student_import")
    if not report.committed:
        messages.error(request, _("文件中有错误，未导入任何数据。"))
        return redirect("orgs:student_import_result", token)
    pending.discard(request, token)
    messages.success(
        request,
        _("导入完成：新增 %(c)s 人，更新 %(u)s 人，未变化 %(s)s 人。")
        % {"c": report.created, "u": report.updated, "s": report.unchanged},
    )
    return redirect("orgs:student_list")


@require(PEOPLE_READERS)
def student_export(request: AuthedRequest) -> HttpResponse | FileResponse:
    """The list as filtered on the page; masked, or in full (logged) for roles that may reveal."""
    full = request.GET.get("full") == "1"
    if full and not exports.revealable(request.user):
        raise PermissionDenied
    query = request.GET.copy()
    query.pop("page", None)
    students = exports.filtered_students(request.user, query)
    count = students[: exports.STREAM_LIMIT + 1].count()
    params = {"kind": exports.KIND, "query": query.urlencode(), "full": full, "rows": count}
    if count > exports.STREAM_LIMIT:
        job = start_job(actor=request.user, kind="tabular.export", title=_("学生信息导出"), params=params)
        messages.info(request, _("数据较多，已转为后台任务导出；完成后在本页下载。"))
        return redirect("jobs:detail", job.pk)
    source = EXPORTS[exports.KIND](request.user, params)
    return xlsx_response(source.rows, source.columns, timestamped(source.stem), sheet_name=source.sheet_name)


def _chosen_ids(request: AuthedRequest) -> list[int]:
    try:
        return sorted({int(value) for value in request.POST.getlist("ids")})
    except ValueError:
        raise Http404 from None


@require(STUDENT_MANAGERS)
@require_POST
def student_delete(request: AuthedRequest) -> HttpResponse:
    """批量删除: the list's checked rows → a confirmation page listing them → delete all or none."""
    ids = _chosen_ids(request)
    if not ids:
        messages.warning(request, _("请先勾选要删除的学生。"))
        return redirect("orgs:student_list")
    students = list(Student.objects.visible_to(request.user).filter(pk__in=ids).select_related("department"))
    if len(students) != len(ids):
        raise Http404
    context: dict[str, Any] = {"students": students, "blocked": []}
    if request.POST.get("confirm") == "1":
        if not once.consume(request):
            messages.warning(request, _("该表单已提交过，请勿重复提交。"))
            return redirect("orgs:student_list")
        try:
            deleted = actions.delete_students(actor=request.user, ids=ids)
        except actions.StudentsInUse as error:
            context["error"] = error.message
            context["blocked"] = error.blocked
        except ActionError as error:
            context["error"] = error.message
        else:
            messages.success(request, _("已删除 %(n)s 名学生。") % {"n": deleted})
            return redirect("orgs:student_list")
    return render(request, "orgs/student_delete.html", context)


# -- 教师信息 / 导入指导老师信息 import (P-06, X-01; seed 003 §6.5) ---------------------------------


def _pending_teacher_upload(request: AuthedRequest, token: str) -> tuple[dict[str, Any], ValidatedUpload]:
    found = pending.entry(request, token, TeacherImport.kind)
    try:
        return found, pending.upload_of(found)
    except ActionError:
        raise Http404 from None


@require(TEACHER_IMPORTERS)
def teacher_import_template(request: AuthedRequest) -> HttpResponse:
    TeacherImport(request.user)  # the same permission check as the import itself
    return template_download(TeacherImport)


@require(TEACHER_IMPORTERS)
def teacher_import(request: AuthedRequest) -> HttpResponse:
    """Upload → preview (dry run, nothing written) → 确认导入 on the result page."""
    TeacherImport(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = validate_upload(form.cleaned_data["file"], allowed=SPREADSHEETS)
            rows = count_rows(upload, TeacherImport.columns)
        except ActionError as error:
            form.add_error("file", error.message)
        else:
            token = pending.keep(request, TeacherImport.kind, upload, rows)
            if rows > BACKGROUND_ROWS:
                job = start_job(
                    actor=request.user,
                    kind="tabular.import",
                    title=_("教师信息导入预览：%(name)s") % {"name": upload.original_name},
                    params={"kind": TeacherImport.kind, "commit": False, "rows": rows},
                    upload=upload,
                )
                pending.update(request, token, job=job.pk)
            return redirect("orgs:teacher_import_result", token)
    context = {
        "form": form,
        "spec": TeacherImport,
        "back": "orgs:teacher_list",
        "template_url": "orgs:teacher_import_template",
        "steps_note": _("新教师会同时开通“校内导师”账号（用户名为工号），导入完成后在结果页下载一次初始密码。"),
    }
    return render(request, "tabular/import_form.html", context)


@require(TEACHER_IMPORTERS)
def teacher_import_result(request: AuthedRequest, token: str) -> HttpResponse:
    found, upload = _pending_teacher_upload(request, token)
    job = None
    report = None
    if found["job"]:
        job = get_visible_or_404(Job.objects.all(), request.user, pk=found["job"])
    else:
        try:
            report = actions.import_teachers(actor=request.user, upload=upload, commit=False).report
        except ActionError as error:
            messages.error(request, error.message)
            pending.discard(request, token)
            return redirect("orgs:teacher_import")
    job_clean = job is not None and job.state == Job.State.SUCCEEDED and not job.result_file
    context = {
        "spec": TeacherImport,
        "report": report,
        "job": job,
        "can_confirm": (report is not None and report.ok and report.created + report.updated > 0) or job_clean,
        "token": token,
        "file_name": found["name"],
        "rows": found["rows"],
        "back": "orgs:teacher_list",
        "confirm_url": "orgs:teacher_import_confirm",
        "rejected_url": "orgs:teacher_import_rejected",
        "again_url": "orgs:teacher_import",
    }
    return render(request, "tabular/import_result.html", context)


@require(TEACHER_IMPORTERS)
def teacher_import_rejected(request: AuthedRequest, token: str) -> HttpResponse:
    _found, upload = _pending_teacher_upload(request, token)
    try:
        report = actions.import_teachers(actor=request.user, upload=upload, commit=False).report
    except ActionError:
        raise Http404 from None
    if report.ok:
        raise Http404
    return rejected_download(report)


@require(TEACHER_IMPORTERS)
@require_POST
def teacher_import_confirm(request: AuthedRequest, token: str) -> HttpResponse:
    """Import; the answer is the result page carrying the new accounts' initial passwords, once.

    The passwords file is built here from the passwords still in memory and embedded in this
    response only (no URL serves it, nothing stores it); a background import puts it in its job's
    result file instead.
    """
    found, upload = _pending_teacher_upload(request, token)
    if not once.consume(request):
        messages.warning(request, _("该表单已提交过，请勿重复提交。"))
        return redirect("orgs:teacher_list")
    if found["rows"] > BACKGROUND_ROWS:
        job = start_job(
            actor=request.user,
            kind="orgs.teacher_import",
            title=_("教师信息导入：%(name)s") % {"name": found["name"]},
            params={"kind": TeacherImport.kind, "commit": True, "rows": found["rows"]},
            upload=upload,
        )
        pending.discard(request, token)
        messages.info(request, _("文件较大，已转为后台任务导入；完成后在本页下载新教师账号的初始密码。"))
        return redirect("jobs:detail", job.pk)
    try:
        outcome = actions.import_teachers(actor=request.user, upload=upload, commit=True)
    except ActionError as error:
        messages.error(request, error.message)
        return redirect("orgs:teacher_import")
    report = outcome.report
    if not report.committed:
        messages.error(request, _("文件中有错误，未导入任何数据。"))
        return redirect("orgs:teacher_import_result", token)
    pending.discard(request, token)
    passwords_file = ""
    if outcome.passwords:
        data = base64.b64encode(initial_passwords_xlsx(outcome.passwords)).decode("ascii")
        passwords_file = f"data:{XLSX_CONTENT_TYPE};base64,{data}"
    context = {
        "report": report,
        "accounts": len(outcome.passwords),
        "passwords_file": passwords_file,
        "passwords_name": timestamped(_("新教师账号初始密码")),
    }
    response = render(request, "orgs/teacher_import_done.html", context)
    response["Cache-Control"] = "no-store"
    return response
