"""HTTP load on loopback: gunicorn (sync workers) and Debian's ``wrk``.

Closed loop: ``wrk`` with 16 connections for 10 s finds the saturation throughput.
Paced: wrk has no rate option (wrk2 is not in Debian), so a Lua
``delay()`` spaces each connection's requests to reach the target rate; when the
server is slower than the target the achieved rate falls short (reported beside it),
and, as with any closed-loop tool, queueing delay is under-reported (coordinated
omission). Latencies are wrk's own histogram, printed by the Lua ``done()`` hook.
Every run is bounded by its duration and by a request count (``MAX_REQUESTS``: the Lua
``response()`` hook stops wrk's thread once it is reached), against 127.0.0.1 only.

Size L (``--full``): 4 workers; the province's filtered student list (the issue's goal: p95
< 25 ms at 300 req/s, saturation ≥ 500 req/s), a school's operator list, the counters
fragment, a school's student list and the inbox, closed loop and paced at 100 and 300/s
(about 3 minutes). Other sizes: 2 and 4 workers, paced at 100, 200 and 400/s (about 6 min).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.common import ROOT

PORT = int(os.environ.get("CAMPUSFLOW_BENCH_PORT", "8765"))
CLOSED_S = 10
PACED_S = 10
SECONDS_L = 8  # each run on size L (--full must stay under 15 min)
CLOSED_CONNECTIONS = 16
RATES = (100, 200, 400)
RATES_L = (100, 300)
SKIP_FACTOR = 4  # paced rates above 4× the closed-loop saturation are not run
MAX_REQUESTS = 20_000  # per wrk run (closed loop at 2,000 req/s for 10 s)
PROVINCE_GOAL = "p95 < 25 ms at 300 req/s; saturation ≥ 500 req/s"


def paced_connections(rate: int) -> int:
    """Enough connections that each waits ~100 ms between requests (wrk adds delay() after a response)."""
    return max(8, rate // 10)


LUA = """
local interval = tonumber(os.getenv("BENCH_INTERVAL_MS") or "0")
local limit = tonumber(os.getenv("BENCH_MAX_REQUESTS") or "0")
local seen = 0
function delay() return interval end
function response(status, headers, body)
  seen = seen + 1
  if limit > 0 and seen >= limit then wrk.thread:stop() end
end
function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "errors": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, errors,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def _cookies(info: dict[str, Any]) -> dict[str, str]:
    from django.test import Client

    from bench.generate import BENCH_OFFICE
    from campusflow.accounts.models import User

    out = {}
    for who, pk in (
        ("operator", info["plan"]["operators"][BENCH_OFFICE]),
        ("admin", info["plan"]["admin"]),
        ("secretary", info["plan"]["secretary"]),
        ("province", info["plan"]["province"]),
    ):
        client = Client()
        client.force_login(User.objects.get(pk=pk))
        out[who] = client.cookies["sessionid"].value
    return out


def _wait(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback only
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer at {url}")


def _drain(base: str, limit_s: float = 90) -> float:
    """Wait until gunicorn has worked off requests queued by a finished run (sync workers finish every
    request a closed connection left in the listen queue): two quick answers in a row, at most ``limit_s``."""
    started = time.monotonic()
    quick = 0
    while quick < 2 and time.monotonic() - started < limit_s:
        before = time.monotonic()
        try:
            urllib.request.urlopen(f"{base}/accounts/login/", timeout=limit_s)  # noqa: S310 - loopback only
        except OSError:
            time.sleep(0.2)
            continue
        quick = quick + 1 if time.monotonic() - before < 0.2 else 0
    return time.monotonic() - started


def _wrk(url: str, cookie: str, script: Path, *, connections: int, seconds: int, interval_ms: float) -> dict[str, Any]:
    env = {**os.environ, "BENCH_INTERVAL_MS": str(int(interval_ms)), "BENCH_MAX_REQUESTS": str(MAX_REQUESTS)}
    completed = subprocess.run(  # noqa: S603 - wrk with fixed arguments
        [
            shutil.which("wrk") or "/usr/bin/wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            "-H",
            f"Cookie: sessionid={cookie}",
            url,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=seconds + 30,
        check=False,
    )
    line = next((x for x in completed.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(completed.stdout + completed.stderr)
    data: dict[str, Any] = json.loads(line[6:])
    return {
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "p50_ms": data["p50_us"] / 1000,
        "p95_ms": data["p95_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "errors": data["errors"],
        "requests": data["requests"],
        # wrk still waits out -d after the thread stops, so a capped run's req/s is a lower bound.
        "capped": data["requests"] >= MAX_REQUESTS,
    }


def run(info: dict[str, Any], workers: tuple[int, ...] | None = None) -> dict[str, Any]:
    from bench.suite import PROVINCE_FILTER

    if shutil.which("wrk") is None:
        return {"method": "skipped: wrk is not installed", "rows": []}
    large = info.get("size") == "L"
    if workers is None:
        workers = (4,) if large else (2, 4)
    rates = RATES_L if large else RATES
    closed_s, paced_s = (SECONDS_L, SECONDS_L) if large else (CLOSED_S, PACED_S)
    cookies = _cookies(info)
    plan = info["plan"]["plan_id"]
    pages = [
        ("hello world", "/bench/hello/", "operator"),
        ("operator list", f"/clearance/desk/batch/?plan={plan}&step=cp4", "operator"),
        ("counters", f"/clearance/desk/counters/?plan={plan}&step=cp4", "operator"),
        ("student list", "/org/students/", "admin"),
        ("inbox", "/workflow/inbox/", "secretary"),
        ("province list", f"/org/students/?{PROVINCE_FILTER}", "province"),
    ]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "record.lua"
        script.write_text(LUA)
        for count in workers:
            log = open(Path(tmp) / f"gunicorn-{count}.log", "w")  # noqa: SIM115
            server = subprocess.Popen(  # noqa: S603
                [
                    str(Path(sys.executable).parent / "gunicorn"),
                    "bench.wsgi",
                    "-b",
                    f"127.0.0.1:{PORT}",
                    "-w",
                    str(count),
                    "-k",
                    "sync",
                    "--timeout",
                    "60",
                ],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                _wait(f"http://127.0.0.1:{PORT}/accounts/login/")
                print(f"==> HTTP load: gunicorn sync × {count} workers", flush=True)
                base = f"http://127.0.0.1:{PORT}"
                for name, path, who in pages:
                    url = f"{base}{path}"
                    drained = _drain(base)
                    closed = _wrk(
                        url, cookies[who], script, connections=CLOSED_CONNECTIONS, seconds=closed_s, interval_ms=0
                    )
                    goal = {"goal": PROVINCE_GOAL} if name == "province list" else {}
                    closed["drain_before_s"] = round(drained, 1)
                    rows.append({"workers": count, "page": name, "mode": "closed loop", **closed, **goal})
                    print(
                        f"  {name:<16} closed loop  {closed['rps']:7.0f} req/s  p50 {closed['p50_ms']:7.1f} ms"
                        f"  p99 {closed['p99_ms']:7.1f} ms",
                        flush=True,
                    )
                    if name == "hello world":
                        continue
                    for rate in rates:
                        if rate > SKIP_FACTOR * closed["rps"]:
                            # Far past saturation: the run would only fill the listen queue (and the next
                            # run's time); the closed loop already says the page cannot serve this rate.
                            rows.append(
                                {"workers": count, "page": name, "mode": f"paced {rate}/s", "skipped": True, **goal}
                            )
                            print(f"  {name:<16} paced {rate:>3}/s  not run: saturates at {closed['rps']:.0f} req/s")
                            continue
                        drained = _drain(base)
                        connections = paced_connections(rate)
                        paced = _wrk(
                            url,
                            cookies[who],
                            script,
                            connections=connections,
                            seconds=paced_s,
                            interval_ms=connections * 1000 / rate,
                        )
                        paced["drain_before_s"] = round(drained, 1)
                        rows.append({"workers": count, "page": name, "mode": f"paced {rate}/s", **paced, **goal})
                        print(
                            f"  {name:<16} paced {rate:>3}/s  {paced['rps']:7.0f} req/s  p50 {paced['p50_ms']:7.1f} ms"
                            f"  p95 {paced['p95_ms']:7.1f} ms  p99 {paced['p99_ms']:7.1f} ms",
                            flush=True,
                        )
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
                log.close()
    return {
        "method": (
            f"gunicorn sync workers on 127.0.0.1; wrk -t1: closed loop with {CLOSED_CONNECTIONS} connections "
            f"for {closed_s} s; "
            f"paced at {', '.join(f'{r}/s' for r in rates)} with max(8, rate/10) connections and a Lua delay() of "
            f"connections/rate per request for {paced_s} s (achieved rate shown; wrk is closed-loop, so latency "
            f"under overload is under-reported); each run also stops at {MAX_REQUESTS:,} requests; a paced rate "
            f"over {SKIP_FACTOR}× the closed-loop saturation is not run; before each run the server works off "
            "what the previous one queued (drain_before_s). "
            f"Workers: {', '.join(map(str, workers))}. Client and server share the machine's CPUs."
        ),
        "rows": rows,
    }
