"""B-04: practice bases — browse for all staff, edit by the graduate school or the responsible college."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from campusflow.bases import actions
from campusflow.bases.models import BaseMentor, PracticeBase
from campusflow.bases.tests.helpers import base_input, make_base, page_token
from campusflow.core.models import AuditEvent
from campusflow.core.privacy import mask_phone
from campusflow.core.roles import Role
from campusflow.core.testing import client_for, make_user
from campusflow.orgs.models import EnterpriseMentor

pytestmark = pytest.mark.django_db

URL = "/bases/"


def rows(response) -> int:  # type: ignore[no-untyped-def]
    return response.content.decode().count('data-testid="base-row"')


def snapshot() -> tuple[list[tuple[object, ...]], int, int]:
    return (
        list(PracticeBase.objects.order_by("pk").values_list("pk", "code", "name", "status", "responsible_college")),
        BaseMentor.objects.count(),
        AuditEvent.objects.filter(action__startswith="bases.").count(),
    )


@pytest.mark.spec("B-04")
def test_graduate_school_enters_a_base_through_the_page(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.grad_school)
    page = client.get(URL + "new/").content.decode()
    assert "计算机学院" in page and "机械学院" in page and "信息工程学院" not in page
    data = {
        "_once": page_token(page),
        "code": "００８００",  # full-width digits are normalised
        "name": "东软集团(北京)有限公司",
        "unit_type": "private_hitech",
        "level": "school_a",
        "origin": "school",
        "responsible_college": world.me.pk,
        "contact_name": "朱蓉",
        "contact_phone": "131 2118 7912",
        "school_contact_phone": "010-89733064",
    }
    response = client.post(URL + "new/", data)
    base = PracticeBase.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/bases/{base.pk}/"
    assert (base.code, base.school, base.responsible_college, base.created_by) == (
        "00800",
        world.school_a,
        world.me,
        world.grad_school,
    )
    assert base.contact_phone == "13121187912"
    event = AuditEvent.objects.get(action="bases.base.create")
    assert event.actor == world.grad_school and event.school_id == world.school_a.pk
    assert "13121187912" not in str(event.data)
    # The same form again does nothing (double click).
    assert client.post(URL + "new/", data).status_code == 302
    assert PracticeBase.objects.count() == 1


@pytest.mark.spec("B-04")
def test_every_staff_role_of_the_school_browses_all_bases(world) -> None:  # type: ignore[no-untyped-def]
    make_base(world, world.cs, code="A1", name="甲基地")
    make_base(world, world.me, code="A2", name="乙基地")
    for persona in (world.school_admin, world.grad_school, world.secretary_me, world.supervisor_cs, world.dean_cs):
        assert rows(client_for(persona).get(URL)) == 2, persona
    station = make_user("station", Role.STATION_MANAGER, world.school_a)
    assert rows(client_for(station).get(URL)) == 2
    assert rows(client_for(world.provincial_admin).get(URL)) == 2
    assert rows(client_for(world.school_admin_b).get(URL)) == 0


@pytest.mark.spec("B-04", "P-04")
def test_mentors_and_students_see_only_their_own_bases(world) -> None:  # type: ignore[no-untyped-def]
    mine = make_base(world, code="A1", name="甲基地", mentors=(world.mentors["a"],))
    make_base(world, code="A2", name="乙基地")
    html = client_for(world.mentor_a).get(URL).content.decode()
    assert "甲基地" in html and "乙基地" not in html
    assert rows(client_for(world.student_cs).get(URL)) == 0  # not placed yet
    assert client_for(world.student_cs).get(f"{URL}{mine.pk}/").status_code == 404


@pytest.mark.spec("B-04", "P-10", "S-10")
def test_phones_are_masked_in_the_list_and_the_detail(world) -> None:  # type: ignore[no-untyped-def]
    base = make_base(world, mentors=(world.mentors["a"],))
    for url in (URL, f"{URL}{base.pk}/"):
        for persona in (world.school_admin, world.supervisor_cs, world.mentor_a):
            html = client_for(persona).get(url).content.decode()
            for clear in ("13121187912", "13811699549", "010-89733064", "13972000001"):
                assert clear not in html, (url, persona, clear)
            assert mask_phone("13121187912") in html
    detail = client_for(world.supervisor_cs).get(f"{URL}{base.pk}/").content.decode()
    assert mask_phone("13972000001") in detail  # the mentor's phone, masked
    # The edit form never sends a stored phone back in clear.
    edit = client_for(world.grad_school).get(f"{URL}{base.pk}/edit/").content.decode()
    assert "13121187912" not in edit and mask_phone("13121187912") in edit


@pytest.mark.spec("B-04")
def test_detail_shows_each_mentor_with_the_seed_columns(world) -> None:  # type: ignore[no-untyped-def]
    mentor = world.mentors["a"]
    EnterpriseMentor.objects.filter(pk=mentor.pk).update(
        enrollment_category="资源与环境", enrollment_field="地质工程", department_name="研究院", position="科长"
    )
    base = make_base(world, mentors=(mentor,))
    html = client_for(world.supervisor_cs).get(f"{URL}{base.pk}/").content.decode()
    for text in ("M0001", "马建英", "资源与环境", "地质工程", "研究院", "科长", "张导师", "是否愿意以第一导师身份"):
        assert text in html, text
    assert 'data-testid="mentor-add"' not in html  # browse only


@pytest.mark.spec("B-04")
def test_filters_narrow_the_list(world) -> None:  # type: ignore[no-untyped-def]
    make_base(world, world.cs, code="A1", name="甲基地", unit_type="state_owned", level="national")
    other = make_base(world, world.me, code="B2", name="乙研究院", origin="supervisor")
    actions.revoke_base(actor=world.grad_school, base=other)
    client = client_for(world.school_admin)
    assert rows(client.get(URL)) == 2
    assert rows(client.get(URL, {"q": "研究院"})) == 1
    assert rows(client.get(URL, {"q": "a1"})) == 1
    assert rows(client.get(URL, {"unit_type": "state_owned"})) == 1
    assert rows(client.get(URL, {"level": "national"})) == 1
    assert rows(client.get(URL, {"origin": "supervisor"})) == 1
    assert rows(client.get(URL, {"responsible_college": world.me.pk})) == 1
    assert rows(client.get(URL, {"status": "revoked"})) == 1
    assert rows(client.get(URL, {"status": "active", "origin": "supervisor"})) == 0


@pytest.mark.spec("B-04")
def test_college_edits_only_bases_it_is_responsible_for(world) -> None:  # type: ignore[no-untyped-def]
    ours = make_base(world, world.cs, code="A1")
    theirs = make_base(world, world.me, code="A2")
    client = client_for(world.secretary_cs)
    assert client.get(f"{URL}{ours.pk}/edit/").status_code == 200
    # Another college's base: browsable, but "not yours" to change (404) and nothing changes.
    assert client.get(f"{URL}{theirs.pk}/").status_code == 200
    before = snapshot()
    assert client.get(f"{URL}{theirs.pk}/edit/").status_code == 404
    assert client.post(f"{URL}{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"{URL}{theirs.pk}/mentors/add/", {"mentor": world.mentors["a"].pk}).status_code == 404
    with pytest.raises(Http404):
        actions.edit_base(actor=world.secretary_cs, base=theirs, data=base_input(world.cs, code="A2", name="改"))
    assert snapshot() == before
    # A college may not make another college responsible.
    with pytest.raises(actions.ActionError, match="负责学院"):
        actions.create_base(actor=world.secretary_cs, data=base_input(world.me, code="X"))


@pytest.mark.spec("B-04", "S-05")
def test_other_school_gets_404_and_wrong_roles_403(world) -> None:  # type: ignore[no-untyped-def]
    base = make_base(world)
    before = snapshot()
    b = client_for(world.school_admin_b)
    assert b.get(f"{URL}{base.pk}/").status_code == 404
    assert b.get(f"{URL}{base.pk}/edit/").status_code == 404
    assert b.post(f"{URL}{base.pk}/revoke/").status_code == 404
    for persona in (world.supervisor_cs, world.dean_cs, world.mentor_a, world.student_cs):
        client = client_for(persona)
        assert client.get(URL + "new/").status_code == 403
        assert client.get(f"{URL}{base.pk}/edit/").status_code == 403
        assert client.post(f"{URL}{base.pk}/revoke/").status_code == 403
    with pytest.raises(PermissionDenied):
        actions.revoke_base(actor=world.supervisor_cs, base=base)
    assert snapshot() == before


@pytest.mark.spec("B-04")
def test_bad_input_is_refused_in_chinese_and_saves_nothing(world) -> None:  # type: ignore[no-untyped-def]
    make_base(world, code="A1")
    before = snapshot()
    for changes, message in (
        ({"code": "A1"}, "已存在"),
        ({"name": "  "}, "基地名称"),
        ({"contact_phone": "abc"}, "电话"),
        ({"level": "gold"}, "有效"),
    ):
        with pytest.raises(actions.ActionError, match=message):
            actions.create_base(actor=world.grad_school, data=base_input(world.cs, **changes))
    client = client_for(world.grad_school)
    page = client.get(URL + "new/").content.decode()
    data = {"_once": page_token(page), "code": "A1", "name": "重复", "unit_type": "other", "level": "school_a"}
    data |= {"origin": "school", "responsible_college": world.cs.pk}
    response = client.post(URL + "new/", data)
    assert response.status_code == 200 and "基地编号“A1”在本校已存在。" in response.content.decode()
    assert snapshot() == before


@pytest.mark.spec("B-04", "P-09")
def test_edit_revoke_restore_and_mentors_are_audited(world) -> None:  # type: ignore[no-untyped-def]
    base = make_base(world, world.cs, code="A1")
    client = client_for(world.secretary_cs)
    page = client.get(f"{URL}{base.pk}/edit/").content.decode()
    assert "13121187912" not in page
    data = {"code": "A1", "name": "新名称", "unit_type": "state_owned", "level": "provincial", "origin": "school"}
    data |= {"responsible_college": world.cs.pk, "contact_phone": "", "address": "北京市海淀区"}
    data |= {"contact_name": "朱蓉", "leader_name": "姜明", "school_contact_name": "詹健"}
    assert client.post(f"{URL}{base.pk}/edit/", data).status_code == 302
    base.refresh_from_db()
    assert (base.name, base.level, base.contact_phone) == ("新名称", "provincial", "13121187912")
    mentor = world.mentors["a"]
    assert client.post(f"{URL}{base.pk}/mentors/add/", {"mentor": mentor.pk}).status_code == 302
    assert list(base.mentors.all()) == [mentor]
    assert client.post(f"{URL}{base.pk}/mentors/{mentor.pk}/remove/").status_code == 302
    assert not base.mentors.exists()
    assert client.post(f"{URL}{base.pk}/revoke/", {"reason": "考核不合格"}).status_code == 302
    base.refresh_from_db()
    assert base.status == PracticeBase.Status.REVOKED
    assert client.post(f"{URL}{base.pk}/restore/").status_code == 302
    done = sorted(AuditEvent.objects.filter(target_id=str(base.pk)).values_list("action", flat=True))
    assert done == sorted(
        [
            "bases.base.create",
            "bases.base.edit",
            "bases.mentor.add",
            "bases.mentor.remove",
            "bases.base.revoke",
            "bases.base.restore",
        ]
    )
    edit = AuditEvent.objects.get(action="bases.base.edit")
    assert edit.data == {"fields": ["level", "name", "unit_type"]}


@pytest.mark.spec("B-04")
def test_mentor_of_another_school_cannot_be_added(world) -> None:  # type: ignore[no-untyped-def]
    base = make_base(world)
    stranger = EnterpriseMentor.objects.create(school=world.school_b, mentor_no="B1", name="外校", gender="M")
    with pytest.raises(Http404):
        actions.add_mentor(actor=world.grad_school, base=base, mentor=stranger)
    response = client_for(world.grad_school).post(f"{URL}{base.pk}/mentors/add/", {"mentor": stranger.pk})
    assert response.status_code == 302
    assert not base.mentors.exists()


@pytest.mark.spec("B-04")
def test_base_list_query_count_is_fixed(world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    make_base(world, code="A1", mentors=(world.mentors["a"],))
    client = client_for(world.supervisor_cs)
    with django_assert_max_num_queries(12) as few:
        assert rows(client.get(URL)) == 1
    for n in range(2, 12):
        make_base(world, world.me if n % 2 else world.cs, code=f"A{n}", mentors=(world.mentors["a"],))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert rows(client.get(URL)) == 11
