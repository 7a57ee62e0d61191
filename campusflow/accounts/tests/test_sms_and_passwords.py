"""S-01 password policy and S-04 SMS codes; P-05 activation, forgotten password, phone change."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from campusflow.accounts import actions
from campusflow.accounts.models import SmsCode, User
from campusflow.accounts.passwords import character_classes
from campusflow.core.errors import ActionError
from campusflow.core.models import AuditEvent
from campusflow.core.roles import Role
from campusflow.core.testing import PASSWORD, client_for

NEW_PASSWORD = "Fresh#Campus2026"
# SMS goes out on commit, so tests that read the outbox run with real transactions.


def _code(outbox: list[tuple[str, str]]) -> str:
    import re

    match = re.search(r"(\d{6})", outbox[-1][1])
    assert match
    return match.group(1)


# -- S-01 ----------------------------------------------------------------------


@pytest.mark.spec("S-01")
@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=80))
def test_password_policy_accepts_only_what_s01_allows(candidate):
    try:
        password_validation.validate_password(candidate, None)
        accepted = True
    except ValidationError:
        accepted = False
    if accepted:
        assert 8 <= len(candidate) <= 64
        assert character_classes(candidate) >= 3


@pytest.mark.spec("S-01")
@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Abcdef1!", True),
        ("abcdefg1", False),  # two classes
        ("Ab1!", False),  # too short
        ("Password123", False),  # common password
        ("A" + "b1!" * 22, False),  # 67 characters
    ],
)
def test_password_policy_examples(password, ok, db):
    if ok:
        password_validation.validate_password(password, None)
    else:
        with pytest.raises(ValidationError):
            password_validation.validate_password(password, None)


@pytest.mark.spec("S-01")
def test_admins_need_twelve_characters_and_no_personal_numbers(world):
    with pytest.raises(ValidationError):
        password_validation.validate_password("Abcdef1!xy", world.school_admin)  # 10 < 12
    password_validation.validate_password("Abcdef1!xyzw", world.school_admin)
    student = world.student_cs  # username is the 学号
    with pytest.raises(ValidationError, match="学号"):
        password_validation.validate_password("Xx!2023010001", student)
    id_number = world.students["cs"].id_number
    with pytest.raises(ValidationError):
        password_validation.validate_password(f"Ab!{id_number[-6:]}zz", student)


@pytest.mark.spec("S-01", "P-05")
def test_initial_password_is_random_one_time_and_expires_in_seven_days(world):
    created = actions.create_account(
        actor=world.school_admin, username="T3001", full_name="周老师", roles=[(Role.SUPERVISOR, world.cs)]
    )
    other = actions.create_account(
        actor=world.school_admin, username="T3002", full_name="吴老师", roles=[(Role.SUPERVISOR, world.cs)]
    )
    assert created.initial_password != other.initial_password
    password_validation.validate_password(created.initial_password, None)
    user = created.user
    assert user.must_change_password and user.activated_at is None
    assert user.temporary_password_expires_at is not None
    assert user.temporary_password_expires_at - timezone.now() > timedelta(days=6, hours=23)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        user.refresh_from_db()
        assert user.password_is_expired


@pytest.mark.spec("S-01")
def test_admin_password_older_than_ninety_days_must_be_changed(world):
    admin = world.school_admin
    User.objects.filter(pk=admin.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    response = client_for(admin).get("/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"


# -- S-04 ----------------------------------------------------------------------


@pytest.mark.spec("S-04")
@pytest.mark.django_db(transaction=True)
def test_sms_code_is_six_digits_single_use_and_expires_in_five_minutes(world, sms_outbox):
    phone = "13912345678"
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        actions.send_sms_code(phone=phone, purpose=SmsCode.Purpose.BIND_PHONE)
        code = _code(sms_outbox)
        assert len(code) == 6 and code.isdigit()
        stored = SmsCode.objects.get()
        assert code not in stored.code_hash and phone not in stored.phone_index
        actions.verify_sms_code(phone=phone, purpose=SmsCode.Purpose.BIND_PHONE, code=code)
        with pytest.raises(ActionError):  # single use
            actions.verify_sms_code(phone=phone, purpose=SmsCode.Purpose.BIND_PHONE, code=code)
        traveller.shift(timedelta(seconds=61))
        actions.send_sms_code(phone=phone, purpose=SmsCode.Purpose.BIND_PHONE)
        late = _code(sms_outbox)
        traveller.shift(timedelta(minutes=5, seconds=1))
        with pytest.raises(ActionError):
            actions.verify_sms_code(phone=phone, purpose=SmsCode.Purpose.BIND_PHONE, code=late)


@pytest.mark.spec("S-04")
@pytest.mark.django_db(transaction=True)
def test_five_wrong_tries_burn_the_code(world, sms_outbox):
    phone = "13912345678"
    actions.send_sms_code(phone=phone, purpose=SmsCode.Purpose.BIND_PHONE)
    code = _code(sms_outbox)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(ActionError):
            actions.verify_sms_code(phone=phone, purpose=SmsCode.Purpose.BIND_PHONE, code=wrong)
    with pytest.raises(ActionError):
        actions.verify_sms_code(phone=phone, purpose=SmsCode.Purpose.BIND_PHONE, code=code)


@pytest.mark.spec("S-04")
@pytest.mark.django_db(transaction=True)
def test_resend_waits_sixty_seconds_and_ten_a_day(world, sms_outbox):
    phone = "13912345678"
    start = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0)
    with time_machine.travel(start, tick=False) as traveller:
        actions.send_sms_code(phone=phone, purpose=SmsCode.Purpose.BIND_PHONE)
        with pytest.raises(ActionError, match="秒后再试"):
            actions.send_sms_code(phone=phone, purpose=SmsCode.Purpose.BIND_PHONE)
        for _ in range(9):
            traveller.shift(timedelta(seconds=60))
            actions.send_sms_code(phone=phone, purpose=SmsCode.Purpose.BIND_PHONE)
        traveller.shift(timedelta(seconds=60))
        with pytest.raises(ActionError, match="上限"):
            actions.send_sms_code(phone=phone, purpose=SmsCode.Purpose.BIND_PHONE)
        assert len(sms_outbox) == 10
        traveller.shift(timedelta(days=1))
        actions.send_sms_code(phone=phone, purpose=SmsCode.Purpose.BIND_PHONE)


@pytest.mark.spec("S-04", "P-05")
@pytest.mark.django_db(transaction=True)
def test_forgotten_password_gives_the_same_answer_for_any_phone(world, sms_outbox):
    User.objects.filter(pk=world.secretary_cs.pk).update(phone="13911112222")
    world.secretary_cs.refresh_from_db()
    world.secretary_cs.save()  # recompute the blind index
    page = "/accounts/password/forgot/"
    answers = []
    for username, phone in [("cs_secretary", "13911112222"), ("cs_secretary", "13900000000"), ("ghost", "13955556666")]:
        response = Client().post(page, {"username": username, "phone": phone, "action": "send_code"}, follow=True)
        answers.append("如果用户名与绑定手机匹配，验证码已发送" in response.content.decode())
    assert answers == [True, True, True]
    assert len(sms_outbox) == 1 and sms_outbox[0][0] == "13911112222"
    code = _code(sms_outbox)
    response = Client().post(
        page,
        {
            "username": "cs_secretary",
            "phone": "13911112222",
            "code": code,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
            "action": "reset",
        },
    )
    assert response.status_code == 302
    world.secretary_cs.refresh_from_db()
    assert world.secretary_cs.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="accounts.reset_password_sms").count() == 1


# -- P-05 activation and self-service -------------------------------------------


@pytest.mark.spec("P-05", "S-04")
@pytest.mark.django_db(transaction=True)
def test_first_login_activation_binds_phone_and_replaces_the_initial_password(world, sms_outbox):
    created = actions.create_account(
        actor=world.school_admin, username="T3001", full_name="", roles=[(Role.SUPERVISOR, world.cs)]
    )
    client = Client()
    response = client.post("/accounts/login/", {"username": "T3001", "password": created.initial_password})
    assert response.status_code == 302
    assert client.get("/")["Location"] == "/accounts/activate/"
    assert client.get("/org/students/")["Location"] == "/accounts/activate/"
    form = {"full_name": "周老师", "email": "", "phone": "１３９１２３４５６７８"}  # full-width digits
    client.post("/accounts/activate/", {**form, "action": "send_code"})
    assert sms_outbox[-1][0] == "13912345678"
    code = _code(sms_outbox)
    weak = client.post("/accounts/activate/", {**form, "code": code, "new_password1": "weak", "new_password2": "weak"})
    assert "密码至少需要" in weak.content.decode()
    created.user.refresh_from_db()
    assert created.user.activated_at is None  # nothing saved
    done = client.post(
        "/accounts/activate/",
        {**form, "code": code, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    user = User.objects.get(pk=created.user.pk)
    assert user.activated_at and not user.must_change_password and user.phone == "13912345678"
    assert user.check_password(NEW_PASSWORD)
    assert client.get("/").status_code == 200


@pytest.mark.spec("P-05", "S-01")
def test_admin_reset_sets_a_one_time_password_that_must_be_changed(world):
    target = world.secretary_cs
    password = actions.admin_reset_password(actor=world.school_admin, user=target)
    client = Client()
    assert client.post("/accounts/login/", {"username": "cs_secretary", "password": PASSWORD}).status_code == 200
    assert client.post("/accounts/login/", {"username": "cs_secretary", "password": password}).status_code == 302
    assert client.get("/org/students/")["Location"] == "/accounts/password/"
    same = client.post(
        "/accounts/password/", {"old_password": password, "new_password1": password, "new_password2": password}
    )
    assert "不能与当前密码相同" in same.content.decode()
    client.post(
        "/accounts/password/",
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert client.get("/").status_code == 200


@pytest.mark.spec("P-05")
@pytest.mark.django_db(transaction=True)
def test_change_phone_requires_the_password_and_a_code_to_the_new_phone(world, sms_outbox):
    client = client_for(world.secretary_cs)
    refused = client.post("/accounts/phone/", {"password": "nope", "phone": "13988887777", "action": "send_code"})
    assert "密码不正确" in refused.content.decode() and not sms_outbox
    client.post("/accounts/phone/", {"password": PASSWORD, "phone": "13988887777", "action": "send_code"})
    code = _code(sms_outbox)
    bad = client.post("/accounts/phone/", {"password": PASSWORD, "phone": "1398888777", "code": code})
    assert "11位" in bad.content.decode()
    ok = client.post("/accounts/phone/", {"password": PASSWORD, "phone": "13988887777", "code": code})
    assert ok.status_code == 302
    world.secretary_cs.refresh_from_db()
    assert world.secretary_cs.phone == "13988887777"
