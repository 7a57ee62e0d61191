"""X-08 × X-03: a bulk job renders many placements into one .zip with deterministic names."""

from __future__ import annotations

import io
import zipfile

import pytest

from campusflow.bases.tests.helpers import page_token
from campusflow.core.testing import build_world, client_for, valid_id_number
from campusflow.documents import renderer
from campusflow.documents.tests.helpers import base_with_mentor, pdf_text, place, squeeze
from campusflow.jobs.models import Job
from campusflow.orgs.models import Student

pytestmark = pytest.mark.django_db(transaction=True)


def _students(world, n):
    made = []
    for i in range(n):
        made.append(
            Student.objects.create(
                school=world.school_a,
                department=world.cs,
                student_no=f"20240100{i:02d}",
                name=f"学生{i:02d}",
                gender="F",
                id_number=valid_id_number(),
                category=Student.Category.PROFESSIONAL_MASTER,
                level=Student.Level.MASTER,
                grade=2024,
                supervisor=world.teachers["cs"],
            )
        )
    return made


@pytest.mark.spec("X-08", "X-03")
def test_bulk_job_renders_30_placements_into_one_zip():
    world = build_world()
    base = base_with_mentor(world)
    for student in _students(world, 30):
        place(world, student, base)
    place(world, world.students["me"], base, actor=world.grad_school)  # another college: not in the secretary's scope
    client = client_for(world.secretary_cs)
    page = client.get("/documents/bulk/").content.decode()
    assert "专业实践申请表（附件2）" in page
    renderer.compiler()
    compiler = renderer._compiler
    response = client.post(
        "/documents/bulk/", {"_once": page_token(page), "kind": "application", "grade": "2024", "base": base.pk}
    )
    job = Job.objects.get(created_by=world.secretary_cs, kind="documents.bulk")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.state == Job.State.SUCCEEDED, job.error
    assert job.progress_done == job.progress_total == 30 and job.summary["份数"] == 30
    assert renderer._compiler is compiler  # the one compiler did all 30
    download = client.get(f"/jobs/{job.pk}/download/")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))  # type: ignore[attr-defined]
    names = archive.namelist()
    assert len(names) == 30 and names[0] == "2024010000-学生00-附件2.pdf"
    assert names == sorted(names) and all(n.endswith("-附件2.pdf") for n in names)
    assert "学生17" in squeeze(pdf_text(archive.read("2024010017-学生17-附件2.pdf")))
    assert job.result_name == "附件2-30份.zip"


@pytest.mark.spec("X-08", "S-05")
def test_bulk_page_is_for_staff_and_an_empty_selection_says_so():
    world = build_world()
    assert client_for(world.student_cs).get("/documents/bulk/").status_code == 403
    assert client_for(world.mentor_a).get("/documents/bulk/").status_code == 403
    client = client_for(world.secretary_cs)
    page = client.get("/documents/bulk/").content.decode()
    response = client.post("/documents/bulk/", {"_once": page_token(page), "kind": "three-party"})
    assert response.status_code == 200 and "没有符合条件的实践安排" in response.content.decode()
    assert not Job.objects.exists()
