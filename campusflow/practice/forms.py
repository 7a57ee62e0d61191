"""Forms of the placement pages. They parse input; the rules live in ``practice.actions``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from campusflow.bases.forms import MentorChoiceField
from campusflow.bases.models import PracticeBase
from campusflow.core.validators import normalize_code
from campusflow.orgs.models import EnterpriseMentor, Student, Teacher
from campusflow.practice.models import Placement

_INPUT = {"class": "form-control"}
_SELECT = {"class": "form-select"}


def _date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs=_INPUT | {"type": "date"}, format="%Y-%m-%d"))


class PlacementForm(forms.Form):
    student_no = forms.CharField(
        label=_("学号"), max_length=32, widget=forms.TextInput(attrs=_INPUT | {"autocomplete": "off"})
    )
    base = forms.ModelChoiceField(
        label=_("实践基地"), queryset=PracticeBase.objects.none(), widget=forms.Select(attrs=_SELECT)
    )
    mentor = MentorChoiceField(
        label=_("企业导师"),
        queryset=EnterpriseMentor.objects.none(),
        widget=forms.Select(attrs=_SELECT),
        help_text=_("须为所选基地的企业导师。"),
    )
    supervisor_no = forms.CharField(
        label=_("校内导师工号"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs=_INPUT | {"autocomplete": "off"}),
        help_text=_("留空则为学生本人的校内导师。"),
    )
    practice_type = forms.ChoiceField(
        label=_("专业实践类型"), choices=Placement.PracticeType.choices, widget=forms.Select(attrs=_SELECT)
    )
    start_date = _date(_("实践开始日期"))
    end_date = _date(_("实践结束日期"))
    onsite_start = _date(_("现场实践开始日期"))
    onsite_end = _date(_("现场实践结束日期"))

    def __init__(self, *args: Any, students: Any, bases: Any, mentors: Any, teachers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.students = students
        self.teachers = teachers
        base_field = self.fields["base"]
        assert isinstance(base_field, forms.ModelChoiceField)
        base_field.queryset = bases
        mentor_field = self.fields["mentor"]
        assert isinstance(mentor_field, forms.ModelChoiceField)
        mentor_field.queryset = mentors

    def clean_student_no(self) -> Student:
        number = normalize_code(self.cleaned_data["student_no"])
        student = self.students.filter(student_no=number).first()
        if student is None:
            raise forms.ValidationError(_("找不到该学号的学生，或该学生不在您的管理范围内。"))
        return student  # type: ignore[no-any-return]

    def clean_supervisor_no(self) -> Teacher | None:
        number = normalize_code(self.cleaned_data["supervisor_no"])
        if not number:
            return None
        teacher = self.teachers.filter(staff_no=number).first()
        if teacher is None:
            raise forms.ValidationError(_("找不到该工号的本校教师。"))
        return teacher  # type: ignore[no-any-return]


class EndForm(forms.Form):
    status = forms.ChoiceField(
        label=_("结束方式"),
        choices=[
            (Placement.Status.EXITED.value, Placement.Status.EXITED.label),
            (Placement.Status.TERMINATED.value, Placement.Status.TERMINATED.label),
        ],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    note = forms.CharField(
        label=_("结束说明"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": _("说明（选填）")}),
    )
