"""学生信息 export (SPEC V-01, X-02): the filtered list as the page shows it.

Rows start from ``Student.objects.visible_to(actor)`` and the page's own filter;
sensitive columns are masked for the exporter's role (``core.privacy.display``).
A full export (clear 身份证号/电话) is only for roles that may reveal them and logs
one ``SensitiveAccess`` row per exported student with purpose "export" (S-10).
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from campusflow.core.models import SensitiveAccess
from campusflow.core.privacy import Sensitive, can_reveal, display
from campusflow.core.request_context import current_origin
from campusflow.orgs.filters import StudentFilter
from campusflow.orgs.imports import STUDENT_MANAGERS
from campusflow.orgs.models import Student
from campusflow.tabular.exporting import ExportColumn, ExportSource, register_export

KIND = "orgs.students"
# Larger exports than this run as a background job.
STREAM_LIMIT = 5000
SHOWN_SENSITIVE = {"id_number": Sensitive.ID_NUMBER, "phone": Sensitive.PHONE}


def filtered_students(actor: Any, query: QueryDict) -> QuerySet[Student]:
    """Exactly the rows the list page shows for this query, in its order (the ID search is not a filter)."""
    students = Student.objects.visible_to(actor).select_related("department", "supervisor")
    data = query.copy()
    for name in ("page", "full"):
        data.pop(name, None)
    # The filter reads the chosen school from the request's GET (its colleges depend on it).
    filterset = StudentFilter(data or None, queryset=students, request=SimpleNamespace(user=actor, GET=data))
    if filterset.is_bound and not filterset.is_valid():
        return students.none()
    return filterset.qs


def revealable(actor: Any) -> list[str]:
    """The sensitive columns ``actor`` may export in clear (empty for roles that only see masked values)."""
    role = actor.role
    if role not in STUDENT_MANAGERS:
        return []
    return [name for name, kind in SHOWN_SENSITIVE.items() if can_reveal(role, kind)]


def columns(actor: Any, clear: list[str]) -> list[ExportColumn]:
    role = actor.role

    def sensitive(name: str) -> Any:
        if name in clear:
            return lambda s: getattr(s, name)
        return lambda s: display(getattr(s, name), SHOWN_SENSITIVE[name], role)

    return [
        ExportColumn(_("学号"), lambda s: s.student_no, 14),
        ExportColumn(_("姓名"), lambda s: s.name, 10),
        ExportColumn(_("性别"), lambda s: s.get_gender_display(), 6),
        ExportColumn(_("院系"), lambda s: s.department.name, 16),
        ExportColumn(_("专业"), lambda s: s.major, 16),
        ExportColumn(_("年级"), lambda s: s.grade, 8),
        ExportColumn(_("学生类别"), lambda s: s.get_category_display(), 14),
        ExportColumn(_("学籍状态"), lambda s: s.get_status_display(), 10),
        ExportColumn(_("身份证号"), sensitive("id_number"), 22),
        ExportColumn(_("电话"), sensitive("phone"), 14),
        ExportColumn(_("校内导师"), lambda s: s.supervisor.name if s.supervisor else "", 10),
    ]


def _log_clear_export(actor: Any, students: QuerySet[Student], fields: list[str]) -> None:
    """One access-log row per exported student, written set-based (S-10)."""
    origin = current_origin()
    role = actor.active_role
    batch: list[SensitiveAccess] = []
    for pk, number, name, school_id in students.values_list("pk", "student_no", "name", "school_id").iterator():
        batch.append(
            SensitiveAccess(
                actor=actor,
                actor_role=role.role if role else "",
                subject_type=Student._meta.label_lower,
                subject_id=str(pk),
                subject_repr=f"{number} {name}"[:200],
                fields=sorted(fields),
                purpose="export",
                school_id=school_id,
                ip=origin.ip,
            )
        )
        if len(batch) >= 1000:
            SensitiveAccess.objects.bulk_create(batch)
            batch = []
    if batch:
        SensitiveAccess.objects.bulk_create(batch)


def _rows(students: QuerySet[Student]) -> Iterator[Student]:
    return students.iterator(chunk_size=2000)


@register_export(KIND)
def student_export(actor: Any, params: dict[str, Any]) -> ExportSource:
    students = filtered_students(actor, QueryDict(params.get("query", "")))
    clear = revealable(actor) if params.get("full") else []
    if clear:
        _log_clear_export(actor, students, clear)
    stem = _("学生信息_完整") if clear else _("学生信息")
    return ExportSource(rows=_rows(students), columns=columns(actor, clear), stem=stem, sheet_name=_("学生信息"))
