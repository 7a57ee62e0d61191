"""P-09 audit trail, P-10/S-10 encryption at rest, masking and identifier validation."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from campusflow.core import audit
from campusflow.core.crypto import blind_index
from campusflow.core.models import AppendOnlyError, AuditEvent
from campusflow.core.privacy import Sensitive, display, mask_id_number, mask_phone
from campusflow.core.roles import Role
from campusflow.core.testing import client_for, valid_id_number
from campusflow.core.validators import normalize_id_number, validate_id_number
from campusflow.orgs.models import Student


@pytest.mark.spec("P-09", "S-11")
def test_audit_events_cannot_be_changed_or_deleted(world):
    event = audit.record("test.thing", actor=world.school_admin, target=world.secretary_cs)
    event.action = "test.other"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    # Not even a bulk UPDATE gets through: the database refuses it.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    assert AuditEvent.objects.get(pk=event.pk).action == "test.thing"


@pytest.mark.spec("P-09")
def test_audit_page_filters_and_is_scoped_to_the_school(world):
    audit.record("accounts.demo_a", actor=world.school_admin, target=world.secretary_cs)
    audit.record("accounts.demo_b", actor=world.school_admin_b, target=world.student_b)
    page = client_for(world.school_admin).get("/audit/?action=accounts.demo").content.decode()
    assert "accounts.demo_a" in page and "accounts.demo_b" not in page
    assert client_for(world.secretary_cs).get("/audit/").status_code == 403
    province = client_for(world.provincial_admin).get("/audit/?action=accounts.demo").content.decode()
    assert "accounts.demo_a" in province and "accounts.demo_b" in province


@pytest.mark.spec("P-10", "S-10")
def test_id_numbers_and_phones_are_encrypted_at_rest_and_found_by_blind_index(world):
    student = world.students["cs"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, accommodation FROM orgs_student WHERE id = %s", [student.pk])
        raw_id, raw_phone, raw_dorm = cursor.fetchone()
    assert student.id_number not in raw_id and raw_id.startswith("v1:")
    assert "13800138000" not in raw_phone and "公寓" not in raw_dorm
    typed = " " + student.id_number.lower().replace("x", "x") + " "
    found = Student.objects.get(id_number_index=blind_index(normalize_id_number(typed)))
    assert found.pk == student.pk


@pytest.mark.spec("S-10")
def test_masking_follows_the_spec_patterns_and_hides_from_mentors():
    assert mask_id_number("11010519900101123X") == "110***********123X"
    assert mask_phone("13812341234") == "138****1234"
    assert display("11010519900101123X", Sensitive.ID_NUMBER, Role.ENTERPRISE_MENTOR) == "—"
    assert display("13700137000", Sensitive.PARENT_PHONE, Role.ENTERPRISE_MENTOR) == "—"
    assert display("13812341234", Sensitive.PHONE, Role.SUPERVISOR) == "138****1234"


@pytest.mark.spec("P-02", "P-10")
@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("41010520010517001", "18位"),
        ("410105200105170019", "校验位"),
        ("410105200102300014", "出生日期"),
    ],
)
def test_id_number_validation_explains_what_is_wrong(raw, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=message):
        validate_id_number(raw)


@pytest.mark.spec("P-02")
def test_full_width_digits_and_spaces_are_normalised_not_mangled():
    good = valid_id_number()
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in good)
    validate_id_number(f"  {full_width} ")
    assert normalize_id_number(f" {full_width.lower()} ") == good


@pytest.mark.spec("P-02")
def test_free_text_keeps_chinese_punctuation_but_not_full_width_digits():
    from campusflow.core.validators import normalize_code, normalize_text

    assert normalize_text("　家中老人住院，需回家照顾（３天）。\u200b ") == "家中老人住院，需回家照顾（3天）。"
    assert normalize_code(" ２０２３ ０１０００１ ") == "2023010001"
