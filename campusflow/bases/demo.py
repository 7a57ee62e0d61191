"""Demo enterprises for the enterprise library (B-01…B-03): built once, set-based, deterministic."""

from __future__ import annotations

import random

from campusflow.bases.models import Enterprise, InternshipPosition, PracticeBase, SchoolEnterprise
from campusflow.core.validators import uscc_check_char
from campusflow.orgs.models import OrgUnit

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_NAMES = [
    ("郑州", "智能装备"),
    ("洛阳", "石化工程"),
    ("开封", "数字科技"),
    ("新乡", "电子信息"),
    ("许昌", "电气设备"),
    ("南阳", "光电"),
    ("焦作", "新材料"),
    ("安阳", "钢铁设计"),
    ("平顶山", "能源"),
    ("商丘", "物流"),
    ("信阳", "茶业食品"),
    ("周口", "农业科技"),
    ("驻马店", "医药"),
    ("漯河", "食品"),
    ("濮阳", "化工"),
    ("鹤壁", "汽车电子"),
    ("三门峡", "黄金冶炼"),
    ("济源", "有色金属"),
    ("郑州", "软件"),
    ("郑州", "轨道交通"),
    ("洛阳", "轴承"),
    ("新乡", "电池"),
    ("许昌", "发制品"),
    ("南阳", "防爆电机"),
]
_SUFFIXES = ["有限公司", "股份有限公司", "集团有限公司"]
_INDUSTRIES = [
    "制造业",
    "信息传输、软件和信息技术服务业",
    "电力、热力生产和供应业",
    "交通运输、仓储和邮政业",
    "科学研究和技术服务业",
    "批发和零售业",
    "农、林、牧、渔业",
]
_POSITIONS = [
    "生产技术员",
    "质量检验员",
    "软件测试",
    "设备维护",
    "电气调试",
    "数据标注",
    "仓储物流专员",
    "销售助理",
    "实验室助理",
    "CAD制图员",
]


_GIVEN = ["建国", "志强", "丽娟", "海燕", "国华"]


def _credit_code(rng: random.Random) -> str:
    body = (
        "9141" + "".join(rng.choice("0123456789") for _ in range(6)) + "".join(rng.choice(_ALPHABET) for _ in range(7))
    )
    return body + uscc_check_char(body)


def built() -> bool:
    return Enterprise.objects.exists()


def build_enterprises(seed: int) -> int:
    """About two dozen enterprises with positions; school 1 recommends or cooperates with some."""
    rng = random.Random(seed)
    enterprises = []
    for index, (city, trade) in enumerate(_NAMES):
        enterprises.append(
            Enterprise(
                credit_code=_credit_code(rng),
                name=f"{city}{trade}{_SUFFIXES[index % len(_SUFFIXES)]}",
                nature=rng.choice(PracticeBase.UnitType.values),
                industry=rng.choice(_INDUSTRIES),
                scale=rng.choice(Enterprise.Scale.values),
                staff_count=rng.randint(40, 3000),
                legal_representative=rng.choice("王李张刘陈杨赵黄周吴")
                + rng.choice(["建国", "志强", "丽娟", "海燕", "国华"]),
                address=f"河南省{city}市{rng.choice(['高新区', '经开区', '航空港区'])}{rng.randint(1, 300)}号",
                contact_name=rng.choice("王李张刘陈") + rng.choice(["经理", "主管", "老师"]),
                contact_phone=f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
                introduction=f"{city}地区{trade}领域企业，长期接收职业院校学生实习。",
            )
        )
    Enterprise.objects.bulk_create(enterprises)
    saved = list(Enterprise.objects.order_by("id"))
    InternshipPosition.objects.bulk_create(
        [
            InternshipPosition(
                enterprise=enterprise,
                name=name,
                headcount=rng.randint(2, 20),
                location=enterprise.address[:40],
                daily_hours=8,
                description="岗前培训一周，企业师傅带教。",
            )
            for enterprise in saved
            for name in rng.sample(_POSITIONS, k=rng.randint(1, 3))
        ]
    )
    relations = []
    schools = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.SCHOOL).order_by("id"))
    for school_index, school in enumerate(schools):
        for index, enterprise in enumerate(saved):
            slot = (index + school_index * 5) % 6
            if slot in (0, 1):
                relations.append(SchoolEnterprise(school=school, enterprise=enterprise, kind="recommended"))
            elif slot == 2:
                relations.append(
                    SchoolEnterprise(school=school, enterprise=enterprise, kind="recommended", source="student")
                )
            elif slot == 3:
                relations.append(SchoolEnterprise(school=school, enterprise=enterprise, kind="cooperating"))
    SchoolEnterprise.objects.bulk_create(relations)
    return len(saved)
