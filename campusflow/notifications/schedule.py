"""How periodic jobs are declared (X-08, W-06/W-07 reminders, D-10 sync).

A periodic job is an ordinary Django task with a ``@cron`` schedule on top,
written in its app's ``tasks.py``::

    # campusflow/workflow/tasks.py
    from crontask import cron
    from django.tasks import task

    @cron("*/15 * * * *")  # every 15 minutes, Asia/Shanghai (settings.TIME_ZONE)
    @task
    def remind_overdue() -> None:
        ...  # one set-based query, then notifications.actions.notify(...)

How it runs:

- ``manage.py crontask`` (one process per installation: "the scheduler")
  imports ``<app>.tasks`` for **every app in INSTALLED_APPS** (its
  ``load_tasks``). Importing runs ``@cron``, which registers
  ``task.enqueue`` with the scheduler. A job declared in any other module is
  found only if that app's ``tasks.py`` imports it — hence: keep them in
  ``tasks.py``.
- At each tick the scheduler only *enqueues* the task; a worker
  (``manage.py db_worker``) runs it. So the scheduler stays light, and a slow
  job never delays the next tick of another.
- The order of decorators matters: ``@cron`` goes outside (above) ``@task``.
- Days of the week are written as names (``"0 8 * * Mon-Fri"``); crontask
  refuses digits there, since their meaning depends on the locale.
- Run exactly one scheduler: with two, every job fires twice. (crontask can
  hold a Redis lock when ``CRONTASK = {"REDIS_URL": ...}`` is set; without
  Redis, one scheduler service is the rule — see docs/deployment.md.)
- crontask also schedules its own ``crontask.tasks.heartbeat`` each minute
  (``--no-heartbeat`` turns it off); a worker that logs it is alive.
- Jobs must be safe to run twice and to run late: work from the database
  state ("steps overdue and not reminded since …"), not from "what happened
  since the last run".

``campusflow.core`` never imports this module or ``crontask``; schedules are
the business of the app that owns the job.
"""

from __future__ import annotations

# The schedules, in one list for the docs and the operators. Each entry is
# declared with @cron next to its task; this table only names it.
SCHEDULES: list[tuple[str, str, str]] = [
    # (task, cron expression, what it does)
    ("crontask.tasks.heartbeat", "* * * * *", "scheduler heartbeat (crontask's own)"),
]
