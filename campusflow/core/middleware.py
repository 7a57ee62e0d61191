"""Request-wide concerns: the audit origin and caching of personal data."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from campusflow.core.request_context import Origin, reset_origin, set_origin


@cache
def _trusted_proxies() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(net, strict=False) for net in settings.TRUSTED_PROXIES)


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _trusted_proxies())


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, for the audit trail.

    ``X-Forwarded-For`` is believed only when the connection comes from one of
    ``settings.TRUSTED_PROXIES`` (the site's own reverse proxies); then the
    rightmost address that is not itself a trusted proxy is the client. Anyone
    else can write that header, so it is ignored for them.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    if remote is None or not _is_trusted(remote):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if not _is_trusted(address):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote
    return remote


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        via = "api" if request.path.startswith("/api/") else "web"
        token = set_origin(
            Origin(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:200], via=via)
        )
        try:
            return self.get_response(request)
        finally:
            reset_origin(token)


class NoStoreMiddleware:
    """S-12: pages may hold personal data, so no browser or proxy keeps a copy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response
