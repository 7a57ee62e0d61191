"""The app's URLs plus ``/bench/hello/``: a signed-in hello world, the floor of every page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from campusflow.core.access import signed_in


@signed_in
def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [
    path("bench/hello/", hello, name="bench_hello"),
    path("", include("campusflow.urls")),
]
