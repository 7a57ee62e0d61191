import re

import pytest

from campusflow.core.models import SensitiveAccess
from campusflow.core.roles import Role
from campusflow.core.testing import client_for, make_user, valid_id_number
from campusflow.orgs.models import Student

URL = "/org/students/"


def detail(student):
    return f"/org/students/{student.pk}/"


def reveal(student):
    return f"/org/students/{student.pk}/reveal/"


def rows(response):
    return response.content.decode().count('data-testid="student-row"')


@pytest.mark.spec("P-02", "P-04")
def test_school_admin_lists_students_of_own_school_only(world):
    response = client_for(world.school_admin).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "王小明" in html and "赵小红" in html
    assert "孙小刚" not in html  # school B


@pytest.mark.spec("P-04")
def test_secretary_sees_only_own_college(world):
    html = client_for(world.secretary_cs).get(URL).content.decode()
    assert "王小明" in html
    assert "赵小红" not in html


@pytest.mark.spec("P-04")
def test_supervisor_and_mentor_see_only_their_students(world):
    assert rows(client_for(world.supervisor_cs).get(URL)) == 1
    html = client_for(world.mentor_a).get(URL).content.decode()
    assert "王小明" in html and "赵小红" not in html


@pytest.mark.spec("P-04", "S-05")
def test_student_cannot_open_the_list(world):
    assert client_for(world.student_cs).get(URL).status_code == 403


@pytest.mark.spec("P-02", "P-04")
def test_filters_by_department_category_status_grade_and_search(world):
    Student.objects.filter(pk=world.students["cs"].pk).update(grade=2023)
    client = client_for(world.school_admin)
    assert rows(client.get(URL, {"department": world.cs.pk})) == 1
    assert rows(client.get(URL, {"department": world.me.pk})) == 1
    assert rows(client.get(URL, {"grade": 2023})) == 1
    assert rows(client.get(URL, {"category": "professional_master"})) == 2
    assert rows(client.get(URL, {"category": "vocational"})) == 0
    assert rows(client.get(URL, {"status": "graduated"})) == 0
    assert rows(client.get(URL, {"q": "小明"})) == 1
    assert rows(client.get(URL, {"q": "２０２３０２"})) == 1  # full-width 学号 prefix


@pytest.mark.spec("P-04", "S-05")
def test_department_filter_offers_only_visible_departments(world):
    response = client_for(world.secretary_cs).get(URL, {"department": world.b_info.pk})
    assert rows(response) == 0
    assert "信息工程学院" not in response.content.decode()


@pytest.mark.spec("P-10", "P-02")
def test_exact_search_by_id_number_uses_the_blind_index(world):
    number = world.students["me"].id_number
    client = client_for(world.school_admin)
    response = client.post(URL, {"id_number": " " + number.lower()})
    assert rows(response) == 1 and "赵小红" in response.content.decode()
    # the number never appears in clear on the page, apart from the search box itself
    assert response.content.decode().count(number) <= 1
    # out of scope: the same number finds nothing for another school
    assert rows(client_for(world.school_admin_b).post(URL, {"id_number": number})) == 0


@pytest.mark.spec("P-10")
def test_id_search_with_wrong_checksum_explains_and_lists_nothing(world):
    number = world.students["cs"].id_number
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    response = client_for(world.school_admin).post(URL, {"id_number": wrong})
    assert rows(response) == 0
    assert "身份证号校验位不正确" in response.content.decode()


@pytest.mark.spec("P-10", "S-10")
def test_list_masks_id_numbers_and_phones(world):
    student = world.students["cs"]
    html = client_for(world.supervisor_cs).get(URL).content.decode()
    assert student.id_number not in html
    assert student.id_number[:3] + "*" * 11 + student.id_number[-4:] in html
    assert "138****8000" in html and "13800138000" not in html


@pytest.mark.spec("P-10", "S-10")
def test_mentor_never_sees_id_numbers(world):
    student = world.students["cs"]
    html = client_for(world.mentor_a).get(URL).content.decode()
    assert student.id_number not in html and student.id_number[-4:] not in html
    assert re.search(r'data-testid="id-number">—<', html)
    assert "138****8000" in html


@pytest.mark.spec("P-02", "P-10")
def test_detail_shows_every_field_masked(world):
    student = world.students["cs"]
    response = client_for(world.supervisor_cs).get(detail(student))
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    for label in (
        "学号",
        "姓名",
        "性别",
        "身份证号",
        "出生日期",
        "院系",
        "专业",
        "班级",
        "年级",
        "学生类别",
        "培养层次",
        "电话",
        "父亲姓名",
        "父亲电话",
        "母亲姓名",
        "母亲电话",
        "户口迁移",
        "住宿信息",
        "学籍状态",
    ):
        assert label in html, label
    assert student.id_number not in html
    assert "13700137000" not in html and "137****7000" in html
    assert "学生公寓3号楼201" not in html


@pytest.mark.spec("P-10", "S-10")
def test_mentor_detail_hides_id_parents_phone_and_dormitory(world):
    html = client_for(world.mentor_a).get(detail(world.students["cs"])).content.decode()
    for testid in ("id-number", "father-phone", "accommodation"):
        assert f'data-testid="{testid}">—<' in html
    assert "137****7000" not in html


@pytest.mark.spec("P-04", "S-05")
def test_detail_out_of_scope_is_404(world):
    me_student = world.students["me"]
    assert client_for(world.secretary_cs).get(detail(me_student)).status_code == 404
    assert client_for(world.school_admin_b).get(detail(me_student)).status_code == 404
    assert client_for(world.student_cs).get(detail(me_student)).status_code == 404
    assert client_for(world.school_admin).get("/org/students/999999/").status_code == 404


@pytest.mark.spec("P-04")
def test_student_sees_own_detail(world):
    response = client_for(world.student_cs).get(detail(world.students["cs"]))
    assert response.status_code == 200 and "王小明" in response.content.decode()


@pytest.mark.spec("P-10", "S-10")
def test_reveal_shows_clear_values_and_logs_exactly_once(world):
    student = world.students["cs"]
    response = client_for(world.secretary_cs).post(reveal(student))
    html = response.content.decode()
    assert response.status_code == 200
    assert student.id_number in html and "13700137000" in html and "学生公寓3号楼201" in html
    access = SensitiveAccess.objects.get()
    assert access.actor == world.secretary_cs
    assert access.actor_role == Role.TEACHING_SECRETARY
    assert access.subject_id == str(student.pk)
    assert set(access.fields) == {"id_number", "phone", "father_phone", "accommodation"}


@pytest.mark.spec("P-10", "S-10")
def test_supervisor_reveals_only_what_the_role_allows(world):
    student = world.students["cs"]
    html = client_for(world.supervisor_cs).post(reveal(student)).content.decode()
    assert "13800138000" in html and "13700137000" in html
    assert student.id_number not in html and "学生公寓3号楼201" not in html
    assert SensitiveAccess.objects.get().fields == ["father_phone", "phone"]


@pytest.mark.spec("P-10", "S-05")
def test_reveal_refused_for_roles_without_the_right(world):
    assert client_for(world.dean_cs).post(reveal(world.students["cs"])).status_code == 403
    assert client_for(world.provincial_admin).post(reveal(world.students["cs"])).status_code == 403
    assert not SensitiveAccess.objects.exists()


@pytest.mark.spec("P-10", "S-05")
def test_reveal_out_of_scope_is_404_and_logs_nothing(world):
    assert client_for(world.secretary_me).post(reveal(world.students["cs"])).status_code == 404
    assert client_for(world.school_admin_b).post(reveal(world.students["cs"])).status_code == 404
    assert not SensitiveAccess.objects.exists()


@pytest.mark.spec("S-05")
def test_reveal_requires_post(world):
    assert client_for(world.secretary_cs).get(reveal(world.students["cs"])).status_code == 405


@pytest.mark.spec("P-04", "X-06")
def test_student_list_query_count_is_fixed(world, django_assert_max_num_queries):
    client = client_for(world.school_admin)
    client.get(URL)  # warm the session
    with django_assert_max_num_queries(10) as few:
        client.get(URL)
    for n in range(25):
        Student.objects.create(
            school=world.school_a,
            department=world.cs if n % 2 else world.me,
            student_no=f"20239{n:05d}",
            name=f"学生{n}",
            gender="F",
            id_number=valid_id_number(),
            category=Student.Category.UNDERGRADUATE,
            level=Student.Level.BACHELOR,
            phone="13800000000",
            supervisor=world.teachers["cs"],
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert rows(response) == 27


@pytest.mark.spec("P-03")
def test_a_second_role_changes_what_the_list_shows(world):
    user = make_user("dual", Role.TEACHING_SECRETARY, world.me)
    assert "赵小红" in client_for(user).get(URL).content.decode()


def _department_options(page: str) -> str:
    found = re.search(r'<select[^>]*name="department"[^>]*>(.*?)</select>', page, re.S)
    assert found is not None
    return found.group(1)


@pytest.mark.spec("P-04", "X-06")
def test_a_province_filters_by_school_first_and_then_by_its_colleges(world):
    client = client_for(world.provincial_admin)
    page = client.get(URL).content.decode()
    # Every school of the province to choose from; no college until a school is chosen.
    assert 'name="school"' in page and world.school_a.name in page and world.school_b.name in page
    assert _department_options(page).count("<option") == 1  # 全部院系 only
    chosen = client.get(f"{URL}?school={world.school_b.pk}").content.decode()
    departments = _department_options(chosen)
    assert world.b_info.name in departments and world.cs.name not in departments
    rows = chosen.count('data-testid="student-row"')
    assert rows == Student.objects.filter(school=world.school_b).count()
    # A school's own staff never see the school filter.
    assert 'name="school"' not in client_for(world.school_admin).get(URL).content.decode()


@pytest.mark.spec("P-04", "X-02")
def test_a_province_export_keeps_the_school_and_college_filters(world):
    from django.http import QueryDict

    from campusflow.orgs.exports import filtered_students

    query = QueryDict(f"school={world.school_a.pk}&department={world.cs.pk}")
    rows = filtered_students(world.provincial_admin, query)
    assert list(rows) and {s.department_id for s in rows} == {world.cs.pk}
    # A college of another school than the one chosen is no valid choice: nothing, not everything.
    wrong = QueryDict(f"school={world.school_b.pk}&department={world.cs.pk}")
    assert not filtered_students(world.provincial_admin, wrong).exists()
