"""Shared pieces of every import page: the template download, the preview and the result files."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from campusflow.tabular.exporting import XLSX_CONTENT_TYPE, attachment, timestamped
from campusflow.tabular.importing import ImportReport, ImportSpec, template_xlsx


def xlsx_download(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    # RFC 5987 name so Chinese file names survive every browser.
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return attachment(response)


def template_download(spec: type[ImportSpec]) -> HttpResponse:
    return xlsx_download(template_xlsx(spec), _("%(title)s导入模板.xlsx") % {"title": spec.title})


def rejected_download(report: ImportReport) -> HttpResponse:
    return xlsx_download(report.rejected_xlsx(), timestamped(_("未导入的行")))


def result_context(report: ImportReport | None, **extra: Any) -> dict[str, Any]:
    return {"report": report, **extra}
