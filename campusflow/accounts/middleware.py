"""Session policy (S-03), the current role (P-03) and forced account set-up (P-05)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _


class SessionPolicyMiddleware:
    """End a session 12 hours after login however active it was; renew the idle timer.

    Idle expiry is the session's age (30 minutes). Renewing it rewrites the session row, so
    it is done once a minute at most rather than on every request: the idle limit is then
    met to within that minute, and a page view costs no UPDATE.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not getattr(request, "auth_via_token", False):
            now = timezone.now().timestamp()
            login_at = request.session.setdefault("login_at", now)
            if now - float(login_at) > settings.SESSION_ABSOLUTE_SECONDS or not user.is_usable:
                logout(request)
                messages.info(request, _("登录已超时，请重新登录。"))
            elif now - float(request.session.get("seen_at", 0)) >= settings.SESSION_RENEW_SECONDS:
                request.session["seen_at"] = now  # marks the session modified: saved, expiry renewed
        return self.get_response(request)


class ActiveRoleMiddleware:
    """Put the role chosen in the header (当前角色) on ``request.user.active_role``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            role_id = request.session.get("role_id")
            if role_id is not None:
                chosen = next((r for r in user.roles_held if r.pk == role_id), None)
                if chosen is not None:
                    user.set_active_role(chosen)
        return self.get_response(request)


class AccountStateMiddleware:
    """Until an account is activated and its one-time password replaced, only set-up pages open."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        pending = user.is_authenticated and (
            user.needs_activation or user.must_change_password or user.password_is_expired
        )
        if pending and not self._is_setup_view(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("请先在网页上完成账号激活或修改密码，再调用接口。")}, status=403)
            if user.needs_activation:  # type: ignore[union-attr]
                return redirect("accounts:activate")
            messages.warning(request, _("请先修改密码后再继续使用。"))
            return redirect("accounts:password_change")
        return self.get_response(request)

    @staticmethod
    def _is_setup_view(request: HttpRequest) -> bool:
        if request.path.startswith(("/static/", "/captcha/")):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return True
        rule = getattr(match.func, "access_rule", None)
        return bool(rule is not None and (rule.public or rule.before_activation))
