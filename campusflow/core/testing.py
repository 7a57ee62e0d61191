"""A small world of schools and people for tests, and helpers to act as them.

Every app's tests use the same personas (SPEC P-03), so "the teaching
secretary of another college" means the same account everywhere:

school A (华北理工大学): colleges 计算机学院 (cs) and 机械学院 (me), offices
研究生院, 学工处, 图书馆; school B (中原职业技术学院): college 信息工程学院.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.test import Client
from django.utils import timezone

from campusflow.accounts.models import RoleAssignment, User
from campusflow.core.roles import Role
from campusflow.core.validators import id_number_check_digit
from campusflow.orgs.models import EnterpriseMentor, OrgUnit, Student, Teacher

PASSWORD = "Persona#Pass2026"  # noqa: S105 - test personas only
_seq = itertools.count(1)


def valid_id_number(birth: date = date(2001, 5, 17), serial: int | None = None) -> str:
    serial = next(_seq) % 1000 if serial is None else serial
    first17 = f"410105{birth:%Y%m%d}{serial:03d}"
    return first17 + id_number_check_digit(first17)


def make_user(username: str, role: Role, unit: OrgUnit | None, *, activated: bool = True, **extra: Any) -> User:
    school = unit.school if unit is not None and unit.school_id else None
    user = User(username=username, full_name=extra.pop("full_name", username), school=school, **extra)
    user.set_password(PASSWORD)
    if activated:
        user.activated_at = timezone.now()
        user.must_change_password = False
        user.password_changed_at = timezone.now()
    user.save()
    RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return user


@dataclass
class World:
    province: OrgUnit
    school_a: OrgUnit
    school_b: OrgUnit
    cs: OrgUnit
    me: OrgUnit
    b_info: OrgUnit
    grad_office: OrgUnit
    library: OrgUnit
    sa_office: OrgUnit
    people: dict[str, User] = field(default_factory=dict)
    students: dict[str, Student] = field(default_factory=dict)
    teachers: dict[str, Teacher] = field(default_factory=dict)
    mentors: dict[str, EnterpriseMentor] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        people = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        raise AttributeError(name)


def unit(name: str, kind: str, parent: OrgUnit | None, code: str = "", **extra: Any) -> OrgUnit:
    created = OrgUnit.objects.create(name=name, kind=kind, parent=parent, code=code, **extra)
    if kind == OrgUnit.Kind.SCHOOL:
        created.school = created
    elif parent is not None:
        created.school = parent.school
    created.save(update_fields=["school"])
    return created


def build_world() -> World:
    province = unit("河南省教育厅", "province", None, "HA")
    school_a = unit("华北理工大学", "school", province, "10001")
    school_b = unit("中原职业技术学院", "school", province, "10002")
    cs = unit("计算机学院", "department", school_a, "01")
    me = unit("机械学院", "department", school_a, "02")
    b_info = unit("信息工程学院", "department", school_b, "01")
    grad_office = unit("研究生院", "office", school_a, "90", office_type="graduate_school")
    library = unit("图书馆", "office", school_a, "91", office_type="library")
    sa_office = unit("学工处", "office", school_a, "94", office_type="student_affairs")
    world = World(province, school_a, school_b, cs, me, b_info, grad_office, library, sa_office)

    p = world.people
    p["system_admin"] = make_user("sysadmin", Role.SYSTEM_ADMIN, province)
    p["provincial_admin"] = make_user("prov_admin", Role.PROVINCIAL_ADMIN, province)
    p["school_admin"] = make_user("a_admin", Role.SCHOOL_ADMIN, school_a)
    p["school_admin_b"] = make_user("b_admin", Role.SCHOOL_ADMIN, school_b)
    p["dept_admin_cs"] = make_user("cs_admin", Role.DEPARTMENT_ADMIN, cs)
    p["secretary_cs"] = make_user("cs_secretary", Role.TEACHING_SECRETARY, cs)
    p["secretary_me"] = make_user("me_secretary", Role.TEACHING_SECRETARY, me)
    p["dean_cs"] = make_user("cs_dean", Role.TEACHING_DEAN, cs)
    p["grad_school"] = make_user("a_grad", Role.GRADUATE_SCHOOL, grad_office)
    p["library_operator"] = make_user("a_library", Role.CHECKPOINT_OPERATOR, library)
    p["student_affairs"] = make_user("a_sa", Role.STUDENT_AFFAIRS_OFFICE, sa_office)
    p["supervisor_cs"] = make_user("T1001", Role.SUPERVISOR, cs)
    p["supervisor_me"] = make_user("T2001", Role.SUPERVISOR, me)
    p["mentor_a"] = make_user("M0001", Role.ENTERPRISE_MENTOR, school_a)
    p["student_cs"] = make_user("2023010001", Role.STUDENT, cs)
    p["student_me"] = make_user("2023020001", Role.STUDENT, me)
    p["student_b"] = make_user("2024010001", Role.STUDENT, b_info)

    t_cs = Teacher.objects.create(
        user=p["supervisor_cs"],
        school=school_a,
        department=cs,
        staff_no="T1001",
        name="张导师",
        is_supervisor=True,
        title="教授",
        phone="13900001001",
    )
    t_me = Teacher.objects.create(
        user=p["supervisor_me"],
        school=school_a,
        department=me,
        staff_no="T2001",
        name="李导师",
        is_supervisor=True,
        title="副教授",
    )
    world.teachers = {"cs": t_cs, "me": t_me}
    mentor = EnterpriseMentor.objects.create(
        user=p["mentor_a"],
        school=school_a,
        mentor_no="M0001",
        enterprise_name="中原油田研究院",
        name="马建英",
        gender="F",
        phone="13972000001",
        partner_supervisor=t_cs,
    )
    world.mentors = {"a": mentor}

    def student(key: str, user: User, school: OrgUnit, dept: OrgUnit, no: str, name: str, **extra: Any) -> None:
        world.students[key] = Student.objects.create(
            user=user,
            school=school,
            department=dept,
            student_no=no,
            name=name,
            gender="M",
            id_number=valid_id_number(),
            category=extra.pop("category", Student.Category.PROFESSIONAL_MASTER),
            level=extra.pop("level", Student.Level.MASTER),
            phone="13800138000",
            father_name="王父",
            father_phone="13700137000",
            accommodation="学生公寓3号楼201",
            **extra,
        )

    student("cs", p["student_cs"], school_a, cs, "2023010001", "王小明", supervisor=t_cs, enterprise_mentor=mentor)
    student("me", p["student_me"], school_a, me, "2023020001", "赵小红", supervisor=t_me)
    student(
        "b",
        p["student_b"],
        school_b,
        b_info,
        "2024010001",
        "孙小刚",
        category=Student.Category.VOCATIONAL,
        level=Student.Level.ASSOCIATE,
    )
    return world


def client_for(user: User, role: RoleAssignment | None = None) -> Client:
    """A test client signed in as ``user`` (optionally in a chosen role)."""
    client = Client()
    client.force_login(user)
    if role is not None:
        session = client.session
        session["role_id"] = role.pk
        session.save()
    return client


# -- query budgets (issue 6) ---------------------------------------------------------------

# Every signed-in request reads its session, its user and the user's roles, and may write the
# session back; a page's budget counts the queries beyond those.
_REQUEST_OVERHEAD = ('FROM "django_session"', 'UPDATE "django_session"', 'FROM "accounts_roleassignment"')
BUDGET = {"list": 4, "detail": 6, "dashboard": 2}


def page_queries(client: Client, url: str) -> list[str]:
    """The SQL a GET of ``url`` runs beyond the session, user and role lookups.

    The page is fetched once first so one-off work (a first session write) is not counted.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    own = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")) or any(part in sql for part in _REQUEST_OVERHEAD):
            continue
        if sql.startswith('SELECT "accounts_user"') and 'WHERE "accounts_user"."id" =' in sql and " LIMIT " in sql:
            continue  # the authentication middleware's user lookup
        own.append(sql)
    return own


def assert_within_budget(client: Client, url: str, kind: str) -> list[str]:
    """Fail with the page's own queries listed when a ``kind`` page runs more than its budget."""
    own = page_queries(client, url)
    listing = "\n".join(f"  {i + 1}. {sql[:300]}" for i, sql in enumerate(own))
    assert len(own) <= BUDGET[kind], f"{url} ({kind}) runs {len(own)} queries, budget {BUDGET[kind]}:\n{listing}"
    return own
