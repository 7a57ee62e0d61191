"""Pytest plugin: at the end of a run, count the SPEC IDs that have at least one test.

Tests carry ``@pytest.mark.spec("C-04", ...)``. The IDs are checked against
``SPEC.md`` (``../shared/SPEC.md`` next to the repository) so a typo fails the run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

ID_RE = re.compile(r"^\|\s*([A-Z]-\d{2})\s*\|", re.MULTILINE)
_seen: dict[str, int] = {}
_unknown: set[str] = set()


def spec_ids() -> list[str]:
    root = Path(__file__).resolve().parents[2]
    for candidate in (root.parent / "shared" / "SPEC.md", root / "docs" / "SPEC.md"):
        if candidate.exists():
            return ID_RE.findall(candidate.read_text(encoding="utf-8"))
    return []


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[Any]) -> None:
    known = set(spec_ids())
    for item in items:
        for marker in item.iter_markers(name="spec"):
            for spec_id in marker.args:
                _seen[spec_id] = _seen.get(spec_id, 0) + 1
                if known and spec_id not in known:
                    _unknown.add(spec_id)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _unknown:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    known = spec_ids()
    write = terminalreporter.write_line
    terminalreporter.section("SPEC coverage")
    if _unknown:
        write(f"Unknown SPEC IDs in markers: {', '.join(sorted(_unknown))}", red=True)
    covered = sorted(i for i in _seen if not known or i in known)
    total = len(known) if known else len(covered)
    write(f"{len(covered)} of {total} SPEC IDs have at least one test: {', '.join(covered)}")
