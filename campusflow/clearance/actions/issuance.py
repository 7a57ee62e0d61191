"""Issuance of certificates and materials by the 院系操作员 (C-08)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campusflow.accounts.models import User
from campusflow.clearance.actions.decisions import _ids
from campusflow.clearance.actions.plans import ISSUERS
from campusflow.clearance.models import ClearanceRecord
from campusflow.core import audit
from campusflow.core.errors import ActionError

# -- issuance of certificates (C-08) --------------------------------------------------

ISSUE_ITEMS = {
    "diploma": gettext_lazy("毕业证"),
    "degree": gettext_lazy("学位证"),
    "materials": gettext_lazy("毕业材料"),
}


@dataclass
class IssueResult:
    issued: int
    already: int
    not_cleared: int


def record_issuance(*, actor: User, record_ids: Iterable[Any], item: str, issued_on: date) -> IssueResult:
    """院系操作员 records handing over 毕业证/学位证/毕业材料 (single or batch), only once all checkpoints passed."""
    if actor.role not in ISSUERS:
        raise PermissionDenied
    if item not in ISSUE_ITEMS:
        raise ActionError(_("请选择发放项目。"), field="item")
    if issued_on > timezone.localdate():
        raise ActionError(_("发放日期不能晚于今天。"), field="issued_on")
    ids = _ids(record_ids)
    with transaction.atomic():
        records = ClearanceRecord.objects.visible_to(actor).filter(pk__in=ids)
        found = records.count()
        if found < len(ids) and len(ids) == 1:
            raise Http404
        not_cleared = records.filter(cleared_at__isnull=True).count()
        if len(ids) == 1 and not_cleared:
            raise ActionError(_("该学生尚未通过全部离校环节，不能发放。"))
        issued = records.filter(cleared_at__isnull=False, **{f"{item}_issued_on__isnull": True}).update(
            **{f"{item}_issued_on": issued_on, f"{item}_issued_by": actor}
        )
        audit.record(
            "clearance.issue",
            actor=actor,
            school=actor.school_id,
            data={"item": item, "issued": issued, "not_cleared": not_cleared, "on": issued_on.isoformat()},
        )
    return IssueResult(issued=issued, already=found - not_cleared - issued, not_cleared=not_cleared)
