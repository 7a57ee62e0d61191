"""X-05: the bases and placements API keep the pages' scoping and masking."""

from __future__ import annotations

import pytest

from campusflow.bases.tests.helpers import make_base
from campusflow.core.privacy import mask_phone
from campusflow.core.testing import World, client_for
from campusflow.practice.tests.test_query import two_placements

pytestmark = pytest.mark.django_db


@pytest.mark.spec("X-05", "B-04", "S-10")
def test_bases_api_scopes_and_masks(world: World) -> None:
    base = make_base(world, mentors=(world.mentors["a"],))
    make_base(world, world.me, code="B1", name="乙研究院", level="national")
    items = client_for(world.supervisor_cs).get("/api/bases").json()["items"]
    assert {b["code"] for b in items} == {"00800", "B1"}
    one = next(b for b in items if b["code"] == "00800")
    assert one["contact_phone"] == mask_phone("13121187912")
    assert one["responsible_college"]["name"] == "计算机学院"
    assert client_for(world.school_admin).get("/api/bases?level=national").json()["count"] == 1
    assert client_for(world.school_admin).get("/api/bases?q=乙").json()["count"] == 1
    assert client_for(world.mentor_a).get("/api/bases").json()["count"] == 1
    detail = client_for(world.secretary_me).get(f"/api/bases/{base.pk}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["mentors"][0]["mentor_no"] == "M0001"
    assert body["mentors"][0]["phone"] == mask_phone("13972000001")
    assert "13121187912" not in detail.content.decode() and "13972000001" not in detail.content.decode()
    assert client_for(world.school_admin_b).get(f"/api/bases/{base.pk}").status_code == 404
    assert client_for(world.student_cs).get(f"/api/bases/{base.pk}").status_code == 404


@pytest.mark.spec("X-05", "G-01", "P-04")
def test_placements_api_scopes_filters_and_shows_the_mentor_account(world: World) -> None:
    first, second = two_placements(world)

    def numbers(user: object, query: str = "") -> set[str]:
        items = client_for(user).get("/api/placements" + query).json()["items"]  # type: ignore[arg-type]
        return {p["student_no"] for p in items}

    assert numbers(world.grad_school) == {"2023010001", "2023020001"}
    assert numbers(world.secretary_cs) == {"2023010001"}
    assert numbers(world.supervisor_me) == {"2023020001"}
    assert numbers(world.mentor_a) == {"2023010001"}
    assert numbers(world.school_admin_b) == set()
    assert numbers(world.grad_school, "?status=terminated") == {"2023020001"}
    assert numbers(world.grad_school, "?grade=2023&mentor=M0001") == {"2023010001"}
    assert numbers(world.grad_school, "?student_status=suspended") == {"2023020001"}
    item = client_for(world.supervisor_cs).get(f"/api/placements/{first.pk}").json()
    assert (item["mentor_account"], item["base"]["name"], item["practice_type"]) == ("M0001", "甲基地", "dispatch")
    assert client_for(world.student_cs).get(f"/api/placements/{first.pk}").status_code == 200
    for persona in (world.secretary_me, world.school_admin_b, world.supervisor_me, world.student_me):
        assert client_for(persona).get(f"/api/placements/{first.pk}").status_code == 404
    for persona in (world.secretary_cs, world.supervisor_cs, world.mentor_a):
        assert client_for(persona).get(f"/api/placements/{second.pk}").status_code == 404
    assert client_for(world.student_cs).get("/api/placements").status_code == 403


@pytest.mark.spec("X-05", "G-01")
def test_placements_api_query_count_is_fixed(world: World, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    two_placements(world)
    client = client_for(world.grad_school)
    with django_assert_max_num_queries(10) as few:
        assert client.get("/api/placements").json()["count"] == 2
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/api/placements?page_size=1")
