"""Who is acting and from where, for the audit trail of the current request.

Actions take ``actor=`` explicitly; the network origin (IP, user agent) is not
something every action should have to pass along, so the middleware puts it
here and ``audit.record`` reads it.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    ip: str | None = None
    user_agent: str = ""
    via: str = "web"  # web | api | command | task


_origin: ContextVar[Origin] = ContextVar("campusflow_origin", default=Origin(via="command"))  # noqa: B039 - frozen


def current_origin() -> Origin:
    return _origin.get()


def set_origin(origin: Origin) -> object:
    return _origin.set(origin)


def reset_origin(token: object) -> None:
    _origin.reset(token)  # type: ignore[arg-type]
