"""Plans and checkpoints (C-01), initialisation, and the counters (C-05).

Part of :mod:`campusflow.clearance.actions`; the package docstring explains the whole.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Case as DbCase
from django.db.models import (
    Count,
    DateTimeField,
    F,
    IntegerField,
    JSONField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat, Left
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campusflow.accounts.models import RoleAssignment, User
from campusflow.clearance.actions._sql import insert_from
from campusflow.clearance.models import ClearanceCounter, ClearancePlan, ClearanceRecord, StudentRange
from campusflow.core import audit
from campusflow.core.access import get_visible_or_404
from campusflow.core.errors import ActionError
from campusflow.core.navigation import CLEARANCE_DESK_ROLES, CLEARANCE_PLAN_MANAGERS
from campusflow.core.roles import Role
from campusflow.orgs.models import OrgUnit, Student
from campusflow.workflow.models import Case, ProcessDefinition, StepDefinition, Task

PLAN_MANAGERS = CLEARANCE_PLAN_MANAGERS
# Who handles checkpoints at the desk (离校点操作员, and the college roles the seed files under it).
DESK_ROLES = CLEARANCE_DESK_ROLES
ISSUERS = frozenset({Role.DEPARTMENT_OPERATOR})

PASS = "pass"  # noqa: S105 - a decision, not a password
FAIL = "fail"
RESULTS = {PASS: gettext_lazy("通过"), FAIL: gettext_lazy("不通过")}
AUTO_PASS_REMARK = gettext_lazy("专业实践已出站，自动通过")
TASK_BATCH = 5000

# -- who handles a checkpoint ---------------------------------------------------------

OFFICE_ACTOR = "office_role"
DEPARTMENT_ACTOR = "department_role"
SUPERVISOR_ACTOR = "school_supervisor"
DEPARTMENT_HANDLERS = (Role.DEPT_STUDENT_AFFAIRS, Role.TEACHING_SECRETARY)


def handler_choices() -> list[tuple[str, str]]:
    """The handling units a checkpoint may name: an office type, or a college role, or the supervisor."""
    choices = [
        (f"office:{value}", _("%(office)s（离校点操作员）") % {"office": label})
        for value, label in OrgUnit.OfficeType.choices
        if value
    ]
    choices += [(f"dept:{role.value}", _("各院系%(role)s") % {"role": role.label}) for role in DEPARTMENT_HANDLERS]
    choices.append(("supervisor", _("学生的校内导师")))
    return choices


def _actor_of(handler: str) -> tuple[str, str]:
    kind, _sep, value = handler.partition(":")
    if kind == "office" and value in OrgUnit.OfficeType.values and value:
        return OFFICE_ACTOR, f"{Role.CHECKPOINT_OPERATOR.value}@{value}"
    if kind == "dept" and value in {r.value for r in DEPARTMENT_HANDLERS}:
        return DEPARTMENT_ACTOR, value
    if handler == "supervisor":
        return SUPERVISOR_ACTOR, ""
    raise ActionError(_("请选择办理单位。"), field="handler")


def handler_of(step: StepDefinition) -> str:
    if step.actor == OFFICE_ACTOR:
        return "office:" + step.actor_argument.partition("@")[2]
    if step.actor == DEPARTMENT_ACTOR:
        return "dept:" + step.actor_argument
    return "supervisor"


def handler_label(step: StepDefinition) -> str:
    return dict(handler_choices()).get(handler_of(step), step.actor)


def is_department_scoped(step: StepDefinition) -> bool:
    return step.actor in (DEPARTMENT_ACTOR, SUPERVISOR_ACTOR)


def _checkpoint_q(assignment: RoleAssignment | None, plan: ClearancePlan) -> Q | None:
    """Which of the plan's checkpoints a role assignment handles, as a filter on its steps (None: none)."""
    if assignment is None or assignment.unit is None or assignment.unit.school_id != plan.school_id:
        return None
    role = assignment.role
    if role == Role.CHECKPOINT_OPERATOR and assignment.unit.kind == OrgUnit.Kind.OFFICE:
        argument = f"{Role.CHECKPOINT_OPERATOR.value}@{assignment.unit.office_type}"
        return Q(actor=OFFICE_ACTOR, actor_argument=argument)
    if role in DEPARTMENT_HANDLERS:
        # 培养单位学工组 also handles 导师审核 for students without a supervisor account.
        extra = Q(actor=SUPERVISOR_ACTOR) if role == Role.DEPT_STUDENT_AFFAIRS else Q(pk__in=[])
        return Q(actor=DEPARTMENT_ACTOR, actor_argument=role) | extra
    if role == Role.SUPERVISOR:
        return Q(actor=SUPERVISOR_ACTOR)
    return None


def checkpoints_for(assignment: RoleAssignment | None, plan: ClearancePlan) -> list[StepDefinition]:
    """The plan's checkpoints a role assignment handles."""
    q = _checkpoint_q(assignment, plan)
    if q is None:
        return []
    return list(plan.definition.steps.filter(q).order_by("order"))


@dataclass
class DeskCounters:
    """What the desk shows of the counters: the operator's checkpoints, their tallies and colleges."""

    checkpoints: list[StepDefinition]
    tallies: dict[int, Tally]  # by step id
    departments: dict[int, list[tuple[int, str]]]  # by step id: (id, name) in the school's order


def desk_counters(
    assignment: RoleAssignment | None, plan: ClearancePlan, *, department_id: int | None = None
) -> DeskCounters:
    """:func:`checkpoints_for` with every one's counters and colleges: one query.

    The counter rows (checkpoint × college) carry their checkpoint and college; only
    when there are none (no covered student in the college) are the checkpoints read alone.
    """
    q = _checkpoint_q(assignment, plan)
    if q is None:
        return DeskCounters([], {}, {})
    rows = ClearanceCounter.objects.filter(
        plan=plan, step__in=StepDefinition.objects.filter(definition_id=plan.definition_id).filter(q)
    )
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    out = DeskCounters([], {}, {})
    # Plain tuples (a row per checkpoint × college): the checkpoint's fields ride along and
    # become one StepDefinition per checkpoint, not one per row.
    step_fields = [f.attname for f in StepDefinition._meta.concrete_fields]
    for step_id, dept, name, expected, passed, failed, *step in rows.order_by(
        "step__order", "step_id", "department__sort_order", "department__code", "department_id"
    ).values_list(
        "step_id",
        "department_id",
        "department__name",
        "expected",
        "passed",
        "failed",
        *[f"step__{f}" for f in step_fields],
    ):
        tally = out.tallies.get(step_id)
        if tally is None:
            out.checkpoints.append(StepDefinition(**dict(zip(step_fields, step, strict=True))))
            tally = out.tallies[step_id] = Tally()
            out.departments[step_id] = []
        tally.expected += expected
        tally.passed += passed
        tally.failed += failed
        out.departments[step_id].append((dept, name))
    if not out.checkpoints:
        out.checkpoints = checkpoints_for(assignment, plan)
    return out


def _task_scope_q(user: User, assignment: RoleAssignment) -> Q:
    """Tasks this assignment may act on (open or not), by assignee or by pool."""
    q = Q(assignee_id=user.pk, acting_role=assignment.role)
    if assignment.unit_id is not None:
        q |= Q(assignee__isnull=True, pool_role=assignment.role, pool_unit_id=assignment.unit_id)
    return q


def task_columns(step: StepDefinition, offices: dict[str, int], now: Any) -> dict[str, Any]:
    """The columns of a new round-1 open task at ``step``, as expressions over a ``Case`` queryset.

    For :func:`~campusflow.clearance.actions._sql.insert_from`: one ``INSERT … SELECT``
    opens ``step`` on every case the queryset selects.
    """
    columns: dict[str, Any] = {
        "case": F("pk"),
        "step": Value(step.pk, output_field=IntegerField()),
        "round": Value(1, output_field=IntegerField()),
        "state": Value(Task.State.OPEN.value),
        "opinion": Value(""),
        "data": Value({}, output_field=JSONField()),
        "created_at": Value(now, output_field=DateTimeField()),
    }
    if step.actor == OFFICE_ACTOR:
        role, _sep, office_type = step.actor_argument.partition("@")
        pool: dict[str, Any] = {
            "pool_role": Value(role),
            "pool_unit": Value(offices[office_type], output_field=IntegerField()),
            "acting_role": Value(role),
        }
    elif step.actor == DEPARTMENT_ACTOR:
        pool = {
            "pool_role": Value(step.actor_argument),
            "pool_unit": F("department_id"),
            "acting_role": Value(step.actor_argument),
        }
    else:
        # No supervisor account: the college's student-affairs group signs for the supervisor.
        has_supervisor = Q(student__supervisor__user__isnull=False)
        dsa = Value(Role.DEPT_STUDENT_AFFAIRS.value)
        pool = {
            "assignee": F("student__supervisor__user_id"),
            "pool_role": DbCase(When(has_supervisor, then=Value("")), default=dsa),
            "pool_unit": DbCase(
                When(has_supervisor, then=Value(None, output_field=IntegerField())),
                default=F("department_id"),
                output_field=IntegerField(),
            ),
            "acting_role": DbCase(When(has_supervisor, then=Value(Role.SUPERVISOR.value)), default=dsa),
        }
    return columns | pool


def open_tasks(step: StepDefinition, cases: QuerySet[Case], offices: dict[str, int], now: Any) -> int:
    """Open ``step`` on every case of ``cases``: one ``INSERT … SELECT``; the number opened."""
    return insert_from(Task, cases.order_by("pk"), task_columns(step, offices, now))


def _offices(plan: ClearancePlan, steps: Iterable[StepDefinition]) -> dict[str, int]:
    """The office of each office checkpoint; refuse when the school has no such office."""
    offices: dict[str, int] = {}
    for unit_id, office_type in (
        OrgUnit.objects.filter(school_id=plan.school_id, kind=OrgUnit.Kind.OFFICE, is_active=True)
        .order_by("sort_order", "id")
        .values_list("pk", "office_type")
    ):
        offices.setdefault(office_type, unit_id)
    for step in steps:
        if step.actor == OFFICE_ACTOR:
            office_type = step.actor_argument.partition("@")[2]
            if office_type not in offices:
                raise ActionError(
                    _("“%(step)s”的办理单位（%(office)s）在本校不存在，请先在院系配置中建立。")
                    % {"step": step.name, "office": OrgUnit.OfficeType(office_type).label}
                )
    return offices


# -- plans and checkpoints (C-01) ------------------------------------------------------


@dataclass
class PlanInput:
    name: str
    grades: list[int] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    ranges: list[str] = field(default_factory=list)
    departments: list[OrgUnit] = field(default_factory=list)
    practice_exit_passes_supervisor: bool = False


def _check_manager(actor: User) -> None:
    if actor.role not in PLAN_MANAGERS:
        raise PermissionDenied


def _managed_plan(actor: User, plan_id: Any, *, lock: bool = False) -> ClearancePlan:
    _check_manager(actor)
    plan = get_visible_or_404(ClearancePlan.objects.all(), actor, pk=plan_id)
    if lock:
        plan = ClearancePlan.objects.select_for_update().select_related("definition").get(pk=plan.pk)
    return plan


def _clean_plan_input(school: OrgUnit, data: PlanInput) -> PlanInput:
    name = data.name.strip()
    if not name:
        raise ActionError(_("请填写方案名称。"), field="name")
    if any(d.school_id != school.pk or d.kind != OrgUnit.Kind.DEPARTMENT for d in data.departments):
        raise ActionError(_("只能选择本校的院系。"), field="departments")
    if not set(data.categories) <= set(Student.Category.values):
        raise ActionError(_("学生类别无效。"), field="categories")
    if not set(data.ranges) <= set(StudentRange.values):
        raise ActionError(_("学生范围无效。"), field="ranges")
    return PlanInput(
        name=name[:100],
        grades=sorted({int(g) for g in data.grades}),
        categories=sorted(set(data.categories)),
        ranges=sorted(set(data.ranges)),
        departments=list(data.departments),
        practice_exit_passes_supervisor=data.practice_exit_passes_supervisor,
    )


def create_plan(*, actor: User, school: OrgUnit, data: PlanInput) -> ClearancePlan:
    _check_manager(actor)
    if school.kind != OrgUnit.Kind.SCHOOL or not OrgUnit.objects.visible_to(actor).filter(pk=school.pk).exists():
        raise Http404
    data = _clean_plan_input(school, data)
    with transaction.atomic():
        definition = ProcessDefinition.objects.create(
            code=f"clearance.plan.new.{timezone.now().timestamp()}",
            name=data.name,
            created_by=actor,
            description=_("离校方案的办理环节"),
        )
        plan = ClearancePlan.objects.create(
            school=school,
            name=data.name,
            grades=data.grades,
            categories=data.categories,
            ranges=data.ranges,
            practice_exit_passes_supervisor=data.practice_exit_passes_supervisor,
            definition=definition,
            created_by=actor,
        )
        plan.departments.set(data.departments)
        definition.code = plan.process_code
        definition.save(update_fields=["code"])
        audit.record("clearance.plan_create", actor=actor, target=plan, data={"name": plan.name})
    return plan


def update_plan(*, actor: User, plan_id: Any, data: PlanInput) -> ClearancePlan:
    with transaction.atomic():
        plan = _managed_plan(actor, plan_id, lock=True)
        data = _clean_plan_input(plan.school, data)
        fields = ["name", "practice_exit_passes_supervisor"]
        if plan.is_draft:
            plan.grades, plan.categories, plan.ranges = data.grades, data.categories, data.ranges
            plan.departments.set(data.departments)
            fields += ["grades", "categories", "ranges"]
        plan.name = data.name
        plan.practice_exit_passes_supervisor = data.practice_exit_passes_supervisor
        plan.save(update_fields=fields)
        ProcessDefinition.objects.filter(pk=plan.definition_id).update(name=plan.name)
        audit.record("clearance.plan_update", actor=actor, target=plan, data={"fields": fields})
    return plan


def set_plan_state(*, actor: User, plan_id: Any, state: str) -> ClearancePlan:
    """Close an active plan, or reopen a closed one (a draft becomes active only by 初始化)."""
    with transaction.atomic():
        plan = _managed_plan(actor, plan_id, lock=True)
        allowed = {
            (ClearancePlan.State.ACTIVE, ClearancePlan.State.CLOSED),
            (ClearancePlan.State.CLOSED, ClearancePlan.State.ACTIVE),
        }
        if (plan.state, state) not in allowed:
            raise ActionError(_("方案当前状态不能进行此操作。"))
        plan.state = state
        plan.save(update_fields=["state"])
        audit.record("clearance.plan_state", actor=actor, target=plan, data={"state": state})
    return plan


def _draft_steps(actor: User, plan_id: Any) -> tuple[ClearancePlan, list[StepDefinition]]:
    plan = _managed_plan(actor, plan_id, lock=True)
    if not plan.is_draft:
        raise ActionError(_("方案已初始化，环节不能再修改。"))
    return plan, list(plan.definition.steps.order_by("order"))


def _check_prerequisites(steps: list[StepDefinition], key: str, prerequisites: Iterable[str]) -> list[str]:
    """Prerequisites must be checkpoints listed before this one (so order alone rules out cycles)."""
    earlier: list[str] = []
    for step in steps:
        if step.key == key:
            break
        earlier.append(step.key)
    chosen = list(dict.fromkeys(prerequisites))
    if any(p not in earlier for p in chosen):
        raise ActionError(_("前置环节只能选择排在本环节之前的环节。"), field="prerequisites")
    return chosen


def add_checkpoint(
    *, actor: User, plan_id: Any, name: str, handler: str, prerequisites: Iterable[str] = ()
) -> StepDefinition:
    with transaction.atomic():
        plan, steps = _draft_steps(actor, plan_id)
        name = name.strip()[:60]
        if not name:
            raise ActionError(_("请填写环节名称。"), field="name")
        if any(s.name == name for s in steps):
            raise ActionError(_("已有同名环节。"), field="name")
        actor_name, argument = _actor_of(handler)
        used = {s.key for s in steps}
        number = len(steps) + 1
        while f"cp{number}" in used:
            number += 1
        key = f"cp{number}"
        chosen = _check_prerequisites([*steps, StepDefinition(key=key)], key, prerequisites)
        step = StepDefinition.objects.create(
            definition=plan.definition,
            key=key,
            name=name,
            order=(steps[-1].order + 1) if steps else 1,
            actor=actor_name,
            actor_argument=argument,
            prerequisites=chosen,
            allow_auto_pass=False,
        )
        audit.record("clearance.checkpoint_add", actor=actor, target=plan, data={"key": key, "name": name})
    return step


def update_checkpoint(
    *, actor: User, plan_id: Any, key: str, name: str, handler: str, prerequisites: Iterable[str] = ()
) -> StepDefinition:
    with transaction.atomic():
        plan, steps = _draft_steps(actor, plan_id)
        step = next((s for s in steps if s.key == key), None)
        if step is None:
            raise Http404
        name = name.strip()[:60]
        if not name:
            raise ActionError(_("请填写环节名称。"), field="name")
        if any(s.name == name and s.key != key for s in steps):
            raise ActionError(_("已有同名环节。"), field="name")
        step.actor, step.actor_argument = _actor_of(handler)
        step.name = name
        step.prerequisites = _check_prerequisites(steps, key, prerequisites)
        step.save(update_fields=["name", "actor", "actor_argument", "prerequisites"])
        audit.record("clearance.checkpoint_update", actor=actor, target=plan, data={"key": key})
    return step


def remove_checkpoint(*, actor: User, plan_id: Any, key: str) -> None:
    with transaction.atomic():
        plan, steps = _draft_steps(actor, plan_id)
        step = next((s for s in steps if s.key == key), None)
        if step is None:
            raise Http404
        for other in steps:
            if key in other.prerequisites:
                other.prerequisites = [p for p in other.prerequisites if p != key]
                other.save(update_fields=["prerequisites"])
        step.delete()
        audit.record("clearance.checkpoint_remove", actor=actor, target=plan, data={"key": key})


def move_checkpoint(*, actor: User, plan_id: Any, key: str, up: bool) -> None:
    with transaction.atomic():
        plan, steps = _draft_steps(actor, plan_id)
        index = next((i for i, s in enumerate(steps) if s.key == key), None)
        if index is None:
            raise Http404
        other_index = index - 1 if up else index + 1
        if not 0 <= other_index < len(steps):
            return
        first, second = sorted((steps[index], steps[other_index]), key=lambda s: s.order)
        if first.key in second.prerequisites:
            raise ActionError(
                _("“%(step)s”是“%(other)s”的前置环节，不能排在其后。") % {"step": first.name, "other": second.name}
            )
        first.order, second.order = second.order, first.order
        StepDefinition.objects.bulk_update([first, second], ["order"])
        audit.record("clearance.checkpoint_move", actor=actor, target=plan, data={"key": key, "up": up})


# -- initialisation (C-01) ------------------------------------------------------------


def student_range(category: str, certificate: str) -> str:
    if category in (Student.Category.UNDERGRADUATE, Student.Category.VOCATIONAL):
        return StudentRange.UNDERGRADUATE
    return StudentRange.SINGLE if certificate == Student.Certificate.SINGLE else StudentRange.DOUBLE


def range_q(value: str, prefix: str = "") -> Q:
    """Students of one 学生范围, as a filter (``prefix`` e.g. ``"student__"``)."""
    undergraduate = Q(**{f"{prefix}category__in": [Student.Category.UNDERGRADUATE, Student.Category.VOCATIONAL]})
    if value == StudentRange.UNDERGRADUATE:
        return undergraduate
    single = Q(**{f"{prefix}certificate": Student.Certificate.SINGLE})
    return ~undergraduate & (single if value == StudentRange.SINGLE else ~single)


def covered_students(plan: ClearancePlan, *, department_ids: list[int] | None = None) -> QuerySet[Student]:
    """The students the plan's criteria cover (``department_ids``: the plan's colleges, when already read)."""
    students = Student.objects.filter(school_id=plan.school_id).exclude(
        status__in=[Student.Status.WITHDRAWN, Student.Status.SUSPENDED]
    )
    if plan.grades:
        students = students.filter(grade__in=plan.grades)
    if plan.categories:
        students = students.filter(category__in=plan.categories)
    if plan.ranges:
        q = Q(pk__in=[])
        for value in plan.ranges:
            q |= range_q(value)
        students = students.filter(q)
    if department_ids is None:
        department_ids = list(plan.departments.values_list("pk", flat=True))
    if department_ids:
        students = students.filter(department_id__in=department_ids)
    return students


@dataclass
class InitResult:
    created: int
    auto_passed: int


def initialise(*, actor: User, plan_id: Any) -> InitResult:
    """初始化: every covered student gets a record, a case and the first checkpoints' tasks.

    Set-based: a fixed number of statements whatever the number of students.
    Running it again on an active plan adds students who have come into its
    criteria since.
    """
    with transaction.atomic():
        plan = _managed_plan(actor, plan_id, lock=True)
        if plan.state == ClearancePlan.State.CLOSED:
            raise ActionError(_("方案已结束，不能初始化。"))
        steps = list(plan.definition.steps.order_by("order"))
        if not steps:
            raise ActionError(_("请先添加办理环节。"))
        offices = _offices(plan, steps)
        now = timezone.now()
        before = ClearanceRecord.objects.aggregate(last=Max("pk"))["last"] or 0
        record_type = ContentType.objects.get_for_model(ClearanceRecord)
        created = _insert_records_and_cases(plan, actor, now, record_type)
        if created:
            new_cases = Case.objects.filter(
                subject_type=record_type, subject_id__gt=before, definition_id=plan.definition_id
            )
            for step in steps:
                if not step.prerequisites:
                    open_tasks(step, new_cases, offices, now)
            by_department = (
                ClearanceRecord.objects.filter(plan=plan, pk__gt=before)
                .values_list("department_id")
                .annotate(n=Count("pk"))
                .values_list("department_id", "n")
            )
            _add_expected(plan, steps, Counter(dict(by_department)))
        if plan.state == ClearancePlan.State.DRAFT:
            plan.state = ClearancePlan.State.ACTIVE
            plan.initialized_at = now
            plan.save(update_fields=["state", "initialized_at"])
        audit.record("clearance.initialise", actor=actor, target=plan, data={"created": created})
        auto = 0
        if plan.practice_exit_passes_supervisor:
            from campusflow.clearance.actions.decisions import _sync_exits

            auto = _sync_exits(plan, actor)
    return InitResult(created=created, auto_passed=auto)


def _student_range(prefix: str = "") -> DbCase:
    """The 学生范围 of a student (``prefix`` e.g. ``"student__"``), as SQL (:func:`student_range`)."""
    undergraduate = Q(**{f"{prefix}category__in": [Student.Category.UNDERGRADUATE, Student.Category.VOCATIONAL]})
    return DbCase(
        When(undergraduate, then=Value(StudentRange.UNDERGRADUATE.value)),
        When(Q(**{f"{prefix}certificate": Student.Certificate.SINGLE}), then=Value(StudentRange.SINGLE.value)),
        default=Value(StudentRange.DOUBLE.value),
    )


def _new_students(plan: ClearancePlan) -> QuerySet[Student]:
    students = covered_students(plan).exclude(pk__in=ClearanceRecord.objects.filter(plan=plan).values("student_id"))
    return students.order_by("pk")


def _insert_records_and_cases(plan: ClearancePlan, actor: User, now: Any, record_type: ContentType) -> int:
    """A record and a case for every covered student not in the plan yet; the number added.

    On PostgreSQL the cases come first, each taking its record's id from the records'
    sequence, and the records follow from the cases: two ``INSERT … SELECT``. Elsewhere
    the records come first, then the cases, then one ``UPDATE`` links them.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [ClearanceRecord._meta.db_table])
            sequence = cursor.fetchone()[0]
        created = _insert_cases(
            plan, actor, now, record_type, _new_students(plan), "", RawSQL("nextval(%s::regclass)", [sequence])
        )
        insert_from(
            ClearanceRecord,
            Case.objects.filter(
                definition_id=plan.definition_id, subject_type=record_type, clearance_record__isnull=True
            ).order_by("pk"),
            {
                "id": F("subject_id"),
                "plan": Value(plan.pk, output_field=IntegerField()),
                "student": F("student_id"),
                "school": Value(plan.school_id, output_field=IntegerField()),
                "department": F("department_id"),
                "student_range": _student_range("student__"),
                "case": F("pk"),
                "created_at": Value(now, output_field=DateTimeField()),
            },
        )
        return created
    created = insert_from(
        ClearanceRecord,
        _new_students(plan),
        {
            "plan": Value(plan.pk, output_field=IntegerField()),
            "student": F("pk"),
            "school": Value(plan.school_id, output_field=IntegerField()),
            "department": F("department_id"),
            "student_range": _student_range(),
            "created_at": Value(now, output_field=DateTimeField()),
        },
    )
    if created:
        records = ClearanceRecord.objects.filter(plan=plan, case__isnull=True).order_by("pk")
        _insert_cases(plan, actor, now, record_type, records, "student__", F("pk"))
        ClearanceRecord.objects.filter(plan=plan, case__isnull=True).update(
            case_id=Subquery(Case.objects.filter(subject_type=record_type, subject_id=OuterRef("pk")).values("pk")[:1])
        )
    return created


def _insert_cases(
    plan: ClearancePlan,
    actor: User,
    now: Any,
    record_type: ContentType,
    rows: QuerySet[Any],
    prefix: str,
    subject: Any,
) -> int:
    """One case per row of ``rows`` (students, or records with ``prefix`` ``"student__"``)."""
    at = Value(now, output_field=DateTimeField())
    student = F("pk") if not prefix else F("student_id")
    return insert_from(
        Case,
        rows,
        {
            "definition": Value(plan.definition_id, output_field=IntegerField()),
            "title": Left(
                Concat(Value(f"{plan.name}："), F(f"{prefix}student_no"), Value(" "), F(f"{prefix}name")), 200
            ),
            "subject_type": Value(record_type.pk, output_field=IntegerField()),
            "subject_id": subject,
            "applicant": Coalesce(F(f"{prefix}user_id"), Value(actor.pk), output_field=IntegerField()),
            "student": student,
            "school": Value(plan.school_id, output_field=IntegerField()),
            "department": F("department_id"),
            "state": Value(Case.State.IN_PROGRESS.value),
            "round": Value(1, output_field=IntegerField()),
            "version": Value(1, output_field=IntegerField()),
            "submitted_at": at,
            "updated_at": at,
        },
    )


def _add_expected(plan: ClearancePlan, steps: list[StepDefinition], by_department: Counter[int]) -> None:
    if not by_department:
        return
    ClearanceCounter.objects.bulk_create(
        [ClearanceCounter(plan=plan, step=step, department_id=dept) for step in steps for dept in by_department],
        ignore_conflicts=True,
    )
    ClearanceCounter.objects.filter(plan=plan, department_id__in=list(by_department)).update(
        expected=F("expected") + _by_department(dict(by_department))
    )


def _by_department(values: dict[int, int]) -> DbCase:
    return DbCase(
        *[When(department_id=dept, then=Value(n)) for dept, n in values.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


# -- counters (C-05) ------------------------------------------------------------------


def recount(plan: ClearancePlan) -> None:
    """Rebuild the plan's counters from its records and tasks (repair; a fixed number of queries)."""
    with transaction.atomic():
        steps = list(plan.definition.steps.all())
        expected = dict(
            ClearanceRecord.objects.filter(plan=plan)
            .values_list("department_id")
            .annotate(n=Count("pk"))
            .values_list("department_id", "n")
        )
        states: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
        for step_id, dept, state, n in (
            Task.objects.filter(case__clearance_record__plan=plan, state__in=[Task.State.APPROVED, Task.State.FAILED])
            .values_list("step_id", "case__department_id", "state")
            .annotate(n=Count("pk"))
            .values_list("step_id", "case__department_id", "state", "n")
        ):
            states[(step_id, dept)][state] = n
        ClearanceCounter.objects.filter(plan=plan).delete()
        ClearanceCounter.objects.bulk_create(
            [
                ClearanceCounter(
                    plan=plan,
                    step=step,
                    department_id=dept,
                    expected=n,
                    passed=states[(step.pk, dept)].get(Task.State.APPROVED, 0),
                    failed=states[(step.pk, dept)].get(Task.State.FAILED, 0),
                )
                for step in steps
                for dept, n in expected.items()
            ]
        )


def rebuild_counters(*, actor: User, plan_id: Any) -> None:
    with transaction.atomic():
        plan = _managed_plan(actor, plan_id, lock=True)
        recount(plan)
        audit.record("clearance.recount", actor=actor, target=plan)


@dataclass
class Tally:
    expected: int = 0
    passed: int = 0
    failed: int = 0

    @property
    def pending(self) -> int:
        return self.expected - self.passed - self.failed


def counters(plan: ClearancePlan, step: StepDefinition, *, department_id: int | None = None) -> Tally:
    """应办理/已通过/未办理/未通过 of one checkpoint (of one college, or the whole plan): one query."""
    rows = ClearanceCounter.objects.filter(plan=plan, step=step)
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    sums = rows.aggregate(expected=Sum("expected"), passed=Sum("passed"), failed=Sum("failed"))
    return Tally(sums["expected"] or 0, sums["passed"] or 0, sums["failed"] or 0)


def counters_by_step(plan: ClearancePlan, *, department_id: int | None = None) -> dict[int, Tally]:
    """Every checkpoint's 应办理/已通过/未办理/未通过 (of one college, or the whole plan): one ``GROUP BY``.

    Keyed by the checkpoint's ``StepDefinition`` id; a checkpoint without counters is absent.
    """
    rows = ClearanceCounter.objects.filter(plan=plan)
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    return {
        step_id: Tally(expected or 0, passed or 0, failed or 0)
        for step_id, expected, passed, failed in rows.values_list("step_id")
        .annotate(expected=Sum("expected"), passed=Sum("passed"), failed=Sum("failed"))
        .values_list("step_id", "expected", "passed", "failed")
        .order_by()
    }


def counters_by_department(
    plan: ClearancePlan, step: StepDefinition, *, department_id: int | None = None
) -> tuple[Tally, list[tuple[int, str]]]:
    """One checkpoint's counters (of one college, or the whole plan) and the colleges they cover: one query."""
    rows = ClearanceCounter.objects.filter(plan=plan, step=step)
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    total = Tally()
    departments: list[tuple[int, str]] = []
    for dept, name, expected, passed, failed in rows.order_by(
        "department__sort_order", "department__code", "department_id"
    ).values_list("department_id", "department__name", "expected", "passed", "failed"):
        total.expected += expected
        total.passed += passed
        total.failed += failed
        departments.append((dept, name))
    return total, departments
