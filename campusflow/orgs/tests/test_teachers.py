import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from campusflow.accounts.models import RoleAssignment, User
from campusflow.core.errors import ActionError
from campusflow.core.models import AuditEvent, SensitiveAccess
from campusflow.core.roles import Role
from campusflow.core.testing import client_for
from campusflow.orgs import actions
from campusflow.orgs.models import Teacher

CREATE = "/org/teachers/new/"


def form_data(client, **overrides):
    """A valid create form, with a fresh one-time token from the real page."""
    page = client.get(CREATE).content.decode()
    token = page.split('name="_once" value="')[1].split('"')[0]
    data = {
        "_once": token,
        "staff_no": "T3001",
        "name": "周老师",
        "department": "",
        "gender": "F",
        "title": "讲师",
        "phone": "13912345678",
        "email": "",
        "role": "supervisor",
    }
    data.update(overrides)
    return data


@pytest.mark.spec("P-06", "P-02")
def test_school_admin_creates_teacher_with_account(world):
    client = client_for(world.school_admin)
    response = client.post(CREATE, form_data(client, department=world.me.pk, is_supervisor="on"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="initial-password"' in html
    teacher = Teacher.objects.get(staff_no="T3001")
    assert teacher.school == world.school_a and teacher.department == world.me and teacher.is_supervisor
    assert teacher.user is not None
    assert teacher.user.username == "T3001" and teacher.user.must_change_password
    assert RoleAssignment.objects.filter(user=teacher.user, role=Role.SUPERVISOR, unit=world.me).exists()
    assert AuditEvent.objects.filter(action="orgs.teacher.create", target_id=str(teacher.pk)).count() == 1
    assert "no-store" in response["Cache-Control"]


@pytest.mark.spec("P-06")
def test_full_width_phone_is_normalised(world):
    client = client_for(world.school_admin)
    client.post(CREATE, form_data(client, department=world.cs.pk, phone="１３９ １２３４ ５６７８"))
    assert Teacher.objects.get(staff_no="T3001").phone == "13912345678"


@pytest.mark.spec("P-06", "S-08")
def test_double_submit_creates_once(world):
    client = client_for(world.school_admin)
    data = form_data(client, department=world.cs.pk)
    client.post(CREATE, data)
    second = client.post(CREATE, data, follow=True)
    assert "请勿重复提交" in second.content.decode()
    assert Teacher.objects.filter(staff_no="T3001").count() == 1


@pytest.mark.spec("P-06")
def test_department_admin_creates_in_own_department(world):
    client = client_for(world.dept_admin_cs)
    client.post(CREATE, form_data(client, department=world.cs.pk))
    assert Teacher.objects.get(staff_no="T3001").department == world.cs


@pytest.mark.spec("P-06", "S-05")
def test_department_admin_cannot_create_in_another_department(world):
    client = client_for(world.dept_admin_cs)
    response = client.post(CREATE, form_data(client, department=world.me.pk))
    assert response.status_code == 200
    assert "T3001" not in [t.staff_no for t in Teacher.objects.all()]
    assert not User.objects.filter(username="T3001").exists()
    with pytest.raises(Http404):
        actions.create_teacher(actor=world.dept_admin_cs, department=world.me, staff_no="T3001", name="周老师")
    with pytest.raises(Http404):
        actions.create_teacher(actor=world.school_admin_b, department=world.cs, staff_no="T3001", name="周老师")
    assert not Teacher.objects.filter(staff_no="T3001").exists()


@pytest.mark.spec("P-06", "S-05")
def test_wrong_role_gets_403(world):
    assert client_for(world.secretary_cs).get(CREATE).status_code == 403
    assert client_for(world.supervisor_cs).get(CREATE).status_code == 403
    with pytest.raises(PermissionDenied):
        actions.create_teacher(actor=world.secretary_cs, department=world.cs, staff_no="T3001", name="周老师")


@pytest.mark.spec("P-06")
def test_duplicate_staff_no_is_refused_and_nothing_is_saved(world):
    client = client_for(world.school_admin)
    users_before = User.objects.count()
    response = client.post(CREATE, form_data(client, department=world.me.pk, staff_no="Ｔ1001"))
    assert "工号“T1001”在本校已存在" in response.content.decode()
    assert Teacher.objects.filter(staff_no="T1001").count() == 1
    assert User.objects.count() == users_before


@pytest.mark.spec("P-06")
def test_same_staff_no_in_another_school_is_fine(world):
    created = actions.create_teacher(
        actor=world.school_admin_b, department=world.b_info, staff_no="T1001", name="钱老师", username="B-T1001"
    )
    assert created.teacher.school == world.school_b


@pytest.mark.spec("P-06")
def test_malformed_phone_is_refused_and_nothing_is_saved(world):
    client = client_for(world.school_admin)
    users_before = User.objects.count()
    response = client.post(CREATE, form_data(client, department=world.me.pk, phone="12345"))
    assert "请输入11位中国大陆手机号码" in response.content.decode()
    assert not Teacher.objects.filter(staff_no="T3001").exists()
    assert User.objects.count() == users_before


@pytest.mark.spec("P-06")
def test_edit_teacher(world):
    teacher = world.teachers["cs"]
    client = client_for(world.school_admin)
    response = client.post(
        f"/org/teachers/{teacher.pk}/edit/",
        {"department": world.cs.pk, "name": "张导师", "title": "二级教授", "phone": "13900001002", "gender": "M"},
    )
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.title == "二级教授" and teacher.phone == "13900001002" and not teacher.is_supervisor
    event = AuditEvent.objects.get(action="orgs.teacher.edit")
    assert "13900001002" not in str(event.data)  # no phone numbers in the audit trail


@pytest.mark.spec("P-06", "S-05")
def test_edit_out_of_scope_is_404_and_changes_nothing(world):
    teacher = world.teachers["me"]
    data = {"department": world.me.pk, "name": "改名", "title": "x"}
    assert client_for(world.dept_admin_cs).post(f"/org/teachers/{teacher.pk}/edit/", data).status_code == 404
    assert client_for(world.school_admin_b).post(f"/org/teachers/{teacher.pk}/edit/", data).status_code == 404
    with pytest.raises(Http404):
        actions.edit_teacher(actor=world.school_admin_b, teacher=teacher, department=world.me, name="改名")
    teacher.refresh_from_db()
    assert teacher.name == "李导师"
    assert not AuditEvent.objects.filter(action="orgs.teacher.edit").exists()


@pytest.mark.spec("P-06")
def test_edit_with_bad_phone_changes_nothing(world):
    teacher = world.teachers["cs"]
    with pytest.raises(ActionError) as error:
        actions.edit_teacher(actor=world.school_admin, teacher=teacher, department=world.cs, name="新名", phone="1391")
    assert "手机号码" in error.value.message
    teacher.refresh_from_db()
    assert teacher.name == "张导师"


@pytest.mark.spec("P-02", "P-04", "P-10")
def test_teacher_list_and_detail_mask_phone(world):
    client = client_for(world.secretary_cs)
    html = client.get("/org/teachers/").content.decode()
    assert "T1001" in html and "T2001" not in html
    assert "139****1001" in html and "13900001001" not in html
    detail = client.get(f"/org/teachers/{world.teachers['cs'].pk}/").content.decode()
    assert "教授" in detail and "139****1001" in detail


@pytest.mark.spec("P-04", "S-05")
def test_teacher_detail_scoping(world):
    assert client_for(world.secretary_cs).get(f"/org/teachers/{world.teachers['me'].pk}/").status_code == 404
    assert client_for(world.mentor_a).get("/org/teachers/").status_code == 403


@pytest.mark.spec("P-10", "S-10")
def test_teacher_phone_reveal_is_logged(world):
    teacher = world.teachers["cs"]
    html = client_for(world.school_admin).post(f"/org/teachers/{teacher.pk}/reveal/").content.decode()
    assert "13900001001" in html
    assert SensitiveAccess.objects.get().fields == ["phone"]


@pytest.mark.spec("P-02", "P-04", "P-10")
def test_mentor_list_and_detail(world):
    mentor = world.mentors["a"]
    client = client_for(world.supervisor_cs)
    html = client.get("/org/mentors/").content.decode()
    for column in (
        "招生专业类别",
        "招生专业领域",
        "招生专业方向",
        "学历",
        "学位",
        "专业技术职称",
        "职务",
        "合作校内导师",
    ):
        assert column in html
    assert "马建英" in html and "139****0001" in html and "13972000001" not in html
    detail = client.get(f"/org/mentors/{mentor.pk}/").content.decode()
    assert "是否愿意以第一导师身份招收、培养研究生" in detail and "出生年月" in detail
    assert client_for(world.supervisor_me).get(f"/org/mentors/{mentor.pk}/").status_code == 404
    assert client_for(world.school_admin_b).get(f"/org/mentors/{mentor.pk}/").status_code == 404


@pytest.mark.spec("P-10", "S-10")
def test_mentor_phone_reveal_is_logged_and_scoped(world):
    mentor = world.mentors["a"]
    html = client_for(world.secretary_cs).post(f"/org/mentors/{mentor.pk}/reveal/").content.decode()
    assert "13972000001" in html
    assert SensitiveAccess.objects.get().subject_id == str(mentor.pk)
    assert client_for(world.secretary_me).post(f"/org/mentors/{mentor.pk}/reveal/").status_code == 404
    assert client_for(world.dean_cs).post(f"/org/mentors/{mentor.pk}/reveal/").status_code == 403
    assert SensitiveAccess.objects.count() == 1


@pytest.mark.spec("P-06")
def test_a_staff_no_taken_as_a_username_elsewhere_can_get_its_own_username(world):
    client = client_for(world.school_admin_b)
    taken = client.post(CREATE, form_data(client, staff_no="T1001", department=world.b_info.pk))
    assert "已被使用" in taken.content.decode()
    assert not Teacher.objects.filter(school=world.school_b).exists()
    ok = client.post(CREATE, form_data(client, staff_no="T1001", username="zy-T1001", department=world.b_info.pk))
    assert 'data-testid="initial-password"' in ok.content.decode()
    account = Teacher.objects.get(school=world.school_b, staff_no="T1001").user
    assert account is not None and account.username == "zy-T1001"
