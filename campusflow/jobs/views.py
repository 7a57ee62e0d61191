"""My background jobs: watch them move, download results, retry failures (X-08)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campusflow.core.access import get_visible_or_404, signed_in
from campusflow.core.errors import ActionError
from campusflow.core.http import AuthedRequest
from campusflow.core.pagination import paginate
from campusflow.jobs import actions
from campusflow.jobs.models import Job


@signed_in
def job_list(request: AuthedRequest) -> HttpResponse:
    jobs = Job.objects.visible_to(request.user)
    return render(request, "jobs/job_list.html", {"page_obj": paginate(request, jobs, per_page=20)})


@signed_in
def job_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_visible_or_404(Job.objects.all(), request.user, pk=pk)
    template = "jobs/_job_status.html" if request.headers.get("HX-Request") else "jobs/job_detail.html"
    return render(request, template, {"job": job})


@signed_in
def job_download(request: AuthedRequest, pk: int) -> FileResponse:
    job = get_visible_or_404(Job.objects.all(), request.user, pk=pk)
    if job.state != Job.State.SUCCEEDED or not job.result_file:
        raise Http404
    response = FileResponse(job.result_file.open("rb"), as_attachment=True, filename=job.result_name or "result")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@signed_in
def job_retry(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        actions.retry(actor=request.user, job_id=pk)
        messages.success(request, _("已重新提交任务。"))
    except ActionError as error:
        messages.error(request, error.message)
    return redirect("jobs:detail", pk)
