"""Home pages per role (X-04 start), the audit log page (P-09), the health check."""

from __future__ import annotations

import django_filters
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from campusflow.accounts.models import User
from campusflow.core.access import public, require, signed_in
from campusflow.core.http import AuthedRequest
from campusflow.core.models import AuditEvent
from campusflow.core.pagination import paginate
from campusflow.core.roles import ACCOUNT_MANAGERS, AUDIT_READERS, SCHOOL_MANAGERS, Role
from campusflow.orgs.models import EnterpriseMentor, OrgUnit, Student, Teacher
from campusflow.orgs.selectors import commitment_overview, commitment_status
from campusflow.workflow import selectors as workflow_selectors


@signed_in
def home(request: AuthedRequest) -> HttpResponse:
    """Each role's start page: its scope at a glance and what needs doing.

    Later modules add their waiting items here (X-10); the counts are of the
    person's own scope, so every figure is one they may open.
    """
    user = request.user
    role = user.role
    context: dict[str, object] = {"role": role, "approvals": workflow_selectors.counts(user)}
    if role == Role.STUDENT:
        context["student"] = Student.objects.visible_to(user).select_related("department", "supervisor").first()
    elif role is not None and role.is_personal:
        # A supervisor or mentor thinks in "my students", not in the school's totals.
        context["personal"] = True
        context["counts"] = {
            "students": Student.objects.visible_to(user).count(),
            "mentors": EnterpriseMentor.objects.visible_to(user).count() if role == Role.SUPERVISOR else None,
        }
    elif role is not None:
        context["counts"] = {
            "students": Student.objects.visible_to(user).count(),
            "teachers": Teacher.objects.visible_to(user).count(),
            "mentors": EnterpriseMentor.objects.visible_to(user).count(),
            "departments": OrgUnit.objects.visible_to(user).filter(kind=OrgUnit.Kind.DEPARTMENT).count(),
        }
    if role in ACCOUNT_MANAGERS:
        context["inactive_accounts"] = (
            User.objects.visible_to(user).filter(status=User.Status.ACTIVE, activated_at__isnull=True).count()
        )
    if role in SCHOOL_MANAGERS and user.active_role and user.active_role.unit:
        context["commitment"] = commitment_status(user)
    if role == Role.PROVINCIAL_ADMIN:
        context["commitment_overview"] = commitment_overview(user)
    return render(request, "core/home.html", context)


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
