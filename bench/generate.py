# ruff: noqa: S608 - SQL built from this file's own constants, never from input
"""The deterministic dataset: built set-based in SQL (generate_series), verified by checksums.

Every attribute of a generated row is a pure function of (seed, column tag, row index):
``bench_h(seed, tag, i)`` takes 60 bits of ``md5(seed:tag:i)``. No unseeded randomness and
no ``i % k`` shared between columns, so columns do not correlate through the index.

The clearance plan is built through the app's own actions (``create_plan``,
``add_checkpoint``, ``initialise``, ``pass_tasks``): they are the stable public API and
already set-based. ID numbers are encrypted in Python (AES-GCM needs the app's key) for
the one student in ten that has one; the rest leave ``id_number`` empty.

Checksums: an md5 over sampled rows (1 in 100, chosen by hash) of each table, excluding
ciphertexts (random nonces) and creation timestamps; a rerun on a fresh database must
give the same figures (``bench_meta`` keeps the build's own).
"""

from __future__ import annotations

import json
import math
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import psycopg

from bench.common import DATA, Size

GENERATOR_VERSION = 3
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁"
    "梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦"
    "黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪"
    "澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
)
DEPARTMENTS = [
    "计算机学院",
    "机械学院",
    "电气工程学院",
    "土木工程学院",
    "化学工程学院",
    "材料学院",
    "经济管理学院",
    "外国语学院",
    "数学学院",
    "物理学院",
    "生命科学学院",
    "环境学院",
    "建筑学院",
    "法学院",
    "文学院",
    "艺术学院",
    "医学院",
    "农学院",
    "马克思主义学院",
    "体育学院",
]
MAJORS = ["计算机技术", "软件工程", "机械工程", "电子信息", "土木工程", "化学工程", "材料工程", "工商管理", "会计"]
MAJORS += ["英语笔译", "应用数学", "物理学", "生物学", "环境工程", "建筑学", "法律", "汉语言文学", "临床医学"]
CITIES = ["郑州", "洛阳", "开封", "新乡", "濮阳", "许昌", "南阳", "信阳", "商丘", "周口", "安阳", "焦作", "平顶山"]
WORDS = ["华宇", "中原", "恒信", "天成", "宏达", "博远", "瑞丰", "泰和", "金源", "盛世", "鼎新", "汇通", "科创"]
INDUSTRIES = ["软件和信息技术服务业", "制造业", "建筑业", "金融业", "教育", "卫生", "电力", "交通运输", "批发零售"]
NATURES = ["state_owned", "private_hitech", "public_institution", "foreign", "other"]
SCALES = ["micro", "small", "medium", "large"]
OFFICES = [  # office type, the checkpoint's name there
    ("graduate_school", "研究生院审核"),
    ("student_affairs", "学工处离校手续"),
    ("academic_affairs", "教务处成绩审核"),
    ("library", "图书馆还书"),
    ("finance", "财务处缴费"),
    ("hospital", "校医院体检"),
    ("labs", "实验室设备归还"),
    ("key_lab", "重点实验室签字"),
    ("other", "宿舍退宿"),
]
BENCH_OFFICE = "library"  # its checkpoint is left untouched: every task open, for the batch-pass figures
T0 = "2025-09-01 08:00:00+08"

H_FUNCTION = """
CREATE OR REPLACE FUNCTION bench_h(seed integer, tag text, i bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT ('x' || substr(md5(seed::text || ':' || tag || ':' || i::text), 1, 15))::bit(60)::bigint $$;
CREATE OR REPLACE FUNCTION bench_pick(arr text[], h bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT arr[1 + (h % array_length(arr, 1))::int] $$;
"""


def _arr(values: list[str] | str) -> str:
    items = list(values)
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in items) + "]::text[]"


def school_id(s: int) -> int:
    return 1000 + s


def department_id(s: int, d: int) -> int:
    return 100_000 + s * 100 + d


def office_id(s: int, k: int) -> int:
    return 200_000 + s * 100 + k


def admin_url(dbname: str = "postgres") -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER']} dbname={dbname}"


def meta() -> dict[str, Any] | None:
    """The stored description of the current dataset, or None when there is none."""
    from django.conf import settings

    try:
        with psycopg.connect(admin_url(settings.DATABASES["default"]["NAME"]), autocommit=True) as conn:
            row = conn.execute("SELECT value FROM bench_meta WHERE key = 'dataset'").fetchone()
    except psycopg.Error:
        return None
    return row[0] if row else None


def recreate_database() -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    name = settings.DATABASES["default"]["NAME"]
    assert name.startswith("campusflow_bench"), name  # never anyone else's database
    connections.close_all()
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0, interactive=False)


def _sql(cursor: Any, statement: str, params: Any = None) -> None:
    cursor.execute(statement, params)


def build_core(size: Size, seed: int) -> dict[str, float]:
    """Org tree, teachers, students, enterprises: pure SQL."""
    from django.db import connection

    timings: dict[str, float] = {}
    per_school = math.ceil(size.students / size.schools)
    d = size.departments
    with connection.cursor() as c:
        _sql(c, H_FUNCTION)
        started = time.perf_counter()
        _sql(
            c,
            "INSERT INTO orgs_orgunit (id, kind, office_type, name, code, contact_name, contact_phone, sort_order,"
            " is_active, created_at, parent_id, school_id) VALUES (1, 'province', '', '河南省教育厅', 'HA', '', '',"
            " 0, true, %s, NULL, NULL)",
            [T0],
        )
        _sql(
            c,
            f"""INSERT INTO orgs_orgunit (id, kind, office_type, name, code, contact_name, contact_phone, sort_order,
                is_active, created_at, parent_id, school_id)
            SELECT 1000 + s, 'school', '',
                CASE WHEN s = 1 THEN '华北理工大学' ELSE bench_pick({_arr(CITIES)}, bench_h(%s, 'school', s))
                    || bench_pick({_arr(WORDS)}, bench_h(%s, 'school2', s)) || '第' || s || '学院' END,
                'U' || lpad(s::text, 5, '0'), '', '', s, true, %s, 1, 1000 + s
            FROM generate_series(1, %s) s""",
            [seed, seed, T0, size.schools],
        )
        _sql(
            c,
            f"""INSERT INTO orgs_orgunit (id, kind, office_type, name, code, contact_name, contact_phone, sort_order,
                is_active, created_at, parent_id, school_id)
            SELECT 100000 + s * 100 + dd, 'department', '', ({_arr(DEPARTMENTS)})[dd], 'D' || lpad(dd::text, 2, '0'),
                '', '', dd, true, %s, 1000 + s, 1000 + s
            FROM generate_series(1, %s) s, generate_series(1, %s) dd""",
            [T0, size.schools, d],
        )
        offices = [o for o, _n in OFFICES]
        _sql(
            c,
            f"""INSERT INTO orgs_orgunit (id, kind, office_type, name, code, contact_name, contact_phone, sort_order,
                is_active, created_at, parent_id, school_id)
            SELECT 200000 + s * 100 + k, 'office', ({_arr(offices)})[k], ({_arr([n for _o, n in OFFICES])})[k],
                'O' || lpad(k::text, 2, '0'), '', '', 100 + k, true, %s, 1000 + s, 1000 + s
            FROM generate_series(1, %s) s, generate_series(1, %s) k""",
            [T0, size.schools, len(offices)],
        )
        timings["orgs"] = time.perf_counter() - started

        started = time.perf_counter()
        t = size.teachers
        _sql(
            c,
            f"""INSERT INTO orgs_teacher (id, staff_no, name, gender, title, phone, email, is_supervisor,
                created_at, updated_at, department_id, school_id, user_id)
            SELECT g, 'T' || lpad(g::text, 7, '0'),
                bench_pick({_arr(SURNAMES)}, bench_h(%(seed)s, 't.sur', g))
                    || bench_pick({_arr(GIVEN)}, bench_h(%(seed)s, 't.giv', g)),
                CASE WHEN bench_h(%(seed)s, 't.gender', g) %% 2 = 0 THEN 'M' ELSE 'F' END,
                bench_pick(ARRAY['教授','副教授','讲师','研究员']::text[], bench_h(%(seed)s, 't.title', g)),
                '', '', bench_h(%(seed)s, 't.sup', g) %% 10 < 6, %(t0)s, %(t0)s,
                100000 + (1 + (g - 1) / %(t)s) * 100 + 1 + (bench_h(%(seed)s, 't.dept', g) %% %(d)s)::int,
                1000 + 1 + (g - 1) / %(t)s, NULL
            FROM generate_series(1, %(n)s) g""",
            {"seed": seed, "t0": T0, "t": t, "d": d, "n": t * size.schools},
        )
        timings["teachers"] = time.perf_counter() - started

        started = time.perf_counter()
        # Category by weight; level follows from category (a real dependency, not an index artefact).
        _sql(
            c,
            f"""INSERT INTO orgs_student (id, student_no, candidate_no, name, gender, id_number, id_number_index,
                birth_date, major, class_name, grade, category, certificate, level, phone, father_name,
                father_phone, mother_name, mother_phone, household_transfer, accommodation, status, created_at,
                updated_at, department_id, enterprise_mentor_id, school_id, user_id, supervisor_id)
            SELECT i, student_no, '', name, gender, '', '', birth, major,
                left(major, 2) || (grade %% 100) || lpad((1 + bench_h(%(seed)s, 'class', i) %% 6)::text, 2, '0'),
                grade, category,
                CASE WHEN category IN ('undergraduate', 'vocational') THEN ''
                     WHEN bench_h(%(seed)s, 'cert', i) %% 4 = 0 THEN 'single' ELSE 'double' END,
                CASE category WHEN 'undergraduate' THEN 'bachelor' WHEN 'vocational' THEN 'associate'
                     WHEN 'academic_doctor' THEN 'doctor' WHEN 'professional_doctor' THEN 'doctor'
                     ELSE 'master' END,
                '', '', '', '', '', '', '', status, %(t0)s, %(t0)s, dept, NULL, school,
                NULL,
                CASE WHEN category NOT IN ('undergraduate', 'vocational') AND bench_h(%(seed)s, 'hassup', i) %% 10 < 8
                     THEN (school - 1001) * %(t)s + 1 + bench_h(%(seed)s, 'sup', i) %% %(t)s END
            FROM (
                SELECT i,
                    1000 + 1 + (i - 1) / %(per)s AS school,
                    100000 + (1 + (i - 1) / %(per)s) * 100 + 1 + (bench_h(%(seed)s, 'dept', i) %% %(d)s)::int AS dept,
                    '2' || lpad(i::text, 9, '0') AS student_no,
                    bench_pick({_arr(SURNAMES)}, bench_h(%(seed)s, 'sur', i))
                        || bench_pick({_arr(GIVEN)}, bench_h(%(seed)s, 'giv', i))
                        || CASE WHEN bench_h(%(seed)s, 'two', i) %% 3 = 0 THEN ''
                           ELSE bench_pick({_arr(GIVEN)}, bench_h(%(seed)s, 'giv2', i)) END AS name,
                    CASE WHEN bench_h(%(seed)s, 'gender', i) %% 2 = 0 THEN 'M' ELSE 'F' END AS gender,
                    DATE '1996-01-01' + (bench_h(%(seed)s, 'birth', i) %% 3650)::int AS birth,
                    bench_pick({_arr(MAJORS)}, bench_h(%(seed)s, 'major', i)) AS major,
                    (2022 + bench_h(%(seed)s, 'grade', i) %% 3)::smallint AS grade,
                    CASE WHEN c < 40 THEN 'undergraduate' WHEN c < 60 THEN 'academic_master'
                         WHEN c < 80 THEN 'professional_master' WHEN c < 86 THEN 'academic_doctor'
                         WHEN c < 90 THEN 'professional_doctor' WHEN c < 93 THEN 'equivalent'
                         ELSE 'vocational' END AS category,
                    CASE WHEN st < 96 THEN 'enrolled' WHEN st < 98 THEN 'suspended'
                         WHEN st < 99 THEN 'graduated' ELSE 'withdrawn' END AS status
                FROM (
                    SELECT i, bench_h(%(seed)s, 'cat', i) %% 100 AS c, bench_h(%(seed)s, 'status', i) %% 100 AS st
                    FROM generate_series(1, %(n)s) i
                ) base
            ) s""",
            {"seed": seed, "t0": T0, "per": per_school, "d": d, "t": size.teachers, "n": size.students},
        )
        timings["students"] = time.perf_counter() - started

        started = time.perf_counter()
        _sql(
            c,
            f"""INSERT INTO bases_enterprise (id, credit_code, name, nature, industry, scale, staff_count,
                legal_representative, address, contact_name, contact_phone, introduction, status, created_at,
                updated_at)
            SELECT i, '91' || lpad(i::text, 16, '0'),
                bench_pick({_arr(CITIES)}, bench_h(%(seed)s, 'e.city', i))
                    || bench_pick({_arr(WORDS)}, bench_h(%(seed)s, 'e.word', i))
                    || bench_pick({_arr(INDUSTRIES)}, bench_h(%(seed)s, 'e.ind2', i)) || '有限公司',
                bench_pick({_arr(NATURES)}, bench_h(%(seed)s, 'e.nature', i)),
                bench_pick({_arr(INDUSTRIES)}, bench_h(%(seed)s, 'e.ind', i)),
                bench_pick({_arr(SCALES)}, bench_h(%(seed)s, 'e.scale', i)),
                (1 + bench_h(%(seed)s, 'e.staff', i) %% 5000)::int,
                bench_pick({_arr(SURNAMES)}, bench_h(%(seed)s, 'e.sur', i))
                    || bench_pick({_arr(GIVEN)}, bench_h(%(seed)s, 'e.giv', i)),
                bench_pick({_arr(CITIES)}, bench_h(%(seed)s, 'e.addr', i)) || '市人民路'
                    || (1 + bench_h(%(seed)s, 'e.no', i) %% 999) || '号',
                '', '', '',
                CASE WHEN bench_h(%(seed)s, 'e.status', i) %% 50 = 0 THEN 'suspended' ELSE 'normal' END,
                %(t0)s, %(t0)s
            FROM generate_series(1, %(n)s) i""",
            {"seed": seed, "t0": T0, "n": size.enterprises},
        )
        timings["enterprises"] = time.perf_counter() - started
        for table, column in (("orgs_orgunit", "id"), ("orgs_teacher", "id"), ("orgs_student", "id")):
            _sql(c, f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), (SELECT max(id) FROM {table}))")
        _sql(
            c, "SELECT setval(pg_get_serial_sequence('bases_enterprise', 'id'), (SELECT max(id) FROM bases_enterprise))"
        )
    timings["id_numbers"] = fill_id_numbers(seed)
    with connection.cursor() as c:
        started = time.perf_counter()
        _sql(c, "ANALYZE")
        timings["analyze"] = time.perf_counter() - started
    return timings


def id_number(birth: date, serial: int) -> str:
    from campusflow.core.validators import id_number_check_digit

    first17 = f"410105{birth:%Y%m%d}{serial:03d}"
    return first17 + id_number_check_digit(first17)


def fill_id_numbers(seed: int) -> float:
    """One student in ten gets an ID number: encrypted and blind-indexed in Python, loaded with COPY."""
    from django.db import connection

    from campusflow.core.crypto import blind_index, encrypt

    started = time.perf_counter()
    with connection.cursor() as c:
        c.execute(
            "SELECT id, birth_date, bench_h(%s, 'idserial', id) %% 1000 FROM orgs_student"
            " WHERE bench_h(%s, 'hasid', id) %% 10 = 0 ORDER BY id",
            [seed, seed],
        )
        rows = c.fetchall()
        c.execute("CREATE TEMP TABLE bench_ids (id bigint PRIMARY KEY, enc text, idx varchar(64))")
        raw = c.cursor  # the psycopg cursor underneath
        with raw.copy("COPY bench_ids (id, enc, idx) FROM STDIN") as copy:
            for pk, birth, serial in rows:
                value = id_number(birth, int(serial))
                copy.write_row((pk, encrypt(value), blind_index(value)))
        c.execute(
            "UPDATE orgs_student s SET id_number = b.enc, id_number_index = b.idx FROM bench_ids b WHERE s.id = b.id"
        )
        c.execute("DROP TABLE bench_ids")
    return time.perf_counter() - started


# -- people and the clearance plan (through the app's actions) -------------------------


def build_people_and_plan(size: Size, seed: int) -> dict[str, Any]:
    from django.db import connection

    from campusflow.clearance import actions
    from campusflow.core.roles import Role
    from campusflow.core.testing import make_user
    from campusflow.orgs.models import OrgUnit
    from campusflow.workflow.models import StepDefinition

    timings: dict[str, Any] = {}
    started = time.perf_counter()
    school = OrgUnit.objects.get(pk=school_id(1))
    admin = make_user("bench_admin", Role.SCHOOL_ADMIN, school, full_name="基准管理员")
    operators = {}
    for k, (office, _name) in enumerate(OFFICES, start=1):
        unit = OrgUnit.objects.get(pk=office_id(1, k))
        operators[office] = make_user(f"bench_op_{office}", Role.CHECKPOINT_OPERATOR, unit, full_name=f"操作员{k}")
    secretary = make_user(
        "bench_secretary",
        Role.TEACHING_SECRETARY,
        OrgUnit.objects.get(pk=department_id(1, 1)),
        full_name="教学秘书",
    )
    timings["people_s"] = time.perf_counter() - started

    started = time.perf_counter()
    plan = actions.create_plan(
        actor=admin, school=school, data=actions.PlanInput(name="2025届毕业生离校（基准）", grades=[2022])
    )
    for office, name in OFFICES:
        actions.add_checkpoint(actor=admin, plan_id=plan.pk, name=name, handler=f"office:{office}")
    actions.add_checkpoint(
        actor=admin, plan_id=plan.pk, name="院系审核", handler="dept:teaching_secretary", prerequisites=["cp1", "cp2"]
    )
    timings["plan_s"] = time.perf_counter() - started
    started = time.perf_counter()
    result = actions.initialise(actor=admin, plan_id=plan.pk)
    timings["initialise_s"] = time.perf_counter() - started
    timings["initialised_students"] = result.created

    # Progress: a hash-chosen share of students has passed each office checkpoint but the bench one.
    started = time.perf_counter()
    steps = {s.key: s for s in StepDefinition.objects.filter(definition_id=plan.definition_id)}
    with connection.cursor() as c:
        for k, (office, _name) in enumerate(OFFICES, start=1):
            if office == BENCH_OFFICE:
                continue
            c.execute(
                "SELECT student_id FROM clearance_clearancerecord WHERE plan_id = %s"
                " AND bench_h(%s, %s, student_id) %% 100 < %s ORDER BY student_id",
                [plan.pk, seed, f"pass.cp{k}", 30 + 5 * k],
            )
            ids = [row[0] for row in c.fetchall()]
            actions.pass_tasks(actor=operators[office], checkpoint=steps[f"cp{k}"], student_ids=ids)
    timings["progress_s"] = time.perf_counter() - started
    with connection.cursor() as c:
        c.execute("ANALYZE")
    return {
        "timings": timings,
        "plan_id": plan.pk,
        "admin": admin.pk,
        "secretary": secretary.pk,
        "operators": {k: v.pk for k, v in operators.items()},
    }


# -- checksums ---------------------------------------------------------------------------

CHECKSUMS = {
    "orgs_orgunit": "SELECT concat_ws('|', id, kind, office_type, name, code, parent_id, school_id) FROM orgs_orgunit",
    "orgs_teacher": "SELECT concat_ws('|', id, staff_no, name, gender, title, is_supervisor, department_id)"
    " FROM orgs_teacher",
    "orgs_student": "SELECT concat_ws('|', id, student_no, name, gender, id_number_index, birth_date, major,"
    " class_name, grade, category, certificate, level, status, department_id, school_id, supervisor_id)"
    " FROM orgs_student",
    "bases_enterprise": "SELECT concat_ws('|', id, credit_code, name, nature, industry, scale, staff_count,"
    " legal_representative, address, status) FROM bases_enterprise",
    "clearance_records": "SELECT concat_ws('|', r.student_id, r.department_id, r.student_range,"
    " r.cleared_at IS NULL) FROM clearance_clearancerecord r",
    "workflow_tasks": "SELECT concat_ws('|', c.student_id, s.key, t.state, t.pool_role, t.pool_unit_id)"
    " FROM workflow_task t JOIN workflow_case c ON c.id = t.case_id JOIN workflow_stepdefinition s"
    " ON s.id = t.step_id",
    "clearance_counters": "SELECT concat_ws('|', s.key, k.department_id, k.expected, k.passed, k.failed)"
    " FROM clearance_clearancecounter k JOIN workflow_stepdefinition s ON s.id = k.step_id",
}
SAMPLE_KEY = {
    "orgs_orgunit": None,
    "orgs_teacher": "id",
    "orgs_student": "id",
    "bases_enterprise": "id",
    "clearance_records": "r.student_id",
    "workflow_tasks": "c.student_id",
    "clearance_counters": None,
}


def checksums(seed: int) -> dict[str, dict[str, Any]]:
    from django.db import connection

    out: dict[str, dict[str, Any]] = {}
    with connection.cursor() as c:
        for name, select in CHECKSUMS.items():
            key = SAMPLE_KEY[name]
            where = f" WHERE bench_h({seed}, 'sample', {key}) % 100 = 0" if key else ""
            c.execute(
                "SELECT count(*), md5(coalesce(string_agg(line, E'\\n' ORDER BY line), ''))"
                f" FROM ({select}{where}) q(line)"
            )
            sampled, digest = c.fetchone()
            out[name] = {"sampled_rows": sampled, "md5": digest}
        for table in (
            "orgs_student",
            "bases_enterprise",
            "orgs_teacher",
            "workflow_task",
            "workflow_caseevent",
            "workflow_case",
            "clearance_clearancerecord",
            "core_auditevent",
        ):
            c.execute(f"SELECT count(*) FROM {table}")
            out.setdefault("_counts", {})[table] = c.fetchone()[0]
    return out


# -- import files --------------------------------------------------------------------------


def import_file(rows: int, seed: int, *, bad: bool) -> Path:
    """学生信息 workbook of ``rows`` new students; with ``bad``, 1% of rows (hash-chosen) are wrong."""
    import xlsxwriter

    from campusflow.orgs.imports import StudentImport

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"students_{rows}{'_bad' if bad else ''}_{seed}.xlsx"
    if path.exists():
        return path
    import hashlib

    def h(tag: str, j: int) -> int:
        return int(hashlib.md5(f"{seed}:{tag}:{j}".encode(), usedforsecurity=False).hexdigest()[:15], 16)

    headers = [c.header for c in StudentImport.columns]
    categories = [("本科生", "本科"), ("学历硕士", "硕士"), ("专业学位硕士", "硕士"), ("学历博士", "博士")]
    tmp = path.with_suffix(".tmp")
    workbook = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
    workbook.set_properties({"created": datetime(2025, 9, 1, 8, 0, 0)})
    sheet = workbook.add_worksheet("学生信息")
    sheet.write_row(0, 0, headers)
    for j in range(1, rows + 1):
        category, level = categories[h("cat", j) % len(categories)]
        birth = date(1996, 1, 1).fromordinal(date(1996, 1, 1).toordinal() + h("birth", j) % 3650)
        values: dict[str, str | int] = {
            "学号": f"N{j:09d}",
            "姓名": SURNAMES[h("sur", j) % len(SURNAMES)] + GIVEN[h("giv", j) % len(GIVEN)],
            "性别": "男" if h("gender", j) % 2 else "女",
            "院系": DEPARTMENTS[h("dept", j) % 8],
            "学生类别": category,
            "培养层次": level,
            "身份证号": id_number(birth, h("serial", j) % 1000),
            "专业": MAJORS[h("major", j) % len(MAJORS)],
            "班级": f"班{h('class', j) % 40:02d}",
            "年级": 2022 + h("grade", j) % 3,
            "学籍状态": "在读",
            "手机号码": f"13{h('phone', j) % 10**9:09d}",
        }
        if bad and h("bad", j) % 100 == 0:
            kind = h("badkind", j) % 4
            if kind == 0:
                values["院系"] = "不存在学院"
            elif kind == 1:
                values["性别"] = "未知"
            elif kind == 2:
                number = str(values["身份证号"])
                values["身份证号"] = number[:17] + ("0" if number[17] != "0" else "1")
            else:
                values["年级"] = 1900
        sheet.write_row(j, 0, [values.get(header, "") for header in headers])
    workbook.close()
    tmp.rename(path)
    return path


# -- the whole build ---------------------------------------------------------------------


def ensure(size: Size, seed: int, *, rebuild: bool = False) -> dict[str, Any]:
    """Build the dataset unless the database already holds this one; verify its checksums."""
    from django.db import connection

    wanted = {"version": GENERATOR_VERSION, "size": size.name, "seed": seed}
    current = None if rebuild else meta()
    if current is not None and all(current.get(k) == v for k, v in wanted.items()):
        print(f"==> Dataset {size.name} (seed {seed}) already built; verifying checksums", flush=True)
        now = checksums(seed)
        same = now == current["checksums"]
        print(f"    checksums {'match the build' if same else 'DIFFER from the build'}", flush=True)
        return {**current, "reused": True, "checksums_match": same, "checksums_now": now}

    print(f"==> Building dataset {size.name} (seed {seed}) in SQL", flush=True)
    started = time.perf_counter()
    recreate_database()
    migrate_s = time.perf_counter() - started
    started = time.perf_counter()
    core = build_core(size, seed)
    core_s = time.perf_counter() - started
    print(f"    orgs, teachers, {size.students} students, {size.enterprises} enterprises: {core_s:.1f} s", flush=True)
    people = build_people_and_plan(size, seed)
    print(
        f"    clearance plan: {people['timings']['initialised_students']} students initialised in "
        f"{people['timings']['initialise_s']:.1f} s, progress {people['timings']['progress_s']:.1f} s",
        flush=True,
    )
    sums = checksums(seed)
    info = {
        **wanted,
        "built_at": datetime.now().isoformat(timespec="seconds"),
        "migrate_s": round(migrate_s, 2),
        "sql_s": round(core_s, 2),
        "sql_steps_s": {k: round(v, 2) for k, v in core.items()},
        "plan": people,
        "checksums": sums,
    }
    with connection.cursor() as c:
        c.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value jsonb NOT NULL)")
        c.execute(
            "INSERT INTO bench_meta VALUES ('dataset', %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [json.dumps(info, ensure_ascii=False)],
        )
    return {**info, "reused": False, "checksums_match": True}
