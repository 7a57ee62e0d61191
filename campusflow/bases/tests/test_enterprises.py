"""B-01…B-03: the enterprise library, 荐/合 marks, recommending, cooperating and cancelling."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from campusflow.bases import actions
from campusflow.bases.models import Enterprise, InternshipPosition, SchoolEnterprise
from campusflow.core.errors import ActionError
from campusflow.core.models import AuditEvent
from campusflow.core.testing import client_for
from campusflow.core.validators import uscc_check_char, validate_credit_code


def _enterprise(name: str = "郑州智能装备有限公司", code_body: str = "91410100MA44A0B3X") -> Enterprise:
    enterprise = Enterprise.objects.create(
        credit_code=code_body + uscc_check_char(code_body), name=name, industry="制造业", contact_phone="13812345678"
    )
    InternshipPosition.objects.create(enterprise=enterprise, name="生产技术员", headcount=5)
    return enterprise


@pytest.mark.spec("B-03")
def test_credit_code_checksum():
    body = "91410100MA44A0B3X"
    validate_credit_code(body + uscc_check_char(body))
    wrong = "0" if uscc_check_char(body) != "0" else "1"
    with pytest.raises(ValidationError, match="校验位"):
        validate_credit_code(body + wrong)
    with pytest.raises(ValidationError, match="18位"):
        validate_credit_code("91410100MA44A0B3")


@pytest.mark.spec("B-01", "P-10")
def test_the_library_lists_normal_enterprises_with_positions_and_masked_phones(world):
    enterprise = _enterprise()
    Enterprise.objects.create(credit_code="X" * 18, name="停用的企业", status=Enterprise.Status.SUSPENDED)
    page = client_for(world.secretary_cs).get("/bases/enterprises/").content.decode()
    assert enterprise.name in page and "停用的企业" not in page
    detail = client_for(world.student_cs).get(f"/bases/enterprises/{enterprise.pk}/").content.decode()
    assert "生产技术员" in detail and "13812345678" not in detail and "138****5678" in detail
    assert client_for(world.mentor_a).get("/bases/enterprises/").status_code == 403


@pytest.mark.spec("B-02", "B-03")
def test_school_admin_recommends_and_cooperates_and_marks_show(world):
    enterprise = _enterprise()
    client = client_for(world.school_admin)
    client.post(f"/bases/enterprises/{enterprise.pk}/relate/", {"kind": "recommended"})
    client.post(f"/bases/enterprises/{enterprise.pk}/relate/", {"kind": "cooperating"})
    again = client.post(f"/bases/enterprises/{enterprise.pk}/relate/", {"kind": "cooperating"}, follow=True)
    assert "已是本校的合作企业" in again.content.decode()
    assert SchoolEnterprise.objects.current().filter(school=world.school_a).count() == 2
    page = client_for(world.secretary_cs).get("/bases/enterprises/").content.decode()
    assert 'data-testid="mark-recommended"' in page and 'data-testid="mark-cooperating"' in page
    # School B sees no mark of school A's relations.
    other = client_for(world.school_admin_b).get("/bases/enterprises/").content.decode()
    assert 'data-testid="mark-' not in other
    assert AuditEvent.objects.filter(action="bases.enterprise.relate").count() == 2


@pytest.mark.spec("B-02", "B-03")
def test_a_student_recommendation_cannot_be_cancelled_by_the_school(world):
    enterprise = _enterprise()
    by_student = SchoolEnterprise.objects.create(
        school=world.school_a, enterprise=enterprise, kind="recommended", source="student"
    )
    with pytest.raises(ActionError, match="学生推荐"):
        actions.cancel_relation(actor=world.school_admin, relation_id=by_student.pk)
    cooperation = actions.set_relation(actor=world.school_admin, enterprise=enterprise, kind="cooperating")
    response = client_for(world.school_admin).post(f"/bases/partners/{cooperation.pk}/cancel/", follow=True)
    assert "已取消" in response.content.decode()
    cooperation.refresh_from_db()
    assert cooperation.cancelled_at is not None and cooperation.cancelled_by == world.school_admin


@pytest.mark.spec("B-03", "S-05")
def test_only_the_school_admin_changes_relations_and_only_for_their_school(world):
    enterprise = _enterprise()
    relation = actions.set_relation(actor=world.school_admin, enterprise=enterprise, kind="recommended")
    assert (
        client_for(world.secretary_cs)
        .post(f"/bases/enterprises/{enterprise.pk}/relate/", {"kind": "cooperating"})
        .status_code
        == 403
    )
    assert client_for(world.school_admin_b).post(f"/bases/partners/{relation.pk}/cancel/").status_code == 404
    relation.refresh_from_db()
    assert relation.cancelled_at is None
    partners = client_for(world.secretary_cs).get("/bases/partners/").content.decode()
    assert enterprise.name in partners and "partners/" + str(relation.pk) + "/cancel" not in partners


@pytest.mark.spec("B-01", "X-05")
def test_the_api_lists_the_library_with_this_schools_marks(world):
    enterprise = _enterprise()
    actions.set_relation(actor=world.school_admin, enterprise=enterprise, kind="cooperating")
    data = client_for(world.school_admin).get("/api/enterprises").json()
    assert data["count"] == 1 and data["items"][0]["relations"] == ["cooperating"]
    assert data["items"][0]["contact_phone"] == "138****5678"
    assert client_for(world.school_admin_b).get("/api/enterprises").json()["items"][0]["relations"] == []
    detail = client_for(world.student_cs).get(f"/api/enterprises/{enterprise.pk}").json()
    assert detail["positions"][0]["name"] == "生产技术员"
    assert client_for(world.mentor_a).get("/api/enterprises").status_code == 403
