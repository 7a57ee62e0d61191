"""Access declarations for every view and API operation (S-05).

Each view carries an ``access_rule``: the access walker test fails for any URL
or API operation that has none. The same helpers check the rule at run time:
anonymous → login (401 on the API), wrong role → 403, out of scope → 404.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse

from campusflow.core.roles import Role

V = TypeVar("V", bound=Callable[..., Any])
M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class AccessRule:
    """``roles`` None means any signed-in account; ``public`` means no sign-in."""

    roles: frozenset[Role] | None = None
    public: bool = False
    # Views of the account's own set-up (activation, forced password change)
    # must stay reachable before the account is fully usable.
    before_activation: bool = False

    def allows(self, role: Role | None) -> bool:
        if self.public or self.roles is None:
            return True
        return role is not None and role in self.roles


def _declare(view: V, rule: AccessRule) -> V:
    view.access_rule = rule  # type: ignore[attr-defined]
    return view


def public(view: V) -> V:
    """No sign-in needed (login, forgotten password, health check)."""
    return _declare(view, AccessRule(public=True))


def check(request: HttpRequest, rule: AccessRule) -> HttpResponse | None:
    """None when allowed; a redirect to login when anonymous; raises 403 for a wrong role."""
    if rule.public:
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    role = request.user.active_role
    if not rule.allows(Role(role.role) if role else None):
        raise PermissionDenied
    return None


def require(roles: Iterable[Role] | None = None, *, before_activation: bool = False) -> Callable[[V], V]:
    """Declare and enforce who may use a view: any signed-in account, or these roles."""
    rule = AccessRule(roles=frozenset(roles) if roles is not None else None, before_activation=before_activation)

    def decorate(view: V) -> V:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            denied = check(request, rule)
            if denied is not None:
                return denied
            return view(request, *args, **kwargs)

        return _declare(wrapper, rule)  # type: ignore[arg-type, return-value]

    return decorate


def signed_in(view: V) -> V:
    return require()(view)


def get_visible_or_404(queryset: models.QuerySet[M], user: Any, **lookup: Any) -> M:
    """The object if it exists *and* the user may see it; the same 404 otherwise."""
    try:
        return queryset.visible_to(user).get(**lookup)  # type: ignore[attr-defined, no-any-return]
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None
