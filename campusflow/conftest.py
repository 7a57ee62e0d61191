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


@pytest.fixture(autouse=True)
def sms_outbox() -> list[tuple[str, str]]:
    MemorySmsSender.outbox.clear()
    return MemorySmsSender.outbox


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "files"
