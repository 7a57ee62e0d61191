"""FastSelect writes what Django's Select writes, escaped, in one pass."""

from __future__ import annotations

import re

import pytest
from django import forms

from campusflow.core.widgets import FastSelect

CHOICES = [("", "全部"), ("a<b", "甲&乙"), ("2", "二")]


def _attributes_sorted(html: str) -> str:
    """The markup with each tag's attributes in a fixed order (Django puts name first)."""

    def tag(match: re.Match[str]) -> str:
        name, rest = match.group(1), match.group(2)
        attributes = sorted(re.findall(r'\s([\w-]+(?:="[^"]*")?)', rest))
        return "<" + " ".join([name, *attributes]) + ">"

    return re.sub(r"<(\w+)((?:\s[^>]*)?)>", tag, re.sub(r">\s+<", "><", html.strip()))


@pytest.mark.spec("X-06")
@pytest.mark.parametrize("value", ["a<b", None, "2", ["2"], "missing"])
def test_fast_select_matches_django_select(value: object) -> None:
    attrs = {"class": "form-select form-select-sm"}
    expected = forms.Select(choices=CHOICES, attrs=attrs).render("f", value, {"id": "id_f", "required": True})
    got = FastSelect(choices=CHOICES, attrs=attrs).render("f", value, {"id": "id_f", "required": True})
    assert _attributes_sorted(got) == _attributes_sorted(expected)
    assert "甲&amp;乙" in got and 'value="a&lt;b"' in got


def test_grouped_choices_fall_back_to_django() -> None:
    grouped = [("组", [("1", "一"), ("2", "二")])]
    assert "<optgroup" in FastSelect(choices=grouped).render("f", "1")
