"""``python -m bench`` (what ``./run bench`` runs).

./run bench                     quick suite on size S (builds the dataset on first use)
./run bench --full              size L dataset, the suite with L's import/PDF sizes, and the HTTP load (< 15 min)
./run bench --size XS|S|L       choose the dataset; --seed N; --rebuild forces a fresh build
./run bench --only pages,batch  some groups: pages batch import export pdf aggregates http
./run bench --http              the HTTP load alone (gunicorn + wrk) on the dataset (size S unless --size)
./run bench --size L --build-only  build (or verify) the dataset and record its build time, nothing else
./run bench --compare A B       compare two result files (paths, or a date/sha fragment)

Each size has its own PostgreSQL database, built once per generator version and reused:
campusflow_bench (S), campusflow_bench_l (L), campusflow_bench_xs (XS), so running S does not
rebuild L or the other way round. CAMPUSFLOW_BENCH_DB changes the base name;
CAMPUSFLOW_BENCH_DATABASE_URL puts every size in the one database it names.
L (1M students, 1M placements, 300 clearance plans with ~3M tasks) builds in about 90 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import SIZES, database_for, setup


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="./run bench", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--full", action="store_true", help="size L, large imports/PDFs, HTTP load")
    parser.add_argument("--size", choices=sorted(SIZES), default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the dataset even if it is there")
    parser.add_argument("--only", default="", help="comma-separated groups")
    parser.add_argument("--http", action="store_true", help="the HTTP load alone (same as --only http)")
    parser.add_argument("--build-only", action="store_true", help="build/verify the dataset, measure nothing")
    parser.add_argument("--no-write", action="store_true", help="print only; write no result files")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"))
    args = parser.parse_args()

    if args.compare:
        from bench.report import compare_runs

        compare_runs(*args.compare)
        return

    size = SIZES[args.size or ("L" if args.full else "S")]
    os.environ["CAMPUSFLOW_BENCH_DB"] = database_for(size.name)  # bench/settings.py reads it
    setup()
    from bench import generate, report, suite

    generate.create_database_if_missing()
    only = {g.strip() for g in args.only.split(",") if g.strip()} or None
    if args.http:
        only = {"http"}
    started = time.perf_counter()
    result = report.new_result(size.name, args.seed, args.full)
    result["kind"] = "build" if args.build_only else "http" if args.http else "suite"
    info = generate.ensure(size, args.seed, rebuild=args.rebuild)
    result["dataset"] = {k: v for k, v in info.items() if k != "checksums_now"}
    result["notes"] = [
        "Each figure: median of the runs after one warm-up; op and floor interleaved, alternating which goes first.",
        "Writes (batch pass, import) run in a transaction that is rolled back, so commit/fsync is in neither side.",
        "Import files: var/bench/students_<rows>[_bad]_<seed>.xlsx; the _bad file has 1% hash-chosen bad rows "
        "(unknown college, bad gender, wrong ID check digit, grade 1900), so run_import rejects it whole; the clean "
        "file is what is timed with commit=True.",
        "Students: id_number filled (encrypted + blind index in Python, loaded by COPY) for 1 in 10; "
        "empty for the rest.",
        "Dataset (bench/generate.py): one placement per student; one clearance plan per school for grade 2022 "
        "(10 checkpoints, the library's all open, the others passed for a hash-chosen 35–75 %), built in SQL; "
        "school 1's plan is the one the operator pages and batch figures use.",
        "Page figures: the page in process vs its own SELECTs replayed + a hello-world request; pages over 30 ms "
        "run once per timing (not 5×), over 1 s 3 runs. 100k-row figures and 1,000 PDFs: 2 runs, no warm-up "
        "(so that --full, django-import-export's 100k included, stays under 15 min).",
    ]
    if args.build_only:
        result["notes"] = []
    run_suite = not args.build_only and (only is None or bool(only - {"http"}))
    measurements = suite.run(size, args.seed, info, only=only) if run_suite else []
    result["measurements"] = [m.as_dict() for m in measurements]
    if not args.build_only and ((only is not None and "http" in only) or (args.full and only is None)):
        import bench.http_load as http_load

        result["http"] = http_load.run(info)
    result["wall_s"] = round(time.perf_counter() - started, 1)
    if not args.no_write:
        path = report.write(result)
        print(f"==> Wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path} (+ .md, .png)")
    print(f"==> Done in {result['wall_s']:.0f} s")


if __name__ == "__main__":
    main()
