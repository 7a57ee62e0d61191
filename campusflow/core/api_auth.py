"""Who may call the HTTP API (X-05, S-05): authentication and per-operation access.

Two ways in, tried in this order on every operation:

- a bearer token (``Authorization: Bearer cf_…``) created on the profile page;
  only its SHA-256 is stored. The token acts in the role it was created for.
- the browser session, with Django's CSRF check on unsafe methods.

Every operation also declares who may call it, the API twin of
``core.access.require``: ``@api_roles(...)`` or ``@api_signed_in`` set the same
``access_rule`` attribute that the access walker test looks for, and refuse a
wrong role with 403. Out-of-scope and missing records both answer 404.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import partial, wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from campusflow.core.access import AccessRule
from campusflow.core.errors import ActionError
from campusflow.core.roles import Role

if TYPE_CHECKING:
    from ninja import NinjaAPI

    from campusflow.accounts.models import User

V = TypeVar("V", bound=Callable[..., Any])

TOKEN_PREFIX = "cf_"  # noqa: S105 - the visible prefix of every token, not a secret
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _unauthenticated() -> str:
    return _("未登录或访问令牌无效，请先登录或提供有效的访问令牌。")


# -- authentication ---------------------------------------------------------------


def check_account(user: User) -> None:
    """Refuse an account that may not act now: 401 when unusable, 403 while set-up is pending."""
    if not user.is_usable:
        raise AuthenticationError(401, _("账号已停用或已删除。"))
    if user.needs_activation:
        raise HttpError(403, _("账号尚未激活，请先登录网页完成激活。"))
    if user.must_change_password or user.password_is_expired:
        raise HttpError(403, _("请先登录网页修改密码后再使用接口。"))


_RULE_ATTR = "_campusflow_access_rule"


def _enforce_rule(request: HttpRequest, user: User) -> None:
    """Refuse a wrong role right after sign-in, before any input is read (403, not 422)."""
    if not hasattr(request, _RULE_ATTR):
        return
    rule: AccessRule | None = getattr(request, _RULE_ATTR)
    if rule is None:  # an operation without a declaration is closed, never open
        raise HttpError(403, _("此接口未声明访问权限，已拒绝。"))
    if not rule.allows(user.role):
        raise HttpError(403, _("当前角色无权使用此接口。"))


def user_for_token(token: str) -> User:
    """The account a bearer token acts for, in the token's role; raises 401 for any bad token."""
    from campusflow.accounts.actions import token_digest
    from campusflow.accounts.models import ApiToken

    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise AuthenticationError(401, _unauthenticated())
    found = (
        ApiToken.objects.select_related("user", "user__school", "role", "role__unit", "role__unit__school")
        .filter(digest=token_digest(token))
        .first()
    )
    now = timezone.now()
    if found is None or not found.is_valid(now) or found.role.user_id != found.user_id:
        raise AuthenticationError(401, _unauthenticated())
    user = found.user
    check_account(user)
    if found.last_used_at is None or now - found.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    user.set_active_role(found.role)
    # A token acts in its one role only, also on tasks that any role of the person could take.
    user.acts_in_active_role_only = True
    return user


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer cf_…``: a present but bad token is refused, never passed on to the session."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = user_for_token(token.strip())
        request.user = user
        request.auth_via_token = True  # type: ignore[attr-defined]
        _enforce_rule(request, user)
        return user


class CampusSessionAuth(SessionAuth):
    """The signed-in browser session (CSRF checked on unsafe methods); the active role comes from the session."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if not user.is_authenticated:
            return None
        check_account(cast("User", user))
        _enforce_rule(request, cast("User", user))
        return cast("User", user)


bearer_auth = BearerTokenAuth()
session_auth = CampusSessionAuth(csrf=True)
API_AUTH: list[Any] = [bearer_auth, session_auth]


def authenticate_request(request: HttpRequest) -> User:
    """Both ways in, for plain Django views beside the API (the OpenAPI description)."""
    user = bearer_auth(request)
    if user is None:
        user = session_auth.authenticate(request, None)
    if user is None:
        raise AuthenticationError(401, _unauthenticated())
    return cast("User", user)


# -- access declarations --------------------------------------------------------------


def enforce_declared_access(run: Callable[..., Any]) -> Callable[..., Any]:
    """API-wide "view" decorator: hand the operation's ``access_rule`` to the auth step.

    ninja runs authentication, then input validation, then the view; checking
    the role inside authentication means a wrong role gets 403 whatever it sent.
    """
    operation = getattr(run, "__self__", None)

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if operation is not None:
            setattr(request, _RULE_ATTR, getattr(operation.view_func, "access_rule", None))
        return run(request, *args, **kwargs)

    return wrapper


def _flatten(roles: Iterable[Role | Iterable[Role]]) -> frozenset[Role]:
    found: set[Role] = set()
    for item in roles:
        if isinstance(item, Role):
            found.add(item)
        else:
            found.update(Role(r) for r in item)
    return frozenset(found)


def auth_user(request: HttpRequest) -> User:
    """The authenticated account of an API request (set by ``API_AUTH``)."""
    user = getattr(request, "auth", None)
    if user is None or not getattr(user, "is_authenticated", False):
        raise AuthenticationError(401, _unauthenticated())
    return cast("User", user)


def _declare_operation(rule: AccessRule) -> Callable[[V], V]:
    def decorate(view: V) -> V:
        # ninja reads the signature of the function it is given and resolves
        # string annotations in that function's module: hand it the signature
        # of the wrapped view with its annotations already evaluated.
        signature = inspect.signature(view, eval_str=True)

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            user = auth_user(request)
            if not rule.allows(user.role):
                raise HttpError(403, _("当前角色无权使用此接口。"))
            return view(request, *args, **kwargs)

        wrapper.__signature__ = signature  # type: ignore[attr-defined]
        wrapper.access_rule = rule  # type: ignore[attr-defined]
        return cast("V", wrapper)

    return decorate


def api_roles(*roles: Role | Iterable[Role]) -> Callable[[V], V]:
    """Declare and enforce the roles that may call an API operation (others get 403)."""
    flat = _flatten(roles)
    if not flat:
        raise ValueError("api_roles needs at least one role; use api_signed_in for any account")
    return _declare_operation(AccessRule(roles=flat))


def api_signed_in(view: V) -> V:
    """Any signed-in account in any role may call this operation."""
    return _declare_operation(AccessRule())(view)


# -- errors in Chinese ----------------------------------------------------------------


def _json(api: NinjaAPI, request: HttpRequest, data: dict[str, Any], status: int) -> HttpResponse:
    return api.create_response(request, data, status=status)


def _on_authentication(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    message = getattr(exc, "message", "")
    if not message or message == "Unauthorized":
        message = _unauthenticated()
    response = _json(api, request, {"detail": message}, 401)
    response["WWW-Authenticate"] = 'Bearer realm="campusflow"'
    return response


def _on_http_error(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    status = getattr(exc, "status_code", 400)
    message = str(exc)
    if status == 403 and message in {"Forbidden", "CSRF check Failed"}:
        message = _("请求被拒绝：CSRF 校验失败或无权访问。")
    return _json(api, request, {"detail": message}, status)


def _on_not_found(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    return _json(api, request, {"detail": _("记录不存在或无权查看。")}, 404)


def _on_permission_denied(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    return _json(api, request, {"detail": _("当前角色无权执行此操作。")}, 403)


# ActionError codes that mean "someone got there first" (409) or "not so often" (429);
# any other refusal is bad input (422).
CONFLICT_CODES = frozenset({"stale", "conflict"})
THROTTLE_CODES = frozenset({"throttled"})


def action_error_status(error: ActionError) -> int:
    if error.code in CONFLICT_CODES:
        return 409
    if error.code in THROTTLE_CODES:
        return 429
    return 422


def _on_action_error(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    error = cast("ActionError", exc)
    payload = {"detail": error.message, "field": error.field, "code": error.code}
    return _json(api, request, payload, action_error_status(error))


def _location(loc: Iterable[Any]) -> str:
    return ".".join(str(part) for part in loc)


def _on_validation(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    errors = cast("ValidationError", exc).errors
    fields = [_location(e.get("loc", ())[1:] or e.get("loc", ())) for e in errors]
    message = _("请求参数有误：{fields}。").format(fields="、".join(f for f in fields if f) or _("请求内容"))
    return _json(api, request, {"detail": message, "errors": errors}, 422)


def install_error_handlers(api: NinjaAPI) -> None:
    """Answer every refusal with a JSON ``detail`` in the user's language (Chinese by default)."""
    api.add_exception_handler(HttpError, partial(_on_http_error, api=api))
    api.add_exception_handler(AuthenticationError, partial(_on_authentication, api=api))
    api.add_exception_handler(Http404, partial(_on_not_found, api=api))
    api.add_exception_handler(PermissionDenied, partial(_on_permission_denied, api=api))
    api.add_exception_handler(ActionError, partial(_on_action_error, api=api))
    api.add_exception_handler(ValidationError, partial(_on_validation, api=api))


def signed_in_api_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For Django views served beside the API (the OpenAPI description): token or session, else 401 JSON."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            authenticate_request(request)
        except HttpError as exc:
            response = JsonResponse({"detail": str(exc)}, status=exc.status_code)
            if exc.status_code == 401:
                response["WWW-Authenticate"] = 'Bearer realm="campusflow"'
            return response
        return view(request, *args, **kwargs)

    wrapper.access_rule = AccessRule()  # type: ignore[attr-defined]
    return wrapper
