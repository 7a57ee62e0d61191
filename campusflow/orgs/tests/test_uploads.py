import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from campusflow.core.errors import ActionError
from campusflow.core.uploads import DOCUMENTS, SPREADSHEETS, FileType, random_name, validate_upload


def pdf_bytes(encrypt=False):
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    if encrypt:
        writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes():
    out = io.BytesIO()
    image = Image.new("RGBA", (10, 10), (0, 0, 255, 128))
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 39.9,116.4")
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def xlsx_bytes(payload=b"<x/>", compress=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compress) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", payload)
    return out.getvalue()


@pytest.mark.spec("S-06", "X-07")
def test_pdf_passes_unchanged_with_its_name():
    data = pdf_bytes()
    upload = validate_upload(SimpleUploadedFile("../../etc/承诺书.pdf", data))
    assert upload.file_type == FileType.PDF and upload.content == data
    assert upload.original_name == "承诺书.pdf" and upload.content_type == "application/pdf"


@pytest.mark.spec("S-06")
def test_encrypted_pdf_is_refused():
    with pytest.raises(ActionError, match="加密"):
        validate_upload(SimpleUploadedFile("a.pdf", pdf_bytes(encrypt=True)))


@pytest.mark.spec("S-06")
@pytest.mark.parametrize(
    "content",
    [
        b"<html><body>hi</body></html>",
        b"MZ\x90\x00 windows executable",
        b"GIF89a......",
        b"\x00\x00\x00\x00",
    ],
)
def test_content_decides_the_type(content):
    with pytest.raises(ActionError, match="文件内容不是允许的类型"):
        validate_upload(SimpleUploadedFile("letter.pdf", content))


@pytest.mark.spec("S-06")
def test_png_metadata_is_dropped():
    upload = validate_upload(SimpleUploadedFile("scan.png", png_bytes()))
    assert upload.extension == "png"
    assert b"GPS 39.9" not in upload.content
    assert Image.open(io.BytesIO(upload.content)).size == (10, 10)


@pytest.mark.spec("S-06")
def test_truncated_image_is_refused():
    data = png_bytes()[:40]
    with pytest.raises(ActionError, match="图片已损坏"):
        validate_upload(SimpleUploadedFile("scan.png", data))


@pytest.mark.spec("S-06")
def test_size_limit_and_empty_file(settings):
    settings.MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ActionError, match="不能超过"):
        validate_upload(SimpleUploadedFile("a.pdf", b"%PDF-" + b"0" * 2000))
    with pytest.raises(ActionError, match="空"):
        validate_upload(SimpleUploadedFile("a.pdf", b""))


@pytest.mark.spec("S-06")
def test_spreadsheet_must_be_allowed_explicitly():
    data = xlsx_bytes()
    with pytest.raises(ActionError):
        validate_upload(SimpleUploadedFile("a.xlsx", data), allowed=DOCUMENTS)
    assert validate_upload(SimpleUploadedFile("a.xlsx", data), allowed=SPREADSHEETS).extension == "xlsx"


@pytest.mark.spec("S-06", "X-01")
def test_zip_bomb_spreadsheet_is_refused():
    bomb = xlsx_bytes(payload=b"0" * (5 * 1024 * 1024))
    assert len(bomb) < 100_000
    with pytest.raises(ActionError, match="压缩炸弹"):
        validate_upload(SimpleUploadedFile("a.xlsx", bomb), allowed=SPREADSHEETS)


@pytest.mark.spec("S-06")
def test_plain_zip_is_not_a_spreadsheet():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ActionError, match="不是有效的 Excel"):
        validate_upload(SimpleUploadedFile("a.xlsx", out.getvalue()), allowed=SPREADSHEETS)


@pytest.mark.spec("S-06")
def test_random_storage_names():
    upload = validate_upload(SimpleUploadedFile("我的文件.pdf", pdf_bytes()))
    first, second = random_name("letters/2026", upload), random_name("letters/2026", upload)
    assert first != second and first.startswith("letters/2026/") and first.endswith(".pdf")
    assert "我的文件" not in first
