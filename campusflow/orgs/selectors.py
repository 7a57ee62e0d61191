"""Read-side questions about the org tree asked by several pages."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from campusflow.orgs.models import CommitmentLetter, OrgUnit


def current_letters(user: Any) -> QuerySet[CommitmentLetter]:
    """This year's current commitment letters the user may see (P-08)."""
    return CommitmentLetter.objects.visible_to(user).filter(year=timezone.localdate().year, is_current=True)


def commitment_status(user: Any) -> dict[str, Any]:
    """This year's commitment letter of the user's school (P-08)."""
    return {"year": timezone.localdate().year, "letter": current_letters(user).first()}


def commitment_overview(user: Any) -> list[dict[str, Any]]:
    """For a provincial admin: each school and whether this year's letter is on file (one query)."""
    schools = (
        OrgUnit.objects.visible_to(user)
        .filter(kind=OrgUnit.Kind.SCHOOL)
        .annotate(letter_id=Subquery(current_letters(user).filter(school_id=OuterRef("pk")).values("pk")[:1]))
        .order_by("sort_order", "name")
    )
    return [{"school": school, "letter_id": school.letter_id} for school in schools]
