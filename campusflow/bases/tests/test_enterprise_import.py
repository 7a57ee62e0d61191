"""新增推荐企业 (B-03, X-01; seed 003 §4.3): template, preview, all-or-nothing upsert of enterprises
recommended by the importer's school, credit-code checks, name protection, query count.

Files are real .xlsx workbooks built with xlsxwriter and read back with python-calamine.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from campusflow.bases import actions
from campusflow.bases.imports import EnterpriseImport
from campusflow.bases.models import Enterprise, InternshipPosition, SchoolEnterprise
from campusflow.core.models import AuditEvent
from campusflow.core.testing import World, client_for
from campusflow.core.uploads import SPREADSHEETS, validate_upload
from campusflow.core.validators import uscc_check_char

pytestmark = pytest.mark.django_db

PARTNERS = "/bases/partners/"
LIBRARY = "/bases/enterprises/"
IMPORT = "/bases/partners/import/"
TEMPLATE = "/bases/partners/import/template/"
HEADERS = ["企业名称", "统一社会信用代码", "企业性质", "所属行业", "企业规模", "联系电话", "实习岗位", "招收人数"]


def code(body: str) -> str:
    return body + uscc_check_char(body)


A = code("91410100MA44A0B3X")
B = code("91410100MA44A0C4Y")
C = code("91410100MA44A0D5U")
DIGITS = code("91410100123456789")  # all digits: Excel would store it as a number


def workbook(rows: list[list[Any]], headers: list[str] = HEADERS) -> bytes:
    """A real .xlsx; ints become number cells, as in a General-formatted Excel column."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet("推荐企业")
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, (int, float)):
                sheet.write_number(r, col, value)
            elif value is not None:
                sheet.write_string(r, col, value)
    book.close()
    return output.getvalue()


def row(name: str, credit: Any, position: str = "", headcount: Any = None, phone: Any = "0371-12345678") -> list[Any]:
    return [name, credit, "民营高新技术企业", "制造业", "中型", phone, position, headcount]


def read(data: bytes, sheet: int = 0) -> list[list[Any]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(sheet).to_python()


def upload(data: bytes) -> Any:
    return validate_upload(SimpleUploadedFile("企业.xlsx", data), allowed=SPREADSHEETS)


def preview(client: Any, data: bytes) -> tuple[Any, str]:
    response = client.post(IMPORT, {"file": SimpleUploadedFile("企业.xlsx", data)})
    assert response.status_code == 302, response.content.decode()[:500]
    location = response["Location"]
    return client.get(location), location.rstrip("/").rsplit("/", 1)[-1]


def confirm(client: Any, page: Any, token: str) -> Any:
    once = page.content.decode().split('name="_once" value="')[1].split('"')[0]
    return client.post(f"{IMPORT}{token}/confirm/", {"_once": once})


def count(page: Any, name: str) -> int:
    return int(page.content.decode().split(f'data-testid="count-{name}">')[1].split("<")[0])


def recommended(school: Any) -> set[str]:
    return set(
        SchoolEnterprise.objects.current()
        .filter(school=school, kind="recommended")
        .values_list("enterprise__credit_code", flat=True)
    )


@pytest.mark.spec("B-03", "X-01")
def test_template_is_offered_on_the_partner_page_and_passes_as_downloaded(world: World) -> None:
    client = client_for(world.school_admin)
    page = client.get(PARTNERS).content.decode()
    assert 'data-testid="import-template"' in page and "新增推荐企业" in page
    response = client.get(TEMPLATE)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    assert CalamineWorkbook.from_filelike(io.BytesIO(response.content)).sheet_names == ["推荐企业", "填写说明"]
    header, example = read(response.content)[:2]
    assert header == [c.header for c in EnterpriseImport.columns]
    assert header[:2] == ["企业名称", "统一社会信用代码"] and isinstance(example[1], str)
    assert "实习岗位" in header and "招收人数" in header
    page, _token = preview(client, response.content)
    assert count(page, "created") == 1 and count(page, "errors") == 0
    # Other roles see no import buttons.
    assert 'data-testid="import-template"' not in client_for(world.secretary_cs).get(PARTNERS).content.decode()


@pytest.mark.spec("B-03", "B-01", "B-02", "X-01")
def test_preview_writes_nothing_then_import_recommends_and_the_same_file_changes_nothing(world: World) -> None:
    existing = Enterprise.objects.create(credit_code=B, name="洛阳轴承有限公司", industry="机械")
    InternshipPosition.objects.create(enterprise=existing, name="装配技术员", headcount=3)
    cooperating = Enterprise.objects.create(credit_code=C, name="许昌电气股份有限公司")
    SchoolEnterprise.objects.create(school=world.school_a, enterprise=cooperating, kind="cooperating")
    data = workbook(
        [
            row("郑州智能装备有限公司", A.lower(), "生产技术员", 5, phone=13800138000),  # new, lower-case code
            row("洛阳轴承有限公司", B, "装配技术员", 8),  # existing with that position: kept as is
            row(" 许昌电气股份有限公司 ", C, "测试工程师"),  # cooperating already: also recommended now
        ]
    )
    client = client_for(world.school_admin)
    before = (Enterprise.objects.count(), SchoolEnterprise.objects.count(), InternshipPosition.objects.count())
    page, token = preview(client, data)
    assert (count(page, "created"), count(page, "updated"), count(page, "errors")) == (1, 2, 0)
    assert (
        Enterprise.objects.count(),
        SchoolEnterprise.objects.count(),
        InternshipPosition.objects.count(),
    ) == before
    assert not AuditEvent.objects.filter(action="tabular.import").exists()

    response = confirm(client, page, token)
    assert response.status_code == 302 and response["Location"] == PARTNERS
    new = Enterprise.objects.get(credit_code=A)
    assert (new.name, new.nature, new.scale, new.contact_phone) == (
        "郑州智能装备有限公司",
        "private_hitech",
        "medium",
        "13800138000",
    )
    assert recommended(world.school_a) == {A, B, C}
    assert SchoolEnterprise.objects.get(enterprise=new).source == "school"
    assert list(new.positions.values_list("name", "headcount")) == [("生产技术员", 5)]
    assert list(existing.positions.values_list("name", "headcount")) == [("装配技术员", 3)]
    # The shared library keeps what it had: a school's file only fills empty fields.
    assert Enterprise.objects.get(pk=existing.pk).industry == "机械"
    assert cooperating.positions.get().headcount == 1
    event = AuditEvent.objects.get(action="tabular.import")
    assert event.data["kind"] == "bases.recommended_enterprises" and event.data["created"] == 1

    # The marks: 荐 in school A's library, none for school B.
    library = client_for(world.secretary_cs).get(LIBRARY).content.decode()
    assert library.count('data-testid="mark-recommended"') == 3
    assert 'data-testid="mark-recommended"' not in client_for(world.school_admin_b).get(LIBRARY).content.decode()
    partners = client.get(PARTNERS).content.decode()
    assert "郑州智能装备有限公司" in partners and "取消推荐" in partners

    # The same file again: nothing to do, nothing written.
    counts = (Enterprise.objects.count(), SchoolEnterprise.objects.count(), InternshipPosition.objects.count())
    page, token = preview(client, data)
    assert (count(page, "created"), count(page, "updated"), count(page, "unchanged")) == (0, 0, 3)
    assert 'data-testid="import-confirm"' not in page.content.decode()
    report = actions.import_enterprises(actor=world.school_admin, upload=upload(data), commit=True)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    after = (Enterprise.objects.count(), SchoolEnterprise.objects.count(), InternshipPosition.objects.count())
    assert after == counts


@pytest.mark.spec("B-03", "X-01")
def test_bad_codes_and_name_mismatch_write_nothing_and_the_rejected_file_says_why(world: World) -> None:
    Enterprise.objects.create(credit_code=B, name="洛阳轴承有限公司")
    wrong = A[:17] + ("0" if A[17] != "0" else "1")
    rows = [
        row("好企业", C),  # row 2
        row("校验位错", wrong),  # row 3
        row("数字精度", int(DIGITS)),  # row 4: 18 digits stored as a number
        row("科学计数", "9.14101E+17"),  # row 5
        row("重复甲", A),  # row 6
        row("重复乙", A.lower()),  # row 7: the same code in lower case
        row("洛阳轴承股份公司", B),  # row 8: the library calls it 洛阳轴承有限公司
        row("人数无岗位", DIGITS, headcount=3),  # row 9
    ]
    client = client_for(world.school_admin)
    before = (Enterprise.objects.count(), SchoolEnterprise.objects.count())
    page, token = preview(client, workbook(rows))
    html = page.content.decode()
    assert count(page, "errors") == 7 and count(page, "created") == 1
    assert "与企业库中的名称不一致" in html and 'data-testid="import-confirm"' not in html
    report = actions.import_enterprises(actor=world.school_admin, upload=upload(workbook(rows)), commit=True)
    assert not report.committed
    assert (Enterprise.objects.count(), SchoolEnterprise.objects.count()) == before
    assert Enterprise.objects.get(credit_code=B).name == "洛阳轴承有限公司"

    lines = read(client.get(f"{IMPORT}{token}/rejected/").content)
    assert lines[0][:3] == ["行号", "列", "原因"] and lines[0][3:] == HEADERS
    by_row = {int(line[0]): line for line in lines[1:]}
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9]
    assert by_row[3][1] == "统一社会信用代码" and "校验位" in by_row[3][2]
    assert "已丢失精度" in by_row[4][2] and "已丢失精度" in by_row[5][2]
    assert "重复" in by_row[6][2] and "6、7" in by_row[7][2]
    assert by_row[8][1] == "企业名称" and "洛阳轴承有限公司" in by_row[8][2]
    assert by_row[9][1] == "招收人数"

    # Typed as text the all-digit code imports fine.
    page, token = preview(client, workbook([row("数字代码企业", DIGITS)]))
    assert count(page, "created") == 1
    confirm(client, page, token)
    assert DIGITS in recommended(world.school_a)


@pytest.mark.spec("B-03", "B-02", "X-01", "S-05")
def test_only_the_school_admin_imports_and_other_schools_are_unaffected(world: World) -> None:
    for person in (world.dept_admin_cs, world.secretary_cs, world.grad_school, world.student_cs, world.system_admin):
        client = client_for(person)
        assert client.get(IMPORT).status_code == 403
        assert client.get(TEMPLATE).status_code == 403
    shared = Enterprise.objects.create(credit_code=A, name="郑州智能装备有限公司")
    SchoolEnterprise.objects.create(school=world.school_b, enterprise=shared, kind="recommended", source="student")
    client = client_for(world.school_admin)
    page, token = preview(client, workbook([row("郑州智能装备有限公司", A)]))
    assert count(page, "updated") == 1  # school B's recommendation is not school A's
    confirm(client, page, token)
    assert recommended(world.school_a) == {A}
    # School B's relation is untouched; school B's admin sees no import of school A on their page.
    relation = SchoolEnterprise.objects.get(school=world.school_b)
    assert relation.source == "student" and relation.cancelled_at is None
    assert SchoolEnterprise.objects.filter(school=world.school_b).count() == 1
    # School B's file cannot rename the enterprise either.
    page, _token = preview(client_for(world.school_admin_b), workbook([row("改名公司", A)]))
    assert count(page, "errors") == 1


@pytest.mark.spec("B-03", "X-01")
def test_a_cancelled_recommendation_is_made_again(world: World) -> None:
    enterprise = Enterprise.objects.create(credit_code=A, name="郑州智能装备有限公司")
    relation = actions.set_relation(actor=world.school_admin, enterprise=enterprise, kind="recommended")
    actions.cancel_relation(actor=world.school_admin, relation_id=relation.pk)
    report = actions.import_enterprises(
        actor=world.school_admin, upload=upload(workbook([row("郑州智能装备有限公司", A)])), commit=True
    )
    assert report.updated == 1 and recommended(world.school_a) == {A}
    assert SchoolEnterprise.objects.filter(enterprise=enterprise).count() == 2


@pytest.mark.spec("B-03", "X-01")
def test_import_query_count_does_not_grow_with_rows(world: World) -> None:
    def queries(n: int, prefix: str) -> int:
        rows = [row(f"企业{prefix}{i}", code(f"914101{prefix}{i:08d}"), "实习生", 2) for i in range(n)]
        data = upload(workbook(rows))
        with CaptureQueriesContext(connection) as captured:
            report = actions.import_enterprises(actor=world.school_admin, upload=data, commit=True)
        assert report.created == n, report.errors[:3]
        return len(captured)

    few = queries(5, "001")  # the first call also loads the importer's role
    assert queries(300, "002") <= few <= 20
    assert queries(7, "003") == queries(250, "004")
    assert InternshipPosition.objects.filter(enterprise__credit_code__startswith="914101004").count() == 250
