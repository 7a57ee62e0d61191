"""S-05: every URL and every API operation declares its permission, and keeps to it.

The walker discovers URLs and API operations by itself, so a new page or
endpoint is checked the moment it is mounted:

1. every view of ``campusflow.urls`` (through every include) and every ninja
   operation of ``campusflow.api.api`` carries an ``access_rule``;
2. each one is called as every persona of ``core.testing.build_world`` and as
   an anonymous visitor: anonymous → login (302) or 401 on the API; a role the
   rule does not allow → 403; an allowed role → a normal answer; never a 500.
   Detail URLs get the id of a world object (or of none: then 404 is fine).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from campusflow.api import api
from campusflow.core.access import AccessRule
from campusflow.core.roles import Role
from campusflow.core.testing import World, client_for

pytestmark = pytest.mark.spec("S-05")

# Third-party URLs that are not ours to declare: the captcha image and audio.
SKIPPED_URLCONFS = {"captcha.urls"}
MISSING_ID = 987654321


@dataclass(frozen=True)
class Endpoint:
    route: str  # Django route with <converters> or ninja path with {params}
    method: str
    rule: AccessRule | None
    is_api: bool
    params: tuple[tuple[str, str], ...]  # (name, kind: int/str/slug/uuid/path)

    @property
    def label(self) -> str:
        return f"{self.method} {self.route}"


# -- discovery --------------------------------------------------------------------------


def _is_ninja_operation(callback: Any) -> bool:
    return getattr(callback, "__module__", "") == "ninja.operation"


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            module = entry.urlconf_name
            name = module if isinstance(module, str) else getattr(module, "__name__", "")
            if name in SKIPPED_URLCONFS:
                continue
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


_CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")


def url_endpoints(patterns: list[Any] | None = None) -> list[Endpoint]:
    """Every Django view of the site (ninja's per-operation views are walked as operations)."""
    found = []
    for route, pattern in _walk(patterns if patterns is not None else get_resolver("campusflow.urls").url_patterns):
        if _is_ninja_operation(pattern.callback):
            continue
        params = tuple((m["name"], m["kind"] or "str") for m in _CONVERTER.finditer(route))
        rule = getattr(pattern.callback, "access_rule", None)
        url = "/" + route.lstrip("^").rstrip("$")
        found.append(Endpoint(url, "GET", rule, url.startswith("/api/"), params))
    return found


_API_PARAM = re.compile(r"{(?:(?P<kind>\w+):)?(?P<name>\w+)}")


def api_operations() -> list[tuple[str, Any]]:
    """``(path, operation)`` for every ninja operation, as mounted."""
    api.urls  # noqa: B018 - builds the bound routers
    found = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                full = "/".join(p.strip("/") for p in ("api", prefix, path) if p.strip("/"))
                found.append(("/" + full, operation))
    return found


def api_endpoints() -> list[Endpoint]:
    found = []
    for path, operation in api_operations():
        params = tuple((m["name"], m["kind"] or "int") for m in _API_PARAM.finditer(path))
        rule = getattr(operation.view_func, "access_rule", None)
        for method in operation.methods:
            found.append(Endpoint(path, method, rule, True, params))
    return found


# -- 1. every endpoint declares its permission --------------------------------------------


def test_every_url_declares_its_access() -> None:
    endpoints = url_endpoints()
    assert len(endpoints) > 10
    undeclared = sorted(e.route for e in endpoints if not isinstance(e.rule, AccessRule))
    assert not undeclared, f"URLs without an access declaration (core.access): {undeclared}"


def test_every_api_operation_declares_its_access() -> None:
    endpoints = api_endpoints()
    assert {"/api/me", "/api/students", "/api/students/{id}"} <= {e.route for e in endpoints}
    undeclared = sorted(e.label for e in endpoints if not isinstance(e.rule, AccessRule))
    assert not undeclared, f"API operations without @api_roles/@api_signed_in: {undeclared}"


def test_walker_finds_an_undeclared_view_inside_an_include() -> None:
    from django.http import HttpResponse
    from django.urls import include, path

    from campusflow.core.access import public

    def bare(request: Any) -> HttpResponse:
        return HttpResponse()

    def declared(request: Any) -> HttpResponse:
        return HttpResponse()

    inner = [path("open/", public(declared)), path("bare/<int:pk>/", bare)]
    endpoints = url_endpoints([path("x/", include((inner, "x")))])
    assert [(e.route, e.rule is None) for e in endpoints] == [("/x/open/", False), ("/x/bare/<int:pk>/", True)]
    assert endpoints[1].params == (("pk", "int"),)


def test_verdict_flags_a_wrong_role_that_gets_data() -> None:
    class Response:
        status_code = 200

    endpoint = Endpoint("/x/", "GET", AccessRule(roles=frozenset({Role.SCHOOL_ADMIN})), False, ())
    assert _verdict(endpoint, "student", Role.STUDENT, Response(), True) == "200, expected 403 for role student"
    assert _verdict(endpoint, "admin", Role.SCHOOL_ADMIN, Response(), True) is None


def test_undeclared_operation_is_refused_at_run_time(world: World) -> None:
    """Belt and braces: even if a declaration were missing, the API answers 403, not data."""
    from campusflow.core.api_auth import _enforce_rule

    class Request:
        _campusflow_access_rule = None

    with pytest.raises(Exception, match="未声明"):
        _enforce_rule(Request(), world.system_admin)  # type: ignore[arg-type]


# -- 2. every endpoint × every persona -------------------------------------------------------


# Which world object a detail URL gets, by the path segment before the id.
def _object_ids(world: World) -> dict[str, int]:
    return {
        "students": world.students["cs"].pk,
        "teachers": world.teachers["cs"].pk,
        "mentors": world.mentors["a"].pk,
        "users": world.student_cs.pk,
        "units": world.cs.pk,
        "org-units": world.cs.pk,
        "departments": world.cs.pk,
    }


def _fill(endpoint: Endpoint, world: World) -> tuple[str, bool]:
    """The URL to call, and whether it points at a real object of the world."""
    ids = _object_ids(world)
    route = endpoint.route
    real = True
    for name, kind in endpoint.params:
        matches = [m.group(0) for m in (*_CONVERTER.finditer(route), *_API_PARAM.finditer(route)) if m["name"] == name]
        token = matches[0]
        before = route.split(token, 1)[0].rstrip("/").rsplit("/", 1)[-1]
        if kind == "int":
            value = ids.get(before)
            if value is None:
                real = False
                value = MISSING_ID
            text = str(value)
        elif kind == "uuid":
            text, real = "00000000-0000-0000-0000-000000000000", False
        else:
            text, real = "x", False
        route = route.replace(token, text, 1)
    return route, real


def _personas(world: World) -> list[tuple[str, Any]]:
    return [("anonymous", None), *world.people.items()]


def _call(client: Client, endpoint: Endpoint, url: str) -> Any:
    if endpoint.method == "GET":
        return client.get(url)
    if endpoint.is_api:
        return client.generic(endpoint.method, url, "{}", content_type="application/json")
    return client.generic(endpoint.method, url, "", content_type="application/x-www-form-urlencoded")


_LOGIN = None


def _login_url() -> str:
    global _LOGIN
    if _LOGIN is None:
        _LOGIN = reverse(settings.LOGIN_URL)
    return _LOGIN


def _verdict(endpoint: Endpoint, persona: str, role: Role | None, response: Any, real: bool) -> str | None:
    """None when the answer is right; otherwise what is wrong."""
    status = response.status_code
    rule = endpoint.rule
    assert rule is not None
    if status >= 500:
        return f"{status} (server error)"
    if rule.public:
        return None if status < 400 or status == 404 else f"{status} for a public URL"
    if persona == "anonymous":
        if endpoint.is_api:
            return None if status == 401 else f"{status}, expected 401"
        if status == 302 and response["Location"].startswith(_login_url()):
            return None
        return f"{status}, expected a redirect to login"
    if not rule.allows(role):
        return None if status == 403 else f"{status}, expected 403 for role {role}"
    if status == 401:
        return f"{status} for an allowed role {role}"
    if endpoint.method != "GET":
        # An empty POST may be refused for its content (400/422), or with 403 by
        # a finer rule of the action itself (e.g. which sensitive fields a role
        # may reveal); it has passed the declared role check either way.
        return None
    if status == 403:
        return f"{status} for an allowed role {role}"
    ok = {200, 204, 301, 302, 303}
    if endpoint.params or not real:
        ok.add(404)  # out of scope and missing both answer 404
    return None if status in ok else f"{status} for an allowed role {role}"


def _all_endpoints() -> list[Endpoint]:
    return url_endpoints() + api_endpoints()


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", _all_endpoints(), ids=lambda e: e.label)
def test_endpoint_answers_every_persona_by_its_rule(endpoint: Endpoint, world: World) -> None:
    if endpoint.rule is None:
        pytest.fail(f"{endpoint.label} declares no access rule")
    url, real = _fill(endpoint, world)
    wrong = []
    for persona, user in _personas(world):
        client = Client() if user is None else client_for(user)
        called = endpoint
        response = _call(client, called, url)
        if response.status_code == 405 and not endpoint.is_api:
            # A POST-only page (logout, reveal, remove …): walk it with an empty POST.
            called = replace(endpoint, method="POST")
            response = _call(client, called, url)
        role = user.role if user is not None else None
        problem = _verdict(called, persona, role, response, real)
        if problem:
            wrong.append(f"{persona}: {problem}")
    assert not wrong, f"{endpoint.method} {url}: " + "; ".join(wrong)


@pytest.mark.django_db
def test_api_wrong_role_is_refused_before_input_is_read(world: World) -> None:
    """A wrong role gets 403 even with bad input (never a 422 that hints at the endpoint's shape)."""
    response = client_for(world.student_cs).get("/api/students?grade=not-a-number")
    assert response.status_code == 403
    anonymous = Client().get("/api/students?grade=not-a-number")
    assert anonymous.status_code == 401
    assert "登录" in anonymous.json()["detail"]
