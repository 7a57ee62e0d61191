"""G-01 学生实践信息查询: the filters of seed 000 over placements (django-filter).

The queryset comes in already scoped (``Placement.objects.visible_to``).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campusflow.core.validators import normalize_code
from campusflow.orgs.models import Student
from campusflow.practice.models import Placement

_SELECT = {"class": "form-select form-select-sm"}
_INPUT = {"class": "form-control form-control-sm"}


def _grades() -> list[tuple[str, str]]:
    year = timezone.localdate().year
    return [(str(y), str(y)) for y in range(year, year - 8, -1)]


def _person(queryset: QuerySet[Placement], prefix: str, number: str, value: str) -> QuerySet[Placement]:
    """Match a person by number (prefix, full-width digits allowed) or name (contains)."""
    value = value.strip()
    if not value:
        return queryset
    code = normalize_code(value)
    return queryset.filter(Q(**{f"{prefix}__{number}__istartswith": code}) | Q(**{f"{prefix}__name__icontains": value}))


class PlacementFilter(django_filters.FilterSet):
    grade = django_filters.ChoiceFilter(
        label=_("年级"),
        field_name="student__grade",
        choices=_grades,
        empty_label=_("全部年级"),
        widget=forms.Select(attrs=_SELECT),
    )
    practice_type = django_filters.ChoiceFilter(
        label=_("专业实践类型"),
        choices=Placement.PracticeType.choices,
        empty_label=_("全部实践类型"),
        widget=forms.Select(attrs=_SELECT),
    )
    base = django_filters.CharFilter(
        label=_("基地名称"),
        field_name="base__name",
        lookup_expr="icontains",
        widget=forms.TextInput(attrs=_INPUT | {"placeholder": _("基地名称")}),
    )
    student_status = django_filters.ChoiceFilter(
        label=_("学生状态"),
        field_name="student__status",
        choices=Student.Status.choices,
        empty_label=_("全部学生状态"),
        widget=forms.Select(attrs=_SELECT),
    )
    status = django_filters.ChoiceFilter(
        label=_("状态分类"),
        choices=Placement.Status.choices,
        empty_label=_("全部状态分类"),
        widget=forms.Select(attrs=_SELECT),
    )
    q = django_filters.CharFilter(
        label=_("学生信息（学号或姓名）"),
        method="filter_student",
        widget=forms.TextInput(attrs=_INPUT | {"placeholder": _("学号或姓名")}),
    )
    supervisor = django_filters.CharFilter(
        label=_("校内导师"),
        method="filter_supervisor",
        widget=forms.TextInput(attrs=_INPUT | {"placeholder": _("校内导师工号或姓名")}),
    )
    mentor = django_filters.CharFilter(
        label=_("企业导师"),
        method="filter_mentor",
        widget=forms.TextInput(attrs=_INPUT | {"placeholder": _("企业导师编号或姓名")}),
    )

    class Meta:
        model = Placement
        fields: list[str] = []

    def filter_student(self, queryset: QuerySet[Placement], name: str, value: str) -> QuerySet[Placement]:
        return _person(queryset, "student", "student_no", value)

    def filter_supervisor(self, queryset: QuerySet[Placement], name: str, value: str) -> QuerySet[Placement]:
        return _person(queryset, "supervisor", "staff_no", value)

    def filter_mentor(self, queryset: QuerySet[Placement], name: str, value: str) -> QuerySet[Placement]:
        return _person(queryset, "mentor", "mentor_no", value)
