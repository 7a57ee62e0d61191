"""The worker side of jobs: run one job; every few minutes, fail the ones whose worker died."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from campusflow.jobs import actions


@task
def run(job_id: int) -> None:
    actions.run_job(job_id)


@cron("*/5 * * * *")
@task
def fail_stale_jobs() -> int:
    return actions.fail_stale()
