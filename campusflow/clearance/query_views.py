"""后台管理 → 查询统计 (C-06): 学生离校信息查询, 各环节办理情况统计, 各环节信息数据, each exportable (X-02)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from campusflow.clearance import exports, selectors
from campusflow.clearance.models import ClearancePlan
from campusflow.clearance.paging import paginate_counted
from campusflow.core.access import require
from campusflow.core.http import AuthedRequest
from campusflow.core.privacy import Sensitive, display
from campusflow.jobs.actions import start as start_job
from campusflow.orgs.models import Student
from campusflow.tabular.exporting import EXPORTS, timestamped, xlsx_response

ROLES = exports.QUERY_ROLES


def _filters(request: AuthedRequest, plan: ClearancePlan | None) -> dict[str, str]:
    values = {name: request.GET.get(name, "").strip() for name in exports.FILTER_NAMES if request.GET.get(name)}
    if plan is not None:
        values["plan"] = str(plan.pk)
    return values


def _context(request: AuthedRequest, tab: str) -> dict[str, Any]:
    """The plans, the chosen plan, its checkpoints and colleges (from its counters: one query)."""
    plans = exports.plans_for(request.user)
    plan = exports.chosen_plan(request.user, request.GET, plans)
    filters = _filters(request, plan)
    counters = exports.plan_counters(request.user, plan) if plan is not None else None
    return {
        "tab": tab,
        "plans": plans,
        "plan": plan,
        "filters": filters,
        "query": urlencode(filters),
        "counters": counters,
        "steps": counters.steps if counters else [],
        "departments": counters.departments if counters else [],
        "genders": Student.Gender.choices,
    }


def _known_total(ctx: dict[str, Any]) -> int | None:
    """The records a list shows when no filter but the college is set: from the counters (no ``COUNT``)."""
    if ctx["counters"] is None or set(ctx["filters"]) - {"plan", "department", "step"}:
        return None
    department = ctx["filters"].get("department", "")
    if department and not department.isdigit():
        return None
    return int(ctx["counters"].expected(int(department) if department else None))


@require(ROLES)
def student_query(request: AuthedRequest) -> HttpResponse:
    """学生离校信息查询: a page of students × every checkpoint (two queries for the page, whatever its size)."""
    ctx = _context(request, "students")
    if ctx["plan"] is not None:
        steps = ctx["steps"]
        records = exports.filtered_records(request.user, ctx["plan"], ctx["filters"])
        page = paginate_counted(request, records, count=_known_total(ctx))
        ctx.update({"page_obj": page, "rows": exports.matrix_rows(request.user, list(page), steps)})
    return render(request, "clearance/query_students.html", ctx)


@require(ROLES)
def statistics(request: AuthedRequest) -> HttpResponse:
    """各环节办理情况统计: per checkpoint × college, from the summary counters, with a stacked bar chart."""
    ctx = _context(request, "statistics")
    if ctx["plan"] is not None:
        detail, totals = exports.statistics(request.user, ctx["plan"], ctx["filters"], ctx["counters"])
        ctx.update({"detail": detail, "totals": totals, "chart": exports.chart_option(totals)})
    return render(request, "clearance/query_statistics.html", ctx)


@require(ROLES)
def checkpoint_data(request: AuthedRequest) -> HttpResponse:
    """各环节信息数据: one checkpoint's students with their status there."""
    ctx = _context(request, "checkpoint")
    if ctx["plan"] is not None:
        step = next((s for s in ctx["steps"] if s.key == request.GET.get("step")), None)
        step = step or (ctx["steps"][0] if ctx["steps"] else None)
        ctx["step"] = step
        ctx["statuses"] = list(exports.MATRIX_LABELS.items())
        if step is not None:
            ctx["filters"]["step"] = step.key
            ctx["query"] = urlencode(ctx["filters"])
            records = exports.checkpoint_records(request.user, ctx["plan"], step, ctx["filters"])
            page = paginate_counted(request, records, count=_known_total(ctx))
            role = request.user.role
            for record in page:
                record.status = selectors.status_of(record.step_state)  # type: ignore[attr-defined]
                record.status_label = exports.MATRIX_LABELS[record.status]  # type: ignore[attr-defined]
                record.id_masked = display(record.student.id_number, Sensitive.ID_NUMBER, role)  # type: ignore[attr-defined]
            ctx["page_obj"] = page
    return render(request, "clearance/query_checkpoint.html", ctx)


def _export(request: AuthedRequest, kind: str, count: int, title: str) -> HttpResponse | FileResponse:
    plan = exports.chosen_plan(request.user, request.GET)
    filters = _filters(request, plan)
    params = {"kind": kind, "query": urlencode(filters), "rows": count}
    if count > exports.STREAM_LIMIT:
        job = start_job(actor=request.user, kind="tabular.export", title=title, params=params)
        messages.info(request, _("数据较多，已转为后台任务导出；完成后在本页下载。"))
        return redirect("jobs:detail", job.pk)
    source = EXPORTS[kind](request.user, params)
    return xlsx_response(source.rows, source.columns, timestamped(source.stem), sheet_name=source.sheet_name)


def _no_plan(request: AuthedRequest, page: str) -> HttpResponse:
    messages.info(request, _("目前没有已初始化的离校方案，没有可导出的数据。"))
    return redirect(page)


@require(ROLES)
def student_query_export(request: AuthedRequest) -> HttpResponse | FileResponse:
    plan = exports.chosen_plan(request.user, request.GET)
    if plan is None:
        return _no_plan(request, "clearance:query")
    records = exports.filtered_records(request.user, plan, _filters(request, plan))
    count = records[: exports.STREAM_LIMIT + 1].count()
    return _export(request, "clearance.query", count, _("学生离校信息导出"))


@require(ROLES)
def statistics_export(request: AuthedRequest) -> HttpResponse | FileResponse:
    if exports.chosen_plan(request.user, request.GET) is None:
        return _no_plan(request, "clearance:statistics")
    return _export(request, "clearance.statistics", 0, _("各环节办理情况统计导出"))


@require(ROLES)
def checkpoint_data_export(request: AuthedRequest) -> HttpResponse | FileResponse:
    plan = exports.chosen_plan(request.user, request.GET)
    step = exports.chosen_step(plan, request.GET) if plan is not None else None
    if plan is None or step is None:
        return _no_plan(request, "clearance:checkpoint_data")
    records = exports.checkpoint_records(request.user, plan, step, _filters(request, plan))
    count = records[: exports.STREAM_LIMIT + 1].count()
    return _export(request, "clearance.checkpoint", count, _("各环节信息数据导出"))
