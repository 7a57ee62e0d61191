# ruff: noqa: S608 - SQL built from this file's own constants, never from input
"""The deterministic dataset: built set-based in SQL (generate_series), verified by checksums.

Every attribute of a generated row is a pure function of (seed, column tag, row index):
``bench_h(seed, tag, i)`` is 60 bits of PostgreSQL's seeded integer hash
``hashint8extended(i, hashtextextended(tag, seed))`` (Jenkins lookup3, ~10× cheaper than the
md5 of earlier versions; the tag's hash folds to a constant). No unseeded randomness and no
``i % k`` shared between columns, so columns do not correlate through the index.

What is built (``ensure``), all in SQL except the ID numbers and three accounts:

- the org tree (province, schools, colleges, the nine offices of each school), teachers,
  students, enterprises;
- per school: practice bases (one enterprise mentor each) and one placement per student
  (``practice.Placement``: base, school supervisor, enterprise mentor, hash-derived type,
  dates and status);
- per school: an operator account for each office and a school admin, and one clearance
  plan for its graduating grade (2022) with 10 checkpoints (9 offices + 院系审核 after the
  first two), initialised and part-way through: records, cases, the open/approved tasks,
  one ``approved`` event per approved task, and the counters summary table. The rows are
  what ``clearance.actions`` (initialise, pass_tasks) would leave; after the build
  ``actions.recount`` runs on school 1's plan and the counters must come out unchanged
  (``recount_matches``).

Bulk tables are loaded without their secondary indexes and foreign keys (dropped before,
recreated after, the foreign keys validated then), with ``synchronous_commit = off``.
ID numbers are encrypted in Python (AES-GCM needs the app's key) for the one student in
ten that has one; the rest leave ``id_number`` empty.

Each size lives in its own database (``common.database_for``: campusflow_bench for S,
campusflow_bench_l for L, …), so building one does not destroy another.

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

GENERATOR_VERSION = 4
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
PLAN_NAME = "2025届毕业生离校（基准）"

H_FUNCTION = """
CREATE OR REPLACE FUNCTION bench_h(seed integer, tag text, i bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT hashint8extended(i, hashtextextended(tag, seed)) & 1152921504606846975 $$;
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


def create_database_if_missing() -> None:
    """An empty database of the bench's own (the result header reads its server version first)."""
    from django.conf import settings

    name = settings.DATABASES["default"]["NAME"]
    assert name.startswith("campusflow_bench"), name  # never anyone else's database
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


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


# Loaded without their secondary indexes and foreign keys (recreated after the load).
BULK_TABLES = (
    "orgs_teacher",
    "orgs_student",
    "bases_enterprise",
    "bases_practicebase",
    "orgs_enterprisementor",
    "bases_basementor",
    "practice_placement",
    "clearance_clearancerecord",
    "workflow_case",
    "workflow_task",
    "workflow_caseevent",
)


def drop_secondary(cursor: Any, tables: tuple[str, ...]) -> list[tuple[str, str]]:
    """Drop the foreign keys, unique constraints and indexes (not primary keys) of ``tables``.

    Returns (table, statement) pairs that recreate them: indexes, then unique
    constraints, then foreign keys (validated when added).
    """
    cursor.execute(
        """SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) FROM pg_constraint c
        WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u')
          AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid
                          AND c.contype = 'u')
        ORDER BY conrelid::regclass::text, contype, conname""",
        [list(tables)],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """SELECT indrelid::regclass::text, indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i
        WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY 1, 2""",
        [list(tables)],
    )
    indexes = cursor.fetchall()
    for table, name, _kind, _definition in sorted(constraints, key=lambda row: row[2] != "f"):
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for _table, name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    restore = [(table, definition) for table, _name, definition in indexes]
    restore += [
        (table, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for table, name, kind, definition in constraints
        if kind == "u"
    ]
    restore += [
        (table, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for table, name, kind, definition in constraints
        if kind == "f"
    ]
    return restore


def restore_secondary(cursor: Any, restore: list[tuple[str, str]]) -> dict[str, float]:
    """Recreate what ``drop_secondary`` dropped; seconds per table."""
    spent: dict[str, float] = {}
    for table, statement in restore:
        started = time.perf_counter()
        cursor.execute(statement)
        spent[table] = spent.get(table, 0.0) + time.perf_counter() - started
    return spent


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
    timings["id_numbers"] = fill_id_numbers(seed)
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


# -- accounts, bases and placements, the clearance plans -----------------------------------

T_INIT = "2025-06-01 08:00:00+08"  # when the plans were initialised
T_DECIDED = "2025-06-02 09:00:00+08"  # checkpoint k is decided on day k after this, at a hash-chosen minute
REFERENCE_DAY = "2025-09-01"  # placements ended before it are 已出站 (unless terminated)


def plan_id_of(s: int) -> int:
    return s


def definition_id_of(s: int) -> int:
    return 10_000 + s


def step_id(s: int, k: int) -> int:
    return 300_000 + s * 100 + k


def operator_id(s: int, k: int) -> int:
    """Accounts made in SQL: the admin of school s (k = 0; school 1's is made in Python) and its operators."""
    return 100_000 + s * 10 + k


def build_people(size: Size) -> dict[str, Any]:
    """Three accounts through the app (``make_user``), the rest copied from them in SQL."""
    from django.db import connection

    from campusflow.core.roles import Role
    from campusflow.core.testing import make_user
    from campusflow.orgs.models import OrgUnit

    province = make_user("bench_province", Role.PROVINCIAL_ADMIN, OrgUnit.objects.get(pk=1), full_name="省级管理员")
    admin = make_user("bench_admin", Role.SCHOOL_ADMIN, OrgUnit.objects.get(pk=school_id(1)), full_name="基准管理员")
    secretary = make_user(
        "bench_secretary",
        Role.TEACHING_SECRETARY,
        OrgUnit.objects.get(pk=department_id(1, 1)),
        full_name="教学秘书",
    )
    with connection.cursor() as c:
        c.execute(
            "SELECT string_agg(quote_ident(column_name), ', ') FROM information_schema.columns"
            " WHERE table_name = 'accounts_user' AND column_name NOT IN ('id', 'username', 'full_name', 'school_id')"
        )
        columns = c.fetchone()[0]
        offices = [o for o, _n in OFFICES]
        # k = 0: the school's admin (school 1 has bench_admin); k = 1..9: the operator of office k.
        c.execute(
            f"""CREATE TEMP TABLE bench_accounts AS
            SELECT 100000 + s * 10 + k AS id, s, k,
                CASE WHEN k = 0 THEN 'bench_admin_' || s
                     WHEN s = 1 THEN 'bench_op_' || ({_arr(offices)})[k]
                     ELSE 'bench_op_' || ({_arr(offices)})[k] || '_' || s END AS username,
                CASE WHEN k = 0 THEN '学校管理员' || s ELSE '操作员' || k END AS full_name,
                CASE WHEN k = 0 THEN 'school_admin' ELSE 'checkpoint_operator' END AS role,
                CASE WHEN k = 0 THEN 1000 + s ELSE 200000 + s * 100 + k END AS unit
            FROM generate_series(1, %s) s, generate_series(0, %s) k WHERE NOT (s = 1 AND k = 0)""",
            [size.schools, len(OFFICES)],
        )
        c.execute(
            f"""INSERT INTO accounts_user (id, username, full_name, school_id, {columns})
            SELECT a.id, a.username, a.full_name, 1000 + a.s, {", ".join("t." + x.strip() for x in columns.split(","))}
            FROM bench_accounts a, accounts_user t WHERE t.id = %s""",
            [admin.pk],
        )
        c.execute(
            "INSERT INTO accounts_roleassignment (role, granted_at, granted_by_id, unit_id, user_id)"
            " SELECT role, %s, NULL, unit, id FROM bench_accounts",
            [T0],
        )
        c.execute("DROP TABLE bench_accounts")
    return {
        "province": province.pk,
        "admin": admin.pk,
        "secretary": secretary.pk,
        "operators": {office: operator_id(1, k) for k, (office, _n) in enumerate(OFFICES, start=1)},
    }


def build_placements(size: Size, seed: int) -> dict[str, float]:
    """Per school ``size.bases`` practice bases (one mentor each), one placement per student."""
    from django.db import connection

    timings: dict[str, float] = {}
    b, t, d = size.bases, size.teachers, size.departments
    params = {"seed": seed, "t0": T0, "b": b, "t": t, "d": d, "e": size.enterprises, "n": size.schools}
    with connection.cursor() as c:
        started = time.perf_counter()
        _sql(
            c,
            """INSERT INTO bases_practicebase (id, code, name, unit_type, address, contact_name, contact_phone,
                leader_name, leader_phone, school_contact_name, school_contact_phone, level, origin, status,
                created_at, updated_at, created_by_id, responsible_college_id, school_id)
            SELECT g.id, 'B' || lpad(g.bb::text, 4, '0'), e.name || '实践基地', e.nature, e.address, '', '',
                e.legal_representative, '', '', '',
                bench_pick(ARRAY['school_a','school_b','school_b','provincial','national']::text[],
                    bench_h(%(seed)s, 'b.level', g.id)),
                'school', CASE WHEN bench_h(%(seed)s, 'b.status', g.id) %% 40 = 0 THEN 'revoked' ELSE 'active' END,
                %(t0)s, %(t0)s, NULL, 100000 + g.s * 100 + 1 + (bench_h(%(seed)s, 'b.dept', g.id) %% %(d)s)::int,
                1000 + g.s
            FROM (SELECT (s - 1) * %(b)s + bb AS id, s, bb FROM generate_series(1, %(n)s) s,
                  generate_series(1, %(b)s) bb) g
            JOIN bases_enterprise e ON e.id = 1 + bench_h(%(seed)s, 'b.ent', g.id) %% %(e)s""",
            params,
        )
        _sql(
            c,
            f"""INSERT INTO orgs_enterprisementor (id, mentor_no, enterprise_name, enrollment_category,
                enrollment_field, enrollment_direction, enrollment_specific_direction, name, gender, birth_month,
                department_name, education, degree, professional_title, position, phone, willing_first_supervisor,
                created_at, updated_at, user_id, school_id, partner_supervisor_id)
            SELECT id, 'M' || substr(code, 2), left(name, length(name) - 4), '', '', '', '',
                bench_pick({_arr(SURNAMES)}, bench_h(%(seed)s, 'm.sur', id))
                    || bench_pick({_arr(GIVEN)}, bench_h(%(seed)s, 'm.giv', id)),
                CASE WHEN bench_h(%(seed)s, 'm.gender', id) %% 2 = 0 THEN 'M' ELSE 'F' END, NULL, '',
                bench_pick(ARRAY['doctoral','masters','undergraduate','junior','other']::text[],
                    bench_h(%(seed)s, 'm.edu', id)),
                bench_pick(ARRAY['doctor','master','bachelor','none']::text[], bench_h(%(seed)s, 'm.deg', id)),
                bench_pick(ARRAY['senior','associate_senior','intermediate','junior']::text[],
                    bench_h(%(seed)s, 'm.title', id)),
                '', '', bench_h(%(seed)s, 'm.first', id) %% 3 = 0, %(t0)s, %(t0)s, NULL, school_id, NULL
            FROM bases_practicebase""",
            params,
        )
        _sql(
            c,
            "INSERT INTO bases_basementor (id, added_at, added_by_id, mentor_id, base_id)"
            " SELECT id, %(t0)s, NULL, id, id FROM bases_practicebase",
            params,
        )
        timings["bases_mentors"] = time.perf_counter() - started

        started = time.perf_counter()
        # Start within 18 months, 90–269 days long; on site from day 0–14 to 0–14 days before the end.
        _sql(
            c,
            f"""INSERT INTO practice_placement (id, practice_type, start_date, end_date, onsite_start, onsite_end,
                status, created_at, ended_at, end_note, base_id, created_by_id, department_id, mentor_id, school_id,
                student_id, supervisor_id)
            SELECT id, ptype, start, finish, start + (bench_h(%(seed)s, 'p.on1', id) %% 15)::int,
                finish - (bench_h(%(seed)s, 'p.on2', id) %% 15)::int, status, start::timestamptz,
                CASE WHEN status <> 'on_site' THEN finish::timestamptz END,
                CASE WHEN status = 'terminated' THEN '提前终止' ELSE '' END,
                base, NULL, department_id, base, school_id, id, supervisor
            FROM (
                SELECT id, department_id, school_id, base, supervisor, ptype, start, finish,
                    CASE WHEN term < 3 THEN 'terminated' WHEN finish < DATE '{REFERENCE_DAY}' THEN 'exited'
                         ELSE 'on_site' END AS status
                FROM (
                    SELECT st.id, st.department_id, st.school_id,
                        (st.school_id - 1001) * %(b)s + 1 + bench_h(%(seed)s, 'p.base', st.id) %% %(b)s AS base,
                        coalesce(
                            st.supervisor_id,
                            (st.school_id - 1001) * %(t)s + 1 + bench_h(%(seed)s, 'p.sup', st.id) %% %(t)s
                        ) AS supervisor,
                        CASE WHEN pt < 50 THEN 'dispatch' WHEN pt < 80 THEN 'supervisor' ELSE 'self' END AS ptype,
                        DATE '2024-03-01' + (bench_h(%(seed)s, 'p.start', st.id) %% 540)::int AS start,
                        DATE '2024-03-01' + (bench_h(%(seed)s, 'p.start', st.id) %% 540)::int + 90
                            + (bench_h(%(seed)s, 'p.len', st.id) %% 180)::int AS finish,
                        bench_h(%(seed)s, 'p.term', st.id) %% 100 AS term
                    FROM (SELECT *, bench_h(%(seed)s, 'p.type', id) %% 100 AS pt FROM orgs_student) st
                ) a
            ) p""",
            params,
        )
        timings["placements"] = time.perf_counter() - started
    return timings


def build_plans(size: Size, seed: int, people: dict[str, Any]) -> dict[str, float]:
    """One clearance plan per school for grade 2022, initialised and part-way through, set-based."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from campusflow.clearance.models import ClearanceRecord

    timings: dict[str, float] = {}
    record_type = ContentType.objects.get_for_model(ClearanceRecord).pk
    offices = [o for o, _n in OFFICES]
    names = [n for _o, n in OFFICES] + ["院系审核"]
    k_bench = offices.index(BENCH_OFFICE) + 1
    # Checkpoint k (an office, not the bench one) has passed for a hash-chosen 30 + 5k % of students.
    passed_bits = " | ".join(
        f"(CASE WHEN bench_h(%(seed)s, 'pass.cp{k}', st.id) %% 100 < {30 + 5 * k} THEN {1 << k} ELSE 0 END)"
        for k in range(1, len(OFFICES) + 1)
        if k != k_bench
    )
    params = {
        "seed": seed,
        "t0": T0,
        "tinit": T_INIT,
        "tpass": T_DECIDED,
        "n": size.schools,
        "admin": people["admin"],
        "rtype": record_type,
        "plan_name": PLAN_NAME,
        "nk": len(OFFICES),
    }
    with connection.cursor() as c:
        started = time.perf_counter()
        _sql(
            c,
            """INSERT INTO workflow_processdefinition (id, code, version, name, description, is_current, created_by_id,
                created_at, change_note)
            SELECT 10000 + s, 'clearance.plan.' || s, 1, %(plan_name)s, '离校方案的办理环节', true,
                CASE WHEN s = 1 THEN %(admin)s ELSE 100000 + s * 10 END, %(tinit)s, ''
            FROM generate_series(1, %(n)s) s""",
            params,
        )
        _sql(
            c,
            f"""INSERT INTO workflow_stepdefinition (id, definition_id, key, name, "order", actor, actor_argument,
                sign_mode, condition, condition_argument, prerequisites, form_fields, opinion_required, due_days,
                reject_to, allow_auto_pass, escalate_actor, escalate_argument)
            SELECT 300000 + s * 100 + k, 10000 + s, 'cp' || k, ({_arr(names)})[k], k,
                CASE WHEN k <= %(nk)s THEN 'office_role' ELSE 'department_role' END,
                CASE WHEN k <= %(nk)s THEN 'checkpoint_operator@' || ({_arr(offices)})[k] ELSE 'teaching_secretary' END,
                'single', '', '', CASE WHEN k <= %(nk)s THEN '[]' ELSE '["cp1", "cp2"]' END::jsonb, '[]'::jsonb,
                false, NULL, '', false, '', ''
            FROM generate_series(1, %(n)s) s, generate_series(1, %(nk)s + 1) k""",
            params,
        )
        _sql(
            c,
            """INSERT INTO clearance_clearanceplan (id, name, state, grades, categories, ranges,
                practice_exit_passes_supervisor, created_at, initialized_at, created_by_id, definition_id, school_id)
            SELECT s, %(plan_name)s, 'active', '[2022]'::jsonb, '[]'::jsonb, '[]'::jsonb, false, %(tinit)s, %(tinit)s,
                CASE WHEN s = 1 THEN %(admin)s ELSE 100000 + s * 10 END, 10000 + s, 1000 + s
            FROM generate_series(1, %(n)s) s""",
            params,
        )
        # The covered students (covered_students(): the school's grade 2022, not withdrawn or suspended)
        # and which office checkpoints each has passed (bit k).
        _sql(
            c,
            f"""CREATE TEMP TABLE bench_cov AS
            SELECT st.id, st.school_id - 1000 AS s, st.department_id, st.student_no, st.name,
                CASE WHEN st.category IN ('undergraduate', 'vocational') THEN 'undergraduate'
                     WHEN st.certificate = 'single' THEN 'single' ELSE 'double' END AS student_range,
                {passed_bits} AS passed
            FROM orgs_student st
            WHERE st.grade = 2022 AND st.status NOT IN ('withdrawn', 'suspended')""",
            params,
        )
        timings["plans"] = time.perf_counter() - started

        started = time.perf_counter()
        _sql(
            c,
            """INSERT INTO clearance_clearancerecord (id, student_range, cleared_at, diploma_issued_on,
                degree_issued_on, materials_issued_on, created_at, case_id, degree_issued_by_id, department_id,
                diploma_issued_by_id, materials_issued_by_id, plan_id, school_id, student_id)
            SELECT id, student_range, NULL, NULL, NULL, NULL, %(tinit)s, id, NULL, department_id, NULL, NULL, s,
                1000 + s, id
            FROM bench_cov""",
            params,
        )
        # Each decision bumps the case's version and its updated_at (pass_tasks).
        _sql(
            c,
            """INSERT INTO workflow_case (id, title, subject_id, state, round, version, submitted_at, finished_at,
                updated_at, applicant_id, department_id, school_id, student_id, subject_type_id, definition_id)
            SELECT id, left(%(plan_name)s || '：' || student_no || ' ' || name, 200), id, 'in_progress', 1,
                1 + bit_count(passed::bit(16)), %(tinit)s, NULL,
                coalesce((SELECT max(%(tpass)s::timestamptz + (k - 1) * interval '1 day'
                                     + (bench_h(%(seed)s, 'at', id * 10 + k) %% 480) * interval '1 minute')
                          FROM generate_series(1, %(nk)s) k WHERE (passed >> k) & 1 = 1), %(tinit)s),
                CASE WHEN s = 1 THEN %(admin)s ELSE 100000 + s * 10 END, department_id, 1000 + s, id, %(rtype)s,
                10000 + s
            FROM bench_cov""",
            params,
        )
        timings["records_cases"] = time.perf_counter() - started

        started = time.perf_counter()
        _sql(
            c,
            """INSERT INTO workflow_task (id, round, pool_role, acting_role, state, opinion, data, due_at, acted_at,
                reminded_at, escalated_at, created_at, acted_by_id, added_by_id, assignee_id, case_id,
                on_behalf_of_id, pool_unit_id, step_id)
            SELECT id * 10 + k, 1, 'checkpoint_operator', 'checkpoint_operator',
                CASE WHEN ok THEN 'approved' ELSE 'open' END, '', '{}'::jsonb, NULL,
                CASE WHEN ok THEN %(tpass)s::timestamptz + (k - 1) * interval '1 day'
                     + (bench_h(%(seed)s, 'at', id * 10 + k) %% 480) * interval '1 minute' END,
                NULL, NULL, %(tinit)s, CASE WHEN ok THEN 100000 + s * 10 + k END, NULL, NULL, id, NULL,
                200000 + s * 100 + k, 300000 + s * 100 + k
            FROM (SELECT c.id, c.s, k, (c.passed >> k) & 1 = 1 AS ok
                  FROM bench_cov c, generate_series(1, %(nk)s) k) t""",
            params,
        )
        # 院系审核 (cp10) opens once cp1 and cp2 have passed (_open_next), in the college's pool.
        _sql(
            c,
            """INSERT INTO workflow_task (id, round, pool_role, acting_role, state, opinion, data, due_at, acted_at,
                reminded_at, escalated_at, created_at, acted_by_id, added_by_id, assignee_id, case_id,
                on_behalf_of_id, pool_unit_id, step_id)
            SELECT id * 10, 1, 'teaching_secretary', 'teaching_secretary', 'open', '', '{}'::jsonb, NULL, NULL,
                NULL, NULL, %(tpass)s::timestamptz + interval '1 day'
                    + (bench_h(%(seed)s, 'at', id * 10 + 2) %% 480) * interval '1 minute',
                NULL, NULL, NULL, id, NULL, department_id, 300000 + s * 100 + %(nk)s + 1
            FROM bench_cov WHERE passed & 6 = 6""",
            params,
        )
        timings["tasks"] = time.perf_counter() - started

        started = time.perf_counter()
        _sql(
            c,
            f"""INSERT INTO workflow_caseevent (id, at, round, kind, actor_name, actor_role, step_key, step_name,
                opinion, data, actor_id, case_id)
            SELECT t.id, t.acted_at, 1, 'approved', '操作员' || (t.id %% 10), 'checkpoint_operator',
                'cp' || (t.id %% 10), ({_arr(names)})[t.id %% 10], '', '{{}}'::jsonb, t.acted_by_id, t.case_id
            FROM workflow_task t WHERE t.state = 'approved'""",
            params,
        )
        timings["events"] = time.perf_counter() - started

        started = time.perf_counter()
        # The summary table as recount() builds it: every (plan, checkpoint, college with students).
        _sql(
            c,
            """INSERT INTO clearance_clearancecounter (plan_id, step_id, department_id, expected, passed, failed)
            SELECT c.s, 300000 + c.s * 100 + k, c.department_id, count(*),
                count(*) FILTER (WHERE k <= %(nk)s AND (c.passed >> k) & 1 = 1), 0
            FROM bench_cov c, generate_series(1, %(nk)s + 1) k
            GROUP BY c.s, k, c.department_id""",
            params,
        )
        _sql(c, "DROP TABLE bench_cov")
        timings["counters"] = time.perf_counter() - started
    return timings


def set_sequences() -> None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            """SELECT table_name FROM information_schema.columns
            WHERE table_schema = 'public' AND column_name = 'id' AND is_identity = 'YES'"""
        )
        tables = [row[0] for row in c.fetchall()]
        for table in tables:
            c.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                " HAVING max(id) IS NOT NULL"
            )


def recount_matches(plan_id: int) -> bool:
    """Run the app's own ``clearance.actions.recount`` on a plan (rolled back): counters unchanged?"""
    from django.db import transaction

    from campusflow.clearance.actions import recount
    from campusflow.clearance.models import ClearanceCounter, ClearancePlan

    def rows() -> set[tuple[int, int, int, int, int]]:
        return set(
            ClearanceCounter.objects.filter(plan_id=plan_id).values_list(
                "step_id", "department_id", "expected", "passed", "failed"
            )
        )

    before = rows()
    with transaction.atomic():
        recount(ClearancePlan.objects.select_related("definition").get(pk=plan_id))
        after = rows()
        transaction.set_rollback(True)
    return bool(before) and before == after


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
    "bases_practicebase": "SELECT concat_ws('|', id, school_id, code, name, unit_type, level, status,"
    " responsible_college_id) FROM bases_practicebase",
    "orgs_enterprisementor": "SELECT concat_ws('|', id, school_id, mentor_no, name, gender, education, degree,"
    " professional_title) FROM orgs_enterprisementor",
    "practice_placement": "SELECT concat_ws('|', student_id, base_id, supervisor_id, mentor_id, practice_type,"
    " start_date, end_date, onsite_start, onsite_end, status, school_id, department_id) FROM practice_placement",
    "clearance_records": "SELECT concat_ws('|', r.plan_id, r.student_id, r.department_id, r.student_range,"
    " r.cleared_at IS NULL) FROM clearance_clearancerecord r",
    "workflow_cases": "SELECT concat_ws('|', c.student_id, c.title, c.state, c.version, c.definition_id)"
    " FROM workflow_case c",
    "workflow_tasks": "SELECT concat_ws('|', c.student_id, s.key, t.state, t.pool_role, t.pool_unit_id,"
    " t.acted_by_id, t.acted_at) FROM workflow_task t JOIN workflow_case c ON c.id = t.case_id"
    " JOIN workflow_stepdefinition s ON s.id = t.step_id",
    "clearance_counters": "SELECT concat_ws('|', k.plan_id, s.key, k.department_id, k.expected, k.passed, k.failed)"
    " FROM clearance_clearancecounter k JOIN workflow_stepdefinition s ON s.id = k.step_id",
}
SAMPLE_KEY = {
    "orgs_orgunit": None,
    "orgs_teacher": "id",
    "orgs_student": "id",
    "bases_enterprise": "id",
    "bases_practicebase": "id",
    "orgs_enterprisementor": "id",
    "practice_placement": "student_id",
    "clearance_records": "r.student_id",
    "workflow_cases": "c.student_id",
    "workflow_tasks": "c.student_id",
    "clearance_counters": None,
}
COUNTED = (
    "orgs_orgunit",
    "orgs_teacher",
    "orgs_student",
    "bases_enterprise",
    "bases_practicebase",
    "orgs_enterprisementor",
    "practice_placement",
    "accounts_user",
    "clearance_clearanceplan",
    "clearance_clearancerecord",
    "clearance_clearancecounter",
    "workflow_case",
    "workflow_task",
    "workflow_caseevent",
    "core_auditevent",
)


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
        for table in COUNTED:
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
    from django.conf import settings
    from django.db import connection

    wanted = {"version": GENERATOR_VERSION, "size": size.name, "seed": seed}
    current = None if rebuild else meta()
    database = settings.DATABASES["default"]["NAME"]
    started = time.perf_counter()
    files = [import_file(rows, seed, bad=bad) for rows in size.import_rows for bad in (False, True)]
    files_s = time.perf_counter() - started
    print(f"==> Import files ({files_s:.1f} s): {', '.join(f.name for f in files)}", flush=True)
    if current is not None and all(current.get(k) == v for k, v in wanted.items()):
        print(f"==> Dataset {size.name} (seed {seed}) already built in {database}; verifying checksums", flush=True)
        started = time.perf_counter()
        now = checksums(seed)
        same = now == current["checksums"]
        print(
            f"    checksums {'match the build' if same else 'DIFFER from the build'} "
            f"({time.perf_counter() - started:.1f} s)",
            flush=True,
        )
        return {**current, "reused": True, "checksums_match": same, "checksums_now": now}

    print(f"==> Building dataset {size.name} (seed {seed}) in SQL, database {database}", flush=True)
    build_started = time.perf_counter()
    steps: dict[str, float] = {}

    def step(name: str, started: float) -> None:
        steps[name] = round(time.perf_counter() - started, 2)
        print(f"    {name:<22} {steps[name]:6.1f} s", flush=True)

    started = time.perf_counter()
    recreate_database()
    step("migrate", started)
    with connection.cursor() as c:
        # This session only: no wait for the WAL flush at each commit, bigger sorts for the index builds.
        c.execute("SET synchronous_commit = off")
        c.execute("SET maintenance_work_mem = '512MB'")
        c.execute("SET work_mem = '128MB'")
        started = time.perf_counter()
        restore = drop_secondary(c, BULK_TABLES)
        step("drop_indexes", started)
    core = build_core(size, seed)
    for name, spent in core.items():
        steps[name] = round(spent, 2)
        print(f"    {name:<22} {spent:6.1f} s", flush=True)
    started = time.perf_counter()
    people = build_people(size)
    step("accounts", started)
    for part in (build_placements(size, seed), build_plans(size, seed, people)):
        for name, spent in part.items():
            steps[name] = round(spent, 2)
            print(f"    {name:<22} {spent:6.1f} s", flush=True)
    with connection.cursor() as c:
        started = time.perf_counter()
        per_table = restore_secondary(c, restore)
        step("indexes_and_keys", started)
        started = time.perf_counter()
        set_sequences()
        c.execute("ANALYZE")
        step("analyze", started)
    started = time.perf_counter()
    matches = recount_matches(plan_id_of(1))
    step("recount_check", started)
    print(f"    counters {'match' if matches else 'DO NOT MATCH'} clearance.actions.recount on plan 1", flush=True)
    started = time.perf_counter()
    sums = checksums(seed)
    step("checksums", started)
    total = time.perf_counter() - build_started
    counts = sums["_counts"]
    print(
        f"    built in {total:.1f} s: {counts['orgs_student']:,} students, {counts['practice_placement']:,} placements,"
        f" {counts['workflow_task']:,} tasks, {counts['workflow_caseevent']:,} events",
        flush=True,
    )
    info = {
        **wanted,
        "database": database,
        "built_at": datetime.now().isoformat(timespec="seconds"),
        "build_s": round(total, 2),
        "migrate_s": steps["migrate"],
        "sql_s": round(total - steps["migrate"] - steps["checksums"] - steps["recount_check"], 2),
        "sql_steps_s": steps,
        "index_rebuild_s": {k: round(v, 2) for k, v in sorted(per_table.items())},
        "recount_matches": matches,
        "plan": {**people, "plan_id": plan_id_of(1), "plans": size.schools},
        "checksums": sums,
    }
    with connection.cursor() as c:
        c.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value jsonb NOT NULL)")
        c.execute(
            "INSERT INTO bench_meta VALUES ('dataset', %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [json.dumps(info, ensure_ascii=False)],
        )
    return {**info, "reused": False, "checksums_match": True}
