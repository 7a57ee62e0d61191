"""Model fields for sensitive data (P-10 / S-10)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

from campusflow.core import crypto


class EncryptedCharField(models.TextField):
    """A string stored encrypted; readable in Python, opaque in the database.

    Only exact lookups through a companion :class:`BlindIndexField` are
    possible; filtering on the encrypted column itself is meaningless.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))


class BlindIndexField(models.CharField):
    """HMAC of another field's normalised value, kept in step on every save.

    ``pre_save`` runs for ``save()`` and ``bulk_create``; code that changes the
    source with ``QuerySet.update`` must set the index too.
    """

    def __init__(self, *args: Any, source: str = "", normalizer: Callable[[str], str] | None = None, **kwargs: Any):
        self.source = source
        self.normalizer = normalizer
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("editable", False), ("blank", True), ("db_index", True)):
            if kwargs.get(key) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def compute(self, raw: str | None) -> str:
        if not raw:
            return ""
        value = self.normalizer(raw) if self.normalizer else raw
        return crypto.blind_index(value)

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = self.compute(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value
