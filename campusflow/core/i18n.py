"""Language of stored text.

Text that is *stored* — case titles, timeline notes, notification messages — is
written in the site's default language (zh-hans), whatever language the person
acting has chosen: other people read it later, in their own session. Pages and
error messages shown to the person acting stay in their language.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

F = TypeVar("F", bound=Callable[..., Any])


def stored_language() -> AbstractContextManager[None]:
    return translation.override(settings.LANGUAGE_CODE)


def in_stored_language(function: F) -> F:
    """Run ``function`` (which writes stored text) in the site's default language."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with stored_language():
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def stored(message: str | Promise) -> str:
    """A message marked with ``gettext_lazy``/``gettext_noop`` rendered in the stored language."""
    with stored_language():
        return str(message)
