"""Imports and exports too large for a request run as background jobs (X-08), through the same code."""

from __future__ import annotations

import tempfile

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campusflow.core.errors import ActionError
from campusflow.core.uploads import SPREADSHEETS, validate_upload
from campusflow.jobs.models import Job
from campusflow.jobs.registry import JobFailure, JobResult, Progress, register
from campusflow.tabular.exporting import EXPORTS, export_xlsx, timestamped
from campusflow.tabular.importing import IMPORTS, run_import


@register("tabular.import", gettext_lazy("Excel 导入"))
def import_job(job: Job, progress: Progress) -> JobResult:
    spec_class = IMPORTS.get(job.params.get("kind", ""))
    if spec_class is None or not job.input_file:
        raise JobFailure(_("未知的导入类型。"))
    spec = spec_class(job.created_by)
    with job.input_file.open("rb") as handle:
        data = handle.read()
    try:
        upload = validate_upload(data, allowed=SPREADSHEETS)
        progress.total(int(job.params.get("rows", 0)), _("正在读取文件"))
        report = run_import(
            spec,
            upload,
            commit=bool(job.params.get("commit")),
            progress=lambda done, message: progress.advance(done, message),
        )
    except ActionError as error:
        raise JobFailure(error.message) from None
    result = JobResult(summary=report.summary())
    if not report.ok:
        result.file_bytes = report.rejected_xlsx()
        result.file_name = timestamped(_("未导入的行"))
        result.message = _("有 %(n)s 行有错误，未写入任何数据；请下载未导入的行，修改后重新上传。") % {
            "n": report.error_rows
        }
    elif report.committed:
        result.message = _("导入完成：新增 %(c)s，更新 %(u)s，未变化 %(s)s。") % {
            "c": report.created,
            "u": report.updated,
            "s": report.unchanged,
        }
    else:
        result.message = _("预览完成，没有错误，可以确认导入。")
    return result


@register("tabular.export", gettext_lazy("Excel 导出"))
def export_job(job: Job, progress: Progress) -> JobResult:
    builder = EXPORTS.get(job.params.get("kind", ""))
    if builder is None:
        raise JobFailure(_("未知的导出类型。"))
    source = builder(job.created_by, job.params)
    progress.total(int(job.params.get("rows", 0)), _("正在导出"))
    with tempfile.TemporaryFile() as handle:
        count = export_xlsx(
            source.rows,
            source.columns,
            handle,
            sheet_name=source.sheet_name,
            progress=lambda done: progress.advance(done, _("正在导出")),
        )
        handle.seek(0)
        data = handle.read()
    return JobResult(
        summary={_("导出行数"): count},
        file_bytes=data,
        file_name=timestamped(source.stem),
        message=_("已导出 %(n)s 行。") % {"n": count},
    )
