"""Demo data (SPEC X-09): one province, two schools, their people and one account per role.

``build_demo()`` fills an empty installation in one transaction, set-based
(``bulk_create`` per table), from ``random.Random(2026)`` so every run builds
the same school. ``manage.py load_demo`` calls it; ``./run demo`` calls that.

Everything here is fictional: the schools, the enterprises and the people.
The accounts share one password (:data:`DEMO_PASSWORD`) and carry
``is_demo=True``; production refuses to build them (``DEMO_DATA_ALLOWED``).
"""

from __future__ import annotations

import io
import random
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from pypdf import PdfWriter

from campusflow.accounts.models import RoleAssignment, User
from campusflow.bases import demo as enterprise_demo
from campusflow.bases.models import BaseMentor, Enterprise, PracticeBase
from campusflow.clearance import demo as clearance_demo
from campusflow.clearance.models import ClearanceRecord
from campusflow.core import audit
from campusflow.core.roles import Role
from campusflow.core.validators import id_number_check_digit
from campusflow.orgs.models import EnterpriseMentor, OrgUnit, Student, Teacher
from campusflow.practice import leave_actions
from campusflow.practice.models import LeaveRequest, LeaveSchoolApplication, Placement
from campusflow.workflow import actions as workflow
from campusflow.workflow.models import Case, Task

MARKER_CODE = "DEMO-HA"  # the demo province's code: present ⇒ the demo is loaded
DEMO_PASSWORD = "Demo@2026campus"  # noqa: S105 - demo-only, printed on purpose, never created in production
INITIAL_PASSWORD = "Start#2026demo"  # noqa: S105 - one-time password of the not-yet-activated demo accounts
SEED = 2026

Category = Student.Category
Level = Student.Level

# -- the organisation tree -------------------------------------------------------------


@dataclass(frozen=True)
class College:
    key: str
    code: str
    name: str
    undergrad: tuple[tuple[str, str], ...] = ()  # (major, class prefix)
    academic_master: tuple[str, ...] = ()
    professional_master: tuple[str, ...] = ()
    doctor: tuple[str, ...] = ()
    vocational: tuple[tuple[str, str], ...] = ()


SCHOOL1 = ("中原理工大学", "19001", "zylg")
SCHOOL2 = ("河南应用职业技术学院", "19002", "hnyz")

COLLEGES_1 = (
    College(
        "cs",
        "01",
        "计算机科学与技术学院",
        undergrad=(("计算机科学与技术", "计科"), ("软件工程", "软工"), ("人工智能", "智能")),
        academic_master=("计算机科学与技术", "软件工程"),
        professional_master=("电子信息（计算机技术）", "电子信息（软件工程）"),
        doctor=("计算机科学与技术",),
    ),
    College(
        "me",
        "02",
        "机械与动力工程学院",
        undergrad=(("机械设计制造及其自动化", "机制"), ("能源与动力工程", "能动")),
        academic_master=("机械工程", "动力工程及工程热物理"),
        professional_master=("机械（机械工程）", "能源动力（动力工程）"),
        doctor=("机械工程",),
    ),
    College(
        "ce",
        "03",
        "土木与水利工程学院",
        undergrad=(("土木工程", "土木"), ("水利水电工程", "水利")),
        academic_master=("土木工程", "水利工程"),
        professional_master=("土木水利（土木工程）", "土木水利（水利工程）"),
        doctor=("土木工程",),
    ),
    College(
        "ch",
        "04",
        "化学与化工学院",
        undergrad=(("化学工程与工艺", "化工"), ("应用化学", "应化")),
        academic_master=("化学工程与技术", "化学"),
        professional_master=("材料与化工（化学工程）",),
        doctor=("化学工程与技术",),
    ),
    College(
        "re",
        "05",
        "资源与环境学院",
        undergrad=(("地质工程", "地质"), ("环境工程", "环工")),
        academic_master=("地质资源与地质工程", "环境科学与工程"),
        professional_master=("资源与环境（地质工程）", "资源与环境（环境工程）"),
        doctor=("地质资源与地质工程",),
    ),
    College(
        "em",
        "06",
        "经济管理学院",
        undergrad=(("工商管理", "工管"), ("会计学", "会计"), ("国际经济与贸易", "国贸")),
        academic_master=("管理科学与工程", "应用经济学"),
        professional_master=("工商管理（MBA）", "会计（MPAcc）"),
        doctor=("管理科学与工程",),
    ),
    College(
        "mx",
        "07",
        "马克思主义学院",
        academic_master=("马克思主义理论", "科学技术哲学"),
        doctor=("马克思主义理论",),
    ),
)

COLLEGES_2 = (
    College("info", "01", "信息工程学院", vocational=(("计算机应用技术", "计应"), ("大数据技术", "大数据"))),
    College("mfg", "02", "智能制造学院", vocational=(("机电一体化技术", "机电"), ("工业机器人技术", "机器人"))),
    College("biz", "03", "商贸学院", vocational=(("电子商务", "电商"), ("大数据与会计", "会计"))),
)

OFFICES_1 = (
    ("grad", "90", "研究生院", OrgUnit.OfficeType.GRADUATE_SCHOOL),
    ("sa", "91", "学工处", OrgUnit.OfficeType.STUDENT_AFFAIRS),
    ("aa", "92", "教务处", OrgUnit.OfficeType.ACADEMIC_AFFAIRS),
    ("library", "93", "图书馆", OrgUnit.OfficeType.LIBRARY),
    ("finance", "94", "财务处", OrgUnit.OfficeType.FINANCE),
    ("hospital", "95", "校医院", OrgUnit.OfficeType.HOSPITAL),
    ("labs", "96", "实验室与设备管理处", OrgUnit.OfficeType.LABS),
)
OFFICES_2 = (
    ("sa", "91", "学生工作处", OrgUnit.OfficeType.STUDENT_AFFAIRS),
    ("aa", "92", "教务处", OrgUnit.OfficeType.ACADEMIC_AFFAIRS),
    ("library", "93", "图书馆", OrgUnit.OfficeType.LIBRARY),
)

# -- names, numbers and places ---------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常申牛楚乔"
)
# The most common surnames come up more often, as they do in a real class list.
SURNAME_WEIGHTS = [12 if i < 10 else 5 if i < 30 else 2 for i in range(len(SURNAMES))]
MALE_CHARS = "伟强磊军洋勇杰涛明超鹏浩宇轩博文斌辉刚健俊峰晨昊子一嘉天志建国家海鑫睿泽凯航铭哲阳毅帅振新宏飞亮龙锋晓"
FEMALE_CHARS = "芳娜敏静丽艳娟霞婷雪琳颖欣怡悦思雨萱涵佳梦晓倩瑶丹玉月慧璐瑾婉琪蕾洁岚菲蓉晴妍淑彤茜楠诗语可心"

SECOND_ONLY = "子一天家国志建新可心思梦晓诗语"

# 行政区划代码: mostly Henan, some neighbouring provinces.
REGIONS = (
    ("410102", "郑州市中原区"),
    ("410105", "郑州市金水区"),
    ("410202", "开封市龙亭区"),
    ("410302", "洛阳市老城区"),
    ("410402", "平顶山市新华区"),
    ("410502", "安阳市文峰区"),
    ("410702", "新乡市红旗区"),
    ("411002", "许昌市魏都区"),
    ("411102", "漯河市源汇区"),
    ("411302", "南阳市宛城区"),
    ("411402", "商丘市梁园区"),
    ("411502", "信阳市浉河区"),
    ("411602", "周口市川汇区"),
    ("411702", "驻马店市驿城区"),
    ("130102", "石家庄市长安区"),
    ("370102", "济南市历下区"),
    ("340102", "合肥市瑶海区"),
    ("420102", "武汉市江岸区"),
    ("610102", "西安市新城区"),
)
MOBILE_PREFIXES = tuple(str(p) for p in (*range(130, 140), 150, 151, 152, 153, 155, 156, 157, 158, 159, 166, 177))
MOBILE_PREFIXES += tuple(str(p) for p in (180, 181, 182, 183, 185, 186, 187, 188, 189, 198, 199))

TEACHER_TITLES_1 = ("教授", "教授", "副教授", "副教授", "副教授", "讲师", "讲师", "高级实验师")
TEACHER_TITLES_2 = ("副教授", "讲师", "高级工程师")

# Fictional enterprises, one row per mentor: (enterprise, college, 类别, 领域, 方向, 具体方向, 部门, 职务).
MENTOR_ROWS = (
    ("中原数智科技有限公司", "cs", "电子信息", "计算机技术", "软件与系统", "工业软件", "研发中心", "技术总监"),
    ("中原数智科技有限公司", "cs", "电子信息", "软件工程", "软件工程", "云原生平台", "平台部", "架构师"),
    ("嵩山云计算研究院", "cs", "电子信息", "计算机技术", "人工智能", "大模型应用", "人工智能实验室", "主任"),
    ("郑州星河网络股份有限公司", "cs", "电子信息", "软件工程", "网络安全", "数据安全", "安全部", "部门经理"),
    ("豫北重型机械集团有限公司", "me", "机械", "机械工程", "机械设计", "矿山装备", "技术中心", "总工程师"),
    ("中州动力装备有限公司", "me", "能源动力", "动力工程", "热能工程", "燃气轮机", "工程部", "主任工程师"),
    ("黄淮智能制造有限公司", "me", "机械", "机械工程", "智能制造", "工业机器人", "制造工程部", "副经理"),
    ("中原交通设计研究院有限公司", "ce", "土木水利", "土木工程", "桥梁与隧道", "大跨桥梁", "桥梁所", "所长"),
    ("豫水水利勘测设计院", "ce", "土木水利", "水利工程", "水工结构", "水库大坝", "水工室", "副总工程师"),
    ("伏牛建设集团有限公司", "ce", "土木水利", "土木工程", "结构工程", "装配式建筑", "技术部", "科长"),
    ("洛河化工股份有限公司", "ch", "材料与化工", "化学工程", "化工工艺", "煤化工", "研究院", "副院长"),
    ("中原新材料科技有限公司", "ch", "材料与化工", "化学工程", "材料化工", "锂电材料", "研发部", "研发经理"),
    ("太行精细化工有限公司", "ch", "材料与化工", "化学工程", "精细化工", "催化剂", "技术部", "高级工程师"),
    ("中原地质勘查院", "re", "资源与环境", "地质工程", "矿产勘查", "找矿预测", "研究院", "科长"),
    ("豫西矿业有限公司", "re", "资源与环境", "地质工程", "工程地质", "边坡治理", "地测部", "总工程师"),
    ("中原生态环境研究院", "re", "资源与环境", "环境工程", "水污染控制", "工业废水", "水环境所", "所长"),
    ("郑州金融控股有限公司", "em", "工商管理", "工商管理", "企业管理", "数字化转型", "战略部", "总经理"),
    ("中原会计师事务所（特殊普通合伙）", "em", "会计", "会计", "审计", "上市公司审计", "审计二部", "合伙人"),
    ("河南现代物流集团有限公司", "em", "工商管理", "工商管理", "供应链管理", "智慧物流", "运营中心", "副总经理"),
    ("嵩山云计算研究院", "cs", "电子信息", "计算机技术", "大数据", "数据治理", "数据中心", "高级工程师"),
)

# One practice base per enterprise above (B-04): unit type, level, origin.
_T = PracticeBase.UnitType
_L = PracticeBase.Level
_O = PracticeBase.Origin
BASE_KINDS: dict[str, tuple[str, str, str]] = {
    "中原数智科技有限公司": (_T.PRIVATE_HITECH, _L.PROVINCIAL, _O.SCHOOL),
    "嵩山云计算研究院": (_T.PUBLIC_INSTITUTION, _L.SCHOOL_A, _O.SCHOOL),
    "郑州星河网络股份有限公司": (_T.PRIVATE_HITECH, _L.SCHOOL_B, _O.SUPERVISOR),
    "豫北重型机械集团有限公司": (_T.STATE_OWNED, _L.NATIONAL, _O.SCHOOL),
    "中州动力装备有限公司": (_T.STATE_OWNED, _L.SCHOOL_A, _O.SCHOOL),
    "黄淮智能制造有限公司": (_T.PRIVATE_HITECH, _L.SCHOOL_B, _O.SUPERVISOR),
    "中原交通设计研究院有限公司": (_T.STATE_OWNED, _L.PROVINCIAL, _O.SCHOOL),
    "豫水水利勘测设计院": (_T.PUBLIC_INSTITUTION, _L.SCHOOL_A, _O.SCHOOL),
    "伏牛建设集团有限公司": (_T.STATE_OWNED, _L.SCHOOL_B, _O.SCHOOL),
    "洛河化工股份有限公司": (_T.STATE_OWNED, _L.SCHOOL_A, _O.SCHOOL),
    "中原新材料科技有限公司": (_T.PRIVATE_HITECH, _L.SCHOOL_B, _O.SUPERVISOR),
    "太行精细化工有限公司": (_T.PRIVATE_HITECH, _L.SCHOOL_B, _O.SCHOOL),
    "中原地质勘查院": (_T.PUBLIC_INSTITUTION, _L.PROVINCIAL, _O.SCHOOL),
    "豫西矿业有限公司": (_T.STATE_OWNED, _L.SCHOOL_B, _O.SCHOOL),
    "中原生态环境研究院": (_T.PUBLIC_INSTITUTION, _L.SCHOOL_A, _O.SCHOOL),
    "郑州金融控股有限公司": (_T.STATE_OWNED, _L.SCHOOL_A, _O.SCHOOL),
    "中原会计师事务所（特殊普通合伙）": (_T.OTHER, _L.SCHOOL_B, _O.STUDENT),
    "河南现代物流集团有限公司": (_T.STATE_OWNED, _L.SCHOOL_B, _O.STUDENT),
}
PRACTICE_TYPE = {
    _O.SCHOOL: Placement.PracticeType.DISPATCH,
    _O.SUPERVISOR: Placement.PracticeType.SUPERVISOR,
    _O.STUDENT: Placement.PracticeType.SELF,
}
STREETS = ("科学大道", "中原路", "建设路", "人民路", "文化路", "经三路", "金水路", "长江路")


def display_width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


class Names:
    """Deterministic Chinese names, phones and ID numbers from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used_ids: set[str] = set()

    def surname(self) -> str:
        return self.rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]

    def given(self, gender: str) -> str:
        chars = MALE_CHARS if gender == "M" else FEMALE_CHARS
        if self.rng.random() < 0.7:
            return self.rng.choice(chars) + self.rng.choice(chars)
        # A one-character given name needs a character that stands alone.
        return self.rng.choice([c for c in chars if c not in SECOND_ONLY])

    def person(self, gender: str | None = None, surname: str | None = None) -> tuple[str, str]:
        gender = gender or self.rng.choice("MF")
        return (surname or self.surname()) + self.given(gender), gender

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def birth(self, year: int) -> date:
        return date(year, 1, 1) + timedelta(days=self.rng.randrange(365))

    def id_number(self, born: date, gender: str) -> str:
        """GB 11643-1999: region, birth date, a serial whose last digit is odd for men, the check digit."""
        while True:
            region = self.rng.choice(REGIONS)[0]
            serial = self.rng.randrange(100) * 10 + self.rng.choice(
                (1, 3, 5, 7, 9) if gender == "M" else (0, 2, 4, 6, 8)
            )
            first17 = f"{region}{born:%Y%m%d}{serial:03d}"
            number = first17 + id_number_check_digit(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number


# -- the demo accounts -----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    roles: tuple[tuple[Role, str], ...]  # (role, unit key)
    label: str  # what the printed table calls it
    profile: str = ""  # "student:<key>", "teacher:<key>", "mentor:<key>" — the person behind the account
    activated: bool = True


ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("demo_student", "", ((Role.STUDENT, "s1.cs"),), "学生", "student:demo"),
    DemoAccount("demo_supervisor", "", ((Role.SUPERVISOR, "s1.cs"),), "校内导师", "teacher:cs.1"),
    DemoAccount("demo_mentor", "", ((Role.ENTERPRISE_MENTOR, "s1"),), "企业导师", "mentor:1"),
    DemoAccount("demo_station", "宋立新", ((Role.STATION_MANAGER, "s1"),), "工作站管理人员"),
    DemoAccount("demo_secretary", "冯晓雪", ((Role.TEACHING_SECRETARY, "s1.cs"),), "教学秘书"),
    DemoAccount("demo_dean", "", ((Role.TEACHING_DEAN, "s1.cs"),), "教学院长", "teacher:cs.2"),
    DemoAccount("demo_dept_sa", "蒋文静", ((Role.DEPT_STUDENT_AFFAIRS, "s1.cs"),), "培养单位学工组"),
    DemoAccount("demo_sa_office", "邓海燕", ((Role.STUDENT_AFFAIRS_OFFICE, "s1.sa"),), "学工处研究生工作部"),
    DemoAccount("demo_grad", "周建华", ((Role.GRADUATE_SCHOOL, "s1.grad"),), "研究生院/学位办"),
    DemoAccount("demo_library", "孔令芳", ((Role.CHECKPOINT_OPERATOR, "s1.library"),), "离校点操作员（图书馆）"),
    DemoAccount("demo_dept_op", "韩雪梅", ((Role.DEPARTMENT_OPERATOR, "s1.cs"),), "院系操作员"),
    DemoAccount("demo_committee", "", ((Role.COMMITTEE_MEMBER, "s1.cs"),), "初审委员/分会委员", "teacher:cs.3"),
    DemoAccount("demo_expert", "", ((Role.REVIEWING_EXPERT, "s1"),), "评审专家", "teacher:ce.1"),
    DemoAccount("demo_dept_admin", "曹静怡", ((Role.DEPARTMENT_ADMIN, "s1.cs"),), "二级院系管理账号"),
    DemoAccount("demo_school_admin", "孙国强", ((Role.SCHOOL_ADMIN, "s1"),), "学校管理账号"),
    DemoAccount("demo_province", "赵德明", ((Role.PROVINCIAL_ADMIN, "province"),), "省级管理员"),
    DemoAccount("demo_sysadmin", "刘振华", ((Role.SYSTEM_ADMIN, "province"),), "系统管理员"),
    DemoAccount("demo_school2_admin", "钱玉兰", ((Role.SCHOOL_ADMIN, "s2"),), "学校管理账号（学校二）"),
    DemoAccount("demo_student2", "", ((Role.STUDENT, "s2.info"),), "学生（高职，学校二）", "student:vocational"),
    DemoAccount(
        "demo_dual",
        "",
        ((Role.SUPERVISOR, "s1.me"), (Role.TEACHING_DEAN, "s1.me")),
        "校内导师 + 教学院长（角色切换）",
        "teacher:me.1",
    ),
    # First-login activation (P-05): these still hold the one-time INITIAL_PASSWORD.
    DemoAccount("demo_new_teacher", "", ((Role.SUPERVISOR, "s1.cs"),), "待激活：校内导师", "teacher:cs.4", False),
    DemoAccount("demo_new_student", "", ((Role.STUDENT, "s1.cs"),), "待激活：学生", "student:new", False),
    DemoAccount("demo_new_dept_admin", "", ((Role.DEPARTMENT_ADMIN, "s1.ce"),), "待激活：二级院系管理账号", "", False),
)

# -- the builder --------------------------------------------------------------------------------


@dataclass
class DemoResult:
    created: bool
    counts: dict[str, int] = field(default_factory=dict)
    accounts: list[dict[str, str]] = field(default_factory=list)


class DemoNotAllowed(RuntimeError):
    pass


def is_loaded() -> bool:
    return OrgUnit.objects.filter(kind=OrgUnit.Kind.PROVINCE, code=MARKER_CODE).exists()


def load_demo() -> DemoResult:
    """Build the demo installation once; later calls only report what is there."""
    if not settings.DEMO_DATA_ALLOWED:
        raise DemoNotAllowed("DEMO_DATA_ALLOWED is off")
    if is_loaded():
        _refresh_initial_passwords()
        if not cases_built():  # a demo loaded before it had workflow cases gets them once
            with transaction.atomic():
                build_cases()
        if not enterprise_demo.built():  # likewise the enterprise library
            with transaction.atomic():
                enterprise_demo.build_enterprises(SEED + 2)
        if not clearance_demo.built():  # and the clearance plan
            with transaction.atomic():
                clearance_demo.build(_demo_hash())
        return DemoResult(created=False, counts=_counts(), accounts=account_table())
    taken = list(User.objects.filter(username__in=[a.username for a in ACCOUNTS]).values_list("username", flat=True))
    if taken:
        raise DemoNotAllowed("usernames already taken: " + ", ".join(sorted(taken)))
    with transaction.atomic():
        _Builder(random.Random(SEED)).build()
        build_cases()
        enterprise_demo.build_enterprises(SEED + 2)
        clearance_demo.build(_demo_hash())
    return DemoResult(created=True, counts=_counts(), accounts=account_table())


def _demo_hash() -> str:
    """The shared demo password's hash (Argon2 is slow on purpose: hash it once)."""
    return User.objects.values_list("password", flat=True).get(username="demo_school_admin")


def _refresh_initial_passwords() -> None:
    """One-time passwords expire in 7 days (S-01); keep the pending demo accounts usable."""
    pending = [a.username for a in ACCOUNTS if not a.activated]
    User.objects.filter(username__in=pending, is_demo=True, activated_at__isnull=True).update(
        temporary_password_expires_at=timezone.now() + timedelta(days=settings.INITIAL_PASSWORD_VALID_DAYS)
    )


def _counts() -> dict[str, int]:
    return {
        "schools": OrgUnit.objects.filter(kind=OrgUnit.Kind.SCHOOL).count(),
        "departments": OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT).count(),
        "offices": OrgUnit.objects.filter(kind=OrgUnit.Kind.OFFICE).count(),
        "students": Student.objects.count(),
        "teachers": Teacher.objects.count(),
        "mentors": EnterpriseMentor.objects.count(),
        "bases": PracticeBase.objects.count(),
        "placements": Placement.objects.count(),
        "accounts": User.objects.filter(is_demo=True).count(),
        "cases": Case.objects.count(),
        "enterprises": Enterprise.objects.count(),
        "clearance_records": ClearanceRecord.objects.count(),
    }


def account_table() -> list[dict[str, str]]:
    """One row per demo account: label, username, name, scope, password (or its state)."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[a.username for a in ACCOUNTS]).prefetch_related("roles__unit")
    }
    rows = []
    for spec in ACCOUNTS:
        user = users.get(spec.username)
        if user is None:
            continue
        scope = "；".join(str(r) for r in sorted(user.roles.all(), key=lambda r: r.pk))
        if spec.activated:
            password = DEMO_PASSWORD
        elif user.activated_at is None:
            password = INITIAL_PASSWORD + "（首次登录须激活）"
        else:
            password = "（已激活，密码已修改）"  # noqa: S105 - a status shown instead of a password
        rows.append(
            {
                "label": spec.label,
                "username": spec.username,
                "name": user.display_name,
                "scope": scope,
                "password": password,
            }
        )
    # The clearance operators (campusflow.clearance.demo), one per office checkpoint.
    operators = {
        u.username: u
        for u in User.objects.filter(username__in=[o.username for o in clearance_demo.OPERATORS]).prefetch_related(
            "roles__unit"
        )
    }
    for op in clearance_demo.OPERATORS:
        found = operators.get(op.username)
        if found is not None:
            scope = "；".join(str(r) for r in sorted(found.roles.all(), key=lambda r: r.pk))
            rows.append(
                {
                    "label": op.label,
                    "username": op.username,
                    "name": found.display_name,
                    "scope": scope,
                    "password": DEMO_PASSWORD,
                }
            )
    return rows


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names = Names(rng)
        self.units: dict[str, OrgUnit] = {}
        self.teachers: dict[str, list[Teacher]] = {}
        self.mentors: list[EnterpriseMentor] = []
        self.mentors_by_college: dict[str, list[EnterpriseMentor]] = {}
        self.students: list[Student] = []
        self.special_students: dict[str, Student] = {}
        self.bases: dict[str, PracticeBase] = {}
        self.now = timezone.now()
        # Bases and placements draw from their own generator, so adding them left
        # the people of the demo exactly as they were.
        self.practice_rng = random.Random(SEED + 1)

    # -- units --

    def build(self) -> None:
        self.build_units()
        self.build_teachers()
        self.build_mentors()
        self.build_students()
        self.build_bases()
        self.build_placements()
        self.build_accounts()
        audit.record("demo.load", actor=None, data=_counts())

    def build_units(self) -> None:
        province = OrgUnit.objects.create(kind=OrgUnit.Kind.PROVINCE, name="河南省教育厅", code=MARKER_CODE)
        self.units["province"] = province
        for key, (name, code, _slug) in (("s1", SCHOOL1), ("s2", SCHOOL2)):
            school = OrgUnit.objects.create(kind=OrgUnit.Kind.SCHOOL, name=name, code=code, parent=province)
            school.school = school
            school.save(update_fields=["school"])
            self.units[key] = school
        children: list[tuple[str, OrgUnit]] = []
        for school_key, colleges, offices in (("s1", COLLEGES_1, OFFICES_1), ("s2", COLLEGES_2, OFFICES_2)):
            school = self.units[school_key]
            for order, college in enumerate(colleges, start=1):
                unit = OrgUnit(
                    kind=OrgUnit.Kind.DEPARTMENT,
                    name=college.name,
                    code=college.code,
                    parent=school,
                    school=school,
                    sort_order=order,
                    contact_name=self.names.person()[0],
                    contact_phone=f"0371-6{self.rng.randrange(10**6):06d}",
                )
                children.append((f"{school_key}.{college.key}", unit))
            for order, (key, code, name, office_type) in enumerate(offices, start=50):
                unit = OrgUnit(
                    kind=OrgUnit.Kind.OFFICE,
                    office_type=office_type,
                    name=name,
                    code=code,
                    parent=school,
                    school=school,
                    sort_order=order,
                )
                children.append((f"{school_key}.{key}", unit))
        OrgUnit.objects.bulk_create([unit for _key, unit in children])
        self.units.update(children)

    # -- people --

    def build_teachers(self) -> None:
        rows: list[tuple[str, Teacher]] = []
        for school_key, colleges, titles, slug in (
            ("s1", COLLEGES_1, TEACHER_TITLES_1, SCHOOL1[2]),
            ("s2", COLLEGES_2, TEACHER_TITLES_2, SCHOOL2[2]),
        ):
            school = self.units[school_key]
            for index, college in enumerate(colleges, start=1):
                dept = self.units[f"{school_key}.{college.key}"]
                for seq, title in enumerate(titles, start=1):
                    name, gender = self.names.person()
                    staff_no = f"T{index}{seq:03d}" if school_key == "s1" else f"Z{index}{seq:03d}"
                    teacher = Teacher(
                        school=school,
                        department=dept,
                        staff_no=staff_no,
                        name=name,
                        gender=gender,
                        title=title,
                        phone=self.names.mobile(),
                        email=f"{staff_no.lower()}@{slug}.example.edu.cn",
                        # 研究生导师: professors and associate professors of the university.
                        is_supervisor=school_key == "s1" and title in {"教授", "副教授"},
                    )
                    rows.append((college.key, teacher))
        Teacher.objects.bulk_create([t for _k, t in rows])
        for key, teacher in rows:
            self.teachers.setdefault(key, []).append(teacher)

    def build_mentors(self) -> None:
        school = self.units["s1"]
        for number, (enterprise, college, category, field_, direction, specific, dept, position) in enumerate(
            MENTOR_ROWS, start=1
        ):
            gender = "F" if number % 4 == 0 else "M"
            name, gender = self.names.person(gender)
            education = self.rng.choice(
                [EnterpriseMentor.Education.DOCTORAL, EnterpriseMentor.Education.MASTERS]
                + [EnterpriseMentor.Education.UNDERGRADUATE] * 2
            )
            degree = {
                EnterpriseMentor.Education.DOCTORAL: EnterpriseMentor.Degree.DOCTOR,
                EnterpriseMentor.Education.MASTERS: EnterpriseMentor.Degree.MASTER,
            }.get(education, EnterpriseMentor.Degree.BACHELOR)
            supervisors = [t for t in self.teachers[college] if t.is_supervisor]
            mentor = EnterpriseMentor(
                school=school,
                mentor_no=f"M{number:04d}",
                enterprise_name=enterprise,
                enrollment_category=category,
                enrollment_field=field_,
                enrollment_direction=direction,
                enrollment_specific_direction=specific,
                name=name,
                gender=gender,
                birth_month=date(self.rng.randrange(1968, 1989), self.rng.randrange(1, 13), 1),
                department_name=dept,
                education=education,
                degree=degree,
                professional_title=self.rng.choice(
                    [EnterpriseMentor.TitleLevel.SENIOR, EnterpriseMentor.TitleLevel.ASSOCIATE_SENIOR] * 2
                    + [EnterpriseMentor.TitleLevel.INTERMEDIATE]
                ),
                position=position,
                phone=self.names.mobile(),
                # The first mentor of each college works with its first supervisor (a demo account).
                partner_supervisor=supervisors[0]
                if college not in self.mentors_by_college
                else self.rng.choice(supervisors),
                willing_first_supervisor=self.rng.random() < 0.3,
            )
            self.mentors.append(mentor)
            self.mentors_by_college.setdefault(college, []).append(mentor)
        EnterpriseMentor.objects.bulk_create(self.mentors)

    def _student(self, school_key: str, college: College, *, no: str, category: str, **kw: Any) -> Student:
        rng, names = self.rng, self.names
        name, gender = names.person()
        surname = name[0]
        level = kw.pop("level")
        born = names.birth(kw.pop("birth_year"))
        father, _g = names.person("M", surname=surname)
        mother, _g = names.person("F")
        if kw.pop("graduate", False):
            building = f"东区-研{rng.randrange(1, 9)}号楼"
        elif school_key == "s2":
            building = f"{rng.randrange(1, 13)}号学生公寓"
        else:
            building = f"{rng.choice('东西南')}区-{rng.randrange(1, 21)}号楼"
        floor = rng.randrange(1, 7)
        accommodation = (
            "校外住宿"
            if rng.random() < 0.08
            else f"{building}-{floor}层-{floor}{rng.randrange(1, 40):02d}-{rng.randrange(1, 5):02d}床"
        )
        return Student(
            school=self.units[school_key],
            department=self.units[f"{school_key}.{college.key}"],
            student_no=no,
            candidate_no=f"{kw['grade'] % 100:02d}41{rng.randrange(10**10):010d}",
            name=name,
            gender=gender,
            id_number=names.id_number(born, gender),
            birth_date=born,
            category=category,
            level=level,
            phone=names.mobile(),
            father_name=father,
            father_phone=names.mobile(),
            mother_name=mother,
            mother_phone=names.mobile(),
            household_transfer="是（已迁入学校集体户）" if rng.random() < 0.35 else "否",
            accommodation=accommodation,
            status=Student.Status.SUSPENDED if rng.random() < 0.015 else Student.Status.ENROLLED,
            **kw,
        )

    def build_students(self) -> None:
        rng = self.rng
        rows = self.students
        for college in COLLEGES_1:
            code = college.code
            supervisors = [t for t in self.teachers[college.key] if t.is_supervisor]
            professors = [t for t in supervisors if t.title == "教授"]
            mentors = self.mentors_by_college.get(college.key, [])
            for grade in range(2022, 2026):
                yy = grade % 100
                for k in range(10 if college.undergrad else 0):
                    major, short = college.undergrad[k % len(college.undergrad)]
                    seq = k + 1
                    rows.append(
                        self._student(
                            "s1",
                            college,
                            no=f"{grade}{code}1{seq:03d}",
                            category=Category.UNDERGRADUATE,
                            level=Level.BACHELOR,
                            birth_year=grade - 18 - (rng.random() < 0.3),
                            grade=grade,
                            major=major,
                            class_name=f"{short}{yy:02d}{k // len(college.undergrad) % 2 + 1:02d}班",
                        )
                    )
                if grade >= 2023:
                    academic = 4 if college.professional_master else 6
                    for k in range(academic):
                        major = college.academic_master[k % len(college.academic_master)]
                        rows.append(
                            self._student(
                                "s1",
                                college,
                                no=f"{grade}{code}2{k + 1:03d}",
                                category=Category.ACADEMIC_MASTER,
                                level=Level.MASTER,
                                certificate=Student.Certificate.DOUBLE,
                                birth_year=grade - 22 - (rng.random() < 0.4),
                                grade=grade,
                                major=major,
                                class_name=f"{major}{yy:02d}级",
                                supervisor=rng.choice(supervisors),
                                graduate=True,
                            )
                        )
                    for k in range(6 if college.professional_master else 0):
                        major = college.professional_master[k % len(college.professional_master)]
                        # 非全日制 professional masters study for the degree certificate only (单证).
                        single = k == 5
                        mentor = rng.choice(mentors) if mentors and grade <= 2024 and rng.random() < 0.75 else None
                        rows.append(
                            self._student(
                                "s1",
                                college,
                                no=f"{grade}{code}3{k + 1:03d}",
                                category=Category.PROFESSIONAL_MASTER,
                                level=Level.MASTER,
                                certificate=Student.Certificate.SINGLE if single else Student.Certificate.DOUBLE,
                                birth_year=grade - (28 if single else 22) - (rng.random() < 0.4),
                                grade=grade,
                                major=major,
                                class_name=f"{major.split('（')[0]}{yy:02d}级",
                                supervisor=rng.choice(supervisors),
                                enterprise_mentor=mentor,
                                graduate=True,
                            )
                        )
                for k in range(2):
                    major = college.doctor[0]
                    rows.append(
                        self._student(
                            "s1",
                            college,
                            no=f"{grade}{code}4{k + 1:03d}",
                            category=Category.ACADEMIC_DOCTOR,
                            level=Level.DOCTOR,
                            certificate=Student.Certificate.DOUBLE,
                            birth_year=grade - 25 - rng.randrange(3),
                            grade=grade,
                            major=major,
                            class_name=f"{major}{yy:02d}级博士",
                            supervisor=rng.choice(professors),
                            graduate=True,
                        )
                    )
        for college in COLLEGES_2:
            for grade in range(2023, 2026):
                yy = grade % 100
                for k in range(15):
                    major, short = college.vocational[k % 2]
                    rows.append(
                        self._student(
                            "s2",
                            college,
                            no=f"{grade}{college.code}6{k + 1:03d}",
                            category=Category.VOCATIONAL,
                            level=Level.ASSOCIATE,
                            birth_year=grade - 18 - (rng.random() < 0.3),
                            grade=grade,
                            major=major,
                            class_name=f"{short}{yy:02d}{k // 8 + 1:02d}班",
                        )
                    )
        # The student behind ``demo_student``: a professional master of 计算机学院, placed with
        # the first mentor, supervised by the teacher behind ``demo_supervisor``.
        demo = next(
            s
            for s in rows
            if s.department == self.units["s1.cs"] and s.category == Category.PROFESSIONAL_MASTER and s.grade == 2024
        )
        demo.supervisor = self.teachers["cs"][0]
        demo.enterprise_mentor = self.mentors[0]
        # Give the demo supervisor and mentor a handful of students to look at.
        cs_masters = [
            s
            for s in rows
            if s.department == self.units["s1.cs"]
            and s.category == Category.PROFESSIONAL_MASTER
            and (s.grade or 0) <= 2024
        ]
        # All of demo_student's year are out at demo_mentor's base too: their leave requests
        # (the workflow section) fill the inboxes of the demo accounts of that chain.
        for s in cs_masters[:5] + [s for s in cs_masters if s.grade == demo.grade]:
            s.supervisor = self.teachers["cs"][0]
            s.enterprise_mentor = self.mentors[0]
        self.special_students["demo"] = demo
        self.special_students["new"] = next(
            s for s in rows if s.department == self.units["s1.cs"] and s.category == Category.UNDERGRADUATE
        )
        self.special_students["vocational"] = next(s for s in rows if s.department == self.units["s2.info"])
        self._mentor_for_every_practising_master(rows)
        Student.objects.bulk_create(rows, batch_size=500)

    def _practising(self, student: Student) -> bool:
        """Professional masters of the second and third year are out at a base (G-01)."""
        return student.category == Category.PROFESSIONAL_MASTER and student.grade in (2023, 2024)

    def _mentor_for_every_practising_master(self, rows: list[Student]) -> None:
        college_of = {self.units[f"s1.{c.key}"].pk: c.key for c in COLLEGES_1}
        for student in rows:
            if self._practising(student) and student.enterprise_mentor is None:
                mentors = self.mentors_by_college.get(college_of.get(student.department.pk, ""), [])
                if mentors:
                    student.enterprise_mentor = self.practice_rng.choice(mentors)

    # -- practice bases and placements (B-04, G-01) --

    def build_bases(self) -> None:
        rng, names = self.practice_rng, Names(self.practice_rng)
        school = self.units["s1"]
        colleges = {c.key: c for c in COLLEGES_1}
        seen: list[tuple[str, str]] = []
        for enterprise, college, *_rest in MENTOR_ROWS:
            if enterprise not in {e for e, _c in seen}:
                seen.append((enterprise, college))
        for number, (enterprise, college) in enumerate(seen, start=1):
            unit_type, level, origin = BASE_KINDS[enterprise]
            contact, _g = names.person()
            leader, _g = names.person()
            school_contact, _g = names.person()
            region = rng.choice(REGIONS[:14])[1]
            self.bases[enterprise] = PracticeBase(
                school=school,
                code=f"JD{colleges[college].code}{number:03d}",
                name=enterprise,
                unit_type=unit_type,
                address=f"河南省{region}{rng.choice(STREETS)}{rng.randrange(1, 300)}号",
                contact_name=contact,
                contact_phone=names.mobile(),
                leader_name=leader,
                leader_phone=names.mobile(),
                responsible_college=self.units[f"s1.{college}"],
                school_contact_name=school_contact,
                school_contact_phone=f"0371-6{rng.randrange(10**7):07d}",
                level=level,
                origin=origin,
            )
        PracticeBase.objects.bulk_create(self.bases.values())
        BaseMentor.objects.bulk_create([BaseMentor(base=self.bases[m.enterprise_name], mentor=m) for m in self.mentors])

    def build_placements(self) -> None:
        rng = self.practice_rng
        placements = []
        for student in self.students:
            if not self._practising(student) or student.enterprise_mentor is None:
                continue
            assert student.supervisor is not None and student.grade is not None
            base = self.bases[student.enterprise_mentor.enterprise_name]
            year = student.grade + 1
            # The third-year students have mostly come back from their bases.
            exited = student.grade == 2023 and rng.random() < 0.6
            placements.append(
                Placement(
                    student=student,
                    base=base,
                    supervisor=student.supervisor,
                    mentor=student.enterprise_mentor,
                    practice_type=PRACTICE_TYPE[PracticeBase.Origin(base.origin)],
                    start_date=date(year, 7, 1),
                    end_date=date(year + 1, 12, 31),
                    onsite_start=date(year, 7, 15),
                    onsite_end=date(year + 1, 10, 31),
                    status=Placement.Status.EXITED if exited else Placement.Status.ON_SITE,
                    ended_at=self.now if exited else None,
                    school=student.school,
                    department=student.department,
                )
            )
        Placement.objects.bulk_create(placements, batch_size=500)

    # -- accounts --

    def _profile(self, ref: str) -> Student | Teacher | EnterpriseMentor | None:
        if not ref:
            return None
        kind, key = ref.split(":", 1)
        if kind == "student":
            return self.special_students[key]
        if kind == "teacher":
            college, number = key.split(".")
            return self.teachers[college][int(number) - 1]
        return self.mentors[int(key) - 1]

    def build_accounts(self) -> None:
        users: list[User] = []
        profiles: list[Student | Teacher | EnterpriseMentor] = []
        demo_hash = initial_hash = ""
        for spec in ACCOUNTS:
            profile = self._profile(spec.profile)
            first_unit = self.units[spec.roles[0][1]]
            user = User(
                username=spec.username,
                full_name=spec.name or (profile.name if profile is not None else spec.username),
                school=first_unit.school,
                is_demo=True,
            )
            if spec.activated:
                # Hash once: Argon2 is slow on purpose and every demo account shares the password.
                if not demo_hash:
                    user.set_password(DEMO_PASSWORD)
                    demo_hash = user.password
                user.password = demo_hash
                user.activated_at = self.now
                user.must_change_password = False
                user.password_changed_at = self.now
                user.phone = "1880371" + f"{len(users) + 1:04d}"
                user.email = f"{spec.username}@example.edu.cn"
            else:
                if not initial_hash:
                    user.set_password(INITIAL_PASSWORD)
                    initial_hash = user.password
                user.password = initial_hash
                user.must_change_password = True
                user.temporary_password_expires_at = self.now + timedelta(days=settings.INITIAL_PASSWORD_VALID_DAYS)
            users.append(user)
            if profile is not None:
                profiles.append(profile)
        User.objects.bulk_create(users)
        by_name = {u.username: u for u in users}
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(user=by_name[spec.username], role=role, unit=self.units[unit_key])
                for spec in ACCOUNTS
                for role, unit_key in spec.roles
            ]
        )
        for spec in ACCOUNTS:
            profile = self._profile(spec.profile)
            if profile is not None:
                profile.user = by_name[spec.username]
        _link(Student, [p for p in profiles if isinstance(p, Student)])
        _link(Teacher, [p for p in profiles if isinstance(p, Teacher)])
        _link(EnterpriseMentor, [p for p in profiles if isinstance(p, EnterpriseMentor)])


def _link(model: Any, rows: Iterable[Any]) -> None:
    rows = list(rows)
    if rows:
        model.objects.bulk_update(rows, ["user"])


def format_accounts(rows: list[dict[str, str]]) -> list[str]:
    """The account table as aligned lines for a terminal."""
    header = {"label": "角色", "username": "用户名", "name": "姓名", "scope": "角色 · 单位"}
    columns = ["label", "username", "name", "scope"]
    widths = {c: max(display_width(r[c]) for r in [header, *rows]) for c in columns}
    lines = ["  ".join(pad(header[c], widths[c]) for c in columns)]
    lines.append("  ".join("-" * widths[c] for c in columns))
    lines += ["  ".join(pad(r[c], widths[c]) for c in columns) for r in rows]
    return lines


# -- workflow cases (W-04, G-03, G-06): every state, through the real actions -------------------

# Printed under the account table by ``manage.py load_demo``.
LEAVE_HINT = (
    "试一试请假流程：以 demo_student 登录 → 实践过程请假 → 我要请假（各请一次 10 天和 3 天）；"
    "再依次以 demo_mentor、demo_supervisor、demo_dean 登录审核，超过 7 天的最后由 demo_sa_office 审核。",
    "Try the leave chain: log in as demo_student → 实践过程请假 → 我要请假 (one of 10 days, one of 3); then approve "
    "as demo_mentor, demo_supervisor, demo_dean and, for more than 7 days, demo_sa_office.",
)

# The leave chain's steps and the demo account acting on each (seeded in workflow 0002).
MENTOR, SUPERVISOR, DEAN, SA_OFFICE = "demo_mentor", "demo_supervisor", "demo_dean", "demo_sa_office"
LEAVE_STEPS = (("mentor", MENTOR), ("supervisor", SUPERVISOR), ("dean", DEAN), ("student_affairs", SA_OFFICE))
LEAVE_SCHOOL_STEPS = (("supervisor", SUPERVISOR), ("secretary", "demo_secretary"))
OVERDUE_BY = timedelta(days=3)  # past the two days after which an overdue task is escalated too


def _applicant_students() -> list[Student]:
    """Classmates of demo_student in the same chain (supervisor, mentor, on site): the applicants.

    demo_student applies for nothing, so whoever tries the demo starts with an empty list.
    """
    return list(
        Student.objects.filter(
            supervisor__user__username=SUPERVISOR,
            enterprise_mentor__user__username=MENTOR,
            placements__status=Placement.Status.ON_SITE,
        )
        .exclude(user__username="demo_student")
        .distinct()
        .order_by("student_no")
    )


def cases_built() -> bool:
    """The applicants' accounts are made with their cases: present ⇒ the cases are there."""
    listed = [a.username for a in ACCOUNTS]
    return User.objects.filter(is_demo=True, roles__role=Role.STUDENT).exclude(username__in=listed).exists()


def build_cases() -> int:
    """Leave requests and leave-school applications in every state; once per database.

    Returns how many cases were started (0 when they are there already).
    """
    if cases_built():
        return 0
    students = _applicant_students()
    if not students:
        return 0
    return _Cases(students).build()


def _blank_pdf() -> bytes:
    """A one-page blank PDF, a real file for the upload checks (travel plan, safety notice)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)  # A4 in points
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class _Cases:
    """The applicants submit, the demo accounts decide: every row comes from an action."""

    def __init__(self, students: list[Student]) -> None:
        self.students = students
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.pdf = b""
        self.next_day: dict[int, date] = {}
        self.started = 0
        self.applicants = self._accounts()
        self.people = {
            u.username: u
            for u in User.objects.filter(
                username__in=[
                    MENTOR,
                    SUPERVISOR,
                    DEAN,
                    SA_OFFICE,
                    "demo_secretary",
                    "demo_grad",
                    "demo_dual",
                    "demo_committee",
                    "demo_dept_sa",
                ]
            )
        }

    def _accounts(self) -> list[User]:
        """One student account per applicant (``demo_<student number>``, the demo password)."""
        password = User.objects.get(username="demo_student").password
        users = [
            User(
                username=f"demo_{s.student_no}",
                full_name=s.name,
                school_id=s.school_id,
                is_demo=True,
                password=password,
                activated_at=self.now,
                must_change_password=False,
                password_changed_at=self.now,
                email=f"demo_{s.student_no}@example.edu.cn",
            )
            for s in self.students
        ]
        User.objects.bulk_create(users)
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(user=u, role=Role.STUDENT, unit_id=s.department_id)
                for u, s in zip(users, self.students, strict=True)
            ]
        )
        for user, student in zip(users, self.students, strict=True):
            student.user = user
        Student.objects.bulk_update(self.students, ["user"])
        return users

    # -- helpers --

    def applicant(self, n: int) -> tuple[User, Student]:
        n %= len(self.students)
        return self.applicants[n], self.students[n]

    def _dates(self, n: int, days: int) -> date:
        """The applicant's next free day: their leaves follow each other without overlapping."""
        start = self.next_day.get(n, self.today + timedelta(days=2 + n))
        self.next_day[n] = start + timedelta(days=days + 4)
        return start

    def leave(self, n: int, days: int, reason: str) -> LeaveRequest:
        user, student = self.applicant(n)
        start = self._dates(n % len(self.students), days)
        self.started += 1
        return leave_actions.submit_leave_request(actor=user, data=self._leave_input(student, start, days, reason))

    def _leave_input(self, student: Student, start: date, days: int, reason: str) -> leave_actions.LeaveInput:
        return leave_actions.LeaveInput(
            start_date=start,
            end_date=start + timedelta(days=days - 1),
            reason=reason,
            phone=student.phone,
            father_name=student.father_name,
            father_phone=student.father_phone,
            mother_name=student.mother_name,
            mother_phone=student.mother_phone,
        )

    def leave_school(self, n: int, *, outside: bool, notice: bool = False) -> LeaveSchoolApplication:
        user, _student = self.applicant(n)
        placement = Placement.objects.filter(student__user=user).select_related("base").first()
        leave_date = self._dates(n % len(self.students), 2)
        self.started += 1
        location = LeaveSchoolApplication.Location
        return leave_actions.submit_leave_school(
            actor=user,
            data=leave_actions.LeaveSchoolInput(
                station_name=placement.base.name if placement else "中原数智科技有限公司",
                leave_date=leave_date,
                expected_entry_date=leave_date + timedelta(days=1),
                location=location.OUTSIDE if outside else location.BEIJING,
                safety_notice_submitted=notice,
                travel_attachment=self._pdf("行程单.pdf") if outside else None,
                safety_notice=self._pdf("专业实践安全须知（签字版）.pdf") if notice else None,
            ),
        )

    def _pdf(self, name: str) -> SimpleUploadedFile:
        self.pdf = self.pdf or _blank_pdf()
        return SimpleUploadedFile(name, self.pdf, content_type="application/pdf")

    def open_tasks(self, record: LeaveRequest | LeaveSchoolApplication) -> QuerySet[Task]:
        assert record.case_id is not None
        return Task.objects.filter(case_id=record.case_id, state=Task.State.OPEN)

    def task(self, record: LeaveRequest | LeaveSchoolApplication, step: str) -> Task:
        return self.open_tasks(record).get(step__key=step, added_by__isnull=True)

    def approve(
        self,
        record: LeaveRequest | LeaveSchoolApplication,
        steps: tuple[tuple[str, str], ...],
        opinions: tuple[str, ...] = ("同意。", "同意，注意安全。", "同意，按时返岗。", "同意，请假期间保持通讯畅通。"),
    ) -> None:
        for (step, username), opinion in zip(steps, opinions, strict=False):
            workflow.approve(actor=self.people[username], task_id=self.task(record, step).pk, opinion=opinion)

    def reject(self, record: LeaveRequest, step: str, username: str, opinion: str, to_step: str | None = None) -> None:
        workflow.reject(
            actor=self.people[username], task_id=self.task(record, step).pk, opinion=opinion, to_step=to_step
        )

    # -- the cases --

    def build(self) -> int:
        self.leave_requests()
        self.leave_school_applications()
        audit.record("demo.cases", actor=None, data={"cases": self.started})
        return self.started

    def leave_requests(self) -> None:
        # In progress, one at each step: the inboxes of demo_mentor … demo_sa_office.
        self.leave(0, 3, "家中老人住院，需回家陪护。")
        overdue = self.leave(1, 10, "回学校参加学位论文开题报告及相关课程考试。")
        self.open_tasks(overdue).update(due_at=self.now - OVERDUE_BY)
        self.approve(self.leave(2, 5, "参加全国研究生数学建模竞赛决赛。"), LEAVE_STEPS[:1])
        self.approve(self.leave(3, 12, "赴上海参加国际学术会议并做报告。"), LEAVE_STEPS[:2])
        self.approve(self.leave(4, 9, "返校完成中期考核和实验数据整理。"), LEAVE_STEPS[:3])
        self.approve(self.leave(5, 15, "做阑尾炎手术，需住院治疗并休养。"), LEAVE_STEPS[:3])

        # Approved: more than a week goes to the student-affairs office, a week or less does not.
        approved = self.leave(0, 10, "回学校参加研究生英语学位考试并办理学籍手续。")
        self.approve(approved, LEAVE_STEPS)
        workflow.carbon_copy(actor=self.people[DEAN], case_id=approved.case_id, users=[self.people["demo_dept_sa"].pk])
        self.approve(self.leave(1, 3, "办理身份证换证及户籍迁移手续。"), LEAVE_STEPS[:3])

        # 驳回重新提交: returned to the applicant, once left there and once sent again.
        returned = self.leave(2, 6, "回家。")
        self.approve(returned, LEAVE_STEPS[:1])
        self.reject(returned, "supervisor", SUPERVISOR, "请假事由过于简单，请写明具体原因和去向。")
        again = self.leave(3, 4, "参加招聘会。")
        self.approve(again, LEAVE_STEPS[:1])
        self.reject(again, "supervisor", SUPERVISOR, "日期与企业排班冲突，请与企业导师确认后修改。")
        user, student = self.applicant(3)
        record = LeaveRequest.objects.select_related("case", "student").get(pk=again.pk)
        start = self._dates(3, 4)
        leave_actions.resubmit_leave_request(
            actor=user,
            record=record,
            data=self._leave_input(student, start, 4, "参加郑州市秋季校园招聘会（已与企业导师确认排班）。"),
        )
        self.approve(again, LEAVE_STEPS[:1])  # round 2: back with the supervisor

        # Rejected to an earlier step: the dean sends it back to the enterprise mentor.
        back = self.leave(4, 8, "回学校参加实验室安全培训及设备操作考核。")
        self.approve(back, LEAVE_STEPS[:2])
        self.reject(back, "dean", DEAN, "请企业导师再次确认项目节点安排。", to_step="mentor")

        # 不通过, 撤回, 终止.
        failed = self.leave(5, 7, "外出旅游。")
        workflow.fail(
            actor=self.people[MENTOR], task_id=self.task(failed, "mentor").pk, opinion="项目交付期间，不同意。"
        )
        withdrawn = self.leave(0, 2, "参加朋友婚礼。")
        workflow.withdraw(actor=self.applicant(0)[0], case_id=withdrawn.case_id)
        ended = self.leave(1, 20, "回家准备研究生学位论文。")
        self.approve(ended, LEAVE_STEPS[:1])
        workflow.terminate(
            actor=self.people["demo_grad"], case_id=ended.case_id, reason="学生已申请结束专业实践返校，本请假无需办理。"
        )

        # 转办: the supervisor is away; a colleague signs for them and it reaches the dean.
        moved = self.leave(2, 4, "参加省研究生创新创业大赛。")
        self.approve(moved, LEAVE_STEPS[:1])
        dual = self.people["demo_dual"]
        workflow.transfer(
            actor=self.people[SUPERVISOR],
            task_id=self.task(moved, "supervisor").pk,
            to_user=dual.pk,
            opinion="本周出差，请代为审核。",
        )
        workflow.approve(actor=dual, task_id=self.task(moved, "supervisor").pk, opinion="同意。")

        # 加签: the supervisor asks the committee member to sign too, who has; the supervisor has not.
        signed = self.leave(3, 5, "返校参加课题组项目结题答辩。")
        self.approve(signed, LEAVE_STEPS[:1])
        committee = self.people["demo_committee"]
        workflow.add_signer(
            actor=self.people[SUPERVISOR], task_id=self.task(signed, "supervisor").pk, user=committee.pk
        )
        added = self.open_tasks(signed).get(assignee=committee)
        workflow.approve(actor=committee, task_id=added.pk, opinion="同意，答辩安排属实。")

    def leave_school_applications(self) -> None:
        self.leave_school(0, outside=False)  # with the supervisor
        self.approve(self.leave_school(1, outside=True), LEAVE_SCHOOL_STEPS[:1])  # with the secretary
        self.approve(self.leave_school(2, outside=True, notice=True), LEAVE_SCHOOL_STEPS)  # approved
        returned = self.leave_school(3, outside=False)
        self.approve(returned, LEAVE_SCHOOL_STEPS[:1])
        workflow.reject(
            actor=self.people["demo_secretary"],
            task_id=self.task(returned, "secretary").pk,
            opinion="工作站不在北京，所在地请选择京外并上传行程附件。",
        )
        failed = self.leave_school(4, outside=True)
        workflow.fail(
            actor=self.people[SUPERVISOR],
            task_id=self.task(failed, "supervisor").pk,
            opinion="实践单位尚未与学校签订协议，暂不同意离校。",
        )
        withdrawn = self.leave_school(5, outside=True, notice=True)
        workflow.withdraw(actor=self.applicant(5)[0], case_id=withdrawn.case_id)
