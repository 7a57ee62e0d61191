"""G-01 学生实践信息查询: every filter of seed 000, the mentor's account, scoping and a fixed query count."""

from __future__ import annotations

from datetime import date

import pytest

from campusflow.bases.tests.helpers import PERIOD, make_base
from campusflow.core.roles import Role
from campusflow.core.testing import World, client_for, make_user
from campusflow.orgs.models import EnterpriseMentor, Student
from campusflow.practice import actions
from campusflow.practice.models import Placement

pytestmark = pytest.mark.django_db

URL = "/practice/"


def rows(response) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return response.content.decode().count('data-testid="placement-row"')


def two_placements(world: World) -> tuple[Placement, Placement]:
    """王小明 (cs, 2023, 在读) at 甲基地 with M0001; 赵小红 (me, 2024, 休学) at 乙研究院 with M0002, ended."""
    Student.objects.filter(pk=world.students["cs"].pk).update(grade=2023)
    Student.objects.filter(pk=world.students["me"].pk).update(grade=2024, status=Student.Status.SUSPENDED)
    mentor_b = EnterpriseMentor.objects.create(
        school=world.school_a,
        mentor_no="M0002",
        name="钱工",
        gender="M",
        user=make_user("M0002", Role.ENTERPRISE_MENTOR, world.school_a),
    )
    base_a = make_base(world, world.cs, code="A1", name="甲基地", mentors=(world.mentors["a"],))
    base_b = make_base(world, world.me, code="B1", name="乙研究院", mentors=(mentor_b,))
    first = actions.create_placement(
        actor=world.grad_school,
        data=actions.PlacementInput(
            student=world.students["cs"], base=base_a, mentor=world.mentors["a"], practice_type="dispatch", **PERIOD
        ),
    )
    second = actions.create_placement(
        actor=world.grad_school,
        data=actions.PlacementInput(
            student=world.students["me"], base=base_b, mentor=mentor_b, practice_type="supervisor", **PERIOD
        ),
    )
    actions.end_placement(actor=world.grad_school, placement=second, status="terminated")
    return first, second


@pytest.mark.spec("G-01")
def test_every_filter_narrows_the_results(world: World) -> None:
    two_placements(world)
    client = client_for(world.grad_school)
    assert rows(client.get(URL)) == 2
    cases = {
        "grade": ("2023", "2024"),
        "practice_type": ("dispatch", "supervisor"),
        "base": ("甲基地", "研究院"),
        "student_status": ("enrolled", "suspended"),
        "status": ("on_site", "terminated"),
        "q": ("２０２３０１", "小红"),
        "supervisor": ("T1001", "李导师"),
        "mentor": ("M0001", "钱"),
    }
    for name, (first, second) in cases.items():
        one = client.get(URL, {name: first}).content.decode()
        assert one.count('data-testid="placement-row"') == 1 and "王小明" in one, name
        other = client.get(URL, {name: second}).content.decode()
        assert other.count('data-testid="placement-row"') == 1 and "赵小红" in other, name
    assert rows(client.get(URL, {"grade": "2023", "status": "terminated"})) == 0
    assert rows(client.get(URL, {"status": "exited"})) == 0


@pytest.mark.spec("G-01")
def test_columns_of_the_seed_and_the_mentor_account(world: World) -> None:
    two_placements(world)
    html = client_for(world.supervisor_cs).get(URL).content.decode()
    for header in (
        "学号",
        "姓名",
        "年级",
        "学院",
        "专业",
        "校内导师编号",
        "校内导师姓名",
        "企业导师编号",
        "企业导师姓名",
    ):
        assert header in html
    assert "专业实践类型" in html and "工作站名称" in html and "企业导师账号" in html
    assert 'data-testid="mentor-account">M0001<' in html
    for text in ("2023010001", "王小明", "计算机学院", "T1001", "张导师", "马建英", "基地派遣", "甲基地", "在站"):
        assert text in html, text


@pytest.mark.spec("G-01", "P-04")
def test_each_role_sees_its_own_students(world: World) -> None:
    two_placements(world)
    expected = {
        "grad_school": 2,
        "school_admin": 2,
        "provincial_admin": 2,
        "secretary_cs": 1,
        "secretary_me": 1,
        "supervisor_cs": 1,
        "supervisor_me": 1,
        "mentor_a": 1,
        "school_admin_b": 0,
    }
    for persona, count in expected.items():
        assert rows(client_for(getattr(world, persona)).get(URL)) == count, persona
    assert "赵小红" not in client_for(world.mentor_a).get(URL).content.decode()
    assert client_for(world.student_cs).get(URL).status_code == 403


@pytest.mark.spec("G-01")
def test_query_count_does_not_grow_with_the_rows(world: World, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    first, _second = two_placements(world)
    client = client_for(world.grad_school)
    with django_assert_max_num_queries(12) as few:
        assert rows(client.get(URL)) == 2
    base = first.base
    for n in range(10):
        student = Student.objects.create(
            school=world.school_a,
            department=world.cs if n % 2 else world.me,
            student_no=f"20250100{n:02d}",
            name=f"学生{n}",
            gender="M",
            category=Student.Category.PROFESSIONAL_MASTER,
            level=Student.Level.MASTER,
            supervisor=world.teachers["cs"],
            grade=2025,
        )
        actions.create_placement(
            actor=world.grad_school,
            data=actions.PlacementInput(
                student=student,
                base=base,
                mentor=world.mentors["a"],
                practice_type="self",
                start_date=date(2025, 9, 1),
                end_date=date(2026, 8, 31),
                onsite_start=date(2025, 9, 1),
                onsite_end=date(2026, 8, 31),
            ),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert rows(client.get(URL)) == 12
