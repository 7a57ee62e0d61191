"""Results: bench/results/<date>-<sha>.json, a Markdown report and a PNG chart of ratios; --compare."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.common import RESULTS, ROOT


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()  # noqa: S603, S607
    except (OSError, subprocess.CalledProcessError):
        return ""


def _version(module: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module)
    except PackageNotFoundError:
        return ""


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        mem_kb = 0
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def versions() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SHOW server_version")
        pg = c.fetchone()[0]
    out = {"python": sys.version.split()[0], "postgresql": pg}
    for name in ("django", "psycopg", "typst", "python-calamine", "xlsxwriter", "gunicorn", "matplotlib"):
        out[name] = _version(name)
    try:
        wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)  # noqa: S607
        out["wrk"] = (wrk.stdout or wrk.stderr).split("\n")[0].strip()
    except OSError:
        out["wrk"] = ""
    return out


def write(result: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    kind = result.get("kind", "suite")
    stem = f"{result['date']}-{result['sha'] or 'nogit'}{'-full' if result['full'] else ''}"
    if kind != "suite":
        stem += f"-{result['size']}-{kind}"
    path = RESULTS / f"{stem}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    chart = RESULTS / f"{stem}.png"
    drew = draw(result, chart)
    (RESULTS / f"{stem}.md").write_text(markdown(result, chart.name if drew else None))
    return path


def new_result(size: str, seed: int, full: bool) -> dict[str, Any]:
    return {
        "date": datetime.now().strftime("%Y-%m-%d"),
        "started_at": datetime.now().isoformat(timespec="seconds"),
        "sha": _git("rev-parse", "--short=10", "HEAD"),
        "dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "size": size,
        "seed": seed,
        "full": full,
        "machine": machine(),
        "versions": versions(),
    }


def _fmt_ms(ms: float) -> str:
    return f"{ms / 1000:.2f} s" if ms >= 1000 else f"{ms:.2f} ms"


def markdown(result: dict[str, Any], chart: str | None) -> str:
    m = result["machine"]
    lines = [
        f"# Benchmark {result['date']} at {result['sha']} (size {result['size']}, seed {result['seed']})",
        "",
        f"{m['cpu']} × {m['cpus']}, {m['memory_gb']} GB; load at start {m['load_average_at_start']}; "
        f"PostgreSQL {result['versions']['postgresql']}, Django {result['versions']['django']}, "
        f"Python {result['versions']['python']}. Wall time {result.get('wall_s', 0):.0f} s.",
        "",
    ]
    data = result.get("dataset", {})
    if data:
        counts = data.get("checksums", {}).get("_counts", {})
        lines += [
            "## Dataset",
            "",
            f"{'Reused' if data.get('reused') else 'Built in this run'} (generator v{data.get('version')}, "
            f"database {data.get('database', '?')}, built {data.get('built_at', '?')}): build "
            f"{data.get('build_s', '?')} s wall (migrate {data.get('migrate_s')} s, SQL {data.get('sql_s')} s); "
            f"counters {'match' if data.get('recount_matches') else 'DO NOT match'} clearance.actions.recount "
            f"on plan 1; checksums {'match the build' if data.get('checksums_match') else 'DIFFER'}.",
            "",
            ", ".join(f"{k}: {v:,}" for k, v in counts.items()),
            "",
        ]
        steps = data.get("sql_steps_s", {})
        if steps:
            lines += ["| build step | s |", "|---|---:|"]
            lines += [f"| {name} | {spent:.2f} |" for name, spent in steps.items()]
            lines.append("")
        rebuild = data.get("index_rebuild_s", {})
        if rebuild:
            lines += [
                "Indexes and foreign keys recreated after the load, s per table: "
                + ", ".join(f"{k} {v:.2f}" for k, v in rebuild.items()),
                "",
            ]
    lines += goals(result)
    if result["measurements"]:
        lines += [
            "## Operations next to their floors",
            "",
            "| operation | op (median) | floor (median) | ratio | floor is |",
            "|---|---:|---:|---:|---|",
        ]
    for item in result["measurements"]:
        ratio = f"{item['ratio']:.2f}×" if item["ratio"] is not None else "—"
        lines.append(
            f"| {item['name'].strip()} | {_fmt_ms(item['op_ms'])} | {_fmt_ms(item['floor_ms'])} | {ratio} "
            f"| {item['floor_note']} |"
        )
    if chart:
        lines += ["", f"![ratios]({chart})"]
    http = result.get("http")
    if http:
        lines += ["", "## HTTP load (loopback)", "", http.get("method", ""), ""]
        lines += [
            "| workers | page | mode | req/s | p50 | p95 | p99 | errors | goal |",
            "|---|---|---|---:|---:|---:|---:|---:|---|",
        ]
        for row in http.get("rows", []):
            if row.get("skipped"):
                lines.append(
                    f"| {row['workers']} | {row['page']} | {row['mode']} | not run (past saturation) "
                    f"| | | | | {row.get('goal', '')} |"
                )
                continue
            capped = " (capped)" if row.get("capped") else ""
            lines.append(
                f"| {row['workers']} | {row['page']} | {row['mode']} | {row['rps']:.0f}{capped} "
                f"| {row['p50_ms']:.1f} ms | {row['p95_ms']:.1f} ms | {row['p99_ms']:.1f} ms | {row['errors']} "
                f"| {row.get('goal', '')} |"
            )
    if result.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {n}" for n in result["notes"]]
    return "\n".join(lines) + "\n"


def goals(result: dict[str, Any]) -> list[str]:
    """The issue's written goals that this run can check, met or missed."""
    rows: list[tuple[str, str, bool | None]] = []
    data = result.get("dataset", {})
    wall = result.get("wall_s", 0)
    if result.get("size") == "L" and data and not data.get("reused"):
        rows.append(("size L builds in < 90 s", f"{data.get('build_s', 0):.0f} s", data.get("build_s", 999) < 90))
    if result.get("full"):
        rows.append(("`--full` (L and the HTTP load) < 15 min", f"{wall / 60:.1f} min", wall < 900))
    elif result.get("size") == "S" and result.get("kind", "suite") == "suite":
        rows.append(("quick suite < 3 min", f"{wall:.0f} s", wall < 180))
    http = [r for r in result.get("http", {}).get("rows", []) if r.get("page") == "province list"]
    for row in http:
        if row["mode"] == "closed loop":
            rows.append(("province list saturation ≥ 500 req/s", f"{row['rps']:.0f} req/s", row["rps"] >= 500))
        elif row["mode"] == "paced 300/s":
            if row.get("skipped"):
                rows.append(("province list p95 < 25 ms at 300 req/s", "not run: far past saturation", False))
            else:
                ok = row["p95_ms"] < 25 and row["rps"] >= 270
                measured = f"{row['rps']:.0f} req/s, p95 {row['p95_ms']:.1f} ms"
                rows.append(("province list p95 < 25 ms at 300 req/s", measured, ok))
    if not rows:
        return []
    out = ["## Goals (issue 6)", "", "| goal | measured | |", "|---|---|---|"]
    out += [f"| {goal} | {measured} | {'met' if ok else '**missed**'} |" for goal, measured, ok in rows]
    return [*out, ""]


def draw(result: dict[str, Any], path: Path) -> bool:
    items = [i for i in result["measurements"] if i["ratio"] is not None]
    if not items:
        return False
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    names = [i["name"].strip() for i in items][::-1]
    ratios = [i["ratio"] for i in items][::-1]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(items) + 1.2))
    colors = ["#2b8a3e" if r <= 2 else "#e67700" if r <= 5 else "#c92a2a" for r in ratios]
    ax.barh(names, ratios, color=colors)
    ax.axvline(1, color="black", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("time / floor (log scale; 1 = as fast as the floor)")
    ax.set_title(f"campusflow bench {result['date']} {result['sha']} size {result['size']}")
    for y, r in enumerate(ratios):
        ax.text(r, y, f" {r:.2f}×", va="center", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def compare_runs(a: str, b: str) -> None:
    def load(name: str) -> dict[str, Any]:
        path = Path(name)
        if not path.exists():
            matches = sorted(RESULTS.glob(f"*{name}*.json"))
            if not matches:
                raise SystemExit(f"No result matches {name!r} in {RESULTS}")
            path = matches[-1]
        data: dict[str, Any] = json.loads(path.read_text())
        data["_path"] = str(path)
        return data

    before, after = load(a), load(b)
    print(f"A: {before['_path']}  ({before['sha']}, size {before['size']})")
    print(f"B: {after['_path']}  ({after['sha']}, size {after['size']})")
    if before["size"] != after["size"]:
        print("Warning: different dataset sizes; times are not comparable, ratios roughly are.")
    old = {i["name"].strip(): i for i in before["measurements"]}
    print(f"\n{'operation':<46} {'A op':>11} {'B op':>11} {'change':>8} {'A ratio':>8} {'B ratio':>8}")
    for item in after["measurements"]:
        name = item["name"].strip()
        prev = old.pop(name, None)
        if prev is None:
            print(f"{name:<46} {'—':>11} {_fmt_ms(item['op_ms']):>11} {'new':>8}")
            continue
        change = (item["op_ms"] / prev["op_ms"] - 1) * 100 if prev["op_ms"] else 0.0
        ra = f"{prev['ratio']:.2f}×" if prev["ratio"] else "—"
        rb = f"{item['ratio']:.2f}×" if item["ratio"] else "—"
        print(f"{name:<46} {_fmt_ms(prev['op_ms']):>11} {_fmt_ms(item['op_ms']):>11} {change:>+7.0f}% {ra:>8} {rb:>8}")
    for name in old:
        print(f"{name:<46} (only in A)")
    ca = before.get("dataset", {}).get("checksums", {})
    cb = after.get("dataset", {}).get("checksums", {})
    if ca and cb and before["size"] == after["size"] and before["seed"] == after["seed"]:
        same = {k: v for k, v in ca.items() if k != "_counts"} == {k: v for k, v in cb.items() if k != "_counts"}
        print(f"\nDataset checksums: {'identical' if same else 'DIFFERENT'}")
