import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from campusflow.core.errors import ActionError
from campusflow.core.models import AuditEvent
from campusflow.core.testing import client_for
from campusflow.orgs import actions
from campusflow.orgs.models import OrgUnit

LIST = "/org/units/"
CREATE = "/org/units/new/"


def create_data(client, **overrides):
    page = client.get(CREATE).content.decode()
    token = page.split('name="_once" value="')[1].split('"')[0]
    school = page.split('name="school" value="')[1].split('"')[0]  # the hidden field of a one-school admin
    data = {
        "_once": token,
        "school": school,
        "kind": "department",
        "name": "材料学院",
        "code": "03",
        "office_type": "",
        "sort_order": "3",
    }
    data.update(overrides)
    return data


@pytest.mark.spec("P-01", "P-07")
def test_tree_shows_own_school_only(world):
    html = client_for(world.school_admin).get(LIST).content.decode()
    assert "河南省教育厅" in html and "华北理工大学" in html and "计算机学院" in html and "研究生院" in html
    assert "中原职业技术学院" not in html and "信息工程学院" not in html


@pytest.mark.spec("P-01", "P-07")
def test_provincial_admin_reads_every_school_but_cannot_change(world):
    client = client_for(world.provincial_admin)
    html = client.get(LIST).content.decode()
    assert "华北理工大学" in html and "中原职业技术学院" in html
    assert 'data-testid="unit-create"' not in html
    assert client.get(CREATE).status_code == 403
    assert client.post(f"/org/units/{world.cs.pk}/remove/").status_code == 403
    with pytest.raises(PermissionDenied):
        actions.create_unit(actor=world.provincial_admin, kind="department", name="新学院", school=world.school_a)


@pytest.mark.spec("P-07", "S-05")
def test_other_roles_get_403(world):
    assert client_for(world.dept_admin_cs).get(LIST).status_code == 403
    assert client_for(world.secretary_cs).get(CREATE).status_code == 403


@pytest.mark.spec("P-07", "P-09", "S-08")
def test_school_admin_adds_a_department_once(world):
    client = client_for(world.school_admin)
    data = create_data(client)
    assert client.post(CREATE, data).status_code == 302
    client.post(CREATE, data)  # a double submit
    unit = OrgUnit.objects.get(name="材料学院")
    assert unit.parent == world.school_a and unit.school == world.school_a and unit.kind == "department"
    assert AuditEvent.objects.filter(action="orgs.unit.create").count() == 1


@pytest.mark.spec("P-07")
def test_school_admin_adds_an_office(world):
    client = client_for(world.school_admin)
    client.post(CREATE, create_data(client, kind="office", name="财务处", code="92", office_type="finance"))
    assert OrgUnit.objects.get(name="财务处").office_type == "finance"


@pytest.mark.spec("P-07")
def test_duplicate_name_under_the_same_school_is_refused(world):
    client = client_for(world.school_admin)
    count = OrgUnit.objects.count()
    response = client.post(CREATE, create_data(client, name="计算机学院", code=""))
    assert "本校已有名为“计算机学院”的单位" in response.content.decode()
    response = client.post(CREATE, create_data(client, name="新学院", code="01"))
    assert "代码“01”在本校已被使用" in response.content.decode()
    assert OrgUnit.objects.count() == count


@pytest.mark.spec("P-07")
def test_same_name_in_another_school_is_fine(world):
    unit = actions.create_unit(actor=world.school_admin_b, kind="department", name="计算机学院")
    assert unit.school == world.school_b


@pytest.mark.spec("P-07")
def test_edit_a_department(world):
    client = client_for(world.school_admin)
    response = client.post(
        f"/org/units/{world.me.pk}/", {"name": "机械工程学院", "code": "02", "sort_order": "1", "is_active": "on"}
    )
    assert response.status_code == 302
    world.me.refresh_from_db()
    assert world.me.name == "机械工程学院"
    assert AuditEvent.objects.filter(action="orgs.unit.edit").count() == 1


@pytest.mark.spec("P-07")
def test_rename_to_an_existing_name_is_refused(world):
    response = client_for(world.school_admin).post(
        f"/org/units/{world.me.pk}/", {"name": "计算机学院", "code": "02", "is_active": "on"}
    )
    assert "本校已有名为“计算机学院”的单位" in response.content.decode()
    world.me.refresh_from_db()
    assert world.me.name == "机械学院"


@pytest.mark.spec("P-07", "S-05")
def test_school_b_admin_gets_404_and_nothing_changes(world):
    client = client_for(world.school_admin_b)
    assert client.get(f"/org/units/{world.cs.pk}/").status_code == 404
    assert client.post(f"/org/units/{world.cs.pk}/", {"name": "改名", "is_active": "on"}).status_code == 404
    assert client.post(f"/org/units/{world.library.pk}/remove/").status_code == 404
    with pytest.raises(Http404):
        actions.remove_unit(actor=world.school_admin_b, unit=world.library)
    with pytest.raises(Http404):
        actions.create_unit(actor=world.school_admin_b, kind="department", name="x", school=world.school_a)
    world.cs.refresh_from_db()
    assert world.cs.name == "计算机学院" and world.cs.is_active
    assert OrgUnit.objects.filter(pk=world.library.pk).exists()


@pytest.mark.spec("P-07")
def test_removing_a_unit_in_use_deactivates_it(world):
    response = client_for(world.school_admin).post(f"/org/units/{world.cs.pk}/remove/", follow=True)
    assert "已停用而未删除" in response.content.decode()
    world.cs.refresh_from_db()
    assert not world.cs.is_active
    assert AuditEvent.objects.filter(action="orgs.unit.deactivate").count() == 1


@pytest.mark.spec("P-07", "P-09")
def test_removing_an_empty_unit_deletes_it(world):
    empty = actions.create_unit(actor=world.school_admin, kind="office", name="校医院", office_type="hospital")
    client_for(world.school_admin).post(f"/org/units/{empty.pk}/remove/")
    assert not OrgUnit.objects.filter(pk=empty.pk).exists()
    assert AuditEvent.objects.filter(action="orgs.unit.delete", data__name="校医院").count() == 1


@pytest.mark.spec("P-07")
def test_a_school_itself_cannot_be_removed(world):
    assert client_for(world.school_admin).post(f"/org/units/{world.school_a.pk}/remove/").status_code == 404
    with pytest.raises(ActionError):
        actions.remove_unit(actor=world.system_admin, unit=world.school_a)
