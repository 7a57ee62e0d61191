"""The clearance part of the demo (SPEC X-09, C-01…C-08): a plan over > 2,000 graduating students.

Called by ``orgs.demo.load_demo`` (first run, or once on an installation loaded
before clearance had demo data). Graduating masters are added set-based to 中原理工大学;
the plan has the seed's ten checkpoints, is initialised through
``clearance.actions`` and then decided in mixed batches through ``pass_tasks`` by
the operators' accounts, so counters, the desk, the query pages and the student
view all show something. College checkpoints of the colleges without a demo
account are decided through the same set-based core on their staff's behalf.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from campusflow.accounts.models import RoleAssignment, User
from campusflow.clearance import actions
from campusflow.clearance.actions.decisions import _decide
from campusflow.clearance.models import ClearancePlan, ClearanceRecord
from campusflow.core.roles import Role
from campusflow.orgs.models import OrgUnit, Student, Teacher
from campusflow.workflow.models import CaseEvent, Task

PLAN_NAME = "2026届研究生6月份"
NEW_STUDENTS = 1960  # with the masters already in the demo, the plan covers > 2,000
SEED = 20_260_601


@dataclass(frozen=True)
class Checkpoint:
    name: str
    handler: str
    after: tuple[str, ...] = ()
    pass_share: float = 0.8
    fail_share: float = 0.03
    fail_reason: str = ""


CHECKPOINTS = (
    Checkpoint("导师审核", "supervisor", pass_share=0.88, fail_share=0.02, fail_reason="论文修改未完成"),
    Checkpoint("培养单位学工审核", "dept:dept_student_affairs", ("导师审核",), 0.8, 0.02, "党团关系未转出"),
    Checkpoint("教务秘书", "dept:teaching_secretary", (), 0.78, 0.03, "成绩单未确认"),
    Checkpoint("图书馆", "office:library", (), 0.82, 0.05, "图书未归还"),
    Checkpoint("实验室与设备管理", "office:labs", (), 0.8, 0.02, "实验设备未归还"),
    Checkpoint("国家重点实验室审核", "office:key_lab", (), 0.76, 0.01, "实验记录未归档"),
    Checkpoint("校医院审核", "office:hospital", (), 0.85, 0.0),
    Checkpoint("研究生缴费", "office:graduate_school", (), 0.8, 0.04, "学费未缴清"),
    Checkpoint("财务清算", "office:finance", ("研究生缴费",), 0.75, 0.02, "借款未报销"),
    Checkpoint("提交毕业生登记表", "office:student_affairs", ("导师审核",), 0.7, 0.0),
)

# Offices the checkpoints need (created when the demo school has none of that type).
OFFICES = {
    OrgUnit.OfficeType.LIBRARY: ("图书馆", "93"),
    OrgUnit.OfficeType.LABS: ("实验室与设备管理处", "96"),
    OrgUnit.OfficeType.KEY_LAB: ("国家重点实验室", "97"),
    OrgUnit.OfficeType.HOSPITAL: ("校医院", "95"),
    OrgUnit.OfficeType.GRADUATE_SCHOOL: ("研究生院", "90"),
    OrgUnit.OfficeType.FINANCE: ("财务处", "94"),
    OrgUnit.OfficeType.STUDENT_AFFAIRS: ("学工处", "91"),
}


@dataclass(frozen=True)
class OperatorAccount:
    username: str
    name: str
    office_type: str
    label: str


# One 离校点操作员 per office checkpoint (the library's is the existing ``demo_library``).
OPERATORS = (
    OperatorAccount("demo_op_labs", "魏建军", OrgUnit.OfficeType.LABS, "离校点操作员（实验室与设备管理处）"),
    OperatorAccount("demo_op_keylab", "潘晓琳", OrgUnit.OfficeType.KEY_LAB, "离校点操作员（国家重点实验室）"),
    OperatorAccount("demo_op_hospital", "田慧敏", OrgUnit.OfficeType.HOSPITAL, "离校点操作员（校医院）"),
    OperatorAccount("demo_op_grad", "袁志刚", OrgUnit.OfficeType.GRADUATE_SCHOOL, "离校点操作员（研究生院·缴费）"),
    OperatorAccount("demo_op_finance", "蔡丽华", OrgUnit.OfficeType.FINANCE, "离校点操作员（财务处）"),
    OperatorAccount("demo_op_sa", "程晓东", OrgUnit.OfficeType.STUDENT_AFFAIRS, "离校点操作员（学工处·登记表）"),
)


def built() -> bool:
    return ClearancePlan.objects.filter(name=PLAN_NAME, school__name="中原理工大学").exists()


def _offices(school: OrgUnit) -> dict[str, OrgUnit]:
    found: dict[str, OrgUnit] = {}
    for unit in OrgUnit.objects.filter(school=school, kind=OrgUnit.Kind.OFFICE, is_active=True).order_by(
        "sort_order", "id"
    ):
        found.setdefault(unit.office_type, unit)
    for office_type, (name, code) in OFFICES.items():
        if office_type not in found:
            found[office_type] = OrgUnit.objects.create(
                kind=OrgUnit.Kind.OFFICE,
                office_type=office_type,
                name=name,
                code=code,
                parent=school,
                school=school,
                sort_order=60,
            )
    return found


def _operators(offices: dict[str, OrgUnit], password_hash: str) -> None:
    now = timezone.now()
    taken = set(User.objects.filter(username__in=[o.username for o in OPERATORS]).values_list("username", flat=True))
    users = [
        User(
            username=o.username,
            full_name=o.name,
            school=offices[o.office_type].school,
            is_demo=True,
            password=password_hash,
            activated_at=now,
            must_change_password=False,
            password_changed_at=now,
            email=f"{o.username}@example.edu.cn",
        )
        for o in OPERATORS
        if o.username not in taken
    ]
    User.objects.bulk_create(users)
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=u, role=Role.CHECKPOINT_OPERATOR, unit=offices[o.office_type])
            for u, o in zip(users, [o for o in OPERATORS if o.username not in taken], strict=True)
        ]
    )


def _students(school: OrgUnit, rng: random.Random) -> None:
    """Graduating academic masters of 2023 in every college (realistic rows, set-based)."""
    from campusflow.orgs.demo import Names

    names = Names(rng)
    colleges = list(OrgUnit.objects.filter(school=school, kind=OrgUnit.Kind.DEPARTMENT).order_by("code"))
    supervisors: dict[int, list[int]] = {}
    for pk, dept in Teacher.objects.filter(school=school, is_supervisor=True).values_list("pk", "department_id"):
        supervisors.setdefault(dept, []).append(pk)
    rows = []
    for n in range(NEW_STUDENTS):
        college = colleges[n % len(colleges)]
        seq = n // len(colleges) + 1
        name, gender = names.person()
        born = names.birth(2000)
        father, _g = names.person("M", surname=name[0])
        mother, _g = names.person("F")
        rows.append(
            Student(
                school=school,
                department=college,
                student_no=f"2023{college.code}5{seq:03d}",
                candidate_no=f"2341{rng.randrange(10**10):010d}",
                name=name,
                gender=gender,
                id_number=names.id_number(born, gender),
                birth_date=born,
                category=Student.Category.ACADEMIC_MASTER,
                level=Student.Level.MASTER,
                certificate=Student.Certificate.DOUBLE,
                grade=2023,
                major=f"{college.name.removesuffix('学院')}（学术学位）",
                class_name=f"{college.name.removesuffix('学院')}23级硕士{seq % 4 + 1}班",
                supervisor_id=rng.choice(supervisors[college.pk]) if supervisors.get(college.pk) else None,
                accommodation=f"东区-研{rng.randrange(1, 9)}号楼-{rng.randrange(1, 7)}层-{rng.randrange(101, 640)}-"
                f"{rng.randrange(1, 5):02d}床",
                status=Student.Status.ENROLLED,
                phone=names.mobile(),
                father_name=father,
                father_phone=names.mobile(),
                mother_name=mother,
                mother_phone=names.mobile(),
                household_transfer="是（已迁入学校集体户）" if rng.random() < 0.35 else "否",
            )
        )
    Student.objects.bulk_create(rows, batch_size=1000)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def build(password_hash: str) -> int:
    """Build the plan and its mixed states; returns the number of students it covers."""
    rng = random.Random(SEED)
    school = OrgUnit.objects.get(kind=OrgUnit.Kind.SCHOOL, name="中原理工大学")
    offices = _offices(school)
    _operators(offices, password_hash)
    _students(school, rng)
    admin = _user("demo_school_admin")
    plan = actions.create_plan(
        actor=admin,
        school=school,
        data=actions.PlanInput(
            name=PLAN_NAME,
            grades=[2023, 2024],
            categories=[Student.Category.ACADEMIC_MASTER, Student.Category.PROFESSIONAL_MASTER],
        ),
    )
    keys: dict[str, str] = {}
    for checkpoint in CHECKPOINTS:
        step = actions.add_checkpoint(
            actor=admin,
            plan_id=plan.pk,
            name=checkpoint.name,
            handler=checkpoint.handler,
            prerequisites=[keys[name] for name in checkpoint.after],
        )
        keys[checkpoint.name] = step.key
    covered = actions.initialise(actor=admin, plan_id=plan.pk).created
    plan.refresh_from_db()
    _decide_mixed(plan, rng)
    _issue(plan)
    return covered


def _decide_mixed(plan: ClearancePlan, rng: random.Random) -> None:
    records = list(
        ClearanceRecord.objects.filter(plan=plan)
        .order_by("student__student_no")
        .values_list("student_id", "department_id")
    )
    demo_student = Student.objects.filter(user__username="demo_student").values_list("pk", flat=True).first()
    # The first 12 % clear every checkpoint (issuance has someone to hand certificates to).
    cleared = {sid for sid, _dept in records[: len(records) * 12 // 100]}
    steps = {s.name: s for s in plan.definition.steps.all()}
    college_roles = {"dept:dept_student_affairs": "demo_dept_sa", "dept:teaching_secretary": "demo_secretary"}
    cs = OrgUnit.objects.get(school=plan.school, code="01", kind=OrgUnit.Kind.DEPARTMENT)
    for checkpoint in CHECKPOINTS:
        step = steps[checkpoint.name]
        passing: list[int] = []
        failing: list[int] = []
        for sid, _dept in records:
            if sid == demo_student and checkpoint.name not in ("图书馆", "校医院审核", "导师审核"):
                continue  # demo_student sees a flow in progress
            roll = rng.random()
            if sid in cleared or roll < checkpoint.pass_share:
                passing.append(sid)
            elif roll < checkpoint.pass_share + checkpoint.fail_share:
                failing.append(sid)
        for result, ids, remark in ((actions.PASS, passing, ""), (actions.FAIL, failing, checkpoint.fail_reason)):
            if not ids:
                continue
            if checkpoint.handler.startswith("office:"):
                office_type = checkpoint.handler.partition(":")[2]
                username = "demo_library" if office_type == "library" else _operator_of(office_type)
                actions.pass_tasks(
                    actor=_user(username), checkpoint=step, student_ids=ids, result=result, remark=remark
                )
                continue
            if checkpoint.handler in college_roles:
                # 计算机学院 through its demo account; the other colleges on their staff's behalf.
                actions.pass_tasks(
                    actor=_user(college_roles[checkpoint.handler]),
                    checkpoint=step,
                    student_ids=ids,
                    result=result,
                    remark=remark,
                )
            _decide(
                plan=plan,
                step=step,
                records=ClearanceRecord.objects.filter(plan=plan, student_id__in=ids).exclude(department=cs)
                if checkpoint.handler in college_roles
                else ClearanceRecord.objects.filter(plan=plan, student_id__in=ids),
                result=result,
                remark=remark,
                actor=None,
                acting_role=Role.SUPERVISOR if checkpoint.handler == "supervisor" else checkpoint.handler[5:],
                task_q=None,
                kind=CaseEvent.Kind.APPROVED if result == actions.PASS else CaseEvent.Kind.FAILED,
            )


def _operator_of(office_type: str) -> str:
    return next(o.username for o in OPERATORS if o.office_type == office_type)


def _issue(plan: ClearancePlan) -> None:
    """demo_dept_op has handed diplomas to a few cleared students of 计算机学院."""
    issuer = _user("demo_dept_op")
    ids = list(
        ClearanceRecord.objects.visible_to(issuer)
        .filter(plan=plan, cleared_at__isnull=False)
        .order_by("student__student_no")
        .values_list("pk", flat=True)[:8]
    )
    if ids:
        actions.record_issuance(
            actor=issuer, record_ids=ids, item="diploma", issued_on=timezone.localdate() - timedelta(days=1)
        )


def open_step_counts(plan: ClearancePlan) -> dict[str, set[str]]:
    """Task states per checkpoint (for the demo test)."""
    found: dict[str, set[str]] = {}
    for name, state in (
        Task.objects.filter(case__clearance_record__plan=plan).values_list("step__name", "state").distinct()
    ):
        found.setdefault(name, set()).add(state)
    return found
