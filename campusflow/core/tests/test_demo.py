"""X-09: ``manage.py load_demo`` builds a realistic installation a person can log in to as each role."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import password_validation
from django.core.management import CommandError, call_command
from django.db import models
from django.test import Client
from django.utils import timezone

from campusflow.accounts.models import RoleAssignment, User
from campusflow.bases.models import BaseMentor, PracticeBase
from campusflow.core.models import AuditEvent
from campusflow.core.roles import Role
from campusflow.core.validators import validate_id_number, validate_mobile
from campusflow.notifications.models import Notification
from campusflow.orgs import demo
from campusflow.orgs.models import EnterpriseMentor, OrgUnit, Student, Teacher
from campusflow.practice import leave_actions
from campusflow.practice.models import LeaveRequest, LeaveSchoolApplication, Placement
from campusflow.workflow import actions, selectors
from campusflow.workflow.models import CarbonCopy, Case, CaseEvent, Task

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
    Case,
    Task,
    CaseEvent,
    CarbonCopy,
    LeaveRequest,
    LeaveSchoolApplication,
    Notification,
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


# -- W-04: workflow cases in every state, and the leave chain a person can try ----------------------

CHAIN = ("demo_mentor", "demo_supervisor", "demo_dean", "demo_sa_office")


@pytest.mark.spec("X-09", "G-06", "W-04")
def test_cases_in_every_state_fill_the_inboxes_but_not_demo_students_list():
    output = load()
    assert set(Case.objects.values_list("state", flat=True)) == set(Case.State.values)
    for code in ("practice.leave_request", "practice.leave_school"):
        assert Case.objects.filter(definition__code=code).count() >= 5, code
    kinds = set(CaseEvent.objects.values_list("kind", flat=True))
    assert {"resubmitted", "rejected_to_step", "skipped", "transferred", "signer_added", "copied"} <= kinds
    # Approved with the student-affairs step (more than a week) and without it.
    approved = LeaveRequest.objects.filter(case__state=Case.State.APPROVED)
    assert any(r.leave_days >= 8 for r in approved) and any(r.leave_days <= 7 for r in approved)
    assert Task.objects.filter(state=Task.State.OPEN, due_at__lt=timezone.now()).exists()
    assert LeaveSchoolApplication.objects.exclude(travel_attachment="").exists()

    for username in (*CHAIN, "demo_secretary"):
        user = User.objects.get(username=username)
        assert selectors.counts(user)["todo"] >= 1, username
    assert selectors.counts(User.objects.get(username="demo_mentor"))["overdue"] >= 1
    student = User.objects.get(username="demo_student")
    # Their own list holds no application yet; the demo plan's clearance case is not one they filed.
    assert Case.objects.filter(applicant=student, definition__code__startswith="clearance.").exists()
    assert not Case.objects.filter(applicant=student).exclude(definition__code__startswith="clearance.").exists()
    assert selectors.counts(student)["mine"] == 0
    assert "demo_student" in output and "我要请假" in output and "demo_sa_office" in output

    before = counts()
    load()
    assert counts() == before


def _act(username: str, record: LeaveRequest) -> None:
    user = User.objects.get(username=username)
    task = Task.objects.get(case=record.case_id, state="open")
    assert selectors.counts(user)["todo"] >= 1
    actions.approve(actor=user, task_id=task.pk, opinion="同意")


@pytest.mark.spec("X-09", "G-06", "W-04")
def test_demo_student_carries_a_ten_day_and_a_three_day_leave_to_the_end():
    load()
    student = User.objects.get(username="demo_student")
    profile = Student.objects.get(user=student)
    assert profile.category == Student.Category.PROFESSIONAL_MASTER
    assert Student.objects.filter(
        pk=profile.pk, supervisor__user__username="demo_supervisor", enterprise_mentor__user__username="demo_mentor"
    ).exists()
    placement = Placement.objects.get(student=profile, status=Placement.Status.ON_SITE)
    assert placement.base.mentors.filter(user__username="demo_mentor").exists()
    assert RoleAssignment.objects.filter(
        user__username="demo_dean", role=Role.TEACHING_DEAN, unit=profile.department
    ).exists()
    assert RoleAssignment.objects.filter(
        user__username="demo_secretary", role=Role.TEACHING_SECRETARY, unit=profile.department
    ).exists()
    assert RoleAssignment.objects.filter(
        user__username="demo_sa_office",
        role=Role.STUDENT_AFFAIRS_OFFICE,
        unit__school=profile.school,
        unit__office_type=OrgUnit.OfficeType.STUDENT_AFFAIRS,
    ).exists()

    def ask(days: int) -> LeaveRequest:
        start = timezone.localdate() + timedelta(days=3)
        data = leave_actions.LeaveInput(
            start_date=start, end_date=start + timedelta(days=days - 1), reason="返校答辩", phone="13800138000"
        )
        return leave_actions.submit_leave_request(actor=User.objects.get(username="demo_student"), data=data)

    ten, three = ask(10), ask(3)
    for username in CHAIN:
        _act(username, ten)
    for username in CHAIN[:3]:
        _act(username, three)
    assert ten.case_id is not None and three.case_id is not None
    ten_case, three_case = Case.objects.get(pk=ten.case_id), Case.objects.get(pk=three.case_id)
    assert ten_case.state == three_case.state == Case.State.APPROVED
    timeline = list(ten_case.events.order_by("at", "id").values_list("kind", "actor__username"))
    assert timeline == [
        ("submitted", "demo_student"),
        *[("approved", username) for username in CHAIN],
        ("completed", None),
    ]
    assert three_case.events.filter(kind=CaseEvent.Kind.SKIPPED, step_key="student_affairs").exists()
    student = User.objects.get(username="demo_student")
    assert selectors.counts(student)["mine"] == 2


# -- clearance (C-01…C-08, issue: a plan over ≥ 2,000 students, 10 checkpoints, mixed states) --------------


@pytest.mark.spec("C-05")
def test_clearance_plan_has_2000_students_10_checkpoints_mixed_states_and_operators():
    from campusflow.clearance import actions as clearance
    from campusflow.clearance import demo as clearance_demo
    from campusflow.clearance.models import ClearanceCounter, ClearancePlan, ClearanceRecord

    output = load()
    plan = ClearancePlan.objects.get(name=clearance_demo.PLAN_NAME)
    assert plan.state == ClearancePlan.State.ACTIVE
    assert ClearanceRecord.objects.filter(plan=plan).count() >= 2000
    steps = list(plan.definition.steps.order_by("order"))
    assert [s.name for s in steps] == [c.name for c in clearance_demo.CHECKPOINTS]
    states = clearance_demo.open_step_counts(plan)
    mixed = set().union(*states.values())
    assert {Task.State.OPEN, Task.State.APPROVED, Task.State.FAILED} <= mixed
    # Some checkpoints still wait for their prerequisites (no task yet).
    waiting = Task.objects.filter(case__clearance_record__plan=plan, step__name="财务清算").count()
    assert waiting < ClearanceRecord.objects.filter(plan=plan).count()
    assert ClearanceRecord.objects.filter(plan=plan, cleared_at__isnull=False).count() >= 100
    assert ClearanceRecord.objects.filter(plan=plan, diploma_issued_on__isnull=False).exists()
    # The counters equal a recount.
    before = sorted(
        ClearanceCounter.objects.filter(plan=plan).values_list("step_id", "department_id", "passed", "failed")
    )
    clearance.recount(plan)
    assert before == sorted(
        ClearanceCounter.objects.filter(plan=plan).values_list("step_id", "department_id", "passed", "failed")
    )
    # demo_student is covered and sees a flow in progress.
    me = Client()
    me.force_login(User.objects.get(username="demo_student"))
    assert "图书馆" in me.get("/clearance/me/").content.decode()
    # Every office checkpoint has an operator account, printed in the table, who sees it on the desk.
    for op in clearance_demo.OPERATORS:
        assert op.username in output
        user = User.objects.get(username=op.username)
        c = Client()
        c.force_login(user)
        page = c.get("/clearance/desk/").content.decode()
        mine = [s.name for s in clearance.checkpoints_for(user.active_role, plan)]
        assert mine and all(name in page for name in mine)
    library = Client()
    library.force_login(User.objects.get(username="demo_library"))
    assert "图书馆" in library.get("/clearance/desk/").content.decode()
    # The query pages show the plan.
    admin = Client()
    admin.force_login(User.objects.get(username="demo_school_admin"))
    assert admin.get("/clearance/query/statistics/").status_code == 200
    # A second run changes nothing.
    count = ClearanceRecord.objects.count()
    load()
    assert ClearanceRecord.objects.count() == count
