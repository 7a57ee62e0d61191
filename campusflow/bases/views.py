"""Practice-base pages (B-04): browse, enter and edit bases and their enterprise mentors.

Every staff role browses the bases of its school; changes go through
``bases.actions``, which re-check the narrower editing scope.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campusflow.bases import actions
from campusflow.bases.filters import BaseFilter
from campusflow.bases.forms import BaseForm, MentorAddForm, RevokeForm
from campusflow.bases.imports import ENTERPRISE_IMPORTERS, EnterpriseImport
from campusflow.bases.models import BaseMentor, Enterprise, PracticeBase, SchoolEnterprise
from campusflow.core import once
from campusflow.core.access import get_visible_or_404, require, signed_in
from campusflow.core.errors import ActionError
from campusflow.core.http import AuthedRequest
from campusflow.core.pagination import paginate
from campusflow.core.roles import STAFF_ROLES, Role
from campusflow.core.uploads import SPREADSHEETS, ValidatedUpload, validate_upload
from campusflow.core.validators import normalize_code
from campusflow.jobs.actions import start as start_job
from campusflow.jobs.models import Job
from campusflow.orgs.models import EnterpriseMentor
from campusflow.practice.models import Placement
from campusflow.tabular import pending
from campusflow.tabular.forms import ImportUploadForm
from campusflow.tabular.importing import BACKGROUND_ROWS
from campusflow.tabular.pages import rejected_download, template_download
from campusflow.tabular.reading import count_rows

EDITORS = actions.BASE_EDITORS
# The enterprise library is for the school's staff and its students (they will register there).
ENTERPRISE_READERS = STAFF_ROLES | {Role.STUDENT}


def _show_error(form: Form, error: ActionError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@signed_in
def base_list(request: AuthedRequest) -> HttpResponse:
    bases = (
        PracticeBase.objects.visible_to(request.user)
        .select_related("responsible_college")
        .annotate(mentor_count=Count("mentors", distinct=True))
        .order_by("code", "id")
    )
    filterset = BaseFilter(request.GET or None, queryset=bases, request=request)
    rows = filterset.queryset.none() if filterset.is_bound and not filterset.is_valid() else filterset.qs
    page = paginate(request, rows)
    context = {"filter": filterset, "page_obj": page, "can_create": request.user.role in EDITORS}
    return _no_store(render(request, "bases/base_list.html", context))


def _base(request: AuthedRequest, pk: int) -> PracticeBase:
    return get_visible_or_404(
        PracticeBase.objects.select_related("school", "responsible_college", "created_by"), request.user, pk=pk
    )


def _editable(request: AuthedRequest, pk: int) -> PracticeBase:
    """A base ``request.user`` may change; 404 alike for missing, not visible and only browsable."""
    return get_object_or_404(actions.editable_bases(request.user).select_related("responsible_college"), pk=pk)


@signed_in
def base_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    base = _base(request, pk)
    links = BaseMentor.objects.filter(base=base).select_related("mentor", "mentor__partner_supervisor")
    placements = (
        Placement.objects.visible_to(request.user)
        .filter(base=base)
        .select_related("student", "student__department", "supervisor", "mentor")
        .order_by("status", "-start_date")[:100]
    )
    can_edit = actions.can_edit(request.user, base)
    mentor_form = None
    if can_edit:
        candidates = EnterpriseMentor.objects.filter(school_id=base.school_id).exclude(practice_bases=base)
        mentor_form = MentorAddForm(mentors=candidates)
    context = {
        "base": base,
        "links": links,
        "placements": placements,
        "can_edit": can_edit,
        "mentor_form": mentor_form,
        "revoke_form": RevokeForm() if can_edit else None,
    }
    return _no_store(render(request, "bases/base_detail.html", context))


def _input(data: dict[str, Any]) -> actions.BaseInput:
    return actions.BaseInput(**data)


@require(EDITORS)
def base_create(request: AuthedRequest) -> HttpResponse:
    colleges = actions.colleges_for(request.user)
    initial: dict[str, Any] = {"level": PracticeBase.Level.SCHOOL_B, "origin": PracticeBase.Origin.SCHOOL}
    if len(colleges) == 1:
        initial["responsible_college"] = colleges[0].pk
    form = BaseForm(request.POST or None, colleges=colleges, initial=initial)
    if request.method == "POST" and form.is_valid():
        if not once.consume(request):
            messages.warning(request, _("该表单已提交过，请勿重复提交。"))
            return redirect("bases:base_list")
        try:
            base = actions.create_base(actor=request.user, data=_input(form.cleaned_data))
        except ActionError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("已录入基地“%(name)s”。") % {"name": base.name})
            return redirect("bases:base_detail", base.pk)
    return render(request, "bases/base_form.html", {"form": form, "creating": True})


@require(EDITORS)
def base_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    base = _editable(request, pk)
    fields = ("code", "name", "unit_type", "level", "origin", "address", "contact_name", "leader_name")
    initial: dict[str, Any] = {name: getattr(base, name) for name in fields}
    initial["school_contact_name"] = base.school_contact_name
    initial["responsible_college"] = base.responsible_college_id
    form = BaseForm(request.POST or None, colleges=actions.colleges_for(request.user), base=base, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = actions.edit_base(actor=request.user, base=base, data=_input(form.cleaned_data))
        except ActionError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("基地信息已保存。") if changed else _("没有需要保存的修改。"))
            return redirect("bases:base_detail", base.pk)
    return _no_store(render(request, "bases/base_form.html", {"form": form, "base": base, "creating": False}))


@require(EDITORS)
@require_POST
def base_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    base = _editable(request, pk)
    form = RevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        actions.revoke_base(actor=request.user, base=base, reason=reason)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("基地已撤销。"))
    return redirect("bases:base_detail", base.pk)


@require(EDITORS)
@require_POST
def base_restore(request: AuthedRequest, pk: int) -> HttpResponse:
    base = _editable(request, pk)
    try:
        actions.restore_base(actor=request.user, base=base)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("基地已恢复正常。"))
    return redirect("bases:base_detail", base.pk)


@require(EDITORS)
@require_POST
def mentor_add(request: AuthedRequest, pk: int) -> HttpResponse:
    base = _editable(request, pk)
    form = MentorAddForm(request.POST, mentors=EnterpriseMentor.objects.filter(school_id=base.school_id))
    if not form.is_valid():
        messages.error(request, _("请选择本校的企业导师。"))
        return redirect("bases:base_detail", base.pk)
    mentor = form.cleaned_data["mentor"]
    try:
        actions.add_mentor(actor=request.user, base=base, mentor=mentor)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已添加企业导师“%(name)s”。") % {"name": mentor.name})
    return redirect("bases:base_detail", base.pk)


@require(EDITORS)
@require_POST
def mentor_remove(request: AuthedRequest, pk: int, mentor_pk: int) -> HttpResponse:
    base = _editable(request, pk)
    mentor = get_object_or_404(base.mentors.all(), pk=mentor_pk)
    try:
        actions.remove_mentor(actor=request.user, base=base, mentor=mentor)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已移除企业导师“%(name)s”。") % {"name": mentor.name})
    return redirect("bases:base_detail", base.pk)


# -- 企业库 and 合作企业管理 (B-01…B-03, seed 003 §4) -------------------------------------


def _relations_of(request: AuthedRequest) -> dict[int, list[SchoolEnterprise]]:
    """The current relations of the viewer's school, by enterprise (for the 荐/合 marks)."""
    assignment = request.user.active_role
    school_id = assignment.unit.school_id if assignment is not None and assignment.unit is not None else None
    if school_id is None:
        return {}
    found: dict[int, list[SchoolEnterprise]] = {}
    for relation in SchoolEnterprise.objects.current().filter(school_id=school_id):
        found.setdefault(relation.enterprise_id, []).append(relation)
    return found


@require(ENTERPRISE_READERS)
def enterprise_list(request: AuthedRequest) -> HttpResponse:
    enterprises = Enterprise.objects.visible_to(request.user).filter(status=Enterprise.Status.NORMAL)
    q = request.GET.get("q", "").strip()
    if q:
        enterprises = enterprises.filter(Q(name__icontains=q) | Q(credit_code__iexact=normalize_code(q)))
    nature = request.GET.get("nature", "")
    if nature in PracticeBase.UnitType.values:
        enterprises = enterprises.filter(nature=nature)
    industry = request.GET.get("industry", "").strip()
    if industry:
        enterprises = enterprises.filter(industry__icontains=industry)
    enterprises = enterprises.annotate(position_count=Count("positions", filter=Q(positions__is_open=True)))
    page = paginate(request, enterprises.order_by("name"))
    relations = _relations_of(request)
    rows = [(e, relations.get(e.pk, [])) for e in page.object_list]
    return render(
        request,
        "bases/enterprise_list.html",
        {
            "page_obj": page,
            "rows": rows,
            "natures": PracticeBase.UnitType.choices,
            "can_relate": request.user.role in actions.RELATION_MANAGERS,
        },
    )


@require(ENTERPRISE_READERS)
def enterprise_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    enterprise = get_visible_or_404(Enterprise.objects.all(), request.user, pk=pk)
    return render(
        request,
        "bases/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "positions": enterprise.positions.order_by("name"),
            "relations": _relations_of(request).get(enterprise.pk, []),
            "can_relate": request.user.role in actions.RELATION_MANAGERS,
        },
    )


@require(actions.RELATION_MANAGERS)
@require_POST
def enterprise_relate(request: AuthedRequest, pk: int) -> HttpResponse:
    enterprise = get_visible_or_404(Enterprise.objects.all(), request.user, pk=pk)
    try:
        actions.set_relation(actor=request.user, enterprise=enterprise, kind=request.POST.get("kind", ""))
        messages.success(request, _("已更新与“%(name)s”的关系。") % {"name": enterprise.name})
    except ActionError as error:
        messages.error(request, error.message)
    back = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return redirect(back if back and safe else "bases:enterprise_list")


@require(STAFF_ROLES)
def partner_list(request: AuthedRequest) -> HttpResponse:
    relations = SchoolEnterprise.objects.visible_to(request.user).current().select_related("enterprise", "created_by")
    kind = request.GET.get("kind", "")
    if kind in SchoolEnterprise.Kind.values:
        relations = relations.filter(kind=kind)
    q = request.GET.get("q", "").strip()
    if q:
        relations = relations.filter(enterprise__name__icontains=q)
    page = paginate(request, relations.order_by("enterprise__name", "kind"))
    return render(
        request,
        "bases/partner_list.html",
        {
            "page_obj": page,
            "kinds": SchoolEnterprise.Kind.choices,
            "can_relate": request.user.role in actions.RELATION_MANAGERS,
            "can_import": request.user.role in ENTERPRISE_IMPORTERS,
        },
    )


@require(actions.RELATION_MANAGERS)
@require_POST
def partner_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        relation = actions.cancel_relation(actor=request.user, relation_id=pk)
        messages.success(request, _("已取消与“%(name)s”的关系。") % {"name": relation.enterprise.name})
    except ActionError as error:
        messages.error(request, error.message)
    return redirect("bases:partner_list")


# -- 新增推荐企业: batch import of recommended enterprises (B-03, X-01; seed 003 §4.3) ------------


def _pending_enterprise_upload(request: AuthedRequest, token: str) -> tuple[dict[str, Any], ValidatedUpload]:
    found = pending.entry(request, token, EnterpriseImport.kind)
    try:
        return found, pending.upload_of(found)
    except ActionError:
        raise Http404 from None


@require(ENTERPRISE_IMPORTERS)
def enterprise_import_template(request: AuthedRequest) -> HttpResponse:
    EnterpriseImport(request.user)  # the same permission check as the import itself
    return template_download(EnterpriseImport)


@require(ENTERPRISE_IMPORTERS)
def enterprise_import(request: AuthedRequest) -> HttpResponse:
    """下载导入模板 → 上传文件 (preview, nothing written) → 立即提交 (确认导入) on the result page."""
    EnterpriseImport(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = validate_upload(form.cleaned_data["file"], allowed=SPREADSHEETS)
            rows = count_rows(upload, EnterpriseImport.columns)
        except ActionError as error:
            form.add_error("file", error.message)
        else:
            token = pending.keep(request, EnterpriseImport.kind, upload, rows)
            if rows > BACKGROUND_ROWS:
                job = start_job(
                    actor=request.user,
                    kind="tabular.import",
                    title=_("推荐企业导入预览：%(name)s") % {"name": upload.original_name},
                    params={"kind": EnterpriseImport.kind, "commit": False, "rows": rows},
                    upload=upload,
                )
                pending.update(request, token, job=job.pk)
            return redirect("bases:enterprise_import_result", token)
    context = {
        "form": form,
        "spec": EnterpriseImport,
        "back": "bases:partner_list",
        "back_title": _("合作企业管理"),
        "template_url": "bases:enterprise_import_template",
        "steps_note": _("导入的企业都成为本校推荐企业（荐）；企业库中已有的企业，名称须与企业库一致。"),
    }
    return render(request, "tabular/import_form.html", context)


@require(ENTERPRISE_IMPORTERS)
def enterprise_import_result(request: AuthedRequest, token: str) -> HttpResponse:
    found, upload = _pending_enterprise_upload(request, token)
    job = None
    report = None
    if found["job"]:
        job = get_visible_or_404(Job.objects.all(), request.user, pk=found["job"])
    else:
        try:
            report = actions.import_enterprises(actor=request.user, upload=upload, commit=False)
        except ActionError as error:
            messages.error(request, error.message)
            pending.discard(request, token)
            return redirect("bases:enterprise_import")
    job_clean = job is not None and job.state == Job.State.SUCCEEDED and not job.result_file
    context = {
        "spec": EnterpriseImport,
        "report": report,
        "job": job,
        "can_confirm": (report is not None and report.ok and report.created + report.updated > 0) or job_clean,
        "token": token,
        "file_name": found["name"],
        "rows": found["rows"],
        "back": "bases:partner_list",
        "confirm_url": "bases:enterprise_import_confirm",
        "rejected_url": "bases:enterprise_import_rejected",
        "again_url": "bases:enterprise_import",
    }
    return render(request, "tabular/import_result.html", context)


@require(ENTERPRISE_IMPORTERS)
def enterprise_import_rejected(request: AuthedRequest, token: str) -> HttpResponse:
    _found, upload = _pending_enterprise_upload(request, token)
    try:
        report = actions.import_enterprises(actor=request.user, upload=upload, commit=False)
    except ActionError:
        raise Http404 from None
    if report.ok:
        raise Http404
    return rejected_download(report)


@require(ENTERPRISE_IMPORTERS)
@require_POST
def enterprise_import_confirm(request: AuthedRequest, token: str) -> HttpResponse:
    found, upload = _pending_enterprise_upload(request, token)
    if not once.consume(request):
        messages.warning(request, _("该表单已提交过，请勿重复提交。"))
        return redirect("bases:partner_list")
    if found["rows"] > BACKGROUND_ROWS:
        job = start_job(
            actor=request.user,
            kind="tabular.import",
            title=_("推荐企业导入：%(name)s") % {"name": found["name"]},
            params={"kind": EnterpriseImport.kind, "commit": True, "rows": found["rows"]},
            upload=upload,
        )
        pending.discard(request, token)
        messages.info(request, _("文件较大，已转为后台任务导入，可在本页查看进度。"))
        return redirect("jobs:detail", job.pk)
    try:
        report = actions.import_enterprises(actor=request.user, upload=upload, commit=True)
    except ActionError as error:
        messages.error(request, error.message)
        return redirect("bases:enterprise_import")
    if not report.committed:
        messages.error(request, _("文件中有错误，未导入任何数据。"))
        return redirect("bases:enterprise_import_result", token)
    pending.discard(request, token)
    messages.success(
        request,
        _("导入完成：新增企业 %(c)s 家，更新或新推荐 %(u)s 家，未变化 %(s)s 家。")
        % {"c": report.created, "u": report.updated, "s": report.unchanged},
    )
    return redirect("bases:partner_list")
