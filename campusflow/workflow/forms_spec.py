"""The data an actor fills in at a step, described as data (``StepDefinition.form_fields``).

Admins edit these lists on the definition page, so they are validated here in
one place: when a definition is saved (the spec itself) and when an actor acts
(the values).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from campusflow.core.errors import ActionError

FIELD_TYPES = ("text", "textarea", "choice", "integer", "date", "boolean")
MAX_TEXT = {"text": 200, "textarea": 2000}


def check_spec(fields: Any) -> list[dict[str, Any]]:
    """Validate a form spec typed by an admin; return it normalised."""
    if not isinstance(fields, list):
        raise ActionError(_("审核表单字段应为列表。"), field="form_fields")
    normalised: list[dict[str, Any]] = []
    names: set[str] = set()
    for index, item in enumerate(fields, start=1):
        if not isinstance(item, dict):
            raise ActionError(_("第 %(n)d 个字段格式不正确。") % {"n": index}, field="form_fields")
        name = str(item.get("name", "")).strip()
        kind = str(item.get("type", "text"))
        if not name.isidentifier() or name in names or name == "opinion":
            raise ActionError(_("第 %(n)d 个字段的代码无效或重复。") % {"n": index}, field="form_fields")
        if kind not in FIELD_TYPES:
            raise ActionError(_("第 %(n)d 个字段的类型无效。") % {"n": index}, field="form_fields")
        choices = [str(c) for c in item.get("choices", [])] if kind == "choice" else []
        if kind == "choice" and not choices:
            raise ActionError(_("第 %(n)d 个字段是选择题，但没有选项。") % {"n": index}, field="form_fields")
        names.add(name)
        entry: dict[str, Any] = {
            "name": name,
            "label": str(item.get("label") or name),
            "type": kind,
            "required": bool(item.get("required", False)),
        }
        if choices:
            entry["choices"] = choices
        for bound in ("min", "max"):
            if kind == "integer" and item.get(bound) is not None:
                entry[bound] = int(item[bound])
        normalised.append(entry)
    return normalised


def clean_values(fields: list[dict[str, Any]], raw: dict[str, Any]) -> dict[str, Any]:
    """The actor's values for ``fields``, validated; unknown keys are dropped."""
    cleaned: dict[str, Any] = {}
    for spec in fields:
        name, kind, label = spec["name"], spec["type"], spec["label"]
        value = raw.get(name)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", []) and kind != "boolean":
            if spec.get("required"):
                raise ActionError(_("请填写“%(label)s”。") % {"label": label}, field=name)
            continue
        if kind in MAX_TEXT:
            text = str(value)
            if len(text) > MAX_TEXT[kind]:
                raise ActionError(_("“%(label)s”过长。") % {"label": label}, field=name)
            cleaned[name] = text
        elif kind == "choice":
            if str(value) not in spec["choices"]:
                raise ActionError(_("“%(label)s”的选项无效。") % {"label": label}, field=name)
            cleaned[name] = str(value)
        elif kind == "integer":
            try:
                number = int(str(value))
            except ValueError:
                raise ActionError(_("“%(label)s”应为整数。") % {"label": label}, field=name) from None
            if ("min" in spec and number < spec["min"]) or ("max" in spec and number > spec["max"]):
                raise ActionError(_("“%(label)s”超出允许范围。") % {"label": label}, field=name)
            cleaned[name] = number
        elif kind == "date":
            try:
                cleaned[name] = date.fromisoformat(str(value)).isoformat()
            except ValueError:
                raise ActionError(_("“%(label)s”日期格式应为 年-月-日。") % {"label": label}, field=name) from None
        elif kind == "boolean":
            cleaned[name] = value in (True, "on", "true", "1", 1)
    return cleaned
