"""Sign-in, first-login activation, password and phone changes, the role switcher,
and the account administration pages (P-03, P-05, P-06, S-01…S-04)."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campusflow.accounts import actions
from campusflow.accounts.forms import (
    AccountEditForm,
    AccountForm,
    ActivationForm,
    ForgotPasswordForm,
    GrantRoleForm,
    LoginForm,
    PasswordChangeForm,
    PhoneChangeForm,
    TokenForm,
)
from campusflow.accounts.models import ApiToken, RoleAssignment, SmsCode, User
from campusflow.core import once
from campusflow.core.access import public, require, signed_in
from campusflow.core.errors import ActionError
from campusflow.core.http import AuthedRequest
from campusflow.core.pagination import paginate
from campusflow.core.roles import ACCOUNT_MANAGERS, Role
from campusflow.core.validators import normalize_code


def _show_error(form: Form, error: ActionError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _failures(username: str) -> int:
    attempt = AccessAttempt.objects.filter(username=normalize_code(username)).order_by("-attempt_time").first()
    return attempt.failures_since_start if attempt else 0


# -- signing in (S-02) ---------------------------------------------------------


@public
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    needs_captcha = request.session.get("login_failures", 0) >= settings.CAPTCHA_AFTER_FAILURES
    if request.method == "POST":
        username = normalize_code(request.POST.get("username", ""))
        needs_captcha = needs_captcha or _failures(username) >= settings.CAPTCHA_AFTER_FAILURES
        form = LoginForm(request.POST, with_captcha=needs_captcha)
        if form.is_valid():
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if getattr(request, "axes_locked_out", False):
                actions.record_login_failure(username, locked=True)
                form.add_error(None, _("该账号因多次登录失败已被临时锁定，请15分钟后再试，或通过“忘记密码”找回。"))
            elif user is None or not user.is_usable:
                request.session["login_failures"] = request.session.get("login_failures", 0) + 1
                actions.record_login_failure(username, locked=False)
                # One message whether or not the account exists (S-02).
                form.add_error(None, _("用户名或密码错误。"))
                if request.session["login_failures"] >= settings.CAPTCHA_AFTER_FAILURES:
                    form = LoginForm(request.POST, with_captcha=True)
                    form.is_valid()
                    form.errors.pop("captcha", None)
                    form.add_error(None, _("用户名或密码错误。"))
            else:
                request.session.pop("login_failures", None)
                actions.sign_in(request, user)
                if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
                    return redirect(next_url)
                return redirect("core:home")
    else:
        form = LoginForm(with_captcha=needs_captcha)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def locked_out(request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None) -> HttpResponse:
    """django-axes hands lockouts here; the login view has already rendered the message."""
    if response is not None:
        return response
    form = LoginForm(with_captcha=True)
    form.add_error(None, _("该账号因多次登录失败已被临时锁定，请15分钟后再试，或通过“忘记密码”找回。"))
    return render(request, "accounts/login.html", {"form": form}, status=429)


@require_POST
@signed_in
def logout_view(request: AuthedRequest) -> HttpResponse:
    actions.sign_out(request)
    messages.info(request, _("您已安全退出。"))
    return redirect("accounts:login")


# -- first login and passwords (P-05) ------------------------------------------------


@require(before_activation=True)
def activate(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not user.needs_activation:
        return redirect("core:home")
    if request.method == "POST":
        form = ActivationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if request.POST.get("action") == "send_code":
                    actions.request_phone_code(actor=user, phone=data["phone"], purpose=SmsCode.Purpose.BIND_PHONE)
                    messages.success(request, _("验证码已发送，5分钟内有效。"))
                    form = ActivationForm(initial={k: data[k] for k in ("full_name", "email", "phone")})
                else:
                    actions.activate_account(
                        request,
                        actor=user,
                        full_name=data["full_name"],
                        email=data["email"],
                        phone=data["phone"],
                        code=data["code"],
                        new_password=data["new_password1"],
                        confirm_password=data["new_password2"],
                    )
                    messages.success(request, _("账号已激活，欢迎使用 campusflow。"))
                    return redirect("core:home")
            except ActionError as error:
                _show_error(form, error)
    else:
        form = ActivationForm(initial={"full_name": user.full_name, "email": user.email})
    return render(request, "accounts/activate.html", {"form": form})


@require(before_activation=True)
def password_change(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if user.needs_activation:
        return redirect("accounts:activate")
    if request.method == "POST":
        form = PasswordChangeForm(request.POST)
        if form.is_valid():
            try:
                actions.change_password(
                    request,
                    actor=user,
                    old_password=form.cleaned_data["old_password"],
                    new_password=form.cleaned_data["new_password1"],
                    confirm_password=form.cleaned_data["new_password2"],
                )
                messages.success(request, _("密码已修改。"))
                return redirect("core:home")
            except ActionError as error:
                _show_error(form, error)
    else:
        form = PasswordChangeForm()
    forced = user.must_change_password or user.password_is_expired
    return render(request, "accounts/password_change.html", {"form": form, "forced": forced})


@public
def password_forgot(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ForgotPasswordForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if request.POST.get("action") == "send_code":
                    actions.request_password_reset(username=data["username"], phone=data["phone"])
                    # The same answer whether or not the account and phone match (S-04).
                    messages.info(request, _("如果用户名与绑定手机匹配，验证码已发送，5分钟内有效。"))
                    form = ForgotPasswordForm(initial={"username": data["username"], "phone": data["phone"]})
                else:
                    actions.reset_password_with_code(
                        username=data["username"],
                        phone=data["phone"],
                        code=data["code"],
                        new_password=data["new_password1"],
                        confirm_password=data["new_password2"],
                    )
                    messages.success(request, _("密码已重置，请使用新密码登录。"))
                    return redirect("accounts:login")
            except ActionError as error:
                _show_error(form, error)
    else:
        form = ForgotPasswordForm()
    return render(request, "accounts/password_forgot.html", {"form": form})


@signed_in
def phone_change(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = PhoneChangeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if request.POST.get("action") == "send_code":
                    if not user.check_password(data["password"]):
                        raise ActionError(_("密码不正确，无法更换手机号。"), field="password")
                    actions.request_phone_code(actor=user, phone=data["phone"], purpose=SmsCode.Purpose.CHANGE_PHONE)
                    messages.success(request, _("验证码已发送到新手机，5分钟内有效。"))
                    form = PhoneChangeForm(initial={"phone": data["phone"]})
                else:
                    actions.change_phone(
                        actor=user, password=data["password"], new_phone=data["phone"], code=data["code"]
                    )
                    messages.success(request, _("绑定手机已更换。"))
                    return redirect("accounts:profile")
            except ActionError as error:
                _show_error(form, error)
    else:
        form = PhoneChangeForm()
    return render(request, "accounts/phone_change.html", {"form": form})


@signed_in
def profile(request: AuthedRequest) -> HttpResponse:
    user = request.user
    token_form = TokenForm(user=user)
    new_token = None
    if request.method == "POST":
        token_form = TokenForm(request.POST, user=user)
        if token_form.is_valid():
            try:
                new_token = actions.create_api_token(
                    actor=user,
                    name=token_form.cleaned_data["name"],
                    role=token_form.cleaned_data["role"],
                    days=token_form.cleaned_data["days"],
                )
                token_form = TokenForm(user=user)
            except ActionError as error:
                _show_error(token_form, error)
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).select_related("role", "role__unit")
    return render(
        request, "accounts/profile.html", {"token_form": token_form, "tokens": tokens, "new_token": new_token}
    )


@require_POST
@signed_in
def token_revoke(request: AuthedRequest, token_id: int) -> HttpResponse:
    actions.revoke_api_token(actor=request.user, token_id=token_id)
    messages.success(request, _("令牌已吊销。"))
    return redirect("accounts:profile")


@require_POST
@signed_in
def switch_role(request: AuthedRequest) -> HttpResponse:
    assignment = actions.switch_role(request, actor=request.user, assignment_id=request.POST.get("role"))
    messages.info(request, _("已切换到“%(role)s”。") % {"role": assignment})
    return redirect("core:home")


# -- account administration (P-05, P-06) ------------------------------------------


@require(ACCOUNT_MANAGERS)
def user_list(request: AuthedRequest) -> HttpResponse:
    users = User.objects.visible_to(request.user).exclude(status=User.Status.DELETED).prefetch_related("roles__unit")
    q = request.GET.get("q", "").strip()
    if q:
        from django.db.models import Q

        users = users.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    role = request.GET.get("role", "")
    if role in Role.values:
        users = users.filter(roles__role=role).distinct()
    status = request.GET.get("status", "")
    if status in User.Status.values:
        users = users.filter(status=status)
    page = paginate(request, users.order_by("username"))
    return render(
        request,
        "accounts/user_list.html",
        {
            "page_obj": page,
            "q": q,
            "role": role,
            "status": status,
            "roles": Role.choices,
            "statuses": [(s.value, s.label) for s in User.Status if s != User.Status.DELETED],
        },
    )


@require(ACCOUNT_MANAGERS)
def user_create(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    roles, units = actions.grantable_roles(actor), actions.assignable_units(actor)
    if request.method == "POST":
        form = AccountForm(request.POST, roles=roles, units=units)
        if form.is_valid():
            if not once.consume(request):
                messages.warning(request, _("该表单已提交过，请勿重复提交。"))
                return redirect("accounts:user_list")
            data = form.cleaned_data
            try:
                created = actions.create_account(
                    actor=actor,
                    username=data["username"],
                    full_name=data["full_name"],
                    email=data["email"],
                    roles=[(Role(data["role"]), data["unit"])],
                )
                return render(request, "accounts/user_created.html", {"created": created})
            except ActionError as error:
                _show_error(form, error)
    else:
        form = AccountForm(roles=roles, units=units)
    return render(request, "accounts/user_form.html", {"form": form})


@require(ACCOUNT_MANAGERS)
def user_detail(request: AuthedRequest, user_id: int) -> HttpResponse:
    actor = request.user
    target = actions.managed_user_or_404(actor, user_id)
    edit_form = AccountEditForm(initial={"full_name": target.full_name, "email": target.email})
    grant_form = GrantRoleForm(roles=actions.grantable_roles(actor), units=actions.assignable_units(actor))
    one_time_password = None
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            if op == "edit":
                edit_form = AccountEditForm(request.POST)
                if edit_form.is_valid():
                    actions.update_account(actor=actor, user=target, **edit_form.cleaned_data)
                    messages.success(request, _("账号信息已保存。"))
                    return redirect("accounts:user_detail", target.pk)
            elif op == "grant":
                grant_form = GrantRoleForm(
                    request.POST, roles=actions.grantable_roles(actor), units=actions.assignable_units(actor)
                )
                if grant_form.is_valid():
                    actions.grant_role(
                        actor=actor,
                        user=target,
                        role=Role(grant_form.cleaned_data["role"]),
                        unit=grant_form.cleaned_data["unit"],
                    )
                    messages.success(request, _("角色已授予。"))
                    return redirect("accounts:user_detail", target.pk)
            elif op == "revoke":
                try:
                    assignment = target.roles.get(pk=request.POST.get("assignment", ""))
                except (RoleAssignment.DoesNotExist, ValueError):
                    raise ActionError(_("该角色不存在或已被移除。")) from None
                actions.revoke_role(actor=actor, assignment=assignment)
                messages.success(request, _("角色已移除。"))
                return redirect("accounts:user_detail", target.pk)
            elif op == "suspend":
                actions.suspend_account(actor=actor, user=target, reason=request.POST.get("reason", "")[:200])
                messages.success(request, _("账号已停用，其登录会话已全部结束。"))
                return redirect("accounts:user_detail", target.pk)
            elif op == "restore":
                actions.restore_account(actor=actor, user=target)
                messages.success(request, _("账号已恢复。"))
                return redirect("accounts:user_detail", target.pk)
            elif op == "delete":
                actions.delete_account(actor=actor, user=target)
                messages.success(request, _("账号已删除。"))
                return redirect("accounts:user_list")
            elif op == "reset_password":
                one_time_password = actions.admin_reset_password(actor=actor, user=target)
            else:
                raise ActionError(_("未知的操作。"))
        except ActionError as error:
            messages.error(request, error.message)
    roles = target.roles.select_related("unit").order_by("id")
    return render(
        request,
        "accounts/user_detail.html",
        {
            "target": target,
            "roles_of_target": roles,
            "edit_form": edit_form,
            "grant_form": grant_form,
            "one_time_password": one_time_password,
        },
    )
