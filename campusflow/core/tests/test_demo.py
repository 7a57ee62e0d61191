"""X-09: ``manage.py load_demo`` builds a realistic installation a person can log in to as each role."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import password_validation
from django.core.management import CommandError, call_command
from django.db import models
from django.test import Client

from campusflow.accounts.models import RoleAssignment, User
from campusflow.bases.models import BaseMentor, PracticeBase
from campusflow.core.models import AuditEvent
from campusflow.core.roles import Role
from campusflow.core.validators import validate_id_number, validate_mobile
from campusflow.orgs import demo
from campusflow.orgs.models import EnterpriseMentor, OrgUnit, Student, Teacher
from campusflow.practice.models import Placement

pytestmark = [pytest.mark.spec("X-09"), pytest.mark.django_db]

MODELS = (
    OrgUnit,
    Student,
    Teacher,
    EnterpriseMentor,
    User,
    RoleAssignment,
    AuditEvent,
    PracticeBase,
    BaseMentor,
    Placement,
)


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_builds_a_school_with_every_role_and_a_second_run_changes_nothing():
    output = load()
    assert Student.objects.count() >= 500
    s1 = OrgUnit.objects.get(kind=OrgUnit.Kind.SCHOOL, name="中原理工大学")
    assert OrgUnit.objects.filter(school=s1, kind=OrgUnit.Kind.DEPARTMENT).count() >= 6
    assert OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT).exclude(school=s1).count() >= 2
    offices = set(OrgUnit.objects.filter(school=s1, kind=OrgUnit.Kind.OFFICE).values_list("office_type", flat=True))
    assert {"graduate_school", "student_affairs", "library", "finance", "hospital", "labs"} <= offices
    categories = set(Student.objects.values_list("category", flat=True))
    assert {"academic_master", "professional_master", "academic_doctor", "undergraduate", "vocational"} <= categories
    assert set(Student.objects.values_list("grade", flat=True)) == {2022, 2023, 2024, 2025}
    assert Teacher.objects.count() >= 50
    assert Teacher.objects.filter(is_supervisor=True).exclude(title="").exists()
    assert EnterpriseMentor.objects.count() >= 20
    assert Student.objects.filter(enterprise_mentor__isnull=False).count() >= 10

    # One demo account for every role, all flagged as demo accounts.
    held = set(RoleAssignment.objects.filter(user__is_demo=True).values_list("role", flat=True))
    assert held == set(Role.values)
    dual = User.objects.get(username="demo_dual")
    assert {r.role for r in dual.roles.all()} == {Role.SUPERVISOR, Role.TEACHING_DEAN}
    assert "demo_school2_admin" in output and demo.DEMO_PASSWORD in output
    assert "仅用于本地演示，生产环境不会创建这些账号" in output and "demo-only passwords" in output

    before = counts()
    again = load()
    assert counts() == before
    assert "未做任何改动" in again and "demo_student" in again


def test_people_carry_realistic_valid_data():
    load()
    graduates = Student.objects.filter(level__in=[Student.Level.MASTER, Student.Level.DOCTOR])
    assert not graduates.filter(supervisor__isnull=True).exists()
    assert not graduates.filter(certificate="").exists()
    assert Student.objects.filter(certificate=Student.Certificate.SINGLE).exists()
    for student in Student.objects.order_by("?")[:40]:
        validate_id_number(student.id_number)
        validate_mobile(student.phone)
        assert student.birth_date is not None
        assert student.id_number[6:14] == f"{student.birth_date:%Y%m%d}"
        assert (int(student.id_number[16]) % 2 == 1) == (student.gender == "M")
        assert student.father_name and student.mother_name and student.accommodation and student.household_transfer
        assert student.major and student.class_name and len(student.name) >= 2
    # The blind index was computed by bulk_create: exact lookup by ID number works.
    one = Student.objects.first()
    assert one is not None
    found = Student.objects.get(id_number_index=Student._meta.get_field("id_number_index").compute(one.id_number))
    assert found.pk == one.pk
    mentor = EnterpriseMentor.objects.get(user__username="demo_mentor")
    for name in (
        "enrollment_category",
        "enrollment_field",
        "enrollment_direction",
        "department_name",
        "education",
        "degree",
        "professional_title",
        "position",
        "phone",
    ):
        assert getattr(mentor, name), name
    assert mentor.birth_month and mentor.partner_supervisor is not None
    student = Student.objects.get(user__username="demo_student")
    assert student.enterprise_mentor == mentor
    assert student.supervisor is not None and student.supervisor.user == User.objects.get(username="demo_supervisor")


def test_refused_when_demo_data_is_not_allowed(settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="演示数据"):
        load()
    assert not OrgUnit.objects.exists() and not User.objects.exists()


def test_shared_demo_password_meets_the_admin_policy():
    load()
    admin = User.objects.get(username="demo_school_admin")
    assert admin.is_admin_account
    password_validation.validate_password(demo.DEMO_PASSWORD, admin)
    assert len(demo.DEMO_PASSWORD) >= 12


@pytest.mark.spec("P-03", "P-05")
def test_every_demo_account_logs_in_through_the_login_page():
    load()
    for row in demo.ACCOUNTS:
        client = Client()
        password = demo.DEMO_PASSWORD if row.activated else demo.INITIAL_PASSWORD
        response = client.post("/accounts/login/", {"username": row.username, "password": password})
        assert response.status_code == 302, row.username
        home = client.get("/", follow=True)
        assert home.status_code == 200, row.username
        page = home.content.decode()
        if row.activated:
            assert home.redirect_chain == [], row.username
            assert "当前角色" in page, row.username
        else:
            # First login: straight to activation (P-05).
            assert home.redirect_chain[-1][0] == "/accounts/activate/", row.username
            assert "激活账号" in page


@pytest.mark.spec("P-03")
def test_two_role_account_switches_role():
    load()
    client = Client()
    client.post("/accounts/login/", {"username": "demo_dual", "password": demo.DEMO_PASSWORD})
    dual = User.objects.get(username="demo_dual")
    dean = dual.roles.get(role=Role.TEACHING_DEAN)
    assert client.post("/accounts/role/", {"role": dean.pk}).status_code == 302
    page = client.get("/").content.decode()
    assert "教学院长 · 机械与动力工程学院" in page


@pytest.mark.spec("B-04", "G-01")
def test_bases_and_placements_for_the_demo_mentor_and_supervisor():
    load()
    assert PracticeBase.objects.count() >= 12
    assert PracticeBase.objects.values("responsible_college").distinct().count() >= 6
    assert set(PracticeBase.objects.values_list("origin", flat=True)) == set(PracticeBase.Origin.values)
    assert not EnterpriseMentor.objects.filter(practice_bases__isnull=True).exists()
    practising = Student.objects.filter(category=Student.Category.PROFESSIONAL_MASTER, grade__in=[2023, 2024])
    placed = practising.filter(placements__isnull=False).distinct().count()
    professional = Student.objects.filter(category=Student.Category.PROFESSIONAL_MASTER).count()
    assert placed == practising.count() and placed * 2 > professional
    # Every placement's mentor is one of its base's mentors and the student's enterprise mentor.
    assert not Placement.objects.exclude(base__mentors=models.F("mentor")).exists()
    assert not Placement.objects.exclude(student__enterprise_mentor=models.F("mentor")).exists()
    assert Placement.objects.filter(status=Placement.Status.EXITED).exists()
    mentor = User.objects.get(username="demo_mentor")
    assert Placement.objects.filter(mentor__user=mentor).count() >= 5
    assert Placement.objects.filter(supervisor__user__username="demo_supervisor").count() >= 5
    assert Placement.objects.filter(student__user__username="demo_student", status="on_site").exists()

    client = Client()
    client.post("/accounts/login/", {"username": "demo_mentor", "password": demo.DEMO_PASSWORD})
    page = client.get("/practice/").content.decode()
    assert page.count('data-testid="placement-row"') >= 5
    client = Client()
    client.post("/accounts/login/", {"username": "demo_supervisor", "password": demo.DEMO_PASSWORD})
    assert client.get("/bases/").content.decode().count('data-testid="base-row"') == PracticeBase.objects.count()
