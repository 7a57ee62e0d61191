import pytest

from campusflow.core.testing import client_for


@pytest.mark.spec("P-03", "X-06")
def test_home_shows_current_role(world):
    response = client_for(world.secretary_cs).get("/")
    assert response.status_code == 200
    assert "教学秘书 · 计算机学院" in response.content.decode()
