"""Placing professional-degree students at bases (B-04 → G-01), through the actions and the pages."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from campusflow.bases.tests.helpers import PERIOD, make_base, page_token
from campusflow.core.errors import ActionError
from campusflow.core.models import AuditEvent
from campusflow.core.testing import World, client_for
from campusflow.orgs.models import EnterpriseMentor, Student
from campusflow.practice import actions
from campusflow.practice.models import Placement

pytestmark = pytest.mark.django_db


def placement_input(world: World, student: Student | None = None, **changes: Any) -> actions.PlacementInput:
    base = changes.pop("base", None) or make_base(world, mentors=(world.mentors["a"],))
    values: dict[str, Any] = {
        "student": student or world.students["cs"],
        "base": base,
        "mentor": world.mentors["a"],
        "practice_type": Placement.PracticeType.DISPATCH,
        **PERIOD,
    }
    values.update(changes)
    return actions.PlacementInput(**values)


def state() -> tuple[int, list[tuple[Any, ...]], int]:
    return (
        Placement.objects.count(),
        list(Student.objects.order_by("pk").values_list("pk", "supervisor", "enterprise_mentor")),
        AuditEvent.objects.filter(action__startswith="practice.").count(),
    )


@pytest.mark.spec("G-01", "B-04")
def test_secretary_places_a_student_through_the_page(world: World) -> None:
    base = make_base(world, mentors=(world.mentors["a"],))
    client = client_for(world.secretary_cs)
    page = client.get("/practice/placements/new/").content.decode()
    data = {
        "_once": page_token(page),
        "student_no": "２０２３０１０００１",
        "base": base.pk,
        "mentor": world.mentors["a"].pk,
        "practice_type": "dispatch",
        **{k: v.isoformat() for k, v in PERIOD.items()},
    }
    response = client.post("/practice/placements/new/", data)
    placement = Placement.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/practice/placements/{placement.pk}/"
    assert (placement.student, placement.supervisor, placement.mentor) == (
        world.students["cs"],
        world.teachers["cs"],
        world.mentors["a"],
    )
    assert (placement.school, placement.department, placement.status) == (world.school_a, world.cs, "on_site")
    event = AuditEvent.objects.get(action="practice.placement.create")
    assert event.actor == world.secretary_cs and event.data["student"] == "2023010001"
    detail = client.get(response["Location"]).content.decode()
    assert "M0001" in detail and "在站" in detail
    # The student sees their own placement, and the base it is at.
    assert client_for(world.student_cs).get(response["Location"]).status_code == 200
    assert client_for(world.student_cs).get(f"/bases/{base.pk}/").status_code == 200


@pytest.mark.spec("G-01", "P-04")
def test_placement_keeps_the_students_mentor_and_supervisor_in_step(world: World) -> None:
    student = world.students["me"]
    assert student.enterprise_mentor is None
    mentor_b = EnterpriseMentor.objects.create(school=world.school_a, mentor_no="M0002", name="钱工", gender="M")
    base = make_base(world, world.me, code="B1", mentors=(mentor_b,))
    actions.create_placement(actor=world.grad_school, data=placement_input(world, student, base=base, mentor=mentor_b))
    student.refresh_from_db()
    assert student.enterprise_mentor == mentor_b
    assert student.supervisor == world.teachers["me"]  # kept: it was already set
    # A student without a supervisor gets the placement's.
    Student.objects.filter(pk=world.students["cs"].pk).update(supervisor=None)
    actions.create_placement(
        actor=world.grad_school,
        data=placement_input(world, supervisor=world.teachers["me"], base=base, mentor=mentor_b),
    )
    assert Student.objects.get(pk=world.students["cs"].pk).supervisor == world.teachers["me"]


@pytest.mark.spec("G-01")
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("academic", "只有专业学位研究生"),
        ("foreign_mentor", "不是该基地的企业导师"),
        ("reversed", "实践结束日期须晚于开始日期"),
        ("onsite_outside", "现场实践时间须在专业实践期内"),
        ("onsite_reversed", "现场实践结束日期须晚于开始日期"),
        ("revoked_base", "该基地已撤销"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_saves_nothing(world: World, change: str, message: str) -> None:
    data = placement_input(world)
    if change == "academic":
        Student.objects.filter(pk=data.student.pk).update(category=Student.Category.ACADEMIC_MASTER)
    elif change == "foreign_mentor":
        other = EnterpriseMentor.objects.create(school=world.school_a, mentor_no="M0009", name="别处", gender="F")
        data = replace(data, mentor=other)
    elif change == "reversed":
        data = replace(data, start_date=date(2026, 7, 1), end_date=date(2025, 7, 1))
    elif change == "onsite_outside":
        data = replace(data, onsite_start=date(2025, 6, 1))
    elif change == "onsite_reversed":
        data = replace(data, onsite_start=date(2026, 5, 1), onsite_end=date(2025, 8, 1))
    elif change == "revoked_base":
        from campusflow.bases.actions import revoke_base

        revoke_base(actor=world.grad_school, base=data.base)
    before = state()
    with pytest.raises(ActionError, match=message):
        actions.create_placement(actor=world.secretary_cs, data=data)
    assert state() == before


@pytest.mark.spec("G-01")
def test_second_current_placement_is_refused_until_the_first_ends(world: World) -> None:
    data = placement_input(world)
    first = actions.create_placement(actor=world.grad_school, data=data)
    before = state()
    with pytest.raises(ActionError, match="已有在站的专业实践安排"):
        actions.create_placement(actor=world.secretary_cs, data=data)
    assert state() == before
    client = client_for(world.grad_school)
    page = client.get("/practice/placements/new/").content.decode()
    form = {"_once": page_token(page), "student_no": "2023010001", "base": data.base.pk}
    form |= {"mentor": world.mentors["a"].pk, "practice_type": "dispatch"}
    form |= {k: v.isoformat() for k, v in PERIOD.items()}
    response = client.post("/practice/placements/new/", form)
    assert response.status_code == 200 and "已有在站的专业实践安排" in response.content.decode()
    assert state() == before
    # Ending it (已出站) frees the student for a new placement.
    assert client.post(f"/practice/placements/{first.pk}/end/", {"status": "exited"}).status_code == 302
    first.refresh_from_db()
    assert first.status == Placement.Status.EXITED and first.ended_at is not None
    with pytest.raises(ActionError, match="已结束"):
        actions.end_placement(actor=world.grad_school, placement=first, status="terminated")
    actions.create_placement(actor=world.grad_school, data=data)
    assert Placement.objects.filter(status="on_site").count() == 1


@pytest.mark.spec("G-01", "P-04", "S-05")
def test_out_of_scope_is_404_and_wrong_roles_403_with_nothing_changed(world: World) -> None:
    data = placement_input(world)
    before = state()
    for persona in (world.secretary_me, world.school_admin_b):
        with pytest.raises(Http404):
            actions.create_placement(actor=persona, data=data)
    for persona in (world.supervisor_cs, world.mentor_a, world.student_cs, world.dean_cs):
        with pytest.raises(PermissionDenied):
            actions.create_placement(actor=persona, data=data)
        assert client_for(persona).get("/practice/placements/new/").status_code == 403
    # Through the page another college's student is simply not found.
    client = client_for(world.secretary_me)
    page = client.get("/practice/placements/new/").content.decode()
    response = client.post("/practice/placements/new/", {"_once": page_token(page), "student_no": "2023010001"})
    assert "找不到该学号的学生" in response.content.decode()
    assert state() == before

    placement = actions.create_placement(actor=world.grad_school, data=data)
    url = f"/practice/placements/{placement.pk}/"
    for persona in (world.secretary_me, world.school_admin_b, world.supervisor_me, world.student_me):
        assert client_for(persona).get(url).status_code == 404, persona
    assert client_for(world.secretary_me).post(url + "end/", {"status": "exited"}).status_code == 404
    assert client_for(world.supervisor_cs).post(url + "end/", {"status": "exited"}).status_code == 403
    placement.refresh_from_db()
    assert placement.is_current
