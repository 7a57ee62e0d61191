"""Forms of the clearance pages; the rules themselves live in ``actions``."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campusflow.clearance import actions
from campusflow.clearance.models import StudentRange
from campusflow.orgs.models import OrgUnit, Student


class PlanForm(forms.Form):
    name = forms.CharField(label=_("方案名称"), max_length=100, help_text=_("如“2020级研究生6月份”"))
    school = forms.ModelChoiceField(label=_("学校"), queryset=OrgUnit.objects.none(), required=False)
    grades = forms.CharField(label=_("年级"), required=False, help_text=_("多个年级用逗号分隔，留空表示不限"))
    categories = forms.MultipleChoiceField(
        label=_("学生类别"), choices=Student.Category.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    ranges = forms.MultipleChoiceField(
        label=_("学生范围"), choices=StudentRange.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("院系"), queryset=OrgUnit.objects.none(), required=False, help_text=_("留空表示全校")
    )
    practice_exit_passes_supervisor = forms.BooleanField(label=_("导师审核由专业实践出站自动通过"), required=False)

    def __init__(self, *args: Any, schools: Any, school: OrgUnit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["school"]).queryset = schools
        if school is not None:
            del self.fields["school"]
            departments = OrgUnit.objects.filter(school=school, kind=OrgUnit.Kind.DEPARTMENT)
        else:
            self.fields["school"].required = True
            departments = OrgUnit.objects.filter(school__in=schools, kind=OrgUnit.Kind.DEPARTMENT)
        cast(forms.ModelMultipleChoiceField, self.fields["departments"]).queryset = departments.order_by(
            "sort_order", "code"
        )

    def clean_grades(self) -> list[int]:
        raw = self.cleaned_data["grades"].replace("，", ",")
        grades = []
        for part in raw.split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or not 1990 <= int(part) <= 2100:
                raise forms.ValidationError(_("年级应为四位年份，如 2020。"))
            grades.append(int(part))
        return grades

    def plan_input(self) -> actions.PlanInput:
        data = self.cleaned_data
        return actions.PlanInput(
            name=data["name"],
            grades=data["grades"],
            categories=data["categories"],
            ranges=data["ranges"],
            departments=list(data["departments"]),
            practice_exit_passes_supervisor=data["practice_exit_passes_supervisor"],
        )


class CheckpointForm(forms.Form):
    name = forms.CharField(label=_("环节名称"), max_length=60)
    handler = forms.ChoiceField(label=_("办理单位"), choices=())
    prerequisites = forms.MultipleChoiceField(
        label=_("前置环节"), choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, earlier: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["handler"]).choices = actions.handler_choices()
        cast(forms.MultipleChoiceField, self.fields["prerequisites"]).choices = earlier


class DecideForm(forms.Form):
    result = forms.ChoiceField(label=_("办理结果"), choices=list(actions.RESULTS.items()), widget=forms.RadioSelect)
    remark = forms.CharField(label=_("备注"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class IssueForm(forms.Form):
    item = forms.ChoiceField(label=_("发放项目"), choices=list(actions.ISSUE_ITEMS.items()))
    issued_on = forms.DateField(
        label=_("发放日期"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
