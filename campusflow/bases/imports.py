"""新增推荐企业 batch import (SPEC B-03, X-01; seed 003 §4.3).

Natural key: 统一社会信用代码 (unique in the whole enterprise library). Each row
upserts the enterprise and makes it a 学校推荐 (荐) enterprise of the importer's
school unless it already is one; an optional 实习岗位 is added when the
enterprise has no position of that name. An existing enterprise keeps its
name: a file naming it differently is refused for that row, so one school's
file cannot rename an enterprise others see. Likewise the other details of an
enterprise already in the library are only *filled in where empty*: the library
is shared by every school of the province, and one school's spreadsheet must not
overwrite what another school or the enterprise itself recorded.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, F, Field, Q, Value, When
from django.db.models.functions import Now
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campusflow.bases.models import Enterprise, InternshipPosition, PracticeBase, SchoolEnterprise
from campusflow.core.roles import Role
from campusflow.core.validators import normalize_phone, normalize_text, uscc_check_char, validate_credit_code
from campusflow.tabular.cells import CellKind, Column
from campusflow.tabular.importing import ImportSpec, Row, register_import

# Who imports recommended enterprises: the school admin, for their school (seed 003 §4.3).
ENTERPRISE_IMPORTERS = frozenset({Role.SCHOOL_ADMIN})
LOOKUP_CHUNK = 5000
_PHONE = re.compile(r"^\+?[0-9][0-9-]{5,19}$")
_EXAMPLE_CODE = "91410100MA44A0B3X" + uscc_check_char("91410100MA44A0B3X")
CODE_HEADER = "统一社会信用代码"
# Fields of the Enterprise row itself (the rest are the position and the relation).
ENTERPRISE_FIELDS = (
    "name",
    "credit_code",
    "nature",
    "industry",
    "scale",
    "staff_count",
    "legal_representative",
    "address",
    "contact_name",
    "contact_phone",
    "introduction",
)


def _labels(choices: Any) -> dict[str, str]:
    with translation.override("zh-hans"):
        return {str(label): value for value, label in choices if value}


def _same_name(name: str) -> str:
    return re.sub(r"\s+", "", normalize_text(name))


def _scales() -> dict[str, str]:
    """微型/小型/中型/大型, or the full label with its range."""
    full = _labels(Enterprise.Scale.choices)
    short = {label.split("（")[0]: value for label, value in full.items()}
    return {**short, **full}


@register_import
class EnterpriseImport(ImportSpec):
    kind = "bases.recommended_enterprises"
    title = gettext_lazy("推荐企业")
    sheet_name = "推荐企业"
    key = ("credit_code",)
    columns = (
        Column("企业名称", "name", required=True, example="郑州智能装备有限公司", max_length=200),
        Column(
            CODE_HEADER,
            "credit_code",
            CellKind.CODE,
            required=True,
            example=_EXAMPLE_CODE,
            max_length=18,
            help=gettext_lazy("18位，含校验位；企业库中已有该代码时，企业名称须与企业库一致"),
            aliases=("信用代码", "社会信用代码"),
        ),
        Column(
            "企业性质", "nature", CellKind.CHOICE, example="国有企业", choices=_labels(PracticeBase.UnitType.choices)
        ),
        Column("所属行业", "industry", example="制造业", max_length=60),
        Column("企业规模", "scale", CellKind.CHOICE, example="中型", choices=_scales()),
        Column("在职职工人数", "staff_count", CellKind.INTEGER, example="500", min_value=0, max_value=10_000_000),
        Column("法定代表人", "legal_representative", example="刘建国", max_length=50),
        Column("注册地址", "address", example="河南省郑州市高新区科学大道100号", max_length=200),
        Column("联系人", "contact_name", example="陈经理", max_length=50),
        Column(
            "联系电话",
            "contact_phone",
            CellKind.CODE,
            example="0371-12345678",
            max_length=20,
            help=gettext_lazy("手机或座机"),
            aliases=("联系人电话",),
        ),
        Column("企业简介", "introduction", max_length=2000, aliases=("简介",)),
        Column(
            "实习岗位",
            "position",
            example="生产技术员",
            max_length=100,
            help=gettext_lazy("选填，一个岗位名称；企业已有同名岗位时不重复添加"),
            aliases=("岗位名称",),
        ),
        Column(
            "招收人数",
            "headcount",
            CellKind.INTEGER,
            example="5",
            min_value=1,
            max_value=10000,
            help=gettext_lazy("填写了实习岗位时有效，不填为 1"),
        ),
    )
    notes = (
        gettext_lazy("每一行的企业都会成为本校的推荐企业（荐）；已是本校推荐企业的不重复推荐。"),
        gettext_lazy("企业库中尚无该统一社会信用代码的企业会新建；已有的企业按文件更新信息，但名称必须与企业库一致。"),
    )

    def __init__(self, actor: Any) -> None:
        super().__init__(actor)
        assignment = actor.active_role
        if assignment is None or Role(assignment.role) not in ENTERPRISE_IMPORTERS or assignment.unit is None:
            raise PermissionDenied
        if not assignment.unit.school_id:
            raise PermissionDenied
        self.school_id: int = assignment.unit.school_id
        self.relations: dict[str, Any] = {}

    def audit_school(self) -> Any:
        return self.school_id

    def resolve(self, rows: list[Row], present: set[str]) -> None:
        """Credit codes compare in upper case: a lower-case repeat is a duplicate too."""
        groups: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            code = row.values.get("credit_code")
            if code is not None:
                row.values["credit_code"] = code.upper()
                groups[code.upper()].append(row)
        for same in groups.values():
            if len(same) < 2:
                continue
            numbers = "、".join(str(row.number) for row in same)
            for row in same:
                if not any(error.column == CODE_HEADER for error in row.errors):
                    row.error(
                        CODE_HEADER,
                        _("%(key)s 在文件中重复出现（第 %(rows)s 行）。") % {"key": CODE_HEADER, "rows": numbers},
                    )

    def clean_row(self, row: Row, present: set[str]) -> None:
        try:
            validate_credit_code(row.values["credit_code"])
        except ValidationError as exc:
            row.error(CODE_HEADER, exc.messages[0])
        phone = row.values.get("contact_phone")
        if phone:
            phone = normalize_phone(phone)
            if not _PHONE.match(phone):
                row.error("联系电话", _("请填写有效的电话号码（手机或座机）。"))
            row.values["contact_phone"] = phone
        if row.values.get("headcount") is not None and not row.values.get("position"):
            row.error("招收人数", _("填写了招收人数时，请同时填写实习岗位。"))
        if row.values.get("position") and row.values.get("headcount") is None:
            row.values["headcount"] = 1
        row.values["recommended"] = True

    def extra_fields(self, present: set[str]) -> list[str]:
        return ["recommended"]

    def existing(self, rows: list[Row]) -> dict[tuple[Any, ...], dict[str, Any]]:
        """The enterprises by code, with whether this school already recommends them and has the position."""
        wanted = {row.values["credit_code"]: row for row in rows if not row.errors}
        codes = sorted(wanted)
        fields = ["id", "status", *ENTERPRISE_FIELDS]
        enterprises: dict[str, dict[str, Any]] = {}
        for start in range(0, len(codes), LOOKUP_CHUNK):
            chunk = codes[start : start + LOOKUP_CHUNK]
            for values in Enterprise.objects.filter(credit_code__in=chunk).values(*fields):
                enterprises[values["credit_code"]] = values
        ids = [values["id"] for values in enterprises.values()]
        recommended: set[int] = set()
        named: set[tuple[int, str]] = set()
        for start in range(0, len(ids), LOOKUP_CHUNK):
            chunk_ids = ids[start : start + LOOKUP_CHUNK]
            recommended.update(
                SchoolEnterprise.objects.current()
                .filter(school_id=self.school_id, enterprise_id__in=chunk_ids, kind=SchoolEnterprise.Kind.RECOMMENDED)
                .values_list("enterprise_id", flat=True)
            )
            positions = {row.values["position"] for row in wanted.values() if row.values.get("position")}
            if positions:
                named.update(
                    InternshipPosition.objects.filter(enterprise_id__in=chunk_ids, name__in=positions).values_list(
                        "enterprise_id", "name"
                    )
                )
        found: dict[tuple[Any, ...], dict[str, Any]] = {}
        for code, values in enterprises.items():
            row = wanted[code]
            if _same_name(values["name"]) != _same_name(row.values["name"]):
                row.error("企业名称", _("与企业库中的名称不一致（企业库中为“%(name)s”）。") % {"name": values["name"]})
                continue
            row.values["name"] = values["name"]  # the library's spelling
            if values["status"] != Enterprise.Status.NORMAL:
                row.error(CODE_HEADER, _("该企业在企业库中已停用，不能推荐。"))
                continue
            # What the import will change: only empty fields of an existing enterprise.
            before = {
                name: (values[name] if values[name] in (None, "") else row.values.get(name, values[name]))
                for name in ENTERPRISE_FIELDS
            }
            before["recommended"] = values["id"] in recommended
            position = row.values.get("position")
            # A position the enterprise already has is left as it is (its 招收人数 too).
            has_position = position is not None and (values["id"], position) in named
            before["position"] = position if has_position else None
            before["headcount"] = row.values.get("headcount") if has_position else None
            found[(code,)] = before
        return found

    def write(self, rows: list[Row], fields: list[str]) -> None:
        """Enterprises in one upsert, then one insert of relations and one of positions."""
        update = [name for name in fields if name in ENTERPRISE_FIELDS and name not in ("credit_code", "name")]
        Enterprise.objects.bulk_create(
            [
                Enterprise(**{name: row.values[name] for name in ENTERPRISE_FIELDS if row.values.get(name) is not None})
                for row in rows
            ],
            batch_size=1000,
            ignore_conflicts=True,
        )
        # Existing enterprises: one UPDATE per field, filling it only where it is still empty.
        for name in update:
            field = cast("Field[Any, Any]", Enterprise._meta.get_field(name))
            given = {
                row.values["credit_code"]: row.values[name] for row in rows if row.values.get(name) not in (None, "")
            }
            if not given:
                continue
            empty = Q(**{f"{name}__isnull": True}) | Q(**{name: ""}) if field.null else Q(**{name: ""})
            Enterprise.objects.filter(empty, credit_code__in=list(given)).update(
                **{
                    name: Case(
                        *[
                            When(credit_code=code, then=Value(value, output_field=field))
                            for code, value in given.items()
                        ],
                        default=F(name),
                        output_field=field,
                    ),
                    "updated_at": Now(),
                }
            )
        codes = [row.values["credit_code"] for row in rows]
        ids: dict[str, int] = {}
        for start in range(0, len(codes), LOOKUP_CHUNK):
            chunk = codes[start : start + LOOKUP_CHUNK]
            ids.update(Enterprise.objects.filter(credit_code__in=chunk).values_list("credit_code", "pk"))
        current: set[int] = set()
        having: set[tuple[int, str]] = set()
        enterprise_ids = list(ids.values())
        positions = {row.values["position"] for row in rows if row.values.get("position")}
        for start in range(0, len(enterprise_ids), LOOKUP_CHUNK):
            chunk_ids = enterprise_ids[start : start + LOOKUP_CHUNK]
            current.update(
                SchoolEnterprise.objects.current()
                .filter(school_id=self.school_id, enterprise_id__in=chunk_ids, kind=SchoolEnterprise.Kind.RECOMMENDED)
                .values_list("enterprise_id", flat=True)
            )
            if positions:
                having.update(
                    InternshipPosition.objects.filter(enterprise_id__in=chunk_ids, name__in=positions).values_list(
                        "enterprise_id", "name"
                    )
                )
        relations = [
            SchoolEnterprise(
                school_id=self.school_id,
                enterprise_id=ids[code],
                kind=SchoolEnterprise.Kind.RECOMMENDED,
                source=SchoolEnterprise.Source.SCHOOL,
                created_by=self.actor,
            )
            for code in dict.fromkeys(codes)
            if ids[code] not in current
        ]
        SchoolEnterprise.objects.bulk_create(relations, batch_size=1000)
        new_positions = [
            InternshipPosition(
                enterprise_id=ids[row.values["credit_code"]],
                name=row.values["position"],
                headcount=row.values.get("headcount") or 1,
            )
            for row in rows
            if row.values.get("position") and (ids[row.values["credit_code"]], row.values["position"]) not in having
        ]
        InternshipPosition.objects.bulk_create(new_positions, batch_size=1000)
