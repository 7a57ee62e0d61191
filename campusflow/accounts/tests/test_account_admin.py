"""P-05/P-06 account administration as personas: allowed, 403, 404, bad input."""

from __future__ import annotations

import pytest

from campusflow.accounts.models import RoleAssignment, User
from campusflow.core.models import AuditEvent
from campusflow.core.roles import Role
from campusflow.core.testing import client_for


def _create_form(client, **overrides):
    page = client.get("/accounts/users/new/").content.decode()
    import re

    match = re.search(r'name="_once" value="([^"]+)"', page)
    assert match
    token = match.group(1)
    data = {"username": "T5001", "full_name": "钱老师", "email": "", "role": Role.SUPERVISOR.value, "_once": token}
    data.update(overrides)
    return data


@pytest.mark.spec("P-06", "P-05", "P-09")
def test_school_admin_creates_a_teacher_account_with_a_role(world):
    client = client_for(world.school_admin)
    response = client.post("/accounts/users/new/", _create_form(client, unit=world.cs.pk))
    assert response.status_code == 200
    assert 'data-testid="initial-password"' in response.content.decode()
    user = User.objects.get(username="T5001")
    assert list(user.roles.values_list("role", "unit")) == [(Role.SUPERVISOR.value, world.cs.pk)]
    assert user.school == world.school_a and user.must_change_password
    assert AuditEvent.objects.filter(action="accounts.create", target_id=str(user.pk)).count() == 1


@pytest.mark.spec("P-06", "S-08")
def test_a_double_submitted_create_form_acts_once(world):
    client = client_for(world.school_admin)
    data = _create_form(client, unit=world.cs.pk)
    client.post("/accounts/users/new/", data)
    again = client.post("/accounts/users/new/", data, follow=True)
    assert "已提交过" in again.content.decode()
    assert User.objects.filter(username="T5001").count() == 1


@pytest.mark.spec("P-06", "S-05")
def test_department_admin_cannot_create_a_school_admin_or_reach_another_college(world):
    client = client_for(world.dept_admin_cs)
    before = User.objects.count()
    response = client.post("/accounts/users/new/", _create_form(client, role=Role.SCHOOL_ADMIN.value, unit=world.cs.pk))
    assert response.status_code == 200 and User.objects.count() == before
    outside = client.post("/accounts/users/new/", _create_form(client, unit=world.me.pk))
    assert "选择一个有效的选项" in outside.content.decode() or "管理范围" in outside.content.decode()
    assert User.objects.count() == before


@pytest.mark.spec("P-05", "S-05")
def test_wrong_role_gets_403_and_other_school_gets_404_with_nothing_changed(world):
    assert client_for(world.secretary_cs).get("/accounts/users/").status_code == 403
    assert (
        client_for(world.student_cs).post(f"/accounts/users/{world.secretary_cs.pk}/", {"op": "suspend"}).status_code
        == 403
    )
    other_school = client_for(world.school_admin_b)
    response = other_school.post(f"/accounts/users/{world.secretary_cs.pk}/", {"op": "suspend"})
    assert response.status_code == 404
    world.secretary_cs.refresh_from_db()
    assert world.secretary_cs.status == User.Status.ACTIVE
    assert not AuditEvent.objects.filter(action="accounts.suspend").exists()
    assert other_school.get("/accounts/users/999999/").status_code == 404


@pytest.mark.spec("P-05")
def test_duplicate_username_and_missing_unit_are_explained(world):
    client = client_for(world.school_admin)
    dup = client.post("/accounts/users/new/", _create_form(client, username=" cs_secretary ", unit=world.cs.pk))
    assert "已被使用" in dup.content.decode()
    no_unit = client.post("/accounts/users/new/", _create_form(client, unit=""))
    assert "请选择角色所在单位" in no_unit.content.decode()
    wrong_kind = client.post("/accounts/users/new/", _create_form(client, unit=world.library.pk))
    assert "不能设在" in wrong_kind.content.decode()
    assert not User.objects.filter(username="T5001").exists()


@pytest.mark.spec("P-05", "P-03")
def test_suspend_restore_delete_reset_and_roles_from_the_account_page(world):
    client = client_for(world.school_admin)
    url = f"/accounts/users/{world.secretary_cs.pk}/"
    client.post(url, {"op": "suspend"})
    assert User.objects.get(pk=world.secretary_cs.pk).status == User.Status.SUSPENDED
    client.post(url, {"op": "restore"})
    assert User.objects.get(pk=world.secretary_cs.pk).status == User.Status.ACTIVE
    page = client.post(url, {"op": "reset_password"}).content.decode()
    assert 'data-testid="one-time-password"' in page
    client.post(url, {"op": "grant", "role": Role.TEACHING_DEAN.value, "unit": world.cs.pk})
    assert RoleAssignment.objects.filter(user=world.secretary_cs, role=Role.TEACHING_DEAN).exists()
    dean = RoleAssignment.objects.get(user=world.secretary_cs, role=Role.TEACHING_DEAN)
    client.post(url, {"op": "revoke", "assignment": dean.pk})
    assert not RoleAssignment.objects.filter(pk=dean.pk).exists()
    last = world.secretary_cs.roles.get()
    refused = client.post(url, {"op": "revoke", "assignment": last.pk}, follow=True)
    assert "至少需要保留一个角色" in refused.content.decode()
    client.post(url, {"op": "delete"})
    deleted = User.objects.get(pk=world.secretary_cs.pk)
    assert deleted.status == User.Status.DELETED and not deleted.has_usable_password()
    assert client.get(url).status_code == 404
    actions_logged = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "accounts.suspend",
        "accounts.restore",
        "accounts.admin_reset_password",
        "accounts.grant_role",
        "accounts.revoke_role",
        "accounts.delete",
    } <= actions_logged


@pytest.mark.spec("P-05")
def test_account_list_filters_and_stays_in_scope(world):
    page = client_for(world.dept_admin_cs).get("/accounts/users/").content.decode()
    assert "cs_secretary" in page and "me_secretary" not in page
    school_page = client_for(world.school_admin).get("/accounts/users/?role=teaching_secretary").content.decode()
    assert "cs_secretary" in school_page and "me_secretary" in school_page and "b_admin" not in school_page
