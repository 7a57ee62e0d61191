"""X-05: signing in to the API — bearer tokens and the session — and /api/me."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from campusflow.accounts.actions import create_api_token, revoke_api_token
from campusflow.accounts.models import ApiToken, RoleAssignment, User
from campusflow.core.roles import Role
from campusflow.core.testing import World, client_for

pytestmark = pytest.mark.django_db


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _second_role(world: World) -> RoleAssignment:
    """The CS supervisor is also the CS teaching secretary."""
    return RoleAssignment.objects.create(user=world.supervisor_cs, role=Role.TEACHING_SECRETARY, unit=world.cs)


@pytest.mark.spec("X-05", "P-03")
def test_me_lists_current_role_and_every_role_held(world: World) -> None:
    secretary = _second_role(world)
    client = client_for(world.supervisor_cs, role=secretary)
    data = client.get("/api/me").json()
    assert data["username"] == "T1001"
    assert data["current_role"]["role"] == "teaching_secretary"
    assert data["current_role"]["role_label"] == "教学秘书"
    assert data["current_role"]["unit"]["name"] == "计算机学院"
    assert {r["role"] for r in data["roles"]} == {"supervisor", "teaching_secretary"}
    assert data["school"]["name"] == "华北理工大学"


@pytest.mark.spec("X-05", "P-03")
def test_token_acts_in_its_own_role(world: World) -> None:
    secretary = _second_role(world)
    user = User.objects.get(pk=world.supervisor_cs.pk)
    supervisor_role = next(r for r in user.roles_held if r.role == Role.SUPERVISOR)
    as_secretary = create_api_token(actor=user, name="教务同步", role=secretary)
    as_supervisor = create_api_token(actor=user, name="导师", role=supervisor_role)
    client = Client()

    me = client.get("/api/me", headers=bearer(as_secretary)).json()
    assert me["current_role"]["role"] == "teaching_secretary"
    # The role decides the scope: the secretary sees the CS department's students …
    assert client.get("/api/students", headers=bearer(as_secretary)).json()["count"] == 1
    # … and the supervisor token the students they supervise; org units are for staff roles only.
    assert client.get("/api/me", headers=bearer(as_supervisor)).json()["current_role"]["role"] == "supervisor"
    assert client.get("/api/students", headers=bearer(as_supervisor)).json()["count"] == 1
    assert client.get("/api/org-units", headers=bearer(as_secretary)).status_code == 200
    assert client.get("/api/org-units", headers=bearer(as_supervisor)).status_code == 403


@pytest.mark.spec("X-05", "S-05")
def test_anonymous_gets_401_with_a_message_in_chinese(world: World) -> None:
    response = Client().get("/api/me")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "登录" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.spec("X-05", "S-05")
@pytest.mark.parametrize(
    "header",
    ["Bearer cf_not-a-real-token", "Bearer something-else", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + "cf_" * 200],
)
def test_bad_tokens_get_401(world: World, header: str) -> None:
    response = Client().get("/api/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


@pytest.mark.spec("X-05")
def test_revoked_and_expired_tokens_get_401(world: World) -> None:
    user = world.school_admin
    role = user.roles_held[0]
    token = create_api_token(actor=user, name="t", role=role, days=1)
    client = Client()
    assert client.get("/api/me", headers=bearer(token)).status_code == 200

    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        assert client.get("/api/me", headers=bearer(token)).status_code == 401

    revoke_api_token(actor=user, token_id=ApiToken.objects.get(user=user).pk)
    assert client.get("/api/me", headers=bearer(token)).status_code == 401


@pytest.mark.spec("X-05")
def test_a_bad_token_is_not_rescued_by_a_session(world: World) -> None:
    client = client_for(world.school_admin)
    assert client.get("/api/me").status_code == 200
    assert client.get("/api/me", HTTP_AUTHORIZATION="Bearer cf_revoked-or-made-up").status_code == 401


@pytest.mark.spec("X-05", "S-03")
@pytest.mark.parametrize("status", [User.Status.SUSPENDED, User.Status.DELETED])
def test_tokens_of_suspended_or_deleted_accounts_get_401(world: World, status: str) -> None:
    user = world.secretary_cs
    token = create_api_token(actor=user, name="t", role=user.roles_held[0])
    User.objects.filter(pk=user.pk).update(status=status)
    response = Client().get("/api/me", headers=bearer(token))
    assert response.status_code == 401
    assert "停用" in response.json()["detail"]


@pytest.mark.spec("X-05", "P-05")
@pytest.mark.parametrize(
    "change",
    [
        {"activated_at": None},
        {"must_change_password": True},
        {"temporary_password_expires_at": timezone.now() - timedelta(days=1)},
    ],
    ids=["not-activated", "must-change-password", "temporary-password-expired"],
)
def test_accounts_still_to_set_up_get_403(world: World, change: dict[str, object]) -> None:
    user = world.secretary_cs
    token = create_api_token(actor=user, name="t", role=user.roles_held[0])
    User.objects.filter(pk=user.pk).update(**change)
    response = Client().get("/api/students", headers=bearer(token))
    assert response.status_code == 403
    assert "detail" in response.json()


@pytest.mark.spec("X-05")
def test_last_used_is_written_at_most_once_a_minute(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    user = world.school_admin
    token = create_api_token(actor=user, name="t", role=user.roles_held[0])
    client = Client()
    client.get("/api/me", headers=bearer(token))
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    client.get("/api/me", headers=bearer(token))
    assert ApiToken.objects.get().last_used_at == first
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        client.get("/api/me", headers=bearer(token))
        later = ApiToken.objects.get().last_used_at
    assert later is not None
    assert later > first


@pytest.mark.spec("X-05")
def test_token_holder_keeps_the_role_even_if_the_session_role_differs(world: World) -> None:
    """The token's role is used, never the first role or a session's choice."""
    secretary = _second_role(world)
    user = User.objects.get(pk=world.supervisor_cs.pk)
    token = create_api_token(actor=user, name="t", role=secretary)
    client = client_for(user)  # the session acts as supervisor (the first role)
    assert client.get("/api/me").json()["current_role"]["role"] == "supervisor"
    assert client.get("/api/me", headers=bearer(token)).json()["current_role"]["role"] == "teaching_secretary"


@pytest.mark.spec("X-05")
def test_session_calls_that_change_state_need_the_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.school_admin)
    body = {"id_number": world.students["cs"].id_number}
    refused = client.post("/api/students/find-by-id-number", body, content_type="application/json")
    assert refused.status_code == 403
    client.get("/accounts/profile/")
    csrf = client.cookies["csrftoken"].value
    allowed = client.post(
        "/api/students/find-by-id-number", body, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert allowed.status_code == 200
    # A bearer token needs no CSRF token: no browser sends it on its own.
    token = create_api_token(actor=world.school_admin, name="t", role=world.school_admin.roles_held[0])
    fresh = Client(enforce_csrf_checks=True)
    by_token = fresh.post(
        "/api/students/find-by-id-number", body, content_type="application/json", headers=bearer(token)
    )
    assert by_token.status_code == 200
