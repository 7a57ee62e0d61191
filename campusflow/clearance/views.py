"""Pages of leaving-school clearance: plans (C-01), the desk (C-02/C-03/C-05), the student (C-07), issuance (C-08)."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campusflow.clearance import actions, selectors
from campusflow.clearance.forms import CheckpointForm, DecideForm, IssueForm, PlanForm
from campusflow.clearance.models import ClearancePlan, ClearanceRecord, StudentRange
from campusflow.clearance.paging import paginate_counted
from campusflow.core import once
from campusflow.core.access import get_visible_or_404, require
from campusflow.core.crypto import blind_index
from campusflow.core.errors import ActionError
from campusflow.core.http import AuthedRequest
from campusflow.core.pagination import paginate
from campusflow.core.privacy import Sensitive, display
from campusflow.core.roles import Role
from campusflow.core.validators import normalize_id_number
from campusflow.orgs import actions as org_actions
from campusflow.orgs.models import OrgUnit, Student
from campusflow.workflow.models import StepDefinition

MANAGERS = actions.PLAN_MANAGERS
DESK = actions.DESK_ROLES


def _plan_url(plan: ClearancePlan) -> str:
    return reverse("clearance:plan_detail", args=[plan.pk])


# -- plans and checkpoints (C-01) ------------------------------------------------------


@require(MANAGERS)
def plan_list(request: AuthedRequest) -> HttpResponse:
    plans = ClearancePlan.objects.visible_to(request.user).select_related("school").order_by("-created_at", "-id")
    return render(request, "clearance/plan_list.html", {"page_obj": paginate(request, plans)})


def _schools(request: AuthedRequest) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.visible_to(request.user).filter(kind=OrgUnit.Kind.SCHOOL).order_by("code")


def _own_school(request: AuthedRequest) -> OrgUnit | None:
    role = request.user.active_role
    if role is not None and role.role == Role.SCHOOL_ADMIN and role.unit is not None:
        return role.unit.school
    return None


@require(MANAGERS)
def plan_new(request: AuthedRequest) -> HttpResponse:
    school = _own_school(request)
    form = PlanForm(request.POST or None, schools=_schools(request), school=school)
    if request.method == "POST" and form.is_valid():
        if not once.consume(request):
            return redirect("clearance:plan_list")
        try:
            plan = actions.create_plan(
                actor=request.user, school=school or form.cleaned_data["school"], data=form.plan_input()
            )
            messages.success(request, _("离校方案已创建，请添加办理环节。"))
            return redirect(_plan_url(plan))
        except ActionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    return render(request, "clearance/plan_form.html", {"form": form})


def _plan_form(plan: ClearancePlan, data: Any = None, departments: list[OrgUnit] | None = None) -> PlanForm:
    initial = {
        "name": plan.name,
        "grades": ", ".join(str(g) for g in plan.grades),
        "categories": plan.categories,
        "ranges": plan.ranges,
        "departments": list(plan.departments.all()) if departments is None else departments,
        "practice_exit_passes_supervisor": plan.practice_exit_passes_supervisor,
    }
    return PlanForm(data, initial=initial, schools=OrgUnit.objects.filter(pk=plan.school_id), school=plan.school)


def _checkpoint_rows(
    plan: ClearancePlan, steps: list[StepDefinition], totals: dict[int, actions.Tally]
) -> list[dict[str, Any]]:
    names = {s.key: s.name for s in steps}
    rows = []
    for index, step in enumerate(steps):
        earlier = [(s.key, s.name) for s in steps[:index]]
        rows.append(
            {
                "step": step,
                "handler": actions.handler_label(step),
                "prerequisites": [names.get(p, p) for p in step.prerequisites],
                "tally": totals.get(step.pk, actions.Tally()),
                "form": CheckpointForm(
                    initial={
                        "name": step.name,
                        "handler": actions.handler_of(step),
                        "prerequisites": step.prerequisites,
                    },
                    earlier=earlier,
                    prefix=step.key,
                ),
            }
        )
    return rows


@require(MANAGERS)
def plan_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(ClearancePlan.objects.select_related("definition", "school"), request.user, pk=pk)
    steps = list(plan.definition.steps.order_by("order"))
    departments = list(plan.departments.all())
    # A draft has no counters yet; an initialised plan's 应办理 (of any checkpoint) is its records.
    totals = {} if plan.is_draft else actions.counters_by_step(plan)
    covered = None
    if plan.is_draft:
        covered = actions.covered_students(plan, department_ids=[d.pk for d in departments]).count()
    return render(
        request,
        "clearance/plan_detail.html",
        {
            "plan": plan,
            "form": _plan_form(plan, departments=departments),
            "rows": _checkpoint_rows(plan, steps, totals),
            "add_form": CheckpointForm(earlier=[(s.key, s.name) for s in steps], prefix="new"),
            "records": max((t.expected for t in totals.values()), default=0),
            "covered": covered,
        },
    )


def _plan_post(request: AuthedRequest, pk: int, work: Any) -> HttpResponse:
    """Run one plan action from a POST; its refusal becomes a message on the plan page."""
    plan = get_visible_or_404(ClearancePlan.objects.all(), request.user, pk=pk)
    if not once.consume(request):
        return redirect(_plan_url(plan))
    try:
        done = work(plan)
        if done:
            messages.success(request, done)
    except ActionError as error:
        messages.error(request, error.message)
    return redirect(_plan_url(plan))


@require(MANAGERS)
@require_POST
def plan_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(ClearancePlan.objects.select_related("school"), request.user, pk=pk)
    form = _plan_form(plan, request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(_plan_url(plan))
    return _plan_post(
        request,
        pk,
        lambda p: actions.update_plan(actor=request.user, plan_id=p.pk, data=form.plan_input()) and _("方案已保存。"),
    )


@require(MANAGERS)
@require_POST
def checkpoint_add(request: AuthedRequest, pk: int) -> HttpResponse:
    def work(plan: ClearancePlan) -> str:
        actions.add_checkpoint(
            actor=request.user,
            plan_id=plan.pk,
            name=request.POST.get("new-name", ""),
            handler=request.POST.get("new-handler", ""),
            prerequisites=request.POST.getlist("new-prerequisites"),
        )
        return _("环节已添加。")

    return _plan_post(request, pk, work)


@require(MANAGERS)
@require_POST
def checkpoint_edit(request: AuthedRequest, pk: int, key: str) -> HttpResponse:
    def work(plan: ClearancePlan) -> str:
        actions.update_checkpoint(
            actor=request.user,
            plan_id=plan.pk,
            key=key,
            name=request.POST.get(f"{key}-name", ""),
            handler=request.POST.get(f"{key}-handler", ""),
            prerequisites=request.POST.getlist(f"{key}-prerequisites"),
        )
        return _("环节已保存。")

    return _plan_post(request, pk, work)


@require(MANAGERS)
@require_POST
def checkpoint_remove(request: AuthedRequest, pk: int, key: str) -> HttpResponse:
    def work(plan: ClearancePlan) -> str:
        actions.remove_checkpoint(actor=request.user, plan_id=plan.pk, key=key)
        return _("环节已删除。")

    return _plan_post(request, pk, work)


@require(MANAGERS)
@require_POST
def checkpoint_move(request: AuthedRequest, pk: int, key: str) -> HttpResponse:
    up = request.POST.get("direction") == "up"
    return _plan_post(request, pk, lambda p: actions.move_checkpoint(actor=request.user, plan_id=p.pk, key=key, up=up))


@require(MANAGERS)
@require_POST
def plan_initialise(request: AuthedRequest, pk: int) -> HttpResponse:
    def work(plan: ClearancePlan) -> str:
        result = actions.initialise(actor=request.user, plan_id=plan.pk)
        return _("初始化完成：新增 %(n)d 名学生，自动通过导师审核 %(a)d 人。") % {
            "n": result.created,
            "a": result.auto_passed,
        }

    return _plan_post(request, pk, work)


@require(MANAGERS)
@require_POST
def plan_sync_exits(request: AuthedRequest, pk: int) -> HttpResponse:
    def work(plan: ClearancePlan) -> str:
        n = actions.sync_practice_exits(actor=request.user, plan_id=plan.pk)
        return _("专业实践已出站的学生自动通过导师审核 %(n)d 人。") % {"n": n}

    return _plan_post(request, pk, work)


@require(MANAGERS)
@require_POST
def plan_recount(request: AuthedRequest, pk: int) -> HttpResponse:
    def work(plan: ClearancePlan) -> str:
        actions.rebuild_counters(actor=request.user, plan_id=plan.pk)
        return _("计数已重新统计。")

    return _plan_post(request, pk, work)


@require(MANAGERS)
@require_POST
def plan_state(request: AuthedRequest, pk: int) -> HttpResponse:
    state = request.POST.get("state", "")
    return _plan_post(
        request, pk, lambda p: actions.set_plan_state(actor=request.user, plan_id=p.pk, state=state) and _("已保存。")
    )


# -- the desk: single (C-02), batch (C-03), counters (C-05) ------------------------------


def _desk(request: AuthedRequest, params: Any, *, counts: bool = False) -> dict[str, Any]:
    """Plan (the newest active one by default), the operator's checkpoint and the student range.

    With ``counts``, also the checkpoint's counters (``tally``) and the colleges they cover
    (``departments``), read with the checkpoints in one query (``actions.desk_counters``).
    """
    plans = list(selectors.active_plans(request.user))
    plan = next((p for p in plans if str(p.pk) == params.get("plan", "")), plans[0] if plans else None)
    role = request.user.active_role
    desk = None
    if plan is None:
        checkpoints = []
    elif counts:
        desk = actions.desk_counters(role, plan, department_id=_department_of(request))
        checkpoints = desk.checkpoints
    else:
        checkpoints = actions.checkpoints_for(role, plan)
    step = next((s for s in checkpoints if s.key == params.get("step", "")), checkpoints[0] if checkpoints else None)
    student_range = params.get("range", "")
    ctx = {
        "plans": plans,
        "plan": plan,
        "checkpoints": checkpoints,
        "step": step,
        "student_range": student_range if student_range in StudentRange.values else "",
        "ranges": StudentRange.choices,
    }
    if desk is not None:
        ctx["tally"] = desk.tallies.get(step.pk, actions.Tally()) if step is not None else None
        ctx["departments"] = desk.departments.get(step.pk, []) if step is not None else []
    return ctx


def _department_of(request: AuthedRequest, step: StepDefinition | None = None) -> int | None:
    """Counters of a college-scoped checkpoint are the operator's college's; an office sees the school."""
    role = request.user.active_role
    if role is not None and role.unit is not None and role.unit.kind == OrgUnit.Kind.DEPARTMENT:
        return role.unit_id
    return None


def _tally(request: AuthedRequest, ctx: dict[str, Any]) -> actions.Tally | None:
    """The checkpoint's counters (already read when ``_desk`` ran with ``counts``)."""
    if "tally" in ctx:
        tally: actions.Tally | None = ctx["tally"]
        return tally
    ctx["departments"] = []
    if ctx["plan"] is None or ctx["step"] is None:
        return None
    tally, ctx["departments"] = actions.counters_by_department(
        ctx["plan"], ctx["step"], department_id=_department_of(request)
    )
    return tally


def _known_total(request: AuthedRequest, ctx: dict[str, Any]) -> int | None:
    """The number of records the unfiltered list shows, from the counters (no ``COUNT(*)``).

    应办理 counts the plan's records of the operator's college (or of the school for an
    office), which is what an office's operator or a college's staff see; a supervisor
    sees only their own students, so their list is counted.
    """
    role = request.user.active_role
    tally = ctx.get("tally")
    if tally is None or role is None or role.unit is None or ctx["student_range"]:
        return None
    if role.role == Role.CHECKPOINT_OPERATOR and role.unit.kind == OrgUnit.Kind.OFFICE:
        return int(tally.expected)
    if role.role in actions.DEPARTMENT_HANDLERS and role.unit.kind == OrgUnit.Kind.DEPARTMENT:
        return int(tally.expected)
    return None


def _query(ctx: dict[str, Any], **extra: Any) -> str:
    values = {"plan": ctx["plan"].pk if ctx["plan"] else "", "step": ctx["step"].key if ctx["step"] else ""}
    if ctx.get("student_range"):
        values["range"] = ctx["student_range"]
    values.update({k: v for k, v in extra.items() if v})
    return urlencode(values)


def _records(request: AuthedRequest, ctx: dict[str, Any]) -> QuerySet[ClearanceRecord]:
    # The students' school (always the plan's) lets the list walk the (school, 学号) index in order.
    records = ClearanceRecord.objects.visible_to(request.user).filter(
        plan=ctx["plan"], student__school_id=ctx["plan"].school_id
    )
    if ctx["student_range"]:
        records = records.filter(student_range=ctx["student_range"])
    return records


def _student_card(request: AuthedRequest, record: ClearanceRecord, revealed: dict[str, str]) -> dict[str, Any]:
    student = record.student
    role = request.user.role
    return {
        "record": record,
        "student": student,
        "id_number": revealed.get("id_number") or display(student.id_number, Sensitive.ID_NUMBER, role),
        "accommodation": revealed.get("accommodation") or display(student.accommodation, Sensitive.DORMITORY, role),
        "can_reveal": bool(org_actions.revealable_fields(role, Student)) and not revealed,
        "steps": selectors.student_steps(record),
    }


@require(DESK)
def desk(request: AuthedRequest) -> HttpResponse:
    """单个办理. Find by 学号/姓名 (GET) or by exact 身份证号 (POST only: never in a URL)."""
    params = request.POST if request.method == "POST" else request.GET
    ctx = _desk(request, params, counts=True)
    ctx["tally"] = _tally(request, ctx)
    ctx["q"] = params.get("q", "").strip()
    ctx["matches"] = []
    ctx["card"] = None
    if ctx["plan"] is None or ctx["step"] is None:
        return render(request, "clearance/desk.html", ctx)
    records = _records(request, ctx).select_related("student", "department", "plan__definition")
    found: QuerySet[ClearanceRecord] | None = None
    id_number = params.get("id_number", "").strip() if request.method == "POST" else ""
    if id_number:
        found = records.filter(student__id_number_index=blind_index(normalize_id_number(id_number)))
    elif ctx["q"]:
        found = records.filter(Q(student__student_no=ctx["q"]) | Q(student__name=ctx["q"]))
    elif params.get("student", "").isdigit():
        found = records.filter(student_id=int(params["student"]))
    if found is not None:
        matches = list(found.order_by("student__student_no")[:20])
        ctx["matches"] = matches
        if len(matches) == 1:
            revealed: dict[str, str] = {}
            if request.method == "POST" and params.get("reveal") == "1":
                try:
                    revealed = org_actions.reveal(actor=request.user, subject=matches[0].student)
                except (ActionError, PermissionDenied):
                    revealed = {}
            ctx["card"] = _student_card(request, matches[0], revealed)
            ctx["decide_form"] = DecideForm(initial={"result": actions.PASS})
        elif not matches:
            messages.info(request, _("没有找到该学生（或不在所选学生范围、不在您的办理范围内）。"))
    ctx["query"] = _query(ctx)
    return render(request, "clearance/desk.html", ctx)


def _step_or_404(ctx: dict[str, Any]) -> StepDefinition:
    if ctx["plan"] is None or ctx["step"] is None:
        raise Http404
    step: StepDefinition = ctx["step"]
    return step


@require(DESK)
@require_POST
def desk_decide(request: AuthedRequest) -> HttpResponse:
    ctx = _desk(request, request.POST)
    step = _step_or_404(ctx)
    student = request.POST.get("student", "")
    back = reverse("clearance:desk") + "?" + _query(ctx, student=student)
    if not once.consume(request):
        return redirect(back)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择办理结果。"))
        return redirect(back)
    try:
        actions.decide(
            actor=request.user,
            checkpoint=step,
            student_id=student,
            result=form.cleaned_data["result"],
            remark=form.cleaned_data["remark"],
        )
        messages.success(request, _("已办理。"))
    except ActionError as error:
        messages.error(request, error.message)
    return redirect(back)


@require(DESK)
@require_GET
def desk_counters(request: AuthedRequest) -> HttpResponse:
    """The counters fragment (htmx GET on 刷新)."""
    ctx = _desk(request, request.GET, counts=True)
    ctx["tally"] = _tally(request, ctx)
    ctx["query"] = _query(ctx)
    return render(request, "clearance/_counters.html", ctx)


# One row of the 批量办理 list. Built by _row (every value escaped) rather than by the template
# engine: 30 rows × 16 cells of template variables were most of the page's time.
BATCH_ROW = (
    '<tr data-testid="batch-row"><td><input type="checkbox" class="form-check-input" name="students" value="{}"'
    ' aria-label="{}"></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="cf-masked">{}</td>'
    "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
    '<td><span class="badge {}" data-status="{}">{}</span></td><td class="small">{}</td></tr>'
)
STATUS_BADGES = {
    "passed": "text-bg-success",
    "failed": "text-bg-danger",
    "open": "text-bg-warning",
    "waiting": "text-bg-light border",
}


def _row(template: str, *values: Any) -> str:
    """``template`` with every value HTML-escaped (``format_html`` without its per-value lazy checks)."""
    return template.format(*(html.escape(str(v)) for v in values))


# What the 批量办理 list shows (the students' phone numbers are not decrypted for it).
BATCH_COLUMNS = (
    "student_id",
    "case_id",
    "department_id",
    "plan_id",
    "student__student_no",
    "student__name",
    "student__gender",
    "student__birth_date",
    "student__id_number",
    "student__major",
    "student__class_name",
    "student__category",
    "student__level",
    "student__household_transfer",
    "student__accommodation",
    "department__name",
)
BATCH_FILTERS = {
    "student_no": "student__student_no__startswith",
    "name": "student__name__contains",
    "major": "student__major__contains",
    "class_name": "student__class_name__contains",
}


@require(DESK)
def desk_batch(request: AuthedRequest) -> HttpResponse:
    """批量办理: the operator's students at their checkpoint, filtered, with checkboxes."""
    ctx = _desk(request, request.GET, counts=True)
    ctx["tally"] = _tally(request, ctx)
    if ctx["plan"] is None or ctx["step"] is None:
        return render(request, "clearance/desk_batch.html", ctx)
    records = _records(request, ctx)
    filters: dict[str, str] = {}
    for name, lookup in BATCH_FILTERS.items():
        value = request.GET.get(name, "").strip()
        if value:
            records = records.filter(**{lookup: value})
            filters[name] = value
    for name, choices in (("level", Student.Level.values), ("gender", Student.Gender.values)):
        value = request.GET.get(name, "")
        if value in choices:
            records = records.filter(**{f"student__{name}": value})
            filters[name] = value
    department = request.GET.get("department", "")
    if department.isdigit():
        records = records.filter(department_id=int(department))
        filters["department"] = department
    rows = selectors.desk_rows(records, ctx["step"])
    status = request.GET.get("status", "")
    if status in selectors.STATUS_FILTERS:
        rows = rows.filter(**{"step_state": selectors.STATUS_FILTERS[status]})
        filters["status"] = status
    elif status == "waiting":
        rows = rows.filter(**{"step_state__isnull": True})
        filters["status"] = status
    role = request.user.role
    rows = rows.only(*BATCH_COLUMNS).order_by("student__student_no", "pk")
    page = paginate_counted(request, rows, count=None if filters else _known_total(request, ctx))
    # Labels translated once per page (``get_FOO_display`` hashes every lazy choice label per call).
    labels = {
        name: {value: str(label) for value, label in choices}
        for name, choices in (
            ("status", selectors.STATUS_LABELS.items()),
            ("gender", Student.Gender.choices),
            ("category", Student.Category.choices),
            ("level", Student.Level.choices),
        )
    }
    lines: list[str] = []
    for record in page:
        student = record.student
        status = selectors.status_of(record.step_state)  # type: ignore[attr-defined]
        age = student.age
        lines.append(
            _row(
                BATCH_ROW,
                record.student_id,
                student.name,
                student.student_no,
                student.name,
                labels["gender"].get(student.gender, student.gender),
                "" if age is None else age,
                display(student.id_number, Sensitive.ID_NUMBER, role),
                record.department.name,
                student.major,
                student.class_name,
                labels["category"].get(student.category, student.category),
                labels["level"].get(student.level, student.level),
                student.household_transfer,
                display(student.accommodation, Sensitive.DORMITORY, role),
                STATUS_BADGES[status],
                status,
                labels["status"][status],
                record.step_remark or "",  # type: ignore[attr-defined]
            )
        )
    ctx.update(
        {
            "page_obj": page,
            "rows_html": mark_safe("".join(lines)),  # noqa: S308 - every value escaped by _row
            "filters": filters,
            "query": _query(ctx),
            "page_query": _query(ctx, **filters),
            "levels": Student.Level.choices,
            "genders": Student.Gender.choices,
            "statuses": list(selectors.STATUS_LABELS.items()),
            "decide_form": DecideForm(initial={"result": actions.PASS}),
        }
    )
    return render(request, "clearance/desk_batch.html", ctx)


@require(DESK)
@require_POST
def desk_batch_decide(request: AuthedRequest) -> HttpResponse:
    ctx = _desk(request, request.POST)
    step = _step_or_404(ctx)
    back = reverse("clearance:desk_batch") + "?" + request.POST.get("back", _query(ctx))
    if not back.startswith("/"):
        back = reverse("clearance:desk_batch")
    if not once.consume(request):
        return redirect(back)
    form = DecideForm(request.POST)
    students = request.POST.getlist("students")
    if not form.is_valid() or not students:
        messages.error(request, _("请勾选学生并选择办理结果。"))
        return redirect(back)
    try:
        result = actions.pass_tasks(
            actor=request.user,
            checkpoint=step,
            student_ids=students,
            result=form.cleaned_data["result"],
            remark=form.cleaned_data["remark"],
        )
        messages.success(request, result.summary())
    except ActionError as error:
        messages.error(request, error.message)
    return redirect(back)


# -- the student (C-07) --------------------------------------------------------------


@require({Role.STUDENT})
def my_clearance(request: AuthedRequest) -> HttpResponse:
    records = list(
        ClearanceRecord.objects.visible_to(request.user)
        .exclude(plan__state=ClearancePlan.State.DRAFT)
        .select_related("plan__definition", "student")
        .order_by("-plan__created_at")
    )
    items = []
    steps_of = selectors.students_steps(records)
    for record in records:
        steps = steps_of[record.pk]
        items.append(
            {
                "record": record,
                "steps": steps,
                "todo": [s for s in steps if s.status in ("open", "failed")],
                "done": sum(1 for s in steps if s.status == "passed"),
            }
        )
    return render(request, "clearance/me.html", {"items": items})


# -- issuance (C-08) -----------------------------------------------------------------


@require(actions.ISSUERS)
def issuance(request: AuthedRequest) -> HttpResponse:
    plans = list(
        ClearancePlan.objects.visible_to(request.user)
        .exclude(state=ClearancePlan.State.DRAFT)
        .order_by("-created_at", "-id")
    )
    plan = next((p for p in plans if str(p.pk) == request.GET.get("plan", "")), plans[0] if plans else None)
    form = IssueForm(request.POST or None)
    if request.method == "POST":
        if plan is None:
            raise Http404
        if once.consume(request) and form.is_valid():
            try:
                result = actions.record_issuance(
                    actor=request.user,
                    record_ids=request.POST.getlist("records"),
                    item=form.cleaned_data["item"],
                    issued_on=form.cleaned_data["issued_on"],
                )
                messages.success(
                    request,
                    _("已登记发放 %(n)d 人；此前已登记 %(a)d 人；未全部通过、不能发放 %(c)d 人。")
                    % {"n": result.issued, "a": result.already, "c": result.not_cleared},
                )
            except ActionError as error:
                messages.error(request, error.message)
        return redirect(reverse("clearance:issuance") + "?" + urlencode({"plan": plan.pk}))
    records = ClearanceRecord.objects.none()
    if plan is not None:
        records = (
            ClearanceRecord.objects.visible_to(request.user)
            .filter(plan=plan)
            .select_related("student", "diploma_issued_by", "degree_issued_by", "materials_issued_by")
            .order_by("student__student_no", "pk")
        )
        q = request.GET.get("q", "").strip()
        if q:
            records = records.filter(Q(student__student_no__startswith=q) | Q(student__name__contains=q))
        if request.GET.get("cleared") == "1":
            records = records.filter(cleared_at__isnull=False)
    return render(
        request,
        "clearance/issuance.html",
        {
            "plans": plans,
            "plan": plan,
            "form": form,
            "page_obj": paginate(request, records),
            "q": request.GET.get("q", ""),
        },
    )
