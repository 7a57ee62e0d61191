import pytest

from campusflow.core.testing import client_for


@pytest.mark.spec("P-03", "X-06")
def test_home_shows_current_role(world):
    response = client_for(world.secretary_cs).get("/")
    assert response.status_code == 200
    assert "教学秘书 · 计算机学院" in response.content.decode()


@pytest.mark.spec("X-04")
def test_home_charts_placements_by_college_for_staff_only(world):
    from datetime import timedelta

    from django.utils import timezone

    from campusflow.bases.models import BaseMentor, PracticeBase
    from campusflow.practice.models import Placement

    base = PracticeBase.objects.create(
        school=world.school_a,
        code="B001",
        name="中原油田研究院基地",
        unit_type="state_owned",
        responsible_college=world.cs,
        level="school_a",
        origin="school",
    )
    BaseMentor.objects.create(base=base, mentor=world.mentors["a"])
    today = timezone.localdate()
    Placement.objects.create(
        student=world.students["cs"],
        base=base,
        supervisor=world.teachers["cs"],
        mentor=world.mentors["a"],
        practice_type="dispatch",
        start_date=today,
        end_date=today + timedelta(days=120),
        onsite_start=today,
        onsite_end=today + timedelta(days=100),
        school=world.school_a,
        department=world.cs,
    )
    page = client_for(world.school_admin).get("/").content.decode()
    assert 'id="chart-placements"' in page and 'data-echarts="chart-placements"' in page
    assert "\\u8ba1\\u7b97\\u673a\\u5b66\\u9662" in page  # 计算机学院, as JSON escapes
    assert "echarts.min.js" in page
    assert 'id="chart-placements"' not in client_for(world.supervisor_cs).get("/").content.decode()
    assert 'id="chart-placements"' not in client_for(world.school_admin_b).get("/").content.decode()
