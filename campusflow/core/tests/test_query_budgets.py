"""Query budgets of the pages (issue 6), outside clearance (which has its own file).

Beyond the session, user and role lookups (``core.testing.page_queries``), a list page runs at
most 4 queries, a detail page 6, a dashboard 2 — and a list runs the same number with 20 rows
as with 100. Each failure lists the page's queries.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from campusflow.accounts.models import User
from campusflow.bases.models import Enterprise, SchoolEnterprise
from campusflow.core.models import AuditEvent
from campusflow.core.testing import BUDGET, World, assert_within_budget, client_for, page_queries, valid_id_number
from campusflow.jobs.models import Job
from campusflow.notifications.models import Notification
from campusflow.orgs.models import EnterpriseMentor, Student, Teacher

_serial = itertools.count(1)


def _students(world: World, n: int) -> None:
    Student.objects.bulk_create(
        Student(
            school=world.school_a,
            department=world.cs if i % 2 else world.me,
            student_no=f"2025{next(_serial):06d}",
            name=f"学生{i}",
            gender="F",
            id_number=valid_id_number(serial=i % 999 + 1),
            category=Student.Category.UNDERGRADUATE,
            level=Student.Level.BACHELOR,
            phone="13800000000",
            supervisor=world.teachers["cs"],
        )
        for i in range(n)
    )


def _teachers(world: World, n: int) -> None:
    Teacher.objects.bulk_create(
        Teacher(school=world.school_a, department=world.cs, staff_no=f"T9{next(_serial):05d}", name=f"教师{i}")
        for i in range(n)
    )


def _mentors(world: World, n: int) -> None:
    EnterpriseMentor.objects.bulk_create(
        EnterpriseMentor(
            school=world.school_a,
            mentor_no=f"M9{next(_serial):05d}",
            enterprise_name="某企业",
            name=f"导师{i}",
            partner_supervisor=world.teachers["cs"],
        )
        for i in range(n)
    )


def _notifications(world: World, n: int) -> None:
    Notification.objects.bulk_create(Notification(recipient=world.school_admin, title=f"消息{i}") for i in range(n))


def _audit(world: World, n: int) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=world.school_admin, actor_name="管理员", action="test.row", school=world.school_a)
        for _ in range(n)
    )


def _users(world: World, n: int) -> None:
    User.objects.bulk_create(User(username=f"u{next(_serial):06d}", school=world.school_a) for _ in range(n))


def _jobs(world: World, n: int) -> None:
    Job.objects.bulk_create(
        Job(kind="test", title=f"任务{i}", created_by=world.school_admin, school=world.school_a) for i in range(n)
    )


def _enterprises(world: World, n: int) -> None:
    made = Enterprise.objects.bulk_create(
        Enterprise(credit_code=f"91110000{next(_serial):09d}X", name=f"企业{i}") for i in range(n)
    )
    SchoolEnterprise.objects.bulk_create(
        SchoolEnterprise(
            school=world.school_a,
            enterprise=e,
            kind=SchoolEnterprise.Kind.COOPERATING,
            created_by=world.school_admin,
        )
        for e in made
    )


Grow = Callable[[World, int], None]
LISTS: list[tuple[str, str, Grow]] = [
    ("school_admin", "/org/students/", _students),
    ("provincial_admin", "/org/students/", _students),
    ("secretary_cs", "/org/students/", _students),
    ("school_admin", "/org/teachers/", _teachers),
    ("school_admin", "/org/mentors/", _mentors),
    ("school_admin", "/notifications/", _notifications),
    ("school_admin", "/audit/", _audit),
    ("school_admin", "/accounts/users/", _users),
    ("school_admin", "/jobs/", _jobs),
    ("school_admin", "/bases/enterprises/", _enterprises),
    ("school_admin", "/bases/partners/", _enterprises),
]


@pytest.mark.spec("X-06")
@pytest.mark.parametrize(("who", "url", "grow"), LISTS, ids=[f"{w}:{u}" for w, u, _ in LISTS])
def test_list_pages_keep_their_budget_with_20_and_100_rows(
    world: World, who: str, url: str, grow: Grow, settings: Any
) -> None:
    settings.LIST_PAGE_SIZE = 100  # every row on the one page, so per-row queries would show
    client = client_for(getattr(world, who))
    grow(world, 20)
    with_20 = assert_within_budget(client, url, "list")
    grow(world, 80)
    with_100 = assert_within_budget(client, url, "list")
    assert len(with_100) == len(with_20), "\n".join(with_100)


PAGES: list[tuple[str, str, str]] = [
    ("school_admin", "/", "dashboard"),
    ("provincial_admin", "/", "dashboard"),
    ("secretary_cs", "/", "dashboard"),
    ("supervisor_cs", "/", "dashboard"),
    ("mentor_a", "/", "dashboard"),
    ("student_cs", "/", "dashboard"),
    ("grad_school", "/", "dashboard"),
    ("school_admin", "/org/units/", "list"),
    ("school_admin", "/org/commitments/", "list"),
    ("provincial_admin", "/org/commitments/", "list"),
    ("school_admin", "/bases/", "list"),
    ("school_admin", "/practice/", "list"),
    ("student_cs", "/practice/leave/", "list"),
    ("secretary_cs", "/practice/leave/", "list"),
    ("student_cs", "/practice/leave-school/", "list"),
    ("mentor_a", "/workflow/inbox/", "list"),
    ("mentor_a", "/workflow/inbox/?tab=done", "list"),
    ("mentor_a", "/workflow/inbox/?tab=mine", "list"),
    ("mentor_a", "/workflow/inbox/?tab=cc", "list"),
    ("system_admin", "/workflow/definitions/", "list"),
    ("supervisor_cs", "/workflow/delegations/", "list"),
    ("school_admin", "/accounts/profile/", "detail"),
]


@pytest.mark.spec("X-06")
@pytest.mark.parametrize(("who", "url", "kind"), PAGES, ids=[f"{w}:{u}" for w, u, _ in PAGES])
def test_pages_keep_their_budget(world: World, who: str, url: str, kind: str) -> None:
    assert_within_budget(client_for(getattr(world, who)), url, kind)


def _detail_urls(world: World) -> list[tuple[str, str]]:
    return [
        ("school_admin", f"/org/students/{world.students['cs'].pk}/"),
        ("school_admin", f"/org/teachers/{world.teachers['cs'].pk}/"),
        ("school_admin", f"/org/mentors/{world.mentors['a'].pk}/"),
        ("school_admin", f"/accounts/users/{world.secretary_cs.pk}/"),
    ]


@pytest.mark.spec("X-06")
def test_detail_pages_keep_their_budget(world: World) -> None:
    for who, url in _detail_urls(world):
        assert_within_budget(client_for(getattr(world, who)), url, "detail")


@pytest.mark.spec("X-06")
def test_the_bell_count_rides_on_the_user_lookup(world: World) -> None:
    """The header's unread count costs no query of its own, and is right."""
    _notifications(world, 3)
    client = client_for(world.school_admin)
    own = page_queries(client, "/org/units/")
    assert not any('"notifications_notification"' in sql for sql in own)
    html = client.get("/org/units/").content.decode()
    assert 'data-testid="bell-count">3<' in html
    Notification.objects.filter(recipient=world.school_admin).update(read_at=timezone.now())
    assert 'data-testid="bell-count"' not in client.get("/org/units/").content.decode()


@pytest.mark.spec("S-03", "S-08")
def test_a_page_view_rewrites_the_session_at_most_once_a_minute(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.school_admin)
    client.get("/")
    client.get("/workflow/inbox/")  # a page with one-time form tokens (S-08)
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
        client.get("/org/units/")
        client.get("/workflow/inbox/")
    writes = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('UPDATE "django_session"')]
    assert writes == []


def test_the_budgets_are_the_issue_s() -> None:
    assert BUDGET == {"list": 4, "detail": 6, "dashboard": 2}


@pytest.mark.spec("X-06", "P-04")
def test_a_list_past_the_count_cap_says_so_and_still_pages(world: World, monkeypatch: Any, settings: Any) -> None:
    from campusflow.core import pagination

    settings.LIST_PAGE_SIZE = 20
    monkeypatch.setattr(pagination, "COUNT_CAP", 30)
    _students(world, 45)  # with the world's own: more than 30
    client = client_for(world.school_admin)
    first = client.get("/org/students/").content.decode()
    assert "共 30+ 条" in first
    assert "第 1 页 / 共 2 页" in first
    assert client.get("/org/students/?page=2").content.decode().count('data-testid="student-row"') == 10
    exact = client.get("/org/students/?q=学生1").content.decode()  # 学生1, 学生10…19: under the cap
    assert "共 11 条" in exact and "+ 条" not in exact


@pytest.mark.spec("X-04", "X-06")
def test_a_province_home_reads_its_scope_figures_from_a_one_minute_rollup(world: World) -> None:
    import time_machine

    client = client_for(world.provincial_admin)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        first = client.get("/").content.decode()
        assert 'data-testid="figures-at"' in first
        shown = Student.objects.count()
        assert f'data-testid="count-students">{shown}<' in first
        _students(world, 3)
        own = page_queries(client, "/")
        assert not any('"orgs_student"' in sql for sql in own)  # from the rollup
        assert f'data-testid="count-students">{shown}<' in client.get("/").content.decode()
        traveller.shift(61)
        assert f'data-testid="count-students">{shown + 3}<' in client.get("/").content.decode()
    # A school's figures stay live.
    school = client_for(world.school_admin)
    before = school.get("/").content.decode()
    assert 'data-testid="figures-at"' not in before
    _students(world, 2)
    count = Student.objects.filter(school=world.school_a).count()
    assert f'data-testid="count-students">{count}<' in school.get("/").content.decode()
