"""Job kinds, registered in code by the app that owns the work.

A handler gets the job and a ``Progress`` to report through, does its work
(reading ``job.params`` / ``job.input_file``), and returns a ``JobResult``.
Raising ``JobFailure`` fails the job with a message meant for its starter;
any other exception fails it with a generic message (the details go to the log).
Handlers must be safe to run again after a failure: write all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from campusflow.jobs.models import Job


class JobFailure(Exception):
    """A failure the job's starter should read (in Chinese): bad file, nothing to export …"""


@dataclass
class JobResult:
    summary: dict[str, Any] = field(default_factory=dict)
    file_bytes: bytes | None = None
    file_name: str = ""
    message: str = ""


class Progress:
    """Report progress; writes at most every ``every`` items to keep the database quiet."""

    def __init__(self, job: Job, every: int = 200) -> None:
        self.job = job
        self.every = every
        self._last = 0

    def total(self, total: int, message: str = "") -> None:
        from campusflow.jobs.models import Job

        Job.objects.filter(pk=self.job.pk).update(progress_total=total, message=message[:200])

    def advance(self, done: int, message: str = "", *, force: bool = False) -> None:
        if not force and done - self._last < self.every:
            return
        from django.utils import timezone

        from campusflow.jobs.models import Job

        self._last = done
        Job.objects.filter(pk=self.job.pk).update(
            progress_done=done, message=message[:200], heartbeat_at=timezone.now()
        )


Handler = Callable[["Job", Progress], JobResult]


@dataclass(frozen=True)
class JobKind:
    code: str
    label: str | Promise
    handler: Handler


KINDS: dict[str, JobKind] = {}


def register(code: str, label: str | Promise) -> Callable[[Handler], Handler]:
    def decorate(handler: Handler) -> Handler:
        KINDS[code] = JobKind(code, label, handler)
        return handler

    return decorate
