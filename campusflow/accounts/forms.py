"""Forms for sign-in and the account holder's own settings. Rules live in actions."""

from __future__ import annotations

from typing import Any

from captcha.fields import CaptchaField
from django import forms
from django.utils.translation import gettext_lazy as _

from campusflow.accounts.models import RoleAssignment
from campusflow.core.roles import Role
from campusflow.orgs.models import OrgUnit


def _text(label: Any, **kwargs: Any) -> forms.CharField:
    attrs = {"class": "form-control"} | kwargs.pop("attrs", {})
    return forms.CharField(label=label, widget=forms.TextInput(attrs=attrs), **kwargs)


def _password(label: Any, autocomplete: str = "new-password", **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": autocomplete}),
        **kwargs,
    )


class LoginForm(forms.Form):
    username = _text(_("用户名"), max_length=150, attrs={"autocomplete": "username", "autofocus": True})
    password = _password(_("密码"), autocomplete="current-password")

    def __init__(self, *args: Any, with_captcha: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_captcha:
            self.fields["captcha"] = CaptchaField(label=_("验证码"), error_messages={"invalid": _("验证码不正确。")})
            self.fields["captcha"].widget.attrs.update({"class": "form-control"})


class ActivationForm(forms.Form):
    full_name = _text(_("姓名"), max_length=50)
    email = forms.EmailField(
        label=_("电子邮箱"), required=False, widget=forms.EmailInput(attrs={"class": "form-control"})
    )
    phone = _text(_("手机号码"), max_length=20, attrs={"inputmode": "tel", "autocomplete": "tel"})
    code = _text(
        _("短信验证码"), max_length=10, required=False, attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}
    )
    new_password1 = _password(_("新密码"), required=False)
    new_password2 = _password(_("确认新密码"), required=False)


class PasswordChangeForm(forms.Form):
    old_password = _password(_("当前密码"), autocomplete="current-password")
    new_password1 = _password(_("新密码"))
    new_password2 = _password(_("确认新密码"))


class ForgotPasswordForm(forms.Form):
    username = _text(_("用户名"), max_length=150)
    phone = _text(_("绑定的手机号码"), max_length=20, attrs={"inputmode": "tel"})
    code = _text(_("短信验证码"), max_length=10, required=False, attrs={"inputmode": "numeric"})
    new_password1 = _password(_("新密码"), required=False)
    new_password2 = _password(_("确认新密码"), required=False)


class PhoneChangeForm(forms.Form):
    password = _password(_("当前密码"), autocomplete="current-password")
    phone = _text(_("新手机号码"), max_length=20, attrs={"inputmode": "tel"})
    code = _text(_("短信验证码"), max_length=10, required=False, attrs={"inputmode": "numeric"})


class GrantRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), widget=forms.Select(attrs={"class": "form-select"}))
    unit = forms.ModelChoiceField(
        label=_("所在单位"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, roles: list[Role], units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in roles]  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class AccountForm(GrantRoleForm):
    username = _text(_("用户名（学号/工号）"), max_length=150)
    full_name = _text(_("姓名"), max_length=50)
    email = forms.EmailField(
        label=_("电子邮箱"), required=False, widget=forms.EmailInput(attrs={"class": "form-control"})
    )
    field_order = ["username", "full_name", "email", "role", "unit"]


class AccountEditForm(forms.Form):
    full_name = _text(_("姓名"), max_length=50)
    email = forms.EmailField(
        label=_("电子邮箱"), required=False, widget=forms.EmailInput(attrs={"class": "form-control"})
    )


class TokenForm(forms.Form):
    name = _text(_("令牌名称"), max_length=100)
    role = forms.ModelChoiceField(
        label=_("以此角色调用"),
        queryset=RoleAssignment.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    days = forms.IntegerField(
        label=_("有效天数"),
        min_value=1,
        max_value=365,
        initial=90,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = user.roles.select_related("unit")  # type: ignore[attr-defined]
