"""Filter form of the base list (django-filter). The queryset comes in already scoped."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from campusflow.bases.models import PracticeBase
from campusflow.core.validators import normalize_code
from campusflow.orgs.models import OrgUnit

_SELECT = {"class": "form-select form-select-sm"}
_INPUT = {"class": "form-control form-control-sm"}


def _colleges(request: Any) -> QuerySet[OrgUnit]:
    if request is None or request.user.active_role is None:
        return OrgUnit.objects.none()
    unit = request.user.active_role.unit
    if unit is None:
        return OrgUnit.objects.none()
    colleges = OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT)
    if unit.school_id is not None:
        colleges = colleges.filter(school_id=unit.school_id)
    else:  # province or root: the colleges of the schools it oversees
        colleges = colleges.filter(school__parent_id=unit.pk)
    return colleges.order_by("sort_order", "code")


class BaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("基地名称/编号"),
        method="filter_q",
        widget=forms.TextInput(attrs=_INPUT | {"placeholder": _("基地名称或编号")}),
    )
    unit_type = django_filters.ChoiceFilter(
        label=_("单位性质"),
        choices=PracticeBase.UnitType.choices,
        empty_label=_("全部单位性质"),
        widget=forms.Select(attrs=_SELECT),
    )
    level = django_filters.ChoiceFilter(
        label=_("基地级别"),
        choices=PracticeBase.Level.choices,
        empty_label=_("全部级别"),
        widget=forms.Select(attrs=_SELECT),
    )
    origin = django_filters.ChoiceFilter(
        label=_("基地来源"),
        choices=PracticeBase.Origin.choices,
        empty_label=_("全部来源"),
        widget=forms.Select(attrs=_SELECT),
    )
    responsible_college = django_filters.ModelChoiceFilter(
        label=_("负责学院"), queryset=_colleges, empty_label=_("全部学院"), widget=forms.Select(attrs=_SELECT)
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=PracticeBase.Status.choices,
        empty_label=_("全部状态"),
        widget=forms.Select(attrs=_SELECT),
    )

    class Meta:
        model = PracticeBase
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[PracticeBase], name: str, value: str) -> QuerySet[PracticeBase]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__istartswith=normalize_code(value)))
