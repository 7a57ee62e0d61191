"""Form widgets tuned for pages people load all day."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


class FastSelect(forms.Select):
    """A single ``<select>`` rendered in Python.

    Django renders every ``<option>`` through a template of its own: about 0.15 ms each, so a
    filter of 300 schools costs a list page 45 ms. This writes the same markup (escaped by
    ``format_html``) in one pass. Grouped choices fall back to Django's rendering.
    """

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        choices = self._choice_list()
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option, " selected" if str(option) in chosen else "", label)
                for option, label in ((("" if v is None else v), label) for v, label in choices)
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)

    def _choice_list(self) -> list[tuple[Any, Any]]:
        iterator = self.choices
        if isinstance(iterator, ModelChoiceIterator):
            # One plain SELECT: the iterator's own way costs a COUNT (list() asks its len()) and,
            # on PostgreSQL, a server-side cursor (DECLARE, FETCH, CLOSE).
            field = iterator.field
            head = [("", field.empty_label)] if field.empty_label is not None else []
            return head + [iterator.choice(obj) for obj in iterator.queryset]
        return list(iterator)
