"""Starting, running and retrying jobs (X-08).

``start`` writes the job row and enqueues ``jobs.tasks.run`` after commit;
``run_job`` (called by that task) claims the job with a conditional UPDATE so
a job never runs twice at once, then stores the handler's result or its failure.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from campusflow.core import audit
from campusflow.core.errors import ActionError
from campusflow.core.i18n import in_stored_language
from campusflow.jobs.models import Job
from campusflow.jobs.registry import KINDS, JobFailure, Progress

if TYPE_CHECKING:
    from campusflow.accounts.models import User
    from campusflow.core.uploads import ValidatedUpload

logger = logging.getLogger(__name__)
# A running job whose worker has not reported for this long is taken as dead.
STALE_AFTER = timedelta(minutes=10)


def _enqueue(job_id: int) -> None:
    from campusflow.jobs.tasks import run

    run.enqueue(job_id)


def start(
    *, actor: User, kind: str, title: str, params: dict[str, Any] | None = None, upload: ValidatedUpload | None = None
) -> Job:
    if kind not in KINDS:
        raise ActionError(_("未知的任务类型。"))
    stored = ""
    if upload is not None:
        stored = default_storage.save(f"jobs/input/{secrets.token_hex(16)}.{upload.extension}", upload.as_file())
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                title=title[:200],
                created_by=actor,
                role=actor.active_role,
                school_id=actor.school_id,
                params=params or {},
                input_name=upload.original_name[:200] if upload else "",
            )
            if stored:
                job.input_file.name = stored
                job.save(update_fields=["input_file"])
            audit.record("jobs.start", actor=actor, target=job, school=actor.school_id, data={"kind": kind})
            transaction.on_commit(lambda: _enqueue(job.pk), robust=True)
    except BaseException:
        if stored:
            default_storage.delete(stored)
        raise
    return job


def retry(*, actor: User, job_id: Any) -> Job:
    """Run a failed job again (its handler writes all-or-nothing, so nothing is duplicated)."""
    with transaction.atomic():
        try:
            job = Job.objects.visible_to(actor).select_for_update().get(pk=job_id)
        except (Job.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
        if job.state != Job.State.FAILED:
            raise ActionError(_("只有失败的任务可以重试。"), code="conflict")
        job.state = Job.State.QUEUED
        job.error = ""
        job.progress_done = 0
        job.message = ""
        job.save(update_fields=["state", "error", "progress_done", "message"])
        audit.record("jobs.retry", actor=actor, target=job, school=job.school_id)
        transaction.on_commit(lambda: _enqueue(job.pk), robust=True)
    return job


def run_job(job_id: int) -> None:
    """Claim and run one job; record success or failure. Never raises."""
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now(), error=""
    )
    if claimed != 1:
        return  # another worker has it, or it is no longer queued
    job = Job.objects.select_related("created_by", "role__unit").get(pk=job_id)
    job.attempts += 1
    Job.objects.filter(pk=job_id).update(attempts=job.attempts)
    kind = KINDS.get(job.kind)
    try:
        if kind is None:
            raise JobFailure(_("未知的任务类型。"))
        # The job acts with the rights its starter had when they started it.
        if job.role is not None and job.role.user_id == job.created_by_id:
            job.created_by.set_active_role(job.role)
        result = kind.handler(job, Progress(job))
    except JobFailure as failure:
        _fail(job_id, str(failure))
        return
    except Exception:
        logger.exception("job %s (%s) failed", job_id, job.kind)
        _fail(job_id, _("任务执行出错，请稍后重试；如仍失败请联系管理员。"))
        return
    result_name = ""
    stored = ""
    if result.file_bytes is not None:
        result_name = result.file_name or "result.bin"
        extension = result_name.rsplit(".", 1)[-1] if "." in result_name else "bin"
        stored = default_storage.save(
            f"jobs/result/{secrets.token_hex(16)}.{extension}", ContentFile(result.file_bytes)
        )
    updates: dict[str, Any] = {
        "state": Job.State.SUCCEEDED,
        "finished_at": timezone.now(),
        "summary": result.summary,
        "message": (result.message or _("已完成"))[:200],
        "result_name": result_name[:200],
    }
    Job.objects.filter(pk=job_id).update(**updates)
    if stored:
        Job.objects.filter(pk=job_id).update(result_file=stored)
    total = Job.objects.values_list("progress_total", flat=True).get(pk=job_id)
    Job.objects.filter(pk=job_id).update(progress_done=total)
    _tell(job_id)


def _fail(job_id: int, message: str) -> None:
    Job.objects.filter(pk=job_id).update(state=Job.State.FAILED, error=message[:2000], finished_at=timezone.now())
    _tell(job_id)


@in_stored_language
def _tell(job_id: int) -> None:
    from campusflow.notifications.actions import notify

    job = Job.objects.select_related("created_by").get(pk=job_id)
    text = _("任务已完成。") if job.state == Job.State.SUCCEEDED else _("任务失败：%(e)s") % {"e": job.error}
    with transaction.atomic():
        notify(recipients=[job.created_by], title=job.title, body=text, url=f"/jobs/{job.pk}/", kind="jobs.finished")


def fail_stale(now: Any = None) -> int:
    """Mark running jobs whose worker stopped reporting as failed, so they can be retried (S-09)."""
    now = now or timezone.now()
    stale = Job.objects.filter(state=Job.State.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    return stale.update(state=Job.State.FAILED, finished_at=now, error=_("任务执行中断（后台进程已停止），请重试。"))
