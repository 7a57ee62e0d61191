"""X-06 English UI: the catalog is complete and the main pages read in English.

Source strings are Chinese; English comes from locale/en/LC_MESSAGES/django.po.
Data (unit names, people's names) stays as entered, so the page checks strip
the world's data before looking for Chinese left untranslated.
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from campusflow.accounts.models import User
from campusflow.core.testing import client_for
from campusflow.orgs.models import OrgUnit

PO_PATH = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
HAN = re.compile(r"[\u4e00-\u9fff]+")
# The language picker names each language in its own language, on purpose.
NATIVE_LANGUAGE_NAME = re.compile(r'<option value="zh-hans"[^>]*>简体中文</option>')


def _entries(path: Path) -> list[dict[str, str]]:
    """Parse a .po file into entries: {"msgid": ..., "msgstr": ..., "flags": ...}."""
    entries: list[dict[str, str]] = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry: dict[str, str] = {"flags": ""}
        key = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line[2:]
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)
            else:
                key, _, literal = line.partition(" ")
                entry[key] = ast.literal_eval(literal)
        if entry.get("msgid"):  # skip the header
            entries.append(entry)
    return entries


def _english(client: Client) -> Client:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def _untranslated(html: str) -> list[str]:
    """Chinese left in the page once the world's own data is taken out."""
    html = re.sub(r"<script\b.*?</script>", "", html, flags=re.DOTALL)
    html = NATIVE_LANGUAGE_NAME.sub("", html)
    data = [*OrgUnit.objects.values_list("name", flat=True), *User.objects.values_list("full_name", flat=True)]
    for value in sorted(filter(None, data), key=len, reverse=True):
        html = html.replace(value, "")
    return [f"…{html[max(m.start() - 60, 0) : m.end() + 20]}…" for m in HAN.finditer(html)]


def _nav(html: str) -> str:
    match = re.search(r'<nav class="nav[^"]*"[^>]*data-testid="main-nav">(.*?)</nav>', html, flags=re.DOTALL)
    assert match, "sidebar navigation not found"
    return match.group(1)


@pytest.mark.spec("X-06", "P-05")
def test_every_catalog_entry_has_an_english_translation():
    entries = _entries(PO_PATH)
    assert len(entries) > 100
    untranslated = [
        e["msgid"]
        for e in entries
        if "fuzzy" in e["flags"]
        or not all(v.strip() for k, v in e.items() if k == "msgstr" or k.startswith("msgstr["))
        or not any(k == "msgstr" or k.startswith("msgstr[") for k in e)
    ]
    assert not untranslated, "untranslated or fuzzy msgids in django.po:\n" + "\n".join(untranslated)


@pytest.mark.spec("X-06")
def test_compiled_catalog_matches_the_po_file():
    """django.mo is committed; it must be recompiled whenever django.po changes."""
    with MO_PATH.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for e in _entries(PO_PATH):
        if "msgid_plural" in e:
            got = [compiled.ngettext(e["msgid"], e["msgid_plural"], n) for n in (1, 2)]
            want = [e["msgstr[0]"], e["msgstr[1]"]]
        elif "msgctxt" in e:
            got, want = [compiled.pgettext(e["msgctxt"], e["msgid"])], [e["msgstr"]]
        else:
            got, want = [compiled.gettext(e["msgid"])], [e["msgstr"]]
        if got != want:
            stale.append(e["msgid"])
    assert not stale, "run `manage.py compilemessages -l en`; stale in django.mo:\n" + "\n".join(stale)


@pytest.mark.spec("X-06", "P-05")
def test_login_page_and_its_errors_are_in_english(world):
    client = _english(Client())
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in page
    for text in ("Sign in", "Username", "Password", "Forgot password?"):
        assert text in page
    assert not _untranslated(page), _untranslated(page)

    wrong = client.post("/accounts/login/", {"username": "a_admin", "password": "Wrong#Pass2026"})
    assert wrong.status_code == 200
    html = wrong.content.decode()
    assert "Incorrect username or password." in html
    assert "用户名或密码错误" not in html
    assert not _untranslated(html), _untranslated(html)


@pytest.mark.spec("X-06", "P-05")
def test_accept_language_header_also_selects_english(world):
    page = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in page and "Sign in" in page


@pytest.mark.spec("X-06", "P-05")
def test_school_admin_home_is_in_english(world):
    client = _english(client_for(world.school_admin))
    page = client.get("/").content.decode()
    assert "Current role" in page
    assert "School admin · 华北理工大学" in page
    assert "Sign out" in page
    nav = _nav(page)
    labels = re.findall(r"</i>([^<]*)</a>", nav)
    assert labels == [
        "Home",
        "Approvals",
        "Practice leave requests",
        "Leave-school applications (professional practice)",
        "Students",
        "Teachers",
        "Enterprise mentors",
        "Practice bases",
        "Enterprise library",
        "Student practice query",
        "Departments",
        "Accounts",
        "Approval chains",
        "Delegation",
        "Background jobs",
        "Annual commitment letter",
        "Audit log",
        "Clearance plans",
        "Clearance queries and statistics",
    ]
    assert not HAN.search(nav), nav
    assert not _untranslated(page), _untranslated(page)


@pytest.mark.spec("X-06", "P-05")
def test_account_list_is_in_english(world):
    client = _english(client_for(world.school_admin))
    response = client.get("/accounts/users/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Accounts", "New account", "Username", "Role", "Status", "Activated", "All roles"):
        assert text in page, text
    assert "Teaching secretary · 计算机学院" in page
    assert not HAN.search(_nav(page))
    assert not _untranslated(page), _untranslated(page)
