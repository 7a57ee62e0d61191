"""S-02 sign-in protection and S-03 sessions, with time travel."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from campusflow.accounts import actions
from campusflow.accounts.models import UserSession
from campusflow.core.models import AuditEvent
from campusflow.core.testing import PASSWORD, client_for

LOGIN = "/accounts/login/"
LOCKED_TEXT = "已被临时锁定"
WRONG_TEXT = "用户名或密码错误"


def _login(client: Client, username: str, password: str, **extra: str):
    return client.post(
        LOGIN, {"username": username, "password": password, **extra}, REMOTE_ADDR=extra.pop("ip", "10.0.0.1")
    )


@pytest.mark.spec("S-02", "P-05")
def test_correct_password_signs_in_with_a_new_session_and_audits(world):
    client = Client()
    client.get(LOGIN)
    before = client.cookies.get("sessionid")
    response = _login(client, "cs_secretary", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.cookies["sessionid"].value != (before.value if before else None)
    assert UserSession.objects.filter(user=world.secretary_cs).count() == 1
    assert AuditEvent.objects.filter(action="accounts.login", actor=world.secretary_cs).count() == 1
    assert client.get("/").status_code == 200


@pytest.mark.spec("S-02")
def test_unknown_account_and_wrong_password_get_the_same_message(world):
    wrong = _login(Client(), "cs_secretary", "Wrong#Pass2026").content.decode()
    unknown = _login(Client(), "nobody-here", "Wrong#Pass2026").content.decode()
    assert WRONG_TEXT in wrong and WRONG_TEXT in unknown
    assert AuditEvent.objects.filter(action="accounts.login_failed").count() == 2


@pytest.mark.spec("S-02")
def test_five_failures_lock_the_account_for_fifteen_minutes_not_the_ip(world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for attempt in range(5):
            # Different IPs and fresh clients: the lock follows the account (campus NAT).
            _login(
                Client(),
                "cs_secretary",
                f"Wrong#Pass{attempt}",
                ip=f"10.0.0.{attempt + 2}",
                captcha_0="x",
                captcha_1="PASSED",
            )
        # Locked now, even with the right password and from yet another address.
        locked = _login(Client(), "cs_secretary", PASSWORD, ip="10.9.9.9", captcha_0="x", captcha_1="PASSED")
        assert LOCKED_TEXT in locked.content.decode()
        assert AuditEvent.objects.filter(action="accounts.lockout").exists()
        # Another account behind the same IP is not affected.
        assert _login(Client(), "me_secretary", PASSWORD, ip="10.0.0.2").status_code == 302
        traveller.shift(timedelta(minutes=14))
        assert (
            LOCKED_TEXT
            in _login(Client(), "cs_secretary", PASSWORD, captcha_0="x", captcha_1="PASSED").content.decode()
        )
        traveller.shift(timedelta(minutes=2))
        assert _login(Client(), "cs_secretary", PASSWORD, captcha_0="x", captcha_1="PASSED").status_code == 302


@pytest.mark.spec("S-02")
def test_captcha_is_required_after_two_failures(world):
    client = Client()
    _login(client, "cs_secretary", "Wrong#1")
    assert "captcha" not in client.get(LOGIN).content.decode()
    _login(client, "cs_secretary", "Wrong#2")
    page = client.get(LOGIN).content.decode()
    assert 'name="captcha_1"' in page
    # The right password without the captcha is refused and does not sign in.
    response = _login(client, "cs_secretary", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    # A fresh browser is asked too, because the account has failures on record.
    fresh = _login(Client(), "cs_secretary", PASSWORD)
    assert fresh.status_code == 200 and 'name="captcha_1"' in fresh.content.decode()
    ok = _login(Client(), "cs_secretary", PASSWORD, captcha_0="x", captcha_1="PASSED")
    assert ok.status_code == 302


@pytest.mark.spec("S-03")
def test_session_ends_after_thirty_idle_minutes(world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = Client()
        assert _login(client, "cs_secretary", PASSWORD).status_code == 302
        traveller.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200  # activity renews the idle timer
        traveller.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200
        traveller.shift(timedelta(minutes=31))
        assert client.get("/").status_code == 302


@pytest.mark.spec("S-03")
def test_session_ends_after_twelve_hours_however_active(world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = Client()
        _login(client, "cs_secretary", PASSWORD)
        for _ in range(24):  # 24 × 29 min ≈ 11.6 h of continuous use
            traveller.shift(timedelta(minutes=29))
            assert client.get("/").status_code == 200
        traveller.shift(timedelta(minutes=29))
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.spec("S-03", "S-02")
def test_logout_ends_the_session_server_side(world):
    client = Client()
    _login(client, "cs_secretary", PASSWORD)
    key = client.session.session_key or ""
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert AuditEvent.objects.filter(action="accounts.logout", actor=world.secretary_cs).count() == 1
    # Replaying the old cookie does not bring the session back.
    replay = Client()
    replay.cookies["sessionid"] = key
    assert replay.get("/").status_code == 302


@pytest.mark.spec("S-03", "P-05")
def test_suspension_ends_every_session_of_the_account(world):
    phone, laptop = Client(), Client()
    _login(phone, "cs_secretary", PASSWORD)
    _login(laptop, "cs_secretary", PASSWORD)
    actions.suspend_account(actor=world.school_admin, user=world.secretary_cs)
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 302
    assert UserSession.objects.filter(user=world.secretary_cs).count() == 0
    # And it cannot sign in again until restored.
    assert WRONG_TEXT in _login(Client(), "cs_secretary", PASSWORD).content.decode()
    actions.restore_account(actor=world.school_admin, user=world.secretary_cs)
    assert _login(Client(), "cs_secretary", PASSWORD).status_code == 302


@pytest.mark.spec("S-12", "S-07")
def test_pages_are_not_cached_and_carry_a_csp_without_inline_scripts(world):
    response = client_for(world.secretary_cs).get("/")
    assert "no-store" in response["Cache-Control"]
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in response.content.decode()
    login_page = Client().get(LOGIN).content.decode()
    assert "<script>" not in login_page


@pytest.mark.spec("P-03")
def test_role_switcher_changes_the_current_role_and_scope(world):
    from campusflow.accounts.models import RoleAssignment
    from campusflow.core.roles import Role

    person = world.supervisor_cs
    dean_role = RoleAssignment.objects.create(user=person, role=Role.TEACHING_DEAN, unit=world.cs)
    client = client_for(person)
    page = client.get("/").content.decode()
    assert 'data-testid="role-switcher"' in page
    assert client.post("/accounts/role/", {"role": dean_role.pk}).status_code == 302
    assert "教学院长 · 计算机学院" in client.get("/").content.decode()
    # Someone else's role id cannot be taken.
    other = world.secretary_me.roles.first()
    assert client.post("/accounts/role/", {"role": other.pk}).status_code == 404
