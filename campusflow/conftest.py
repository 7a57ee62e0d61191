"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os

import pytest

from campusflow.accounts.sms import MemorySmsSender
from campusflow.core.testing import World, build_world

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def world(db: None) -> World:
    return build_world()


_DB_FIXTURES = {"db", "transactional_db", "live_server", "world"}


@pytest.fixture(autouse=True)
def _seeded_definitions(request):  # type: ignore[no-untyped-def]
    """Transactional tests flush the database, seeded chains included: put them back."""
    if request.node.get_closest_marker("django_db") is None and not _DB_FIXTURES & set(request.fixturenames):
        return
    request.getfixturevalue("db")
    from campusflow.workflow.seeding import ensure_seeded

    ensure_seeded()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache (the home page's province rollup lives there)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def sms_outbox() -> list[tuple[str, str]]:
    MemorySmsSender.outbox.clear()
    return MemorySmsSender.outbox


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture(scope="session")
def chromium():  # type: ignore[no-untyped-def]
    """One headless Debian chromium for the whole run (browser tests only)."""
    from playwright.sync_api import sync_playwright

    from campusflow.core.browser_testing import CHROMIUM, CHROMIUM_ARGS, chromium_available

    if not chromium_available():
        pytest.fail("Debian chromium is missing: ./run test installs it (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def console():  # type: ignore[no-untyped-def]
    from campusflow.core.browser_testing import Console

    return Console()
