# ruff: noqa: S608 - SQL built from the app's own compiled querysets, never from input
"""The measurements: each operation of the app next to its floor, in the same run.

Every figure is the median of ``size.runs`` runs after one warm-up, op and floor
interleaved (``common.compare``). Operations that write run inside a transaction that
is rolled back, floors too, so every run starts from the same data and the dataset's
checksums hold after the suite.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import time
from collections import Counter
from typing import Any

import psycopg

from bench.common import ROOT, Measurement, Size, compare, rolled_back


def _raw() -> psycopg.Connection[Any]:
    """A plain psycopg connection to the bench database (the floor's side)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"], autocommit=True
    )


# -- pages: the view in process vs its SQL through psycopg plus a hello-world request ---------


def _captured(client: Any, url: str) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [q["sql"] for q in ctx.captured_queries]


def page(name: str, client: Any, url: str, raw: psycopg.Connection[Any], runs: int) -> Measurement:
    """A page in process vs its floor; ``inner`` 5 for pages under 30 ms, 1 (and fewer runs over 1 s) above."""
    import time

    hello = "/bench/hello/"
    started = time.perf_counter()
    page_sql = _captured(client, url)
    probe_ms = (time.perf_counter() - started) * 1000
    inner = 5 if probe_ms < 30 else 1
    if probe_ms > 1000:
        runs = min(runs, 3)
    hello_sql = Counter(_captured(client, hello))
    # The page's own SQL: what the hello-world request does not already run.
    own: list[str] = []
    for sql in page_sql:
        if hello_sql[sql] > 0:
            hello_sql[sql] -= 1
        else:
            own.append(sql)
    reads = [s for s in own if s.lstrip().upper().startswith(("SELECT", "WITH"))]

    def op() -> None:
        response = client.get(url)
        assert response.status_code == 200

    def floor() -> None:
        with raw.cursor() as cursor:
            for sql in reads:
                cursor.execute(sql.encode())
                cursor.fetchall()
        response = client.get(hello)
        assert response.status_code == 200

    m = compare(
        name,
        op,
        floor,
        runs=runs,
        inner=inner,
        note=f"Django test client, in process: GET {url}",
        floor_note=f"its {len(reads)} own SELECTs replayed through psycopg + a signed-in hello-world request",
    )
    m.extra = {"queries": len(page_sql), "own_selects": len(reads), "writes": len(own) - len(reads)}
    return m


def twenty_rows(client: Any, url: str, raw: psycopg.Connection[Any], runs: int) -> Measurement:
    """The province's filtered list against the least a 20-row page needs: 20 rows by the primary key.

    No count and no ORDER BY over the filtered set (which is what the page's own SQL does;
    ``page`` times the page against that SQL). This floor is what a keyset page with the count
    from a summary would cost.
    """
    columns = ", ".join(
        f"s.{c}" for c in ("id", "student_no", "name", "gender", "grade", "category", "status", "major", "class_name")
    )
    sql = (
        f"SELECT {columns}, d.name, t.name FROM orgs_student s JOIN orgs_orgunit d ON d.id = s.department_id"
        " LEFT JOIN orgs_teacher t ON t.id = s.supervisor_id"
        " WHERE s.grade = 2023 AND s.category = 'academic_master' AND s.status = 'enrolled' ORDER BY s.id LIMIT 20"
    )

    def op() -> None:
        assert client.get(url).status_code == 200

    def floor() -> None:
        with raw.cursor() as cursor:
            cursor.execute(sql.encode())
            cursor.fetchall()
        assert client.get("/bench/hello/").status_code == 200

    return compare(
        "  same page vs a 20-row floor",
        op,
        floor,
        runs=min(runs, 3),
        note=f"GET {url}",
        floor_note="20 rows by the primary key with the same filter (no COUNT, no sort) + a hello-world request",
    )


# -- batch pass ------------------------------------------------------------------------------


def batch_pass(ctx: dict[str, Any], count: int, runs: int) -> Measurement:
    from django.db import connection

    from campusflow.clearance import actions

    plan, step, operator = ctx["plan"], ctx["step"], ctx["operator"]
    with connection.cursor() as c:
        c.execute(
            "SELECT r.student_id, t.id FROM clearance_clearancerecord r JOIN workflow_task t ON t.case_id = r.case_id"
            " WHERE r.plan_id = %s AND t.step_id = %s AND t.state = 'open'"
            " ORDER BY bench_h(%s, 'batch', r.student_id) LIMIT %s",
            [plan.pk, step.pk, ctx["seed"], count],
        )
        pairs = c.fetchall()
    students = [s for s, _t in pairs]
    tasks = [t for _s, t in pairs]

    def op() -> None:
        result = actions.pass_tasks(actor=operator, checkpoint=step, student_ids=students)
        assert len(result.changed) == len(students), result.summary()

    def floor() -> None:
        with connection.cursor() as c:
            c.execute(
                "UPDATE workflow_task SET state = 'approved', opinion = '', acted_by_id = %s, acted_at = now(),"
                " acting_role = %s WHERE id = ANY(%s) AND state IN ('open', 'failed')",
                [operator.pk, "checkpoint_operator", tasks],
            )
            assert c.rowcount == len(tasks)
            c.execute(
                "INSERT INTO workflow_caseevent (at, round, kind, actor_name, actor_role, step_key, step_name,"
                " opinion, data, actor_id, case_id) SELECT now(), 1, 'approved', %s, %s, %s, %s, '', '{}'::jsonb,"
                " %s, case_id FROM workflow_task WHERE id = ANY(%s)",
                [operator.display_name, "checkpoint_operator", step.key, step.name, operator.pk, tasks],
            )

    return compare(
        f"batch pass {len(students):,} tasks",
        rolled_back(op),
        rolled_back(floor),
        runs=runs,
        note="clearance.actions.pass_tasks (locks, UPDATE, events, audit, counters, next checkpoints), rolled back",
        floor_note="one UPDATE … WHERE id = ANY(…) + one INSERT … SELECT of events, rolled back",
    )


# -- initialise ------------------------------------------------------------------------------


def initialise(ctx: dict[str, Any], runs: int) -> Measurement:
    """初始化 a new plan of school 1 for grade 2023 (10 checkpoints) vs the same rows by plain SQL.

    Both sides create the plan and its checkpoints through the actions (a fixed handful of
    statements); then the op runs ``actions.initialise``, the floor five statements: records,
    cases, the case link, the nine office tasks per student, the counters. Rolled back.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from bench.generate import OFFICES
    from campusflow.clearance import actions
    from campusflow.clearance.models import ClearanceRecord
    from campusflow.orgs.models import OrgUnit, Student

    admin = ctx["admin"]
    school = OrgUnit.objects.get(pk=ctx["school"])
    record_type = ContentType.objects.get_for_model(ClearanceRecord).pk
    offices = dict(OrgUnit.objects.filter(school=school, kind=OrgUnit.Kind.OFFICE).values_list("office_type", "pk"))
    students = Student.objects.filter(school=school, grade=2023).exclude(status__in=["withdrawn", "suspended"]).count()
    created = {"n": 0}

    def new_plan() -> Any:
        plan = actions.create_plan(
            actor=admin, school=school, data=actions.PlanInput(name="2026届毕业生离校（基准）", grades=[2023])
        )
        for office, name in OFFICES:
            actions.add_checkpoint(actor=admin, plan_id=plan.pk, name=name, handler=f"office:{office}")
        department = "dept:teaching_secretary"
        actions.add_checkpoint(
            actor=admin, plan_id=plan.pk, name="院系审核", handler=department, prerequisites=["cp1", "cp2"]
        )
        return plan

    def op() -> None:
        plan = new_plan()
        created["n"] = actions.initialise(actor=admin, plan_id=plan.pk).created

    def floor() -> None:
        plan = new_plan()
        p: dict[str, Any] = {"plan": plan.pk, "definition": plan.definition_id, "school": school.pk, "admin": admin.pk}
        p |= {"rtype": record_type, "prefix": f"{plan.name}：", "steps": [], "units": []}
        for step in plan.definition.steps.filter(prerequisites=[]).order_by("order"):
            p["steps"].append(step.pk)
            p["units"].append(offices[step.actor_argument.partition("@")[2]])
        with connection.cursor() as c:
            c.execute(
                """INSERT INTO clearance_clearancerecord (student_range, created_at, plan_id, school_id,
                    department_id, student_id)
                SELECT CASE WHEN category IN ('undergraduate', 'vocational') THEN 'undergraduate'
                            WHEN certificate = 'single' THEN 'single' ELSE 'double' END,
                    now(), %(plan)s, %(school)s, department_id, id
                FROM orgs_student WHERE school_id = %(school)s AND grade = 2023
                    AND status NOT IN ('withdrawn', 'suspended')""",
                p,
            )
            c.execute(
                """INSERT INTO workflow_case (title, subject_id, state, round, version, submitted_at, updated_at,
                    applicant_id, department_id, school_id, student_id, subject_type_id, definition_id)
                SELECT left(%(prefix)s || s.student_no || ' ' || s.name, 200), r.id, 'in_progress', 1, 1, now(),
                    now(), coalesce(s.user_id, %(admin)s), r.department_id, %(school)s, r.student_id, %(rtype)s,
                    %(definition)s
                FROM clearance_clearancerecord r JOIN orgs_student s ON s.id = r.student_id
                WHERE r.plan_id = %(plan)s""",
                p,
            )
            c.execute(
                """UPDATE clearance_clearancerecord r SET case_id = k.id FROM workflow_case k
                WHERE r.plan_id = %(plan)s AND k.subject_type_id = %(rtype)s AND k.subject_id = r.id""",
                p,
            )
            c.execute(
                """INSERT INTO workflow_task (round, pool_role, acting_role, state, opinion, data, created_at,
                    case_id, pool_unit_id, step_id)
                SELECT 1, 'checkpoint_operator', 'checkpoint_operator', 'open', '', '{}'::jsonb, now(), k.id,
                    f.unit, f.step
                FROM workflow_case k, unnest(%(steps)s::bigint[], %(units)s::bigint[]) f(step, unit)
                WHERE k.definition_id = %(definition)s""",
                p,
            )
            c.execute(
                """INSERT INTO clearance_clearancecounter (plan_id, step_id, department_id, expected, passed, failed)
                SELECT %(plan)s, sd.id, r.department_id, count(*), 0, 0
                FROM clearance_clearancerecord r, workflow_stepdefinition sd
                WHERE r.plan_id = %(plan)s AND sd.definition_id = %(definition)s GROUP BY sd.id, r.department_id""",
                p,
            )

    m = compare(
        f"initialise a plan ({students:,} students)",
        rolled_back(op),
        rolled_back(floor),
        runs=runs,
        note="actions.create_plan + 10 × add_checkpoint + actions.initialise, rolled back",
        floor_note="the same plan and checkpoints through the actions + a hand-written SQL initialise (5 statements)",
    )
    m.extra = {"initialised": created["n"]}
    return m


# -- import -------------------------------------------------------------------------------------


def _upload(path: Any) -> Any:
    from campusflow.core.uploads import SPREADSHEETS, validate_upload

    return validate_upload(path.read_bytes(), allowed=SPREADSHEETS, max_bytes=200 * 1024 * 1024)


def _parse(content: bytes) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def _slow(rows: int, runs: int) -> dict[str, Any]:
    """Two runs and no warm-up for the 100k-row figures (each run takes many seconds; --full < 15 min)."""
    return {"runs": min(runs, 2), "warmup": False} if rows >= 50_000 else {"runs": runs}


def import_rows(ctx: dict[str, Any], path: Any, rows: int, runs: int) -> Measurement:
    from django.db import connection

    from campusflow.orgs.imports import StudentImport
    from campusflow.orgs.models import OrgUnit
    from campusflow.tabular.importing import run_import

    upload = _upload(path)
    admin = ctx["admin"]
    school = ctx["school"]
    departments = dict(OrgUnit.objects.filter(school_id=school, kind=OrgUnit.Kind.DEPARTMENT).values_list("name", "pk"))

    def op() -> None:
        report = run_import(StudentImport(admin), upload, commit=True)
        assert report.committed and report.created == rows, report.summary()

    def floor() -> None:
        table = _parse(upload.content)
        with connection.cursor() as c:
            raw = c.cursor
            with raw.copy(
                "COPY orgs_student (student_no, candidate_no, name, gender, id_number, id_number_index, major,"
                " class_name, grade, category, certificate, level, phone, father_name, father_phone, mother_name,"
                " mother_phone, household_transfer, accommodation, status, created_at, updated_at, department_id,"
                " school_id) FROM STDIN"
            ) as copy:
                for line in table[1:]:
                    copy.write_row(
                        (
                            line[0],
                            "",
                            line[1],
                            "M",
                            line[6],
                            "",
                            line[8],
                            line[9],
                            int(line[10]),
                            "undergraduate",
                            "",
                            "bachelor",
                            line[12],
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "enrolled",
                            "2025-09-01",
                            "2025-09-01",
                            departments[line[3]],
                            school,
                        )
                    )

    return compare(
        f"import {rows:,} students",
        rolled_back(op),
        rolled_back(floor),
        **_slow(rows, runs),
        note="tabular.importing.run_import(StudentImport, commit=True): calamine, validation, upsert, rolled back",
        floor_note="calamine parse + COPY of the same rows into orgs_student, rolled back",
    )


def import_validate(ctx: dict[str, Any], path: Any, rows: int, runs: int) -> Measurement:
    from campusflow.orgs.imports import StudentImport
    from campusflow.tabular.importing import run_import

    upload = _upload(path)
    admin = ctx["admin"]
    found: dict[str, int] = {}

    def op() -> None:
        report = run_import(StudentImport(admin), upload, commit=False)
        found["errors"] = report.error_rows

    m = compare(
        f"validate {rows:,} rows (1% bad)",
        op,
        lambda: _parse(upload.content),
        **_slow(rows, runs),
        note="run_import(commit=False) on the file with 1% bad rows: the error report, nothing written",
        floor_note="calamine parse alone",
    )
    m.extra = {"rejected_rows": found.get("errors")}
    return m


# -- export -------------------------------------------------------------------------------------


def export(ctx: dict[str, Any], runs: int, *, who: str = "admin", query: str = "") -> Measurement:
    """The student export of ``ctx[who]`` with the list's filter ``query`` (S: a school's 30k; L: 100k of 1M)."""
    import xlsxwriter
    from django.db import connection
    from django.http import QueryDict

    from campusflow.orgs.exports import filtered_students, student_export
    from campusflow.tabular.exporting import export_xlsx

    admin = ctx[who]
    export_params = {"query": query}
    source = student_export(admin, export_params)
    width = len(source.columns)
    queryset = filtered_students(admin, QueryDict(query))
    sql, params = queryset.query.get_compiler(using="default").as_sql()
    with connection.cursor() as c:
        statement = psycopg.ClientCursor(c.connection.connection).mogrify(sql, params)
        c.execute(statement)
        prefetched = [tuple("" if v is None else str(v) for v in row[:width]) for row in c.fetchall()]
    count = {"rows": 0}

    def op() -> None:
        fresh = student_export(admin, export_params)
        # A temporary file, as the export job and the download write (a BytesIO workbook would
        # make xlsxwriter hold everything in memory).
        with tempfile.TemporaryFile() as output:
            count["rows"] = export_xlsx(fresh.rows, fresh.columns, output, sheet_name=str(fresh.sheet_name))

    def floor() -> None:
        with connection.cursor() as c, c.cursor.copy(f"COPY ({statement}) TO STDOUT") as copy:
            for _block in copy:
                pass
        with tempfile.TemporaryFile() as output:  # as the op writes
            workbook = xlsxwriter.Workbook(output, {"constant_memory": True})
            sheet = workbook.add_worksheet()
            for index, row in enumerate(prefetched):
                sheet.write_row(index, 0, row)
            workbook.close()

    m = compare(
        f"export {len(prefetched):,} students to xlsx",
        op,
        floor,
        **_slow(len(prefetched), runs),
        note=f"orgs.exports.student_export({who}, query={query!r}) + tabular.exporting.export_xlsx (masked columns)",
        floor_note=f"COPY (the same query) TO STDOUT + xlsxwriter writing {width} columns of the same rows alone",
    )
    m.extra = {"rows": count["rows"], "columns": width, "peak_memory_mb": export_memory_mb(admin.pk, query)}
    print(f"    {'':<44} peak memory of the export process: {m.extra['peak_memory_mb']:.0f} MB", flush=True)
    return m


def export_memory_mb(user_id: int, query: str) -> float:
    """Peak resident memory of one export in a fresh process, above what Django's set-up holds."""
    import subprocess

    done = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "bench.export_memory", str(user_id), query],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return float(figures["peak_mb"])


# -- PDFs ---------------------------------------------------------------------------------------


def pdfs(count: int, runs: int) -> Measurement:
    from bench.documents_bench import bases
    from campusflow.documents import renderer
    from campusflow.documents.data import Disclosure
    from campusflow.documents.kinds import KINDS

    kind = KINDS["agreement"]
    items = bases(count)
    disclosure = Disclosure(None)
    compiler = renderer.compiler()
    path = str(renderer.template_dir() / kind.template)
    texts = [json.dumps(kind.build(base, disclosure), ensure_ascii=False) for base in items]
    fixed = texts[0]

    def op() -> None:
        for base in items:
            renderer.render(kind.template, kind.build(base, disclosure))

    def floor() -> None:
        for text in texts:
            compiler.compile(input=path, sys_inputs={"data": text}, format="pdf")

    def fixed_doc() -> None:
        for _ in range(count):
            compiler.compile(input=path, sys_inputs={"data": fixed}, format="pdf")

    big = count > 200
    m = compare(
        f"{count:,} agreement PDFs",
        op,
        floor,
        runs=min(runs, 2) if big else runs,
        warmup=not big,
        note="documents kinds['agreement'].build + renderer.render for each of N bases",
        floor_note="typst Compiler.compile of the same N documents (JSON prepared beforehand)",
    )
    if big:  # the fixed-document comparison below is the quick suite's (it would add a minute here)
        return m
    # The floor, one fixed document N times, is memoised by typst (identical input): shown, not used.
    same = compare(
        f"  {count:,} × one fixed document",
        floor,
        fixed_doc,
        runs=max(3, runs // 2),
        note="the N documents",
        floor_note="one fixed document compiled N times (typst memoises it)",
    )
    m.extra = {"fixed_document_ms": round(same.floor, 2)}
    return m


# -- aggregates -----------------------------------------------------------------------------------


def dashboard(ctx: dict[str, Any], runs: int) -> list[Measurement]:
    from django.db import connection

    from campusflow.clearance import actions
    from campusflow.workflow import selectors

    plan = ctx["plan"]
    steps = ctx["steps"]

    def op() -> None:
        actions.counters_by_step(plan)  # what plan detail and statistics show: every checkpoint at once

    def floor() -> None:
        with connection.cursor() as c:
            c.execute(
                "SELECT step_id, sum(expected), sum(passed), sum(failed) FROM clearance_clearancecounter"
                " WHERE plan_id = %s GROUP BY step_id",
                [plan.pk],
            )
            c.fetchall()

    def from_tasks() -> None:
        with connection.cursor() as c:
            c.execute(
                "SELECT t.step_id, count(*), count(*) FILTER (WHERE t.state = 'approved'),"
                " count(*) FILTER (WHERE t.state = 'failed') FROM workflow_task t"
                " JOIN workflow_case k ON k.id = t.case_id WHERE k.definition_id = %s GROUP BY t.step_id",
                [plan.definition_id],
            )
            c.fetchall()

    board = compare(
        f"clearance counters, {len(steps)} checkpoints",
        op,
        floor,
        runs=runs,
        inner=5,
        note="clearance.actions.counters_by_step: every checkpoint's tally from the summary table, one query",
        floor_note="one GROUP BY over clearance_clearancecounter",
    )
    scan = compare(
        "  same counts from the tasks (no summary)",
        floor,
        from_tasks,
        runs=runs,
        inner=3,
        note="the summary-table statement",
        floor_note="one GROUP BY over workflow_task ⋈ workflow_case (what the summary table saves)",
    )

    # The user as a request has it: the sign-in backend's lookup (with its unread count and
    # whether anyone delegates to them).
    from campusflow.accounts.backends import CampusBackend

    user = CampusBackend().get_user(ctx["secretary"].pk)
    querysets = [
        selectors.todo(user),
        selectors.done(user),
        selectors.mine(user),
        selectors.copied(user).filter(read_at__isnull=True),
    ]
    parts = []
    params: list[Any] = []
    for qs in querysets:
        sql, p = qs.values("pk").query.get_compiler(using="default").as_sql()
        parts.append(f"(SELECT count(*) FROM ({sql}) q)")
        params.extend(p)
    single = "SELECT " + ", ".join(parts)

    def inbox_floor() -> None:
        with connection.cursor() as c:
            c.execute(single, params)
            c.fetchall()

    inbox = compare(
        "inbox counts",
        lambda: selectors.counts(user),
        inbox_floor,
        runs=runs,
        inner=5,
        note="workflow.selectors.counts (todo, overdue, done, mine, cc): one SELECT of scalar subqueries",
        floor_note="the same four counts as one SELECT of scalar subqueries",
    )
    return [board, scan, inbox]


# -- the whole quick suite ------------------------------------------------------------------------


def context(info: dict[str, Any], seed: int) -> dict[str, Any]:
    from bench.generate import BENCH_OFFICE, OFFICES, school_id
    from campusflow.accounts.models import User
    from campusflow.clearance.models import ClearancePlan
    from campusflow.workflow.models import StepDefinition

    plan = ClearancePlan.objects.select_related("definition").get(pk=info["plan"]["plan_id"])
    steps = list(StepDefinition.objects.filter(definition_id=plan.definition_id).order_by("order"))
    key = f"cp{[o for o, _n in OFFICES].index(BENCH_OFFICE) + 1}"
    return {
        "seed": seed,
        "plan": plan,
        "steps": steps,
        "step": next(s for s in steps if s.key == key),
        "operator": User.objects.get(pk=info["plan"]["operators"][BENCH_OFFICE]),
        "admin": User.objects.get(pk=info["plan"]["admin"]),
        "secretary": User.objects.get(pk=info["plan"]["secretary"]),
        "province": User.objects.get(pk=info["plan"]["province"]),
        "school": school_id(1),
    }


# The province's student list as the issue describes it: filters on, 20 rows, the count.
PROVINCE_FILTER = "grade=2023&category=academic_master&status=enrolled"
# 100,000 students of L (student numbers 2000100000–2000199999); on S the whole school.
EXPORT_QUERY = {"L": ("province", "q=20001"), "S": ("admin", ""), "XS": ("admin", "")}


# Tables the timed writes touch. Their rows are rolled back, but each rollback leaves dead
# tuples: after a few runs orgs_student held 500k dead rows beside 30k live ones (131 MB) and
# workflow_task 5.4M (722 MB), and every later scan read the bloat. Vacuumed before the reads.
WRITTEN_TABLES = (
    "orgs_student",
    "workflow_task",
    "workflow_case",
    "workflow_caseevent",
    "clearance_clearancerecord",
    "clearance_clearancecounter",
    "core_auditevent",
)


def vacuum() -> float:
    """VACUUM (ANALYZE) the tables the write figures touch; returns the seconds it took."""
    started = time.perf_counter()
    with _raw() as conn:
        for table in WRITTEN_TABLES:
            conn.execute(f"VACUUM (ANALYZE) {table}")  # fixed table names, never input
    return time.perf_counter() - started


def run(size: Size, seed: int, info: dict[str, Any], *, only: set[str] | None = None) -> list[Measurement]:
    from bench import generate
    from campusflow.core.testing import client_for

    ctx = context(info, seed)
    runs = size.runs
    out: list[Measurement] = []

    def wanted(group: str) -> bool:
        return only is None or group in only

    print(f"==> Vacuuming what earlier runs' rolled-back writes left ({vacuum():.1f} s)", flush=True)
    print(f"==> Suite on size {size.name}: median of {runs} runs after a warm-up, op vs floor", flush=True)
    if wanted("pages"):
        raw = _raw()
        operator = client_for(ctx["operator"])
        province = client_for(ctx["province"])
        query = f"plan={ctx['plan'].pk}&step={ctx['step'].key}"
        out.append(page("operator list page (desk batch)", operator, f"/clearance/desk/batch/?{query}", raw, runs))
        out.append(page("counters fragment", operator, f"/clearance/desk/counters/?{query}", raw, runs))
        out.append(page("student list page", client_for(ctx["admin"]), "/org/students/", raw, runs))
        out.append(page("province student list, filtered", province, f"/org/students/?{PROVINCE_FILTER}", raw, runs))
        out.append(twenty_rows(province, f"/org/students/?{PROVINCE_FILTER}", raw, runs))
        out.append(page("province student list, unfiltered", province, "/org/students/", raw, runs))
        out.append(page("province home (dashboard figures)", province, "/", raw, runs))
        out.append(page("inbox page", client_for(ctx["secretary"]), "/workflow/inbox/", raw, runs))
        raw.close()
    if wanted("batch"):
        out.append(batch_pass(ctx, 500, runs))
        out.append(batch_pass(ctx, 10_000, runs))
        out.append(initialise(ctx, runs))
        vacuum()
    if wanted("import"):
        for rows in size.import_rows:
            out.append(import_rows(ctx, generate.import_file(rows, seed, bad=False), rows, runs))
            out.append(import_validate(ctx, generate.import_file(rows, seed, bad=True), rows, runs))
        out.extend(import_comparison(size, runs))
        vacuum()
    if wanted("export"):
        who, query = EXPORT_QUERY.get(size.name, ("admin", ""))
        out.append(export(ctx, runs, who=who, query=query))
    if wanted("pdf"):
        out.append(pdfs(size.pdfs, runs))
    if wanted("aggregates"):
        out.extend(dashboard(ctx, runs))
    return out


def import_comparison(size: Size, runs: int) -> list[Measurement]:
    """The django-import-export side by side, when ``bench/import_compare.py`` is there.

    That module (its own owner's) provides ``measure(size, runs) -> list[Measurement]``;
    without it this group adds nothing.
    """
    import importlib
    import importlib.util

    if importlib.util.find_spec("bench.import_compare") is None:
        print("  (bench/import_compare.py not present: no django-import-export comparison)", flush=True)
        return []
    try:
        module = importlib.import_module("bench.import_compare")
        measured: list[Measurement] = module.measure(size, runs)
    except Exception as error:  # its failure must not lose the rest of the run
        print(f"  django-import-export comparison failed: {error!r}", flush=True)
        return [Measurement("django-import-export comparison: failed", [0.0], note=repr(error)[:500])]
    return measured
