"""后台管理 → 查询统计 (SPEC C-06, X-02): the filtered lists behind the query pages and their .xlsx exports.

Every list starts from ``visible_to(actor)`` (a college sees its college, the
school and its offices the school), is filtered by the page's own query string,
and masks 身份证号 for the role. The same builders serve the page, the streamed
download and the ``tabular.export`` job.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campusflow.clearance import selectors
from campusflow.clearance.models import ClearanceCounter, ClearancePlan, ClearanceRecord
from campusflow.core.navigation import CLEARANCE_QUERY_ROLES
from campusflow.core.privacy import Sensitive, display
from campusflow.orgs.models import OrgUnit, Student
from campusflow.tabular.exporting import ExportColumn, ExportSource, register_export
from campusflow.workflow.models import StepDefinition, Task

QUERY_ROLES = CLEARANCE_QUERY_ROLES
STREAM_LIMIT = 5000
# What the matrix calls each state (a checkpoint still waiting for its prerequisites has not started).
MATRIX_LABELS = {
    "passed": gettext_lazy("已办理"),
    "open": gettext_lazy("未办理"),
    "failed": gettext_lazy("不通过"),
    "waiting": gettext_lazy("未开始"),
}
TEXT_FILTERS = {
    "candidate_no": "student__candidate_no",
    "student_no": "student__student_no__startswith",
    "name": "student__name__contains",
    "major": "student__major__contains",
    "class_name": "student__class_name__contains",
}
FILTER_NAMES = ("plan", "department", *TEXT_FILTERS, "gender", "step", "status")


def plans_for(actor: Any) -> list[ClearancePlan]:
    return list(
        ClearancePlan.objects.visible_to(actor)
        .exclude(state=ClearancePlan.State.DRAFT)
        .select_related("definition")
        .order_by("-created_at", "-id")
    )


def chosen_plan(
    actor: Any, params: Mapping[str, Any], plans: list[ClearancePlan] | None = None
) -> ClearancePlan | None:
    plans = plans_for(actor) if plans is None else plans
    wanted = str(params.get("plan", ""))
    if wanted and not any(str(p.pk) == wanted for p in plans):
        raise Http404
    return next((p for p in plans if str(p.pk) == wanted), plans[0] if plans else None)


def filtered_records(actor: Any, plan: ClearancePlan, params: Mapping[str, Any]) -> QuerySet[ClearanceRecord]:
    records = ClearanceRecord.objects.visible_to(actor).filter(plan=plan)
    department = str(params.get("department", ""))
    if department.isdigit():
        records = records.filter(department_id=int(department))
    for name, lookup in TEXT_FILTERS.items():
        value = str(params.get(name, "")).strip()
        if value:
            records = records.filter(**{lookup: value})
    gender = str(params.get("gender", ""))
    if gender in Student.Gender.values:
        records = records.filter(student__gender=gender)
    # The students' school (always the plan's) lets the list walk the (school, 学号) index in order.
    records = records.filter(student__school_id=plan.school_id)
    return records.select_related("student", "department").order_by("student__student_no", "pk")


def steps_of(plan: ClearancePlan) -> list[StepDefinition]:
    return list(plan.definition.steps.order_by("order"))


@dataclass
class CounterRow:
    """One counter (checkpoint × college), with its checkpoint and college."""

    step: StepDefinition
    department: OrgUnit
    expected: int
    passed: int
    failed: int

    @property
    def step_id(self) -> int:
        return int(self.step.pk)

    @property
    def department_id(self) -> int:
        return int(self.department.pk)


@dataclass
class PlanCounters:
    """A plan's counter rows (checkpoint × college) visible to someone, with what they carry."""

    rows: list[CounterRow]
    steps: list[StepDefinition]
    departments: list[OrgUnit]

    def expected(self, department_id: int | None = None) -> int:
        """How many records (of one college) the plan has: 应办理 of any one checkpoint."""
        first = self.steps[0].pk if self.steps else 0
        return sum(r.expected for r in self.rows if r.step_id == first and department_id in (None, r.department_id))


def plan_counters(actor: Any, plan: ClearancePlan) -> PlanCounters:
    """The counter rows with their checkpoints and colleges: one query (two for a plan without records).

    Read as tuples: one StepDefinition per checkpoint and one OrgUnit per college, not per row.
    """
    step_fields = [f.attname for f in StepDefinition._meta.concrete_fields]
    steps: dict[int, StepDefinition] = {}
    departments: dict[int, OrgUnit] = {}
    rows: list[CounterRow] = []
    for dept, name, sort_order, code, expected, passed, failed, *step in (
        ClearanceCounter.objects.visible_to(actor)
        .filter(plan=plan)
        .order_by("step__order", "step_id", "department__sort_order", "department__code", "department_id")
        .values_list(
            "department_id",
            "department__name",
            "department__sort_order",
            "department__code",
            "expected",
            "passed",
            "failed",
            *[f"step__{f}" for f in step_fields],
        )
    ):
        values = dict(zip(step_fields, step, strict=True))
        checkpoint = steps.get(values["id"])
        if checkpoint is None:
            checkpoint = steps[values["id"]] = StepDefinition(**values)
        college = departments.get(dept)
        if college is None:
            college = departments[dept] = OrgUnit(pk=dept, name=name, sort_order=sort_order, code=code)
        rows.append(CounterRow(checkpoint, college, expected, passed, failed))
    ordered = sorted(departments.values(), key=lambda d: (d.sort_order, d.code, d.pk))
    return PlanCounters(rows, list(steps.values()) or steps_of(plan), ordered)


def statuses(records: Iterable[ClearanceRecord]) -> dict[int, dict[int, str]]:
    """case id → step id → status, for the given records: one query."""
    case_ids = [r.case_id for r in records if r.case_id]
    found: dict[int, dict[int, str]] = defaultdict(dict)
    for case_id, step_id, state in Task.objects.filter(case_id__in=case_ids, round=1).values_list(
        "case_id", "step_id", "state"
    ):
        found[case_id][step_id] = selectors.status_of(state)
    return found


@dataclass
class MatrixRow:
    record: ClearanceRecord
    id_number: str
    cells: list[str]  # status per step, in step order
    remark: str = ""

    @property
    def items(self) -> list[tuple[str, str]]:
        return [(c, str(MATRIX_LABELS[c])) for c in self.cells]


def matrix_rows(actor: Any, records: list[ClearanceRecord], steps: list[StepDefinition]) -> list[MatrixRow]:
    found = statuses(records)
    role = actor.role
    return [
        MatrixRow(
            record=r,
            id_number=display(r.student.id_number, Sensitive.ID_NUMBER, role),
            cells=[found.get(r.case_id or 0, {}).get(s.pk, "waiting") for s in steps],
        )
        for r in records
    ]


def _chunks(actor: Any, records: QuerySet[ClearanceRecord], steps: list[StepDefinition]) -> Iterator[MatrixRow]:
    """The whole list in pages of 2,000: two queries a page, constant memory."""
    last = ""
    last_pk = 0
    while True:
        page = list(
            records.filter(Q(student__student_no__gt=last) | Q(student__student_no=last, pk__gt=last_pk))[:2000]
        )
        if not page:
            return
        yield from matrix_rows(actor, page, steps)
        last, last_pk = page[-1].student.student_no, page[-1].pk


def _student_columns() -> list[ExportColumn]:
    return [
        ExportColumn(_("学号"), lambda r: r.record.student.student_no, 14),
        ExportColumn(_("考生号"), lambda r: r.record.student.candidate_no, 16),
        ExportColumn(_("姓名"), lambda r: r.record.student.name, 10),
        ExportColumn(_("性别"), lambda r: r.record.student.get_gender_display(), 6),
        ExportColumn(_("身份证号"), lambda r: r.id_number, 20),
        ExportColumn(_("院系"), lambda r: r.record.department.name, 16),
        ExportColumn(_("专业"), lambda r: r.record.student.major, 16),
        ExportColumn(_("班级"), lambda r: r.record.student.class_name, 14),
        ExportColumn(_("学生类别"), lambda r: r.record.student.get_category_display(), 10),
        ExportColumn(_("培养层次"), lambda r: r.record.student.get_level_display(), 8),
    ]


def _cell(index: int) -> Callable[[MatrixRow], str]:
    return lambda row: str(MATRIX_LABELS[row.cells[index]])


def _params(params: Mapping[str, Any]) -> dict[str, str]:
    """The job keeps the page's query string; a request passes its GET."""
    if "query" in params:
        return {k: v[0] for k, v in parse_qs(str(params["query"])).items()}
    return {k: str(params.get(k, "")) for k in FILTER_NAMES if params.get(k)}


def _plan_or_404(actor: Any, params: Mapping[str, Any]) -> ClearancePlan:
    plan = chosen_plan(actor, params)
    if plan is None:
        raise Http404
    return plan


@register_export("clearance.query")
def export_query(actor: Any, params: dict[str, Any]) -> ExportSource:
    """学生离校信息查询: students × checkpoints."""
    if actor.role not in QUERY_ROLES:
        raise Http404
    query = _params(params)
    plan = _plan_or_404(actor, query)
    steps = steps_of(plan)
    columns = [*_student_columns(), *[ExportColumn(step.name, _cell(i), 10) for i, step in enumerate(steps)]]
    return ExportSource(
        rows=_chunks(actor, filtered_records(actor, plan, query), steps),
        columns=columns,
        stem=_("学生离校信息_%(plan)s") % {"plan": plan.name},
        sheet_name=_("学生离校信息"),
    )


def checkpoint_records(
    actor: Any, plan: ClearancePlan, step: StepDefinition, params: Mapping[str, Any]
) -> QuerySet[ClearanceRecord]:
    rows = selectors.desk_rows(filtered_records(actor, plan, params), step)
    status = str(params.get("status", ""))
    if status in selectors.STATUS_FILTERS:
        rows = rows.filter(**{"step_state": selectors.STATUS_FILTERS[status]})
    elif status == "waiting":
        rows = rows.filter(**{"step_state__isnull": True})
    return rows.order_by("student__student_no", "pk")


def chosen_step(plan: ClearancePlan, params: Mapping[str, Any]) -> StepDefinition | None:
    steps = steps_of(plan)
    return next((s for s in steps if s.key == params.get("step")), steps[0] if steps else None)


@register_export("clearance.checkpoint")
def export_checkpoint(actor: Any, params: dict[str, Any]) -> ExportSource:
    """各环节信息数据: one checkpoint's students with their status and remark there."""
    if actor.role not in QUERY_ROLES:
        raise Http404
    query = _params(params)
    plan = _plan_or_404(actor, query)
    step = chosen_step(plan, query)
    if step is None:
        raise Http404
    role = actor.role

    def rows() -> Iterator[MatrixRow]:
        for record in checkpoint_records(actor, plan, step, query).iterator(chunk_size=2000):
            status = selectors.status_of(record.step_state)  # type: ignore[attr-defined]
            masked = display(record.student.id_number, Sensitive.ID_NUMBER, role)
            yield MatrixRow(record, masked, [status], record.step_remark or "")  # type: ignore[attr-defined]

    columns = [
        *_student_columns(),
        ExportColumn(_("办理状态"), _cell(0), 10),
        ExportColumn(_("备注"), lambda r: r.remark, 24),
    ]
    return ExportSource(
        rows=rows(),
        columns=columns,
        stem=_("%(step)s信息数据_%(plan)s") % {"step": step.name, "plan": plan.name},
        sheet_name=step.name,
    )


@dataclass
class StatRow:
    step: StepDefinition
    department: str
    expected: int
    passed: int
    failed: int

    @property
    def pending(self) -> int:
        return self.expected - self.passed - self.failed


def statistics(
    actor: Any, plan: ClearancePlan, params: Mapping[str, Any], counters: PlanCounters | None = None
) -> tuple[list[StatRow], list[StatRow]]:
    """Per checkpoint × college, and per checkpoint, from the summary table (never a COUNT over tasks)."""
    counters = counters or plan_counters(actor, plan)
    department = str(params.get("department", ""))
    wanted = int(department) if department.isdigit() else None
    detail: list[StatRow] = []
    totals: dict[int, StatRow] = {s.pk: StatRow(s, _("合计"), 0, 0, 0) for s in counters.steps}
    for c in counters.rows:
        if wanted is not None and c.department_id != wanted:
            continue
        detail.append(StatRow(c.step, c.department.name, c.expected, c.passed, c.failed))
        total = totals[c.step_id]
        total.expected += c.expected
        total.passed += c.passed
        total.failed += c.failed
    return detail, list(totals.values())


@register_export("clearance.statistics")
def export_statistics(actor: Any, params: dict[str, Any]) -> ExportSource:
    """各环节办理情况统计."""
    if actor.role not in QUERY_ROLES:
        raise Http404
    query = _params(params)
    plan = _plan_or_404(actor, query)
    detail, _totals = statistics(actor, plan, query)
    columns = [
        ExportColumn(_("环节"), lambda r: r.step.name, 16),
        ExportColumn(_("院系"), lambda r: r.department, 16),
        ExportColumn(_("应办理"), lambda r: r.expected, 8),
        ExportColumn(_("已通过"), lambda r: r.passed, 8),
        ExportColumn(_("未办理"), lambda r: r.pending, 8),
        ExportColumn(_("未通过"), lambda r: r.failed, 8),
    ]
    return ExportSource(
        rows=detail,
        columns=columns,
        stem=_("各环节办理情况统计_%(plan)s") % {"plan": plan.name},
        sheet_name=_("办理情况统计"),
    )


def chart_option(totals: list[StatRow]) -> dict[str, Any]:
    """ECharts stacked bars: 已通过 / 未通过 / 未办理 per checkpoint (X-04)."""
    names = [t.step.name for t in totals]

    def series(label: str, values: list[int], color: str) -> dict[str, Any]:
        return {"name": label, "type": "bar", "stack": "total", "data": values, "itemStyle": {"color": color}}

    return {
        # Drawn at once: an operator refreshing the page wants the figures, not a growing bar.
        "animation": False,
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 36, "containLabel": True},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"interval": 0, "rotate": 30}},
        "yAxis": {"type": "value", "name": _("人数")},
        "series": [
            series(_("已通过"), [t.passed for t in totals], "#198754"),
            series(_("未通过"), [t.failed for t in totals], "#dc3545"),
            series(_("未办理"), [t.pending for t in totals], "#adb5bd"),
        ],
    }
