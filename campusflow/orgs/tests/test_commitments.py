import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from pypdf import PdfWriter

from campusflow.core.models import AuditEvent
from campusflow.core.testing import client_for
from campusflow.core.uploads import validate_upload
from campusflow.orgs import actions
from campusflow.orgs.models import CommitmentLetter

URL = "/org/commitments/"


def pdf_bytes():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def jpeg_with_exif():
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def post(client, name, content, **extra):
    page = client.get(URL).content.decode()
    token = page.split('name="_once" value="')[1].split('"')[0]
    school = page.split('name="school" value="')[1].split('"')[0]
    data = {"_once": token, "school": school, "year": timezone.localdate().year}
    data.update(extra)
    data["file"] = SimpleUploadedFile(name, content)
    return client.post(URL, data, follow=True)


@pytest.mark.spec("P-08", "S-06")
def test_school_admin_uploads_this_years_pdf(world):
    client = client_for(world.school_admin)
    assert "未上传" in client.get(URL).content.decode()
    response = post(client, "承诺书.pdf", pdf_bytes())
    html = response.content.decode()
    assert "已上传" in html and "承诺书.pdf" in html
    letter = CommitmentLetter.objects.get()
    assert letter.school == world.school_a and letter.is_current and letter.year == timezone.localdate().year
    stored_name = letter.file.name or ""
    assert stored_name.endswith(".pdf") and "承诺书" not in stored_name  # random storage name
    assert AuditEvent.objects.filter(action="orgs.commitment.upload").count() == 1
    home = client.get("/").content.decode()
    assert 'data-testid="commitment-status">已上传' in home


@pytest.mark.spec("P-08", "S-06")
def test_photo_upload_loses_its_exif(world):
    original = jpeg_with_exif()
    assert Image.open(io.BytesIO(original)).getexif()
    post(client_for(world.school_admin), "photo.JPG", original)
    letter = CommitmentLetter.objects.get()
    assert (letter.file.name or "").endswith(".jpg")
    with letter.file.open("rb") as handle:
        stored = handle.read()
    assert b"PhoneMaker" not in stored
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif() and "exif" not in image.info


@pytest.mark.spec("P-08", "S-08")
def test_new_upload_for_the_same_year_replaces_and_keeps_the_old(world):
    client = client_for(world.school_admin)
    post(client, "first.pdf", pdf_bytes())
    post(client, "second.pdf", pdf_bytes())
    letters = CommitmentLetter.objects.order_by("uploaded_at", "id")
    assert [(x.original_name, x.is_current) for x in letters] == [("first.pdf", False), ("second.pdf", True)]
    html = client.get(URL).content.decode()
    assert html.count('data-testid="letter-row"') == 2 and "已替换" in html


@pytest.mark.spec("P-08", "S-06")
def test_renamed_html_is_not_a_pdf(world):
    response = post(client_for(world.school_admin), "letter.pdf", b"<!DOCTYPE html><html><script>alert(1)</script>")
    assert "文件内容不是允许的类型" in response.content.decode()
    assert not CommitmentLetter.objects.exists()


@pytest.mark.spec("P-08", "S-06")
def test_oversized_file_is_refused(world, settings):
    settings.MAX_UPLOAD_BYTES = 2048
    big = pdf_bytes() + b"%" + b"x" * 4096
    response = post(client_for(world.school_admin), "big.pdf", big)
    assert "文件不能超过" in response.content.decode()
    assert not CommitmentLetter.objects.exists()


@pytest.mark.spec("P-08", "S-06")
def test_broken_pdf_is_refused(world):
    response = post(client_for(world.school_admin), "broken.pdf", b"%PDF-1.7\n garbage without objects")
    assert "PDF 文件已损坏" in response.content.decode()
    assert not CommitmentLetter.objects.exists()


@pytest.mark.spec("P-08", "S-05", "S-06")
def test_download_is_an_attachment_with_nosniff(world):
    post(client_for(world.school_admin), "承诺书.pdf", pdf_bytes())
    letter = CommitmentLetter.objects.get()
    response = client_for(world.school_admin).get(f"/org/commitments/{letter.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    assert client_for(world.provincial_admin).get(f"/org/commitments/{letter.pk}/download/").status_code == 200


@pytest.mark.spec("P-08", "S-05")
def test_download_out_of_scope_is_404(world):
    post(client_for(world.school_admin), "a.pdf", pdf_bytes())
    letter = CommitmentLetter.objects.get()
    assert client_for(world.school_admin_b).get(f"/org/commitments/{letter.pk}/download/").status_code == 404
    assert client_for(world.secretary_cs).get(f"/org/commitments/{letter.pk}/download/").status_code == 403


@pytest.mark.spec("P-08", "S-05")
def test_school_b_admin_cannot_upload_for_school_a(world):
    client = client_for(world.school_admin_b)
    page = client.get(URL).content.decode()
    token = page.split('name="_once" value="')[1].split('"')[0]
    client.post(
        URL,
        {
            "_once": token,
            "school": world.school_a.pk,
            "year": timezone.localdate().year,
            "file": SimpleUploadedFile("x.pdf", pdf_bytes()),
        },
    )
    assert not CommitmentLetter.objects.exists()
    upload = validate_upload(SimpleUploadedFile("x.pdf", pdf_bytes()))
    from django.http import Http404

    with pytest.raises(Http404):
        actions.upload_commitment(actor=world.school_admin_b, upload=upload, school=world.school_a)
    assert not CommitmentLetter.objects.exists()


@pytest.mark.spec("P-08", "S-05")
def test_provincial_admin_sees_overview_but_cannot_upload(world):
    post(client_for(world.school_admin), "a.pdf", pdf_bytes())
    client = client_for(world.provincial_admin)
    html = client.get(URL).content.decode()
    assert html.count('data-testid="overview-row"') == 2
    assert 'data-testid="commitment-upload"' not in html
    assert client.post(URL, {}).status_code == 404
    upload = validate_upload(SimpleUploadedFile("x.pdf", pdf_bytes()))
    with pytest.raises(PermissionDenied):
        actions.upload_commitment(actor=world.provincial_admin, upload=upload, school=world.school_a)
    assert CommitmentLetter.objects.count() == 1
    assert client_for(world.secretary_cs).get(URL).status_code == 403
