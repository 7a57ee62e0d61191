"""X-05 / P-04 / S-10: the people API keeps the pages' scoping and masking."""

from __future__ import annotations

import pytest
from django.test import Client

from campusflow.accounts.actions import create_api_token
from campusflow.core.privacy import HIDDEN, mask_id_number, mask_phone
from campusflow.core.roles import Role
from campusflow.core.testing import World, client_for, make_user, valid_id_number
from campusflow.orgs.models import Student

pytestmark = pytest.mark.django_db


def _clear_values(world: World) -> list[str]:
    student = world.students["cs"]
    return [student.id_number, student.phone, student.father_phone, student.accommodation]


@pytest.mark.spec("X-05", "P-04", "S-05")
def test_cross_school_and_cross_department_ids_answer_404(world: World) -> None:
    student_a = world.students["cs"]
    for persona in (world.school_admin_b, world.secretary_me, world.supervisor_me, world.student_me):
        response = client_for(persona).get(f"/api/students/{student_a.pk}")
        assert response.status_code == 404, persona
        assert response.json()["detail"] == "记录不存在或无权查看。"
    # Missing and out-of-scope look the same.
    missing = client_for(world.school_admin_b).get("/api/students/987654321")
    assert missing.status_code == 404
    assert missing.json() == client_for(world.school_admin_b).get(f"/api/students/{student_a.pk}").json()
    assert client_for(world.school_admin_b).get(f"/api/teachers/{world.teachers['cs'].pk}").status_code == 404
    assert client_for(world.school_admin_b).get(f"/api/mentors/{world.mentors['a'].pk}").status_code == 404
    # In scope it is there.
    assert client_for(world.school_admin).get(f"/api/students/{student_a.pk}").status_code == 200


@pytest.mark.spec("X-05", "P-04")
def test_lists_follow_the_scope_of_the_role(world: World) -> None:
    def numbers(user: object) -> set[str]:
        items = client_for(user).get("/api/students").json()["items"]  # type: ignore[arg-type]
        return {s["student_no"] for s in items}

    assert numbers(world.provincial_admin) == {"2023010001", "2023020001", "2024010001"}
    assert numbers(world.school_admin) == {"2023010001", "2023020001"}
    assert numbers(world.school_admin_b) == {"2024010001"}
    assert numbers(world.secretary_cs) == {"2023010001"}
    assert numbers(world.supervisor_me) == {"2023020001"}
    assert numbers(world.mentor_a) == {"2023010001"}
    units = client_for(world.school_admin_b).get("/api/org-units").json()["items"]
    assert {u["name"] for u in units} == {"中原职业技术学院", "信息工程学院"}


@pytest.mark.spec("X-05", "P-10", "S-10")
def test_supervisor_gets_masked_values_never_the_clear_ones(world: World) -> None:
    student = world.students["cs"]
    response = client_for(world.supervisor_cs).get(f"/api/students/{student.pk}")
    data = response.json()
    assert data["id_number"] == mask_id_number(student.id_number)
    assert data["phone"] == mask_phone(student.phone)
    assert data["father_phone"] == mask_phone(student.father_phone)
    assert data["accommodation"] != student.accommodation
    body = response.content.decode()
    for clear in _clear_values(world):
        assert clear not in body


@pytest.mark.spec("X-05", "S-10")
def test_mentor_never_gets_id_numbers_parents_or_dormitory(world: World) -> None:
    student = world.students["cs"]
    client = client_for(world.mentor_a)
    detail = client.get(f"/api/students/{student.pk}")
    data = detail.json()
    assert data["id_number"] == HIDDEN
    assert data["father_phone"] == HIDDEN
    assert data["father_name"] == HIDDEN
    assert data["accommodation"] == HIDDEN
    assert data["birth_date"] is None
    assert data["phone"] == mask_phone(student.phone)
    listing = client.get("/api/students")
    assert listing.json()["items"][0]["id_number"] == HIDDEN
    for body in (detail.content.decode(), listing.content.decode()):
        assert student.id_number[:6] not in body.replace("410***", "")
        for clear in _clear_values(world):
            assert clear not in body
    # No looking students up by ID number either.
    lookup = client.post(
        "/api/students/find-by-id-number", {"id_number": student.id_number}, content_type="application/json"
    )
    assert lookup.status_code == 403


@pytest.mark.spec("X-05", "S-10")
def test_office_staff_see_masked_values_in_lists(world: World) -> None:
    items = client_for(world.school_admin).get("/api/students").json()["items"]
    first = next(s for s in items if s["student_no"] == "2023010001")
    assert first["id_number"] == mask_id_number(world.students["cs"].id_number)
    teachers = client_for(world.school_admin).get("/api/teachers").json()["items"]
    assert next(t for t in teachers if t["staff_no"] == "T1001")["phone"] == "139****1001"
    mentors = client_for(world.school_admin).get("/api/mentors").json()["items"]
    assert mentors[0]["phone"] == "139****0001"


@pytest.mark.spec("X-05", "S-10")
def test_lookup_by_id_number_uses_the_blind_index_within_scope(world: World) -> None:
    student = world.students["cs"]
    spaced = student.id_number[:6] + " " + student.id_number[6:].lower()
    found = client_for(world.school_admin).post(
        "/api/students/find-by-id-number", {"id_number": spaced}, content_type="application/json"
    )
    assert [s["student_no"] for s in found.json()] == ["2023010001"]
    elsewhere = client_for(world.school_admin_b).post(
        "/api/students/find-by-id-number", {"id_number": student.id_number}, content_type="application/json"
    )
    assert elsewhere.status_code == 200
    assert elsewhere.json() == []


@pytest.mark.spec("X-05")
def test_filters(world: World) -> None:
    Student.objects.filter(pk=world.students["cs"].pk).update(grade=2023, status=Student.Status.GRADUATED)
    client = client_for(world.school_admin)

    def numbers(query: str) -> list[str]:
        response = client.get("/api/students?" + query)
        assert response.status_code == 200, response.content
        return [s["student_no"] for s in response.json()["items"]]

    assert numbers(f"department={world.me.pk}") == ["2023020001"]
    assert numbers("grade=2023") == ["2023010001"]
    assert numbers("status=graduated") == ["2023010001"]
    assert numbers("category=professional_master") == ["2023010001", "2023020001"]
    assert numbers("q=20230200") == ["2023020001"]
    assert numbers("q=小明") == ["2023010001"]
    assert numbers(f"department={world.b_info.pk}") == []  # another school's department: nothing
    units = client.get(f"/api/org-units?kind=department&parent={world.school_a.pk}").json()["items"]
    assert {u["name"] for u in units} == {"计算机学院", "机械学院"}
    teachers = client.get(f"/api/teachers?department={world.cs.pk}&is_supervisor=true").json()["items"]
    assert [t["staff_no"] for t in teachers] == ["T1001"]
    mentors = client.get("/api/mentors?q=油田").json()["items"]
    assert [m["mentor_no"] for m in mentors] == ["M0001"]


@pytest.mark.spec("X-05")
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("grade=abc", "grade"),
        ("category=alien", "category"),
        ("page=0", "page"),
        ("page_size=-1", "page_size"),
        ("department=x", "department"),
        ("q=" + "长" * 51, "q"),
    ],
)
def test_bad_query_parameters_get_422_with_a_message(world: World, query: str, field: str) -> None:
    response = client_for(world.school_admin).get("/api/students?" + query)
    assert response.status_code == 422
    data = response.json()
    assert data["detail"].startswith("请求参数有误")
    assert field in data["detail"]
    assert any(field in e["loc"] for e in data["errors"])


@pytest.mark.spec("X-05")
def test_non_numeric_id_gets_422_not_500(world: World) -> None:
    assert client_for(world.school_admin).get("/api/students/abc").status_code == 422


def _more_students(world: World, count: int) -> None:
    Student.objects.bulk_create(
        Student(
            school=world.school_a,
            department=world.cs,
            student_no=f"2025{n:06d}",
            name=f"学生{n}",
            gender="F",
            id_number=valid_id_number(),
            category=Student.Category.UNDERGRADUATE,
            level=Student.Level.BACHELOR,
            phone="13800000000",
        )
        for n in range(count)
    )


@pytest.mark.spec("X-05")
def test_pagination(world: World) -> None:
    _more_students(world, 40)
    client = client_for(world.school_admin)
    first = client.get("/api/students").json()
    assert first["count"] == 42
    assert len(first["items"]) == 30
    second = client.get("/api/students?page=2").json()
    assert len(second["items"]) == 12
    assert not {s["id"] for s in first["items"]} & {s["id"] for s in second["items"]}
    small = client.get("/api/students?page=3&page_size=5").json()
    assert [s["student_no"] for s in small["items"]] == [s["student_no"] for s in first["items"][10:15]]
    capped = client.get("/api/students?page_size=1000").json()
    assert len(capped["items"]) == 42  # at most 100 a page
    assert client.get("/api/students?page=99").json()["items"] == []


@pytest.mark.spec("X-05")
@pytest.mark.parametrize("url", ["/api/students", "/api/teachers", "/api/mentors", "/api/org-units"])
def test_list_query_count_does_not_grow_with_the_page(world: World, url: str, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    token = create_api_token(actor=world.school_admin, name="t", role=world.school_admin.roles_held[0])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    client.get(url)  # the token's last-used stamp is written on the first call
    with django_assert_max_num_queries(4) as few:
        client.get(url)
    _more_students(world, 25)
    for n in range(5):
        make_user(f"T9{n:03d}", Role.SUPERVISOR, world.cs)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.spec("X-05", "S-05")
def test_openapi_lists_every_operation_with_chinese_descriptions(world: World) -> None:
    from campusflow.api import api

    assert Client().get("/api/openapi.json").status_code == 401
    response = client_for(world.student_cs).get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    operations = {(path, method) for path, item in schema["paths"].items() for method in item}
    expected = {
        ("/api/me", "get"),
        ("/api/org-units", "get"),
        ("/api/students", "get"),
        ("/api/students/{id}", "get"),
        ("/api/students/find-by-id-number", "post"),
        ("/api/teachers", "get"),
        ("/api/teachers/{id}", "get"),
        ("/api/mentors", "get"),
        ("/api/mentors/{id}", "get"),
    }
    assert expected <= operations
    mounted = {
        (("/api/" + "/".join(p.strip("/") for p in (prefix, path) if p.strip("/"))).rstrip("/"), m.lower())
        for prefix, router in api._routers
        for path, view in router.path_operations.items()
        for op in view.operations
        for m in op.methods
    }
    assert mounted == operations
    student_schema = schema["components"]["schemas"]["StudentDetailOut"]["properties"]
    assert "脱敏" in student_schema["id_number"]["description"]
    assert {"BearerTokenAuth", "CampusSessionAuth"} <= set(schema["components"]["securitySchemes"])
    assert Client().get("/api/docs").status_code == 401  # the docs, like the schema, are for signed-in callers
    assert client_for(world.school_admin).get("/api/docs").status_code == 200
