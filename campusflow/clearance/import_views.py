"""批量导入 at the desk (C-04): upload (学号匹配 / 身份证号匹配) → preview → 确认导入 → result + rejected rows."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campusflow.clearance import actions, imports
from campusflow.clearance.models import ClearancePlan
from campusflow.clearance.views import DESK, _desk, _query, _tally
from campusflow.core import once
from campusflow.core.access import get_visible_or_404, require
from campusflow.core.errors import ActionError
from campusflow.core.http import AuthedRequest
from campusflow.core.uploads import SPREADSHEETS, ValidatedUpload, validate_upload
from campusflow.jobs.actions import start as start_job
from campusflow.jobs.models import Job
from campusflow.tabular import pending
from campusflow.tabular.forms import ImportUploadForm
from campusflow.tabular.importing import BACKGROUND_ROWS
from campusflow.tabular.pages import rejected_download, template_download
from campusflow.tabular.reading import count_rows
from campusflow.workflow.models import StepDefinition

PENDING_KIND = "clearance.decisions"


def _match(value: str) -> str:
    if value not in imports.MATCHES:
        raise Http404
    return value


@require(DESK)
def desk_import(request: AuthedRequest) -> HttpResponse:
    """The seed's 批量导入 page: instructions, and one upload form per way of matching."""
    params = request.POST if request.method == "POST" else request.GET
    ctx = _desk(request, params, counts=True)
    ctx["tally"] = _tally(request, ctx)
    forms = {match: ImportUploadForm(prefix=match) for match in imports.MATCHES}
    if request.method == "POST" and ctx["step"] is not None:
        match = _match(request.POST.get("match", ""))
        form = ImportUploadForm(request.POST, request.FILES, prefix=match)
        forms[match] = form
        spec = imports.spec_for(request.user, ctx["step"], match)
        if form.is_valid():
            try:
                upload = validate_upload(form.cleaned_data["file"], allowed=SPREADSHEETS)
                rows = count_rows(upload, spec.columns)
            except ActionError as error:
                form.add_error("file", error.message)
            else:
                token = pending.keep(request, PENDING_KIND, upload, rows)
                pending.update(request, token, step=ctx["step"].pk, match=match)
                if rows > BACKGROUND_ROWS:
                    job = start_job(
                        actor=request.user,
                        kind="clearance.import",
                        title=_("离校批量导入预览：%(name)s") % {"name": upload.original_name},
                        params=imports.job_params(ctx["step"], match, commit=False, rows=rows),
                        upload=upload,
                    )
                    pending.update(request, token, job=job.pk)
                return redirect("clearance:desk_import_result", token)
    if ctx["plan"] is not None and ctx["step"] is not None:
        ctx["query"] = _query(ctx)
    ctx["uploads"] = [(match, label, forms[match]) for match, label in imports.MATCHES.items()]
    return render(request, "clearance/desk_import.html", ctx)


@require(DESK)
def desk_import_template(request: AuthedRequest, match: str) -> HttpResponse:
    ctx = _desk(request, request.GET)
    if ctx["step"] is None:
        raise Http404
    spec = imports.spec_for(request.user, ctx["step"], _match(match))
    return template_download(type(spec))


def _pending(request: AuthedRequest, token: str) -> tuple[dict[str, Any], imports.DecisionImport, ValidatedUpload]:
    found = pending.entry(request, token, PENDING_KIND)
    step = StepDefinition.objects.filter(pk=found.get("step") or 0).first()
    if step is None:
        raise Http404
    spec = imports.spec_for(request.user, step, _match(found.get("match", "")))
    try:
        return found, spec, pending.upload_of(found)
    except ActionError:
        raise Http404 from None


def _result_context(found: dict[str, Any], spec: imports.DecisionImport, token: str, **extra: Any) -> dict[str, Any]:
    plan: ClearancePlan = spec.plan
    return {
        "spec": spec,
        "plan": plan,
        "step": spec.checkpoint,
        "token": token,
        "file_name": found["name"],
        "rows": found["rows"],
        "match_label": imports.MATCHES[found["match"]],
        "back_query": urlencode({"plan": plan.pk, "step": spec.checkpoint.key}),
        **extra,
    }


@require(DESK)
def desk_import_result(request: AuthedRequest, token: str) -> HttpResponse:
    found, spec, upload = _pending(request, token)
    job = None
    outcome = None
    if found.get("job"):
        job = get_visible_or_404(Job.objects.all(), request.user, pk=found["job"])
    else:
        try:
            outcome = imports.run(spec, upload, commit=False)
        except ActionError as error:
            messages.error(request, error.message)
            pending.discard(request, token)
            return redirect(reverse("clearance:desk_import") + "?" + urlencode({"step": spec.checkpoint.key}))
    job_done = job is not None and job.state == Job.State.SUCCEEDED
    can_confirm = (outcome is not None and outcome.pending > 0) or job_done
    context = _result_context(found, spec, token, outcome=outcome, job=job, can_confirm=can_confirm)
    return render(request, "clearance/desk_import_result.html", context)


@require(DESK)
def desk_import_rejected(request: AuthedRequest, token: str) -> HttpResponse:
    _found, spec, upload = _pending(request, token)
    try:
        outcome = imports.run(spec, upload, commit=False)
    except ActionError:
        raise Http404 from None
    if not outcome.error_rows:
        raise Http404
    return rejected_download(outcome.report)


@require(DESK)
@require_POST
def desk_import_confirm(request: AuthedRequest, token: str) -> HttpResponse:
    found, spec, upload = _pending(request, token)
    if not once.consume(request):
        messages.warning(request, _("该表单已提交过，请勿重复提交。"))
        return redirect("clearance:desk_import_result", token)
    if found["rows"] > BACKGROUND_ROWS:
        job = start_job(
            actor=request.user,
            kind="clearance.import",
            title=_("离校批量导入：%(name)s") % {"name": found["name"]},
            params=imports.job_params(spec.checkpoint, found["match"], commit=True, rows=found["rows"]),
            upload=upload,
        )
        pending.discard(request, token)
        messages.info(request, _("文件较大，已转为后台任务导入，可在本页查看进度。"))
        return redirect("jobs:detail", job.pk)
    try:
        outcome = imports.run(spec, upload, commit=True)
    except ActionError as error:
        messages.error(request, error.message)
        return redirect("clearance:desk_import_result", token)
    context = _result_context(found, spec, token, outcome=outcome, job=None, can_confirm=False)
    context["tally"] = actions.counters(spec.plan, spec.checkpoint, department_id=_department(request))
    return render(request, "clearance/desk_import_result.html", context)


def _department(request: AuthedRequest) -> int | None:
    role = request.user.active_role
    if role is not None and role.unit is not None and role.unit.kind == "department":
        return role.unit_id
    return None
