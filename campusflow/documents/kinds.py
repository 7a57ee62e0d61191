"""The documents campusflow renders, by code: template, subject and data builder.

To add a document: write ``typst/<name>.typ``, a builder in ``data.py`` and one
``DocumentKind`` here (see docs/development.md, "Documents (PDF)").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from campusflow.documents import data

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


def safe_name(text: str) -> str:
    """A file-name part without path separators or characters Windows refuses."""
    return _UNSAFE.sub("_", text).strip(" .") or "_"


@dataclass(frozen=True)
class DocumentKind:
    code: str
    label: str | Promise
    short: str  # the word in file names: 学号-姓名-<short>.pdf
    template: str
    subject: str  # "placement" or "base"
    build: Callable[[Any, data.Disclosure], dict[str, Any]]

    def file_name(self, subject: models.Model) -> str:
        if self.subject == "placement":
            student = subject.student  # type: ignore[attr-defined]
            return f"{safe_name(student.student_no)}-{safe_name(student.name)}-{self.short}.pdf"
        return f"{safe_name(subject.code)}-{safe_name(subject.name)}-{self.short}.pdf"  # type: ignore[attr-defined]


KINDS: dict[str, DocumentKind] = {
    kind.code: kind
    for kind in (
        DocumentKind(
            "application", _("专业实践申请表（附件2）"), "附件2", "application.typ", "placement", data.application
        ),
        DocumentKind(
            "assessment", _("专业实践考核登记表（附件3）"), "附件3", "assessment.typ", "placement", data.assessment
        ),
        DocumentKind(
            "three-party", _("三方实习协议"), "三方实习协议", "three_party.typ", "placement", data.three_party
        ),
        DocumentKind("agreement", _("校企合作协议"), "校企合作协议", "agreement.typ", "base", data.agreement),
    )
}
PLACEMENT_KINDS = {code: kind for code, kind in KINDS.items() if kind.subject == "placement"}
