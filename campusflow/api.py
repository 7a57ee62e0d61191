"""The one HTTP API (X-05): every app's router mounted under /api/."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="campusflow API", version="1", urls_namespace="api")
