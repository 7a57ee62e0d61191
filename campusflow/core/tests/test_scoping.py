"""P-04: ``visible_to`` for every persona over the people and the org tree.

A school account sees its school, a department account its department, a
supervisor their own students, a mentor the students placed with them, a
student themself, a provincial admin every school of the province and the
system admin everything.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from campusflow.accounts.models import RoleAssignment, User
from campusflow.core.roles import Role
from campusflow.core.testing import World, make_user
from campusflow.orgs.models import EnterpriseMentor, OrgUnit, Student, Teacher

pytestmark = [pytest.mark.spec("P-04"), pytest.mark.django_db]

ALL_STUDENTS = {"cs", "me", "b"}
SCHOOL_A_STUDENTS = {"cs", "me"}

# persona → students (world.students keys) they see
STUDENTS: dict[str, set[str]] = {
    "system_admin": ALL_STUDENTS,
    "provincial_admin": ALL_STUDENTS,
    "school_admin": SCHOOL_A_STUDENTS,
    "school_admin_b": {"b"},
    "dept_admin_cs": {"cs"},
    "secretary_cs": {"cs"},
    "secretary_me": {"me"},
    "dean_cs": {"cs"},
    "grad_school": SCHOOL_A_STUDENTS,
    "library_operator": SCHOOL_A_STUDENTS,
    "student_affairs": SCHOOL_A_STUDENTS,
    "supervisor_cs": {"cs"},
    "supervisor_me": {"me"},
    "mentor_a": {"cs"},
    "student_cs": {"cs"},
    "student_me": {"me"},
    "student_b": {"b"},
}

# persona → teachers (world.teachers keys)
TEACHERS: dict[str, set[str]] = {
    "system_admin": {"cs", "me"},
    "provincial_admin": {"cs", "me"},
    "school_admin": {"cs", "me"},
    "school_admin_b": set(),
    "dept_admin_cs": {"cs"},
    "secretary_cs": {"cs"},
    "secretary_me": {"me"},
    "dean_cs": {"cs"},
    "grad_school": {"cs", "me"},
    "library_operator": {"cs", "me"},
    "student_affairs": {"cs", "me"},
    "supervisor_cs": {"cs"},
    "supervisor_me": {"me"},
    "mentor_a": set(),
    "student_cs": {"cs"},  # their own supervisor
    "student_me": {"me"},
    "student_b": set(),
}

# persona → enterprise mentors (world.mentors keys)
MENTORS: dict[str, set[str]] = {
    "system_admin": {"a"},
    "provincial_admin": {"a"},
    "school_admin": {"a"},
    "school_admin_b": set(),
    "dept_admin_cs": {"a"},  # mentors of the department's students
    "secretary_cs": {"a"},
    "secretary_me": set(),
    "dean_cs": {"a"},
    "grad_school": {"a"},
    "library_operator": {"a"},
    "student_affairs": {"a"},
    "supervisor_cs": {"a"},  # partner supervisor
    "supervisor_me": set(),
    "mentor_a": {"a"},
    "student_cs": {"a"},  # their own mentor
    "student_me": set(),
    "student_b": set(),
}

A_UNITS = {"school_a", "cs", "me", "grad_office", "library", "sa_office"}
B_UNITS = {"school_b", "b_info"}
UNITS: dict[str, set[str]] = {
    "system_admin": {"province"} | A_UNITS | B_UNITS,
    "provincial_admin": A_UNITS | B_UNITS,
    "school_admin": A_UNITS,
    "school_admin_b": B_UNITS,
    "dept_admin_cs": {"cs"},
    "secretary_cs": {"cs"},
    "secretary_me": {"me"},
    "dean_cs": {"cs"},
    "grad_school": A_UNITS,
    "library_operator": A_UNITS,
    "student_affairs": A_UNITS,
    "supervisor_cs": set(),
    "supervisor_me": set(),
    "mentor_a": set(),
    "student_cs": set(),
    "student_me": set(),
    "student_b": set(),
}

ALL_PEOPLE = set(STUDENTS)
SCHOOL_A_PEOPLE = {
    "school_admin",
    "dept_admin_cs",
    "secretary_cs",
    "secretary_me",
    "dean_cs",
    "grad_school",
    "library_operator",
    "student_affairs",
    "supervisor_cs",
    "supervisor_me",
    "mentor_a",
    "student_cs",
    "student_me",
}
CS_PEOPLE = {"dept_admin_cs", "secretary_cs", "dean_cs", "supervisor_cs", "student_cs"}
USERS: dict[str, set[str]] = {
    "system_admin": ALL_PEOPLE,
    "provincial_admin": ALL_PEOPLE - {"system_admin", "provincial_admin"},
    "school_admin": SCHOOL_A_PEOPLE,
    "school_admin_b": {"school_admin_b", "student_b"},
    "dept_admin_cs": CS_PEOPLE,
    "secretary_cs": CS_PEOPLE,
    "secretary_me": {"secretary_me", "supervisor_me", "student_me"},
    "dean_cs": CS_PEOPLE,
    "grad_school": SCHOOL_A_PEOPLE,
    "library_operator": SCHOOL_A_PEOPLE,
    "student_affairs": SCHOOL_A_PEOPLE,
    "supervisor_cs": set(),
    "supervisor_me": set(),
    "mentor_a": set(),
    "student_cs": set(),
    "student_me": set(),
    "student_b": set(),
}


def test_the_tables_cover_every_persona(world: World) -> None:
    for table in (STUDENTS, TEACHERS, MENTORS, UNITS, USERS):
        assert set(table) == set(world.people)


def _keys(objects: dict[str, object], visible: list[object]) -> set[str]:
    return {key for key, obj in objects.items() if obj in visible}


def _units(world: World) -> dict[str, object]:
    names = ("province", "school_a", "school_b", "cs", "me", "b_info", "grad_office", "library", "sa_office")
    return {name: getattr(world, name) for name in names}


@pytest.mark.parametrize("persona", sorted(STUDENTS))
def test_each_persona_sees_exactly_its_scope(world: World, persona: str) -> None:
    user = world.people[persona]
    students = list(Student.objects.visible_to(user))
    teachers = list(Teacher.objects.visible_to(user))
    mentors = list(EnterpriseMentor.objects.visible_to(user))
    units = list(OrgUnit.objects.visible_to(user))
    users = list(User.objects.visible_to(user))

    assert _keys(world.students, students) == STUDENTS[persona]  # type: ignore[arg-type]
    assert _keys(world.teachers, teachers) == TEACHERS[persona]  # type: ignore[arg-type]
    assert _keys(world.mentors, mentors) == MENTORS[persona]  # type: ignore[arg-type]
    assert _keys(_units(world), units) == UNITS[persona]  # type: ignore[arg-type]
    assert _keys(world.people, users) == USERS[persona]  # type: ignore[arg-type]
    # No row twice, whatever joins the scope needed.
    for rows in (students, teachers, mentors, units, users):
        assert len(rows) == len(set(rows))


def test_anonymous_and_roleless_accounts_see_nothing(world: World) -> None:
    roleless = User.objects.create(username="nobody")
    for who in (AnonymousUser(), roleless, None):
        for model in (Student, Teacher, EnterpriseMentor, OrgUnit, User):
            assert not model.objects.visible_to(who).exists()  # type: ignore[attr-defined]


def test_the_current_role_decides_not_every_role_held(world: World) -> None:
    """A supervisor who is also the CS teaching secretary sees the department only in that role."""
    supervisor = world.supervisor_me
    secretary = RoleAssignment.objects.create(user=supervisor, role=Role.TEACHING_SECRETARY, unit=world.cs)
    supervisor = User.objects.get(pk=supervisor.pk)
    assert set(Student.objects.visible_to(supervisor)) == {world.students["me"]}
    supervisor.set_active_role(secretary)
    assert set(Student.objects.visible_to(supervisor)) == {world.students["cs"]}


def test_a_mentor_sees_only_students_placed_with_them(world: World) -> None:
    other = make_user("M0002", Role.ENTERPRISE_MENTOR, world.school_a)
    mentor = EnterpriseMentor.objects.create(
        user=other, school=world.school_a, mentor_no="M0002", enterprise_name="另一企业", name="另一导师", gender="M"
    )
    assert not Student.objects.visible_to(other).exists()
    Student.objects.filter(pk=world.students["me"].pk).update(enterprise_mentor=mentor)
    assert set(Student.objects.visible_to(other)) == {world.students["me"]}
    assert set(Student.objects.visible_to(world.mentor_a)) == {world.students["cs"]}


def test_scoped_lists_keep_a_fixed_number_of_queries(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    user = User.objects.get(pk=world.school_admin.pk)
    user.roles_held  # noqa: B018 - the middleware loads the roles once per request
    with django_assert_num_queries(1):
        list(Student.objects.visible_to(user).select_related("department", "supervisor"))
    dept = User.objects.get(pk=world.dept_admin_cs.pk)
    dept.roles_held  # noqa: B018
    with django_assert_num_queries(1):
        list(EnterpriseMentor.objects.visible_to(dept))
