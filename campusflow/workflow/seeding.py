"""Re-create the seeded chain definitions where a database lost them.

The data migration seeds them once; a test that flushes the database (a
transactional test) takes them away again, so the test suite puts them back
with the migration's own code rather than a second copy of the chains.
"""

from __future__ import annotations

from importlib import import_module

from django.apps import apps


def ensure_seeded() -> None:
    from campusflow.workflow.models import ProcessDefinition

    migration = import_module("campusflow.workflow.migrations.0002_seed_definitions")
    codes = {spec["code"] for spec in migration.DEFINITIONS}
    if ProcessDefinition.objects.filter(code__in=codes).count() < len(codes):
        migration.seed(apps, None)
