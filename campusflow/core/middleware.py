"""Request-wide concerns: the audit origin and caching of personal data."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from campusflow.core.request_context import Origin, reset_origin, set_origin


def client_ip(request: HttpRequest) -> str | None:
    # Behind the reverse proxy of docs/deployment.md, REMOTE_ADDR is set from
    # X-Forwarded-For by the proxy configuration, never trusted from the client.
    return request.META.get("REMOTE_ADDR") or None


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
