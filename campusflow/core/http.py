"""Typed request objects: views behind ``require``/``signed_in`` always have a real user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from campusflow.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User  # type: ignore[assignment]
