"""Bulk documents (X-03 × X-08): one job renders many placements' PDFs into one .zip.

The job runs as its starter (``jobs.actions.run_job`` restores their role), so
the placements are chosen again through ``Placement.objects.visible_to``: a job
can never render more than its starter could download one by one. Every PDF
goes through the process's one typst compiler.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from campusflow.core import audit
from campusflow.documents import renderer
from campusflow.documents.data import Disclosure, placement_queryset
from campusflow.documents.kinds import PLACEMENT_KINDS
from campusflow.jobs.models import Job
from campusflow.jobs.registry import JobFailure, JobResult, Progress, register
from campusflow.practice.models import Placement

JOB_KIND = "documents.bulk"
MAX_DOCUMENTS = 5000


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def selected_placements(user: Any, params: dict[str, Any]) -> models.QuerySet[Placement]:
    """The placements ``user`` may see that match the bulk page's filters (college, base, grade, status)."""
    rows = placement_queryset().filter(pk__in=Placement.objects.visible_to(user).values("pk"))
    if (college := _int(params.get("college"))) is not None:
        rows = rows.filter(department_id=college)
    if (base := _int(params.get("base"))) is not None:
        rows = rows.filter(base_id=base)
    if (grade := _int(params.get("grade"))) is not None:
        rows = rows.filter(student__grade=grade)
    if params.get("status") in Placement.Status.values:
        rows = rows.filter(status=params["status"])
    return rows.order_by("student__student_no", "id")


def _unique(name: str, taken: set[str]) -> str:
    """A student with two placements gets 学号-姓名-附件2-2.pdf for the second."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = name.removesuffix(".pdf") + f"-{n}.pdf"
    taken.add(candidate)
    return candidate


@register(JOB_KIND, gettext_lazy("批量生成文书"))
def bulk_documents(job: Job, progress: Progress) -> JobResult:
    kind = PLACEMENT_KINDS.get(str(job.params.get("kind", "")))
    if kind is None:
        raise JobFailure(_("未知的文书类型。"))
    placements = list(selected_placements(job.created_by, job.params)[: MAX_DOCUMENTS + 1])
    if not placements:
        raise JobFailure(_("没有符合条件的实践安排。"))
    if len(placements) > MAX_DOCUMENTS:
        raise JobFailure(_("一次最多生成 %(n)d 份，请缩小范围。") % {"n": MAX_DOCUMENTS})
    total = len(placements)
    progress.every = max(1, total // 50)
    progress.total(total, _("正在生成"))
    disclosure = Disclosure(job.created_by)
    stamp = timezone.localtime(job.created_at).timetuple()[:6]
    buffer = io.BytesIO()
    taken: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, placement in enumerate(placements, start=1):
            with override("zh-hans"):
                payload = kind.build(placement, disclosure)
            pdf = renderer.render(kind.template, payload)
            info = zipfile.ZipInfo(_unique(kind.file_name(placement), taken), date_time=stamp)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, pdf)
            progress.advance(done, f"{done}/{total}")
    with transaction.atomic():
        disclosure.log()
        audit.record(
            "documents.bulk",
            actor=job.created_by,
            target=job,
            school=job.school_id,
            data={"kind": kind.code, "count": total},
        )
    label = str(kind.label)
    return JobResult(
        summary={"文书": label, "份数": total},
        file_bytes=buffer.getvalue(),
        file_name=f"{kind.short}-{total}份.zip",
        message=_("已生成 %(n)d 份") % {"n": total},
    )
