"""Forms of the leave-school application and the leave request (the fields of seed 000)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from campusflow.practice.models import LeaveSchoolApplication

_INPUT = {"class": "form-control"}
_DATE = {"class": "form-control", "type": "date"}


class LeaveRequestForm(forms.Form):
    start_date = forms.DateField(label=_("请假开始日期"), widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"))
    end_date = forms.DateField(label=_("请假结束日期"), widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("请假事由"), max_length=1000, widget=forms.Textarea(attrs=_INPUT | {"rows": 3}))
    phone = forms.CharField(label=_("电话"), max_length=20, widget=forms.TextInput(attrs=_INPUT | {"inputmode": "tel"}))
    father_name = forms.CharField(label=_("父亲"), max_length=50, required=False, widget=forms.TextInput(attrs=_INPUT))
    father_phone = forms.CharField(
        label=_("父亲电话"), max_length=20, required=False, widget=forms.TextInput(attrs=_INPUT | {"inputmode": "tel"})
    )
    mother_name = forms.CharField(label=_("母亲"), max_length=50, required=False, widget=forms.TextInput(attrs=_INPUT))
    mother_phone = forms.CharField(
        label=_("母亲电话"), max_length=20, required=False, widget=forms.TextInput(attrs=_INPUT | {"inputmode": "tel"})
    )


class LeaveSchoolForm(forms.Form):
    station_name = forms.CharField(
        label=_("工作站名称/实践单位名称"), max_length=200, widget=forms.TextInput(attrs=_INPUT)
    )
    leave_date = forms.DateField(label=_("离校时间"), widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"))
    expected_entry_date = forms.DateField(
        label=_("预计进站时间"), widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d")
    )
    location = forms.ChoiceField(
        label=_("工作站所在地"),
        choices=LeaveSchoolApplication.Location.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    travel_attachment = forms.FileField(
        label=_("行程附件"),
        required=False,
        help_text=_("京外工作站必须上传（PDF 或图片，不超过10MB）"),
        widget=forms.ClearableFileInput(attrs=_INPUT | {"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    safety_notice_submitted = forms.BooleanField(
        label=_("是否已经上交专业实践安全须知"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    safety_notice = forms.FileField(
        label=_("安全须知"),
        required=False,
        help_text=_("已上交的请上传签字后的安全须知"),
        widget=forms.ClearableFileInput(attrs=_INPUT | {"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
