"""Delete audit and access-log rows past their keeping period (S-11).

The minimums are the law's, not a preference: audit and security events are
kept at least 180 days, sensitive-data access records at least three years.
The command refuses shorter periods. Nothing in the product edits these rows;
this retention job is the only delete path.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from campusflow.core.models import AuditEvent, SensitiveAccess

MIN_AUDIT_DAYS = 180
MIN_ACCESS_DAYS = 3 * 365


class Command(BaseCommand):
    help = "Delete audit events and sensitive-data access records older than their keeping period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--audit-days", type=int, default=365)
        parser.add_argument("--access-days", type=int, default=MIN_ACCESS_DAYS)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        audit_days, access_days = options["audit_days"], options["access_days"]
        if audit_days < MIN_AUDIT_DAYS:
            raise CommandError(f"audit events must be kept at least {MIN_AUDIT_DAYS} days (S-11)")
        if access_days < MIN_ACCESS_DAYS:
            raise CommandError(f"sensitive-data access records must be kept at least {MIN_ACCESS_DAYS} days (S-11)")
        now = timezone.now()
        old_audit = AuditEvent.objects.filter(at__lt=now - timedelta(days=audit_days))
        old_access = SensitiveAccess.objects.filter(at__lt=now - timedelta(days=access_days))
        if options["dry_run"]:
            self.stdout.write(f"would delete {old_audit.count()} audit events, {old_access.count()} access records")
            return
        # QuerySet.delete() never calls Model.delete(), whose guard stops the product deleting single rows.
        audit_deleted, _ = old_audit.delete()
        access_deleted, _ = old_access.delete()
        self.stdout.write(f"deleted {audit_deleted} audit events, {access_deleted} access records")
