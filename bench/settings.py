"""Settings for the benchmarks: the app's own settings on the bench's PostgreSQL database.

DEBUG is off (no query log), the URLconf adds one hello-world page (the floor of a
request through the full middleware stack), passwords hash with MD5 (accounts are
created, never logged into with a password).
"""

from __future__ import annotations

import os

BENCH_DB = os.environ.get("CAMPUSFLOW_BENCH_DB", "campusflow_bench")
os.environ["DATABASE_URL"] = os.environ.get(
    "CAMPUSFLOW_BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}"
)
os.environ["DEBUG"] = "0"

from campusflow.settings import *  # noqa: E402, F403

ROOT_URLCONF = "bench.urls"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
