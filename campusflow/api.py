"""The one HTTP API (X-05): every app's ``api.py`` router mounted under /api/.

Each campusflow app that has an ``api`` module with a ``router`` is mounted
automatically, in INSTALLED_APPS order, so a new module's API appears (and is
walked by the access test, S-05) without editing this file.

- Authentication: bearer token or session (see ``core.api_auth``); anonymous
  calls get 401 with a Chinese message.
- Every operation declares its access with ``@api_roles``/``@api_signed_in``.
- The OpenAPI description is at /api/openapi.json and the interactive docs at
  /api/docs, both for signed-in callers. ``ninja`` is an installed app so the
  docs page serves Swagger UI from our own static files (the CSP allows no CDN).
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.urls import URLPattern
from ninja import NinjaAPI, Router

from campusflow.core.access import AccessRule
from campusflow.core.api_auth import API_AUTH, enforce_declared_access, install_error_handlers, signed_in_api_view


class CampusNinjaAPI(NinjaAPI):
    def _get_urls(self) -> list[Any]:
        urls = super()._get_urls()
        for pattern in urls:
            # ninja's /api/ root only ever answers 404 (it exists so that
            # reverse() finds the API's prefix): declare it public (S-05).
            if isinstance(pattern, URLPattern) and pattern.name == "api-root":
                pattern.callback.access_rule = AccessRule(public=True)  # type: ignore[attr-defined]
        return urls


api = CampusNinjaAPI(
    title="campusflow API",
    version="1",
    description="校园实践、实习与毕业管理平台接口。权限与页面一致：按当前角色的可见范围返回数据，敏感信息脱敏。",
    urls_namespace="api",
    auth=API_AUTH,
    docs_url="/docs",
    docs_decorator=signed_in_api_view,
)
install_error_handlers(api)
api.add_decorator(enforce_declared_access, mode="view")


def app_routers() -> list[tuple[str, Router]]:
    """``(app label, router)`` for every campusflow app that has ``api.router``."""
    found: list[tuple[str, Router]] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("campusflow."):
            continue
        module_name = f"{config.name}.api"
        if find_spec(module_name) is None:
            continue
        router = getattr(import_module(module_name), "router", None)
        if isinstance(router, Router):
            found.append((config.label, router))
    return found


for _label, _router in app_routers():
    api.add_router("/", _router)
