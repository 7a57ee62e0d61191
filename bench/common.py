"""Shared pieces: Django set-up on the bench database, sizes, and the timing harness."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DATA = ROOT / "var" / "bench"  # import files and other generated bulk (git-ignored)


def setup() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()


@dataclass(frozen=True)
class Size:
    name: str
    schools: int
    departments: int  # per school
    students: int
    enterprises: int
    teachers: int  # per school
    bases: int  # practice bases per school (one enterprise mentor each)
    import_rows: tuple[int, ...]
    pdfs: int
    runs: int  # timed runs of a quick figure (slow ones take fewer, see suite.py)


# Every school has one clearance plan for its grade 2022 (about a third of its students).
SIZES = {
    "XS": Size("XS", 1, 8, 3_000, 200, 50, 20, (1_000,), 10, 3),
    "S": Size("S", 1, 20, 30_000, 2_000, 600, 200, (10_000,), 50, 5),
    "L": Size("L", 300, 8, 1_000_000, 100_000, 40, 40, (10_000, 100_000), 1_000, 5),
}


def database_for(size: str) -> str:
    """The database of a size: campusflow_bench for S, campusflow_bench_l for L, campusflow_bench_xs for XS.

    ``CAMPUSFLOW_BENCH_DB`` changes the base name (the suffix is kept);
    ``CAMPUSFLOW_BENCH_DATABASE_URL`` names one database for every size.
    """
    base = os.environ.get("CAMPUSFLOW_BENCH_DB", "campusflow_bench")
    return base if size == "S" else f"{base}_{size.lower()}"


@dataclass
class Measurement:
    name: str
    op_ms: list[float] = field(default_factory=list)
    floor_ms: list[float] = field(default_factory=list)
    note: str = ""
    floor_note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def op(self) -> float:
        return statistics.median(self.op_ms)

    @property
    def floor(self) -> float:
        return statistics.median(self.floor_ms) if self.floor_ms else 0.0

    @property
    def ratio(self) -> float | None:
        return self.op / self.floor if self.floor else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "op_ms": round(self.op, 3),
            "floor_ms": round(self.floor, 3),
            "ratio": round(self.ratio, 3) if self.ratio is not None else None,
            "op_runs_ms": [round(x, 3) for x in self.op_ms],
            "floor_runs_ms": [round(x, 3) for x in self.floor_ms],
            "note": self.note,
            "floor_note": self.floor_note,
            **({"extra": self.extra} if self.extra else {}),
        }


def _clock(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def compare(
    name: str,
    op: Callable[[], Any],
    floor: Callable[[], Any],
    *,
    runs: int,
    note: str = "",
    floor_note: str = "",
    inner: int = 1,
    warmup: bool = True,
) -> Measurement:
    """Time ``op`` and its ``floor`` interleaved: one warm-up each, then ``runs`` pairs; medians.

    ``inner`` repeats each call that many times per run (for sub-millisecond work); the
    figure is per call. ``warmup=False`` skips the warm-up (for operations of many seconds,
    where one untimed run costs more than it steadies).
    """
    m = Measurement(name, note=note, floor_note=floor_note)

    def many(fn: Callable[[], Any]) -> Callable[[], None]:
        def run() -> None:
            for _ in range(inner):
                fn()

        return run

    op_n, floor_n = many(op), many(floor)
    if warmup:
        op_n()
        floor_n()
    for index in range(runs):
        # Alternate which goes first, so neither always runs on the warmer cache.
        if index % 2 == 0:
            m.op_ms.append(_clock(op_n) / inner)
            m.floor_ms.append(_clock(floor_n) / inner)
        else:
            m.floor_ms.append(_clock(floor_n) / inner)
            m.op_ms.append(_clock(op_n) / inner)
    ratio = f"{m.ratio:5.2f}×" if m.ratio is not None else "   — "
    print(f"  {name:<44} {m.op:10.2f} ms   floor {m.floor:10.2f} ms   {ratio}", flush=True)
    return m


class Rollback(Exception):
    """Raised to undo a timed write: the figures never include the commit."""


def rolled_back(work: Callable[[], Any]) -> Callable[[], None]:
    """``work`` in a transaction that is always rolled back."""
    from django.db import transaction

    def run() -> None:
        try:
            with transaction.atomic():
                work()
                raise Rollback
        except Rollback:
            pass

    return run
