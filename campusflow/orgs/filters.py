"""Filter forms of the people lists (django-filter). Querysets come in already scoped."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from campusflow.core import crypto
from campusflow.core.roles import Role
from campusflow.core.validators import normalize_code, normalize_id_number, validate_id_number
from campusflow.core.widgets import FastSelect
from campusflow.orgs.models import EnterpriseMentor, OrgUnit, Student, Teacher

_SELECT = {"class": "form-select form-select-sm"}
_INPUT = {"class": "form-control form-control-sm"}
# Roles whose scope spans many schools (a province: 300 schools, thousands of colleges).
_MULTI_SCHOOL = frozenset({Role.PROVINCIAL_ADMIN, Role.SYSTEM_ADMIN})


def _spans_schools(request: Any) -> bool:
    return request is not None and request.user.role in _MULTI_SCHOOL


def _schools(request: Any) -> QuerySet[OrgUnit]:
    if request is None:
        return OrgUnit.objects.none()
    return OrgUnit.objects.visible_to(request.user).filter(kind=OrgUnit.Kind.SCHOOL).order_by("sort_order", "code")


def _departments(request: Any) -> QuerySet[OrgUnit]:
    """The colleges to filter by: the person's own school's, or — over many schools — the chosen school's.

    A province lists no college until a school is chosen: thousands of options would make
    every page view slow and the list unusable on a phone.
    """
    if request is None:
        return OrgUnit.objects.none()
    departments = OrgUnit.objects.visible_to(request.user).filter(kind=OrgUnit.Kind.DEPARTMENT)
    if _spans_schools(request):
        school = str(getattr(request, "GET", {}).get("school", ""))
        departments = departments.filter(school_id=int(school)) if school.isdigit() else departments.none()
    return departments.order_by("sort_order", "code")


class _PeopleFilter(django_filters.FilterSet):
    """Shared by the people lists: a 学校 filter for those whose scope spans several schools."""

    school = django_filters.ModelChoiceFilter(
        label=_("学校"), queryset=_schools, empty_label=_("全部学校"), widget=FastSelect(attrs=_SELECT)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not _spans_schools(self.request):
            del self.filters["school"]


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


class StudentFilter(_PeopleFilter):
    q = django_filters.CharFilter(
        label=_("学号/姓名"),
        method="filter_q",
        widget=forms.TextInput(attrs=_INPUT | {"placeholder": _("学号或姓名")}),
    )
    department = django_filters.ModelChoiceFilter(
        label=_("院系"), queryset=_departments, empty_label=_("全部院系"), widget=FastSelect(attrs=_SELECT)
    )
    grade = django_filters.NumberFilter(
        label=_("年级"), widget=forms.NumberInput(attrs=_INPUT | {"placeholder": _("年级，如 2023")})
    )
    category = django_filters.ChoiceFilter(
        label=_("学生类别"),
        choices=Student.Category.choices,
        empty_label=_("全部类别"),
        widget=FastSelect(attrs=_SELECT),
    )
    status = django_filters.ChoiceFilter(
        label=_("学籍状态"),
        choices=Student.Status.choices,
        empty_label=_("全部状态"),
        widget=FastSelect(attrs=_SELECT),
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


class TeacherFilter(_PeopleFilter):
    q = django_filters.CharFilter(
        label=_("工号/姓名"), method="filter_q", widget=forms.TextInput(attrs=_INPUT | {"placeholder": _("工号或姓名")})
    )
    department = django_filters.ModelChoiceFilter(
        label=_("院系"), queryset=_departments, empty_label=_("全部院系"), widget=FastSelect(attrs=_SELECT)
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


class MentorFilter(_PeopleFilter):
    q = django_filters.CharFilter(
        label=_("姓名/编号/单位"),
        method="filter_q",
        widget=forms.TextInput(attrs=_INPUT | {"placeholder": _("姓名、编号或所在单位")}),
    )
    professional_title = django_filters.ChoiceFilter(
        label=_("专业技术职称"),
        choices=EnterpriseMentor.TitleLevel.choices,
        empty_label=_("全部职称"),
        widget=FastSelect(attrs=_SELECT),
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
