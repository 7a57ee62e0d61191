"""Forms for the org pages. They parse input; the rules live in ``orgs.actions``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campusflow.core.roles import Role
from campusflow.orgs.actions import TEACHER_ROLES
from campusflow.orgs.models import OrgUnit, Student

_INPUT = {"class": "form-control"}
_SELECT = {"class": "form-select"}


def _text(label: Any, *, required: bool = True, max_length: int = 100, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.TextInput(attrs=_INPUT | attrs)
    )


class _TeacherFields(forms.Form):
    department = forms.ModelChoiceField(
        label=_("院系"), queryset=OrgUnit.objects.none(), widget=forms.Select(attrs=_SELECT)
    )
    name = _text(_("姓名"), max_length=50)
    gender = forms.ChoiceField(
        label=_("性别"),
        required=False,
        choices=[("", "—"), *Student.Gender.choices],
        widget=forms.Select(attrs=_SELECT),
    )
    title = _text(_("职称"), required=False, max_length=50)
    phone = _text(_("手机号码"), required=False, max_length=20, inputmode="tel", autocomplete="off")
    email = forms.EmailField(label=_("电子邮箱"), required=False, widget=forms.EmailInput(attrs=_INPUT))
    is_supervisor = forms.BooleanField(
        label=_("研究生导师"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = departments


class TeacherCreateForm(_TeacherFields):
    staff_no = _text(_("工号"), max_length=32, autocomplete="off")
    username = forms.CharField(
        label=_("登录用户名"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs=_INPUT | {"autocomplete": "off"}),
        help_text=_("默认与工号相同；若工号已被其他学校的账号占用，请另填一个。"),
    )
    role = forms.ChoiceField(
        label=_("账号角色"),
        choices=[(r.value, r.label) for r in TEACHER_ROLES],
        initial=Role.SUPERVISOR.value,
        widget=forms.Select(attrs=_SELECT),
        help_text=_("角色设在所选院系。"),
    )
    field_order = [
        "staff_no",
        "username",
        "name",
        "department",
        "gender",
        "title",
        "phone",
        "email",
        "is_supervisor",
        "role",
    ]


class TeacherEditForm(_TeacherFields):
    pass


class UnitForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=[
            (OrgUnit.Kind.DEPARTMENT.value, OrgUnit.Kind.DEPARTMENT.label),
            (OrgUnit.Kind.OFFICE.value, OrgUnit.Kind.OFFICE.label),
        ],
        widget=forms.Select(attrs=_SELECT),
    )
    school = forms.ModelChoiceField(
        label=_("学校"), queryset=OrgUnit.objects.none(), widget=forms.Select(attrs=_SELECT)
    )
    name = _text(_("名称"))
    code = _text(_("代码"), required=False, max_length=20)
    office_type = forms.ChoiceField(
        label=_("部门类别"),
        required=False,
        choices=OrgUnit.OfficeType.choices,
        widget=forms.Select(attrs=_SELECT),
        help_text=_("仅职能部门需要选择。"),
    )
    contact_name = _text(_("联系人"), required=False, max_length=50)
    contact_phone = _text(_("联系电话"), required=False, max_length=30, inputmode="tel")
    sort_order = forms.IntegerField(
        label=_("排序"), required=False, min_value=0, max_value=9999, initial=0, widget=forms.NumberInput(attrs=_INPUT)
    )
    is_active = forms.BooleanField(
        label=_("启用"), required=False, initial=True, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )

    def __init__(self, *args: Any, schools: Any = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["kind"]
            del self.fields["school"]
        else:
            del self.fields["is_active"]
            field = self.fields["school"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = schools
            if schools is not None and len(schools) == 1:
                field.initial = schools[0].pk
                field.widget = forms.HiddenInput()


def _year_choices() -> list[tuple[int, str]]:
    year = timezone.localdate().year
    return [(year, str(year)), (year - 1, str(year - 1))]


class CommitmentUploadForm(forms.Form):
    school = forms.ModelChoiceField(
        label=_("学校"), queryset=OrgUnit.objects.none(), widget=forms.Select(attrs=_SELECT)
    )
    year = forms.TypedChoiceField(
        label=_("年度"), coerce=int, choices=_year_choices, widget=forms.Select(attrs=_SELECT)
    )
    file = forms.FileField(
        label=_("已签字盖章的承诺书"),
        help_text=_("PDF 或 JPG/PNG 照片，不超过 10 MB。"),
        widget=forms.ClearableFileInput(attrs=_INPUT | {"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args: Any, schools: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = schools
        if len(schools) == 1:
            field.initial = schools[0].pk
            field.widget = forms.HiddenInput()
