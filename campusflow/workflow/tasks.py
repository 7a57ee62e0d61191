"""Scheduled work of the approval engine (W-07).

``manage.py crontask`` imports this module and registers the schedule; a
worker (``manage.py db_worker``) runs the task. ``remind_overdue`` works from
the database state (open tasks past due, not reminded today), so running it
late or twice does no harm.
"""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from campusflow.workflow import actions


@cron("5 * * * *")  # hourly, at five past (Asia/Shanghai)
@task
def remind_overdue() -> dict[str, int]:
    reminded, escalated = actions.remind_overdue()
    return {"reminded": reminded, "escalated": escalated}
