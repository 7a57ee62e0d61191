"""One-time form tokens: a double-clicked or re-sent form acts once (S-08).

A form renders ``{% once_token %}``; the view calls ``consume(request)`` before
acting. The first submission consumes the token; a repeat finds it gone and the
view answers "this form was already submitted" without acting again.
"""

from __future__ import annotations

import secrets

from django.http import HttpRequest

SESSION_KEY = "cf_once_tokens"
FIELD = "_once"
MAX_OPEN = 50


def issue(request: HttpRequest) -> str:
    token = secrets.token_urlsafe(16)
    open_tokens: list[str] = request.session.get(SESSION_KEY, [])
    open_tokens = [*open_tokens, token][-MAX_OPEN:]
    request.session[SESSION_KEY] = open_tokens
    return token


def consume(request: HttpRequest) -> bool:
    """True the first time a submitted token is seen; False for a missing or reused one."""
    token = request.POST.get(FIELD, "")
    open_tokens: list[str] = request.session.get(SESSION_KEY, [])
    if not token or token not in open_tokens:
        return False
    open_tokens.remove(token)
    request.session[SESSION_KEY] = open_tokens
    return True
