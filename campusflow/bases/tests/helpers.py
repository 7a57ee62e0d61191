"""Bases and placements for tests, made through the real actions."""

from __future__ import annotations

from datetime import date
from typing import Any

from campusflow.bases import actions
from campusflow.bases.models import PracticeBase
from campusflow.core.testing import World
from campusflow.orgs.models import EnterpriseMentor, OrgUnit


def base_input(college: OrgUnit, **changes: Any) -> actions.BaseInput:
    values: dict[str, Any] = {
        "code": "00800",
        "name": "东软集团(北京)有限公司",
        "unit_type": PracticeBase.UnitType.PRIVATE_HITECH,
        "responsible_college": college,
        "level": PracticeBase.Level.SCHOOL_A,
        "origin": PracticeBase.Origin.SCHOOL,
        "address": "北京市海淀区",
        "contact_name": "朱蓉",
        "contact_phone": "13121187912",
        "leader_name": "姜明",
        "leader_phone": "13811699549",
        "school_contact_name": "詹健",
        "school_contact_phone": "010-89733064",
    }
    values.update(changes)
    return actions.BaseInput(**values)


def make_base(
    world: World, college: OrgUnit | None = None, mentors: tuple[EnterpriseMentor, ...] = (), **changes: Any
) -> PracticeBase:
    base = actions.create_base(actor=world.grad_school, data=base_input(college or world.cs, **changes))
    for mentor in mentors:
        actions.add_mentor(actor=world.grad_school, base=base, mentor=mentor)
    return base


def page_token(html: str) -> str:
    return html.split('name="_once" value="')[1].split('"')[0]


PERIOD: dict[str, Any] = {
    "start_date": date(2025, 7, 1),
    "end_date": date(2026, 6, 30),
    "onsite_start": date(2025, 7, 15),
    "onsite_end": date(2026, 5, 31),
}
