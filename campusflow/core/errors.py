"""The one exception actions raise for a refused request; views show its message."""

from __future__ import annotations

from django.utils.functional import Promise


class ActionError(Exception):
    """Bad input or a rule that stops the action. Nothing has been changed.

    ``field`` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message: str | Promise, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
        self.code = code
