"""Read-side questions about the org tree asked by several pages."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from campusflow.orgs.models import CommitmentLetter, OrgUnit


def commitment_status(user: Any) -> dict[str, Any]:
    """This year's commitment letter of the user's school (P-08)."""
    year = timezone.localdate().year
    letter = CommitmentLetter.objects.visible_to(user).filter(year=year, is_current=True).first()
    return {"year": year, "letter": letter}


def commitment_overview(user: Any) -> list[dict[str, Any]]:
    """For a provincial admin: each school and whether this year's letter is on file."""
    year = timezone.localdate().year
    schools = OrgUnit.objects.visible_to(user).filter(kind=OrgUnit.Kind.SCHOOL).order_by("sort_order", "name")
    letters = {
        letter.school_id: letter
        for letter in CommitmentLetter.objects.visible_to(user).filter(year=year, is_current=True)
    }
    return [{"school": school, "letter": letters.get(school.pk)} for school in schools]
