from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from campusflow.bases.models import PracticeBase
from campusflow.documents.kinds import PLACEMENT_KINDS
from campusflow.orgs.models import OrgUnit
from campusflow.practice.models import Placement

_SELECT = {"class": "form-select"}


class BulkForm(forms.Form):
    kind = forms.ChoiceField(label=_("文书类型"), widget=forms.Select(attrs=_SELECT))
    college = forms.ModelChoiceField(
        label=_("学院"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("全部学院"),
        widget=forms.Select(attrs=_SELECT),
    )
    base = forms.ModelChoiceField(
        label=_("实践基地"),
        queryset=PracticeBase.objects.none(),
        required=False,
        empty_label=_("全部基地"),
        widget=forms.Select(attrs=_SELECT),
    )
    grade = forms.TypedChoiceField(
        label=_("年级"), required=False, coerce=int, empty_value=None, widget=forms.Select(attrs=_SELECT)
    )
    status = forms.ChoiceField(
        label=_("状态分类"),
        required=False,
        choices=[("", _("全部状态分类")), *Placement.Status.choices],
        widget=forms.Select(attrs=_SELECT),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visible = Placement.objects.visible_to(user)
        self.fields["kind"].choices = [(code, kind.label) for code, kind in PLACEMENT_KINDS.items()]  # type: ignore[attr-defined]
        self.fields["college"].queryset = OrgUnit.objects.filter(pk__in=visible.values("department_id")).order_by(  # type: ignore[attr-defined]
            "sort_order", "code", "id"
        )
        self.fields["base"].queryset = PracticeBase.objects.filter(pk__in=visible.values("base_id")).order_by("code")  # type: ignore[attr-defined]
        grades = sorted({g for g in visible.values_list("student__grade", flat=True) if g}, reverse=True)
        self.fields["grade"].choices = [("", _("全部年级")), *[(g, str(g)) for g in grades]]  # type: ignore[attr-defined]

    def job_params(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "college": data["college"].pk if data.get("college") else None,
            "base": data["base"].pk if data.get("base") else None,
            "grade": data.get("grade"),
            "status": data.get("status") or "",
        }
