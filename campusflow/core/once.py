"""One-time form tokens: a double-clicked or re-sent form acts once (S-08).

A form renders ``{% once_token %}``; the view calls ``consume(request)`` before
acting. The first submission consumes the token; a repeat finds it used and the
view answers "this form was already submitted" without acting again.

Issuing costs nothing on the server: a token is a random nonce signed with a secret of
the session (kept in the session once, the first time). Only ``consume`` — a POST, which
writes anyway — records the nonce as used. So rendering a page with forms (the inbox, the
clearance desk) does not rewrite the session row on every view.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.http import HttpRequest

SALT_SESSION_KEY = "cf_once_salt"
USED_KEY = "cf_once_used"
FIELD = "_once"
MAX_USED = 500  # the nonces consumed lately; a token is valid only within a session's life anyway


def _signer(request: HttpRequest) -> signing.TimestampSigner:
    salt = request.session.get(SALT_SESSION_KEY)
    if salt is None:
        salt = request.session[SALT_SESSION_KEY] = secrets.token_urlsafe(16)
    return signing.TimestampSigner(salt=f"campusflow.once:{salt}")


def issue(request: HttpRequest) -> str:
    return _signer(request).sign(secrets.token_urlsafe(12))


def consume(request: HttpRequest) -> bool:
    """True the first time a submitted token is seen; False for a missing, foreign or reused one."""
    token = request.POST.get(FIELD, "")
    if not token or SALT_SESSION_KEY not in request.session:
        return False
    try:
        nonce = _signer(request).unsign(token, max_age=settings.SESSION_ABSOLUTE_SECONDS)
    except signing.BadSignature:
        return False
    used: list[str] = request.session.get(USED_KEY, [])
    if nonce in used:
        return False
    request.session[USED_KEY] = [*used, nonce][-MAX_USED:]
    return True
