"""X-03 documents: the four PDFs render from data, typeset Chinese with embedded fonts,
treat user text as data, keep to the access rules, and render in bulk as a job."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from pypdf import PdfReader

from campusflow.core.models import AuditEvent, SensitiveAccess
from campusflow.core.testing import client_for
from campusflow.documents import renderer
from campusflow.documents.data import Disclosure, placement_queryset
from campusflow.documents.kinds import KINDS
from campusflow.documents.tests.helpers import base_with_mentor, embedded_fonts, pdf_text, place, squeeze
from campusflow.orgs.models import Student

EXPECTED = {
    "application": [
        "附件2",
        "华北理工大学硕士研究生专业实践申请表",
        "研究生基本信息",
        "实践基地基本信息",
        "王小明",
        "2023010001",
        "张导师",
        "马建英",
        "东软集团",
        "实践目的与要求",
        "本人申请并承诺",
        "本人签字",
        "学科与研究生处意见",
        "2025年7月1日",
        "一式三份",
    ],
    "assessment": [
        "附件3",
        "华北理工大学硕士研究生专业实践考核登记表",
        "实践计划完成情况",
        "不少于5000字",
        "研究生签名",
        "基地导师考核意见",
        "校内导师考核意见",
        "学院考核意见",
        "学院盖章",
        "王小明",
        "东软集团",
    ],
    "three-party": [
        "学生实习三方协议",
        "甲方（学校）",
        "乙方（实习单位）",
        "丙方（学生）",
        "王小明",
        "每天不超过8小时",
        "不得安排夜班",
        "不得以任何名义向丙方收取",
        "学生实习责任保险",
        "未满18周岁",
        "监护人",
    ],
    "agreement": [
        "校企合作协议书",
        "华北理工大学",
        "东软集团",
        "有效期为五年",
        "知识产权",
        "保密",
        "甲方（盖章）",
        "乙方（盖章）",
    ],
}
SPECS = {"application": "G-02", "assessment": "G-10", "three-party": "V-05", "agreement": "V-04"}


@pytest.fixture
def placement(world):
    base = base_with_mentor(world)
    return place(world, world.students["cs"], base)


def _render(kind_code, subject, user):
    kind = KINDS[kind_code]
    return renderer.render(kind.template, kind.build(subject, Disclosure(user)))


@pytest.mark.spec("X-03")
@pytest.mark.parametrize("code", list(EXPECTED))
def test_each_document_renders_its_sections_with_embedded_chinese_fonts(world, placement, code):
    subject = placement.base if code == "agreement" else placement_queryset().get(pk=placement.pk)
    pdf = _render(code, subject, world.secretary_cs)
    text = squeeze(pdf_text(pdf))
    missing = [word for word in EXPECTED[code] if squeeze(word) not in text]
    assert not missing, f"{code}: missing {missing}"
    assert "第1页共" in text  # page numbers 第 x 页 共 y 页
    fonts = embedded_fonts(pdf)
    assert fonts and all(fonts.values()), fonts
    assert any("NotoSerifCJK" in name for name in fonts)  # 宋体-like body
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert pages <= 3 and len(pdf) / pages < 300_000


@pytest.mark.spec("X-03", "S-07")
def test_typst_markup_in_a_name_is_printed_literally(world, placement):
    evil = '王#sys.exit()*粗*$x$_#let a=1 "]<l>'
    Student.objects.filter(pk=placement.student_id).update(name=evil, major='#panic("x")')
    for code in ("application", "three-party"):
        pdf = _render(code, placement_queryset().get(pk=placement.pk), world.secretary_cs)
        text = squeeze(pdf_text(pdf))
        assert squeeze(evil) in text and '#panic("x")' in text


@pytest.mark.spec("X-03")
def test_one_compiler_serves_every_render(world, placement):
    _render("application", placement, world.secretary_cs)
    first = renderer.compiler()
    _render("agreement", placement.base, world.secretary_cs)
    _render("assessment", placement, world.secretary_cs)
    assert renderer.compiler() is first and renderer._compiler is first


@pytest.mark.spec("X-03", "S-05")
def test_the_student_downloads_their_own_forms(world, placement):
    client = client_for(world.student_cs)
    response = client.get(f"/documents/placements/{placement.pk}/application.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment") and "2023010001" in disposition
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body.startswith(b"%PDF") and "王小明" in pdf_text(body)
    event = AuditEvent.objects.get(action="documents.download", actor=world.student_cs)
    assert event.data == {"kind": "application"} and event.target_id == str(placement.pk)
    assert client.get(f"/documents/placements/{placement.pk}/assessment.pdf").status_code == 200
    # the agreements are staff papers
    assert client.get(f"/documents/placements/{placement.pk}/three-party.pdf").status_code == 403
    assert client.get(f"/documents/bases/{placement.base_id}/agreement.pdf").status_code == 403


@pytest.mark.spec("X-03", "S-05", "P-04")
def test_others_get_404_or_403_and_anonymous_is_sent_to_login(world, placement):
    urls = [f"/documents/placements/{placement.pk}/{name}.pdf" for name in ("application", "assessment", "three-party")]
    for url in urls:
        assert client_for(world.secretary_me).get(url).status_code == 404  # another college
        assert client_for(world.school_admin_b).get(url).status_code == 404  # another school
        assert client_for(world.student_me).get(url).status_code in (403, 404)  # another student
        assert client_for(world.mentor_a).get(url).status_code == 403  # mentors: not a document reader
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
        assert client_for(world.secretary_cs).get(url).status_code == 200
        assert client_for(world.supervisor_cs).get(url).status_code == 200  # own student
        assert client_for(world.supervisor_me).get(url).status_code == 404  # not their student
    agreement = f"/documents/bases/{placement.base_id}/agreement.pdf"
    assert client_for(world.secretary_cs).get(agreement).status_code == 200
    assert client_for(world.school_admin_b).get(agreement).status_code == 404
    assert client_for(world.mentor_a).get(agreement).status_code == 403
    assert AuditEvent.objects.filter(action="documents.download").count() == 7


@pytest.mark.spec("X-03", "S-10")
def test_phones_printed_in_clear_are_logged_and_others_are_masked(world, placement):
    client_for(world.secretary_cs).get(f"/documents/placements/{placement.pk}/application.pdf")
    logged = SensitiveAccess.objects.filter(actor=world.secretary_cs, purpose="export")
    assert {row.subject_type for row in logged} >= {"orgs.student"}
    response = client_for(world.dean_cs).get(f"/documents/placements/{placement.pk}/application.pdf")
    text = squeeze(pdf_text(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    assert "13800138000" not in text and "138****8000" in text  # a dean may not reveal phones
    assert not SensitiveAccess.objects.filter(actor=world.dean_cs).exists()


@pytest.mark.spec("X-03")
def test_detail_pages_link_the_pdf_for_roles_that_may_download(world, placement):
    page = client_for(world.secretary_cs).get(f"/practice/placements/{placement.pk}/").content.decode()
    assert f"/documents/placements/{placement.pk}/application.pdf" in page
    page = client_for(world.mentor_a).get(f"/practice/placements/{placement.pk}/").content.decode()
    assert "application.pdf" not in page
    page = client_for(world.secretary_cs).get(f"/bases/{placement.base_id}/").content.decode()
    assert f"/documents/bases/{placement.base_id}/agreement.pdf" in page
