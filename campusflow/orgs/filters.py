"""Filter forms of the people lists (django-filter). Querysets come in already scoped."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from campusflow.core import crypto
from campusflow.core.validators import normalize_code, normalize_id_number, validate_id_number
from campusflow.orgs.models import EnterpriseMentor, OrgUnit, Student, Teacher

_SELECT = {"class": "form-select form-select-sm"}
_INPUT = {"class": "form-control form-control-sm"}


def _departments(request: Any) -> QuerySet[OrgUnit]:
    if request is None:
        return OrgUnit.objects.none()
    return OrgUnit.objects.visible_to(request.user).filter(kind=OrgUnit.Kind.DEPARTMENT).order_by("sort_order", "code")


def _search(queryset: QuerySet[Any], fields: tuple[str, ...], value: str) -> QuerySet[Any]:
    value = value.strip()
    if not value:
        return queryset
    code = normalize_code(value)
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": value})
        if code != value:
            condition |= Q(**{f"{field}__icontains": code})
    return queryset.filter(condition)


class IdNumberSearchForm(forms.Form):
    """Exact search by 身份证号. Sent by POST so that the number never appears in a URL or a log (S-10)."""

    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=40,
        validators=[validate_id_number],
        widget=forms.TextInput(attrs=_INPUT | {"placeholder": _("身份证号（精确查找）"), "autocomplete": "off"}),
    )

    def search(self, queryset: QuerySet[Student]) -> QuerySet[Student]:
        """Matching rows through the blind index (the number is encrypted at rest, P-10); none if invalid."""
        if not self.is_valid():
            return queryset.none()
        return queryset.filter(id_number_index=crypto.blind_index(normalize_id_number(self.cleaned_data["id_number"])))


class StudentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("学号/姓名"),
        method="filter_q",
        widget=forms.TextInput(attrs=_INPUT | {"placeholder": _("学号或姓名")}),
    )
    department = django_filters.ModelChoiceFilter(
        label=_("院系"), queryset=_departments, empty_label=_("全部院系"), widget=forms.Select(attrs=_SELECT)
    )
    grade = django_filters.NumberFilter(
        label=_("年级"), widget=forms.NumberInput(attrs=_INPUT | {"placeholder": _("年级，如 2023")})
    )
    category = django_filters.ChoiceFilter(
        label=_("学生类别"),
        choices=Student.Category.choices,
        empty_label=_("全部类别"),
        widget=forms.Select(attrs=_SELECT),
    )
    status = django_filters.ChoiceFilter(
        label=_("学籍状态"),
        choices=Student.Status.choices,
        empty_label=_("全部状态"),
        widget=forms.Select(attrs=_SELECT),
    )

    class Meta:
        model = Student
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Student], name: str, value: str) -> QuerySet[Student]:
        value = value.strip()
        if not value:
            return queryset
        code = normalize_code(value)
        return queryset.filter(Q(student_no__startswith=code) | Q(name__icontains=value))


class TeacherFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("工号/姓名"), method="filter_q", widget=forms.TextInput(attrs=_INPUT | {"placeholder": _("工号或姓名")})
    )
    department = django_filters.ModelChoiceFilter(
        label=_("院系"), queryset=_departments, empty_label=_("全部院系"), widget=forms.Select(attrs=_SELECT)
    )
    title = django_filters.CharFilter(
        label=_("职称"), lookup_expr="icontains", widget=forms.TextInput(attrs=_INPUT | {"placeholder": _("职称")})
    )
    is_supervisor = django_filters.BooleanFilter(
        label=_("研究生导师"),
        widget=forms.Select(attrs=_SELECT, choices=[("", _("是否导师")), ("true", _("是")), ("false", _("否"))]),
    )

    class Meta:
        model = Teacher
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Teacher], name: str, value: str) -> QuerySet[Teacher]:
        return _search(queryset, ("staff_no", "name"), value)


class MentorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("姓名/编号/单位"),
        method="filter_q",
        widget=forms.TextInput(attrs=_INPUT | {"placeholder": _("姓名、编号或所在单位")}),
    )
    professional_title = django_filters.ChoiceFilter(
        label=_("专业技术职称"),
        choices=EnterpriseMentor.TitleLevel.choices,
        empty_label=_("全部职称"),
        widget=forms.Select(attrs=_SELECT),
    )
    willing_first_supervisor = django_filters.BooleanFilter(
        label=_("愿任第一导师"),
        widget=forms.Select(
            attrs=_SELECT, choices=[("", _("是否愿任第一导师")), ("true", _("是")), ("false", _("否"))]
        ),
    )

    class Meta:
        model = EnterpriseMentor
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[EnterpriseMentor], name: str, value: str) -> QuerySet[EnterpriseMentor]:
        return _search(queryset, ("name", "mentor_no", "enterprise_name"), value)
