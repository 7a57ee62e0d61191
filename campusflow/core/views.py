"""Home pages per role (X-04 start), the audit log page (P-09), the health check."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campusflow.accounts.models import User
from campusflow.core.access import public, require, signed_in
from campusflow.core.aggregates import count_of, first_value, one_row
from campusflow.core.http import AuthedRequest
from campusflow.core.models import AuditEvent
from campusflow.core.pagination import paginate
from campusflow.core.roles import ACCOUNT_MANAGERS, AUDIT_READERS, SCHOOL_MANAGERS, Role
from campusflow.orgs.models import EnterpriseMentor, OrgUnit, Student, Teacher
from campusflow.orgs.selectors import current_letters
from campusflow.workflow import selectors as workflow_selectors


@signed_in
def home(request: AuthedRequest) -> HttpResponse:
    """Each role's start page: its scope at a glance and what needs doing.

    Later modules add their waiting items here (X-10); the counts are of the
    person's own scope, so every figure is one they may open.
    """
    user = request.user
    role = user.role
    context: dict[str, object] = {"role": role}
    # The person's own figures in one SELECT (core/aggregates.py) ...
    figures = workflow_selectors.count_figures(user)
    if role == Role.STUDENT:
        context["student"] = Student.objects.visible_to(user).select_related("department", "supervisor").first()
    elif role is not None and role.is_personal:
        # A supervisor or mentor thinks in "my students", not in the school's totals.
        context["personal"] = True
        figures["students"] = count_of(Student.objects.visible_to(user))
        if role == Role.SUPERVISOR:
            figures["mentors"] = count_of(EnterpriseMentor.objects.visible_to(user))
    elif role is not None and role not in PROVINCE_SCALE:
        figures.update(_scope_figures(user, role))
    has_school = role in SCHOOL_MANAGERS and user.active_role is not None and user.active_role.unit is not None
    if has_school:
        figures["letter_uploaded_at"] = first_value(current_letters(user), "uploaded_at")
    values = one_row(user, **figures)
    context["approvals"] = {key: values.pop(key) for key in ("todo", "overdue", "done", "mine", "cc")}
    if has_school:
        context["commitment"] = {"year": timezone.localdate().year, "uploaded_at": values.pop("letter_uploaded_at")}
    # ... and the scope's: live for a school (one SELECT and the chart), from a one-minute
    # rollup over a province, where counting a million students takes a quarter of a second.
    if role in PROVINCE_SCALE:
        rollup = _province_rollup(user, role)
        values.update(rollup["values"])
        context["placement_chart"] = rollup["chart"]
        context["figures_at"] = rollup["at"]
    elif role is not None and not role.is_personal and role != Role.STUDENT:
        context["placement_chart"] = placements_by_college(user)
    if "schools" in values:
        context["commitment_overview"] = {
            "year": timezone.localdate().year,
            "schools": values.pop("schools"),
            "on_file": values.pop("letters_on_file"),
        }
    context["inactive_accounts"] = values.pop("inactive_accounts", 0)
    if values:
        context["counts"] = values
    return render(request, "core/home.html", context)


# Roles whose scope spans many schools: their home figures come from a one-minute rollup.
PROVINCE_SCALE = frozenset({Role.PROVINCIAL_ADMIN, Role.SYSTEM_ADMIN})
ROLLUP_SECONDS = 60


def _scope_figures(user: Any, role: Role) -> dict[str, Any]:
    """Counts of the people and colleges in the person's scope (as expressions for one_row)."""
    figures: dict[str, Any] = {
        "students": count_of(Student.objects.visible_to(user)),
        "teachers": count_of(Teacher.objects.visible_to(user)),
        "mentors": count_of(EnterpriseMentor.objects.visible_to(user)),
        "departments": count_of(OrgUnit.objects.visible_to(user).filter(kind=OrgUnit.Kind.DEPARTMENT)),
    }
    if role in ACCOUNT_MANAGERS:
        figures["inactive_accounts"] = count_of(
            User.objects.visible_to(user).filter(status=User.Status.ACTIVE, activated_at__isnull=True)
        )
    if role == Role.PROVINCIAL_ADMIN:
        # The figure only; the school-by-school list is on the commitments page.
        figures["schools"] = count_of(OrgUnit.objects.visible_to(user).filter(kind=OrgUnit.Kind.SCHOOL))
        figures["letters_on_file"] = count_of(current_letters(user))
    return figures


def _province_rollup(user: Any, role: Role) -> dict[str, Any]:
    """The scope's figures and chart, computed at most once a minute per scope (role + unit).

    Scope is a function of the role assignment alone (core/scoping.py), so everyone acting
    in the same role at the same unit shares the figures.
    """
    assignment = user.active_role
    key = f"home-rollup:{role}:{assignment.unit_id if assignment else ''}"
    rollup: dict[str, Any] | None = cache.get(key)
    if rollup is None:
        rollup = {
            "values": one_row(user, **_scope_figures(user, role)),
            "chart": placements_by_college(user),
            "at": timezone.now(),
        }
        cache.set(key, rollup, ROLLUP_SECONDS)
    return rollup


def placements_by_college(user: Any) -> dict[str, Any] | None:
    """X-04: students on site per college, in the person's scope (one GROUP BY), as an ECharts option."""
    from campusflow.practice.models import Placement

    rows = list(
        Placement.objects.visible_to(user)
        .filter(status=Placement.Status.ON_SITE)
        .values("department__name")
        .annotate(n=Count("id"))
        .order_by("-n", "department__name")[:12]
    )
    if not rows:
        return None
    return {
        "animation": False,
        "tooltip": {},
        "grid": {"left": 8, "right": 16, "top": 8, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "inverse": True, "data": [r["department__name"] for r in rows]},
        "series": [{"type": "bar", "name": str(_("在站人数")), "data": [r["n"] for r in rows]}],
    }


class AuditFilter(django_filters.FilterSet):
    actor_name = django_filters.CharFilter(label=_("操作人"), lookup_expr="icontains")
    action = django_filters.CharFilter(label=_("操作"), lookup_expr="startswith")
    ip = django_filters.CharFilter(label=_("来源IP"))
    since = django_filters.DateFilter(label=_("起始日期"), field_name="at", lookup_expr="date__gte")
    until = django_filters.DateFilter(label=_("截止日期"), field_name="at", lookup_expr="date__lte")

    class Meta:
        model = AuditEvent
        fields: list[str] = []


@require(AUDIT_READERS)
def audit_list(request: AuthedRequest) -> HttpResponse:
    events = AuditEvent.objects.visible_to(request.user).select_related("school")
    filterset = AuditFilter(request.GET, queryset=events)
    page = paginate(request, filterset.qs, per_page=50)
    return render(request, "core/audit_list.html", {"filter": filterset, "page_obj": page})


@public
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A stale or foreign form: say so in the users' words; nothing was changed."""
    return render(request, "403_csrf.html", status=403)


@public
def favicon(request: HttpRequest) -> HttpResponse:
    """The icon, resolved at request time (the static manifest exists only after collectstatic)."""
    return redirect(static("campusflow/favicon.svg"), permanent=True)
