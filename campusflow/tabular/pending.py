"""An uploaded file between its preview and the 确认导入 click.

The checked file is stored under a random name; the person's session maps a
random token to it, so nobody else can confirm (or even name) their upload.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any

from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest

from campusflow.core.uploads import SPREADSHEETS, ValidatedUpload, validate_upload

SESSION_KEY = "cf_pending_imports"
MAX_PENDING = 5


def keep(request: HttpRequest, kind: str, upload: ValidatedUpload, rows: int) -> str:
    token = secrets.token_urlsafe(16)
    path = default_storage.save(f"imports/pending/{secrets.token_hex(16)}.{upload.extension}", upload.as_file())
    pending: dict[str, Any] = dict(request.session.get(SESSION_KEY, {}))
    pending[token] = {"kind": kind, "path": path, "name": upload.original_name, "rows": rows, "job": None}
    while len(pending) > MAX_PENDING:
        oldest = next(iter(pending))
        default_storage.delete(pending.pop(oldest)["path"])
    request.session[SESSION_KEY] = pending
    return token


def entry(request: HttpRequest, token: str, kind: str) -> dict[str, Any]:
    found = request.session.get(SESSION_KEY, {}).get(token)
    if found is None or found["kind"] != kind or not default_storage.exists(found["path"]):
        raise Http404
    return dict(found)


def upload_of(found: dict[str, Any]) -> ValidatedUpload:
    """The stored file, checked again (it is read back from storage)."""
    with default_storage.open(found["path"], "rb") as handle:
        upload = validate_upload(handle.read(), allowed=SPREADSHEETS)
    return replace(upload, original_name=found["name"])


def update(request: HttpRequest, token: str, **changes: Any) -> None:
    pending = dict(request.session.get(SESSION_KEY, {}))
    if token in pending:
        pending[token] = {**pending[token], **changes}
        request.session[SESSION_KEY] = pending


def discard(request: HttpRequest, token: str) -> None:
    pending = dict(request.session.get(SESSION_KEY, {}))
    found = pending.pop(token, None)
    if found is not None:
        default_storage.delete(found["path"])
        request.session[SESSION_KEY] = pending
