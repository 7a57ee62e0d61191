"""PDF downloads (X-03, V-04, V-05, G-02, G-10) and the bulk page (X-08).

Each download starts from ``visible_to`` (404 for "not yours"), declares its
roles with ``core.access.require`` (403 for a wrong role), is served as an
attachment with ``nosniff`` and writes a ``documents.download`` audit event.
The student may download their own 附件2/附件3; agreements are staff papers.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.db import models, transaction
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import override

from campusflow.bases.models import PracticeBase
from campusflow.core import audit, once
from campusflow.core.access import get_visible_or_404, require
from campusflow.core.errors import ActionError
from campusflow.core.http import AuthedRequest
from campusflow.core.roles import STAFF_ROLES, Role
from campusflow.documents import renderer
from campusflow.documents.bulk import JOB_KIND, selected_placements
from campusflow.documents.data import Disclosure, placement_queryset
from campusflow.documents.forms import BulkForm
from campusflow.documents.kinds import KINDS, DocumentKind
from campusflow.jobs import actions as jobs

# Reviewing experts and clearance checkpoints have no business with practice papers.
DOCUMENT_STAFF = frozenset(STAFF_ROLES - {Role.REVIEWING_EXPERT, Role.CHECKPOINT_OPERATOR})
FORM_READERS = DOCUMENT_STAFF | {Role.STUDENT}
AGREEMENT_READERS = DOCUMENT_STAFF
BULK_ROLES = frozenset(
    {
        Role.TEACHING_SECRETARY,
        Role.TEACHING_DEAN,
        Role.DEPARTMENT_ADMIN,
        Role.GRADUATE_SCHOOL,
        Role.SCHOOL_ADMIN,
        Role.SYSTEM_ADMIN,
    }
)


def serve(request: AuthedRequest, kind: DocumentKind, subject: models.Model) -> FileResponse:
    disclosure = Disclosure(request.user)
    with override("zh-hans"):
        payload = kind.build(subject, disclosure)
    pdf = renderer.render(kind.template, payload)
    with transaction.atomic():
        disclosure.log()
        audit.record("documents.download", actor=request.user, target=subject, data={"kind": kind.code})
    response = FileResponse(
        io.BytesIO(pdf), as_attachment=True, filename=kind.file_name(subject), content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _placement_document(code: str) -> Any:
    kind = KINDS[code]

    def view(request: AuthedRequest, pk: int) -> FileResponse:
        placement = get_visible_or_404(placement_queryset(), request.user, pk=pk)
        return serve(request, kind, placement)

    view.__name__ = f"placement_{code.replace('-', '_')}"
    view.__doc__ = f"{kind.label} (PDF)"
    return view


placement_application = require(FORM_READERS)(_placement_document("application"))
placement_assessment = require(FORM_READERS)(_placement_document("assessment"))
placement_three_party = require(DOCUMENT_STAFF)(_placement_document("three-party"))


@require(AGREEMENT_READERS)
def base_agreement(request: AuthedRequest, pk: int) -> FileResponse:
    base = get_visible_or_404(PracticeBase.objects.select_related("school", "responsible_college"), request.user, pk=pk)
    return serve(request, KINDS["agreement"], base)


@require(BULK_ROLES)
def bulk(request: AuthedRequest) -> HttpResponse:
    form = BulkForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        if not once.consume(request):
            messages.warning(request, _("该表单已提交过，请勿重复提交。"))
            return redirect("documents:bulk")
        params = form.job_params()
        count = selected_placements(request.user, params).count()
        if count == 0:
            form.add_error(None, _("没有符合条件的实践安排。"))
        else:
            kind = KINDS[params["kind"]]
            title = _("批量生成%(kind)s（%(n)d 份）") % {"kind": kind.label, "n": count}
            try:
                job = jobs.start(actor=request.user, kind=JOB_KIND, title=title, params=params)
            except ActionError as error:
                form.add_error(None, error.message)
            else:
                return redirect("jobs:detail", job.pk)
    return render(request, "documents/bulk.html", {"form": form})
