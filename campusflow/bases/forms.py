"""Forms of the base pages. They parse input; the rules live in ``bases.actions``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from campusflow.bases.models import PracticeBase
from campusflow.orgs.models import EnterpriseMentor, OrgUnit

_INPUT = {"class": "form-control"}
_SELECT = {"class": "form-select"}


def _text(label: Any, *, required: bool = False, max_length: int = 50, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.TextInput(attrs=_INPUT | attrs)
    )


def _phone(label: Any) -> forms.CharField:
    return _text(label, max_length=30, inputmode="tel", autocomplete="off")


class BaseForm(forms.Form):
    code = _text(_("基地编号"), required=True, max_length=32, autocomplete="off")
    name = _text(_("基地名称"), required=True, max_length=200)
    unit_type = forms.ChoiceField(
        label=_("单位性质"), choices=PracticeBase.UnitType.choices, widget=forms.Select(attrs=_SELECT)
    )
    level = forms.ChoiceField(
        label=_("基地级别"), choices=PracticeBase.Level.choices, widget=forms.Select(attrs=_SELECT)
    )
    origin = forms.ChoiceField(
        label=_("基地来源"), choices=PracticeBase.Origin.choices, widget=forms.Select(attrs=_SELECT)
    )
    responsible_college = forms.ModelChoiceField(
        label=_("负责学院"), queryset=OrgUnit.objects.none(), widget=forms.Select(attrs=_SELECT)
    )
    address = _text(_("地址"), max_length=200)
    contact_name = _text(_("企业联系人"))
    contact_phone = _phone(_("企业联系人电话"))
    leader_name = _text(_("企业负责人"))
    leader_phone = _phone(_("企业负责人电话"))
    school_contact_name = _text(_("学校联系人"))
    school_contact_phone = _phone(_("学校联系人电话"))

    def __init__(self, *args: Any, colleges: Any, base: PracticeBase | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["responsible_college"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = colleges
        if base is not None:
            # Phones are never sent back in clear: empty keeps the stored number (S-10).
            from campusflow.core.privacy import mask_phone

            for name in ("contact_phone", "leader_phone", "school_contact_phone"):
                stored = getattr(base, name)
                if stored:
                    self.fields[name].widget.attrs["placeholder"] = mask_phone(stored)
                    self.fields[name].help_text = _("留空则保留原号码。")


class MentorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.mentor_no} {obj.name}（{obj.enterprise_name}）"


class MentorAddForm(forms.Form):
    mentor = MentorChoiceField(
        label=_("企业导师"), queryset=EnterpriseMentor.objects.none(), widget=forms.Select(attrs=_SELECT)
    )

    def __init__(self, *args: Any, mentors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["mentor"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = mentors


class RevokeForm(forms.Form):
    reason = _text(_("撤销原因"), max_length=200)
