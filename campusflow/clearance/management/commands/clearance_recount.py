"""Rebuild a plan's 应办理/已通过/未办理/未通过 counters from its tasks (repair)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from campusflow.clearance import actions
from campusflow.clearance.models import ClearancePlan


class Command(BaseCommand):
    help = "Rebuild the clearance counters of one plan (or of every plan) from its tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan_ids", nargs="*", type=int, help="plan ids; none means every plan")

    def handle(self, *args: Any, **options: Any) -> None:
        plans = ClearancePlan.objects.all()
        if options["plan_ids"]:
            plans = plans.filter(pk__in=options["plan_ids"])
            if plans.count() != len(set(options["plan_ids"])):
                raise CommandError("unknown plan id")
        for plan in plans.select_related("definition"):
            actions.recount(plan)
            self.stdout.write(f"{plan.pk} {plan.name}: recounted")
