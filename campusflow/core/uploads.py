"""The one upload check of the whole project (S-06, X-07).

Every view, API endpoint and import that accepts a file passes it through
:func:`validate_upload` and stores only what comes back:

- at most ``settings.MAX_UPLOAD_BYTES`` (10 MB) a file;
- the type is decided by the content (magic bytes, cross-checked with
  ``puremagic``), never by the name or the browser's content type — a renamed
  HTML page is not a PDF;
- PDFs are parsed strictly with ``pypdf``; encrypted or damaged ones are refused;
- photos (JPEG/PNG) are decoded and re-encoded with Pillow, which drops EXIF,
  GPS and any other metadata, and refuses decompression bombs;
- spreadsheets (.xlsx, .ods) are checked for zip bombs before anyone parses them.

The result carries the safe bytes, a canonical extension and the original
name (for display only). Storage names are random; see :func:`random_name`.
"""

from __future__ import annotations

import io
import secrets
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath
from typing import Any

import puremagic
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from campusflow.core.errors import ActionError


class FileType(StrEnum):
    PDF = "pdf"
    JPEG = "jpg"
    PNG = "png"
    XLSX = "xlsx"
    XLS = "xls"
    ODS = "ods"


CONTENT_TYPES: dict[FileType, str] = {
    FileType.PDF: "application/pdf",
    FileType.JPEG: "image/jpeg",
    FileType.PNG: "image/png",
    FileType.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileType.XLS: "application/vnd.ms-excel",
    FileType.ODS: "application/vnd.oasis.opendocument.spreadsheet",
}
LABELS: dict[FileType, str] = {
    FileType.PDF: "PDF",
    FileType.JPEG: "JPG",
    FileType.PNG: "PNG",
    FileType.XLSX: "Excel (.xlsx)",
    FileType.XLS: "Excel (.xls)",
    FileType.ODS: "OpenDocument (.ods)",
}

DOCUMENTS = frozenset({FileType.PDF, FileType.JPEG, FileType.PNG})
PHOTOS = frozenset({FileType.JPEG, FileType.PNG})
SPREADSHEETS = frozenset({FileType.XLSX, FileType.XLS, FileType.ODS})

# Magic bytes at offset 0. An OLE2 container is accepted only as .xls.
_SIGNATURES: tuple[tuple[bytes, FileType], ...] = (
    (b"%PDF-", FileType.PDF),
    (b"\xff\xd8\xff", FileType.JPEG),
    (b"\x89PNG\r\n\x1a\n", FileType.PNG),
    (b"PK\x03\x04", FileType.XLSX),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", FileType.XLS),
)
# What puremagic may call each type (its guesses are a cross-check, not the decision).
_PUREMAGIC_NAMES: dict[FileType, frozenset[str]] = {
    FileType.PDF: frozenset({".pdf"}),
    FileType.JPEG: frozenset({".jpg", ".jpeg", ".jfif", ".jpe"}),
    FileType.PNG: frozenset({".png"}),
    FileType.XLSX: frozenset({".xlsx", ".zip", ".docx", ".pptx", ".jar", ".apk", ".odt", ".ods", ".epub"}),
    FileType.XLS: frozenset({".xls", ".doc", ".ppt", ".msi", ".msg", ".ole", ".pub", ".vsd"}),
    FileType.ODS: frozenset({".ods", ".zip", ".odt", ".odp", ".odg"}),
}
# An OpenDocument file is a zip whose first, stored member is "mimetype" naming the document kind.
_ODS_HEAD = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"

# Zip-bomb limits for spreadsheets: total uncompressed size and per-member ratio.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_MEMBERS = 10_000
# Photos larger than this are refused rather than decoded.
MAX_IMAGE_PIXELS = 50_000_000
JPEG_QUALITY = 90


@dataclass(frozen=True)
class ValidatedUpload:
    """A file that passed the checks: store ``content``, never the bytes that came in."""

    content: bytes
    file_type: FileType
    original_name: str

    @property
    def extension(self) -> str:
        return self.file_type.value

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.file_type]

    @property
    def size(self) -> int:
        return len(self.content)

    def as_file(self) -> ContentFile:
        return ContentFile(self.content, name=f"upload.{self.extension}")


def random_name(prefix: str, upload: ValidatedUpload) -> str:
    """A storage path that reveals nothing of the original name (S-06)."""
    return f"{prefix.strip('/')}/{secrets.token_hex(16)}.{upload.extension}"


def _refuse(message: str, field: str, code: str) -> ActionError:
    return ActionError(message, field=field, code=code)


def _read(file: Any, limit: int, field: str) -> bytes:
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise _refuse(_too_big(limit), field, "too_big")
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(limit + 1) if hasattr(file, "read") else bytes(file)
    if len(data) > limit:
        raise _refuse(_too_big(limit), field, "too_big")
    if not data:
        raise _refuse(_("文件是空的，请重新选择。"), field, "empty")
    return bytes(data)


def _too_big(limit: int) -> str:
    return _("文件不能超过 %(mb)s MB。") % {"mb": f"{limit / (1024 * 1024):g}"}


def _clean_name(name: str) -> str:
    base = PurePath(str(name).replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    return cleaned.strip()[:150] or "file"


def detect(data: bytes) -> FileType | None:
    """The type of ``data`` by its magic bytes, confirmed by puremagic; None if unknown."""
    found = next((kind for signature, kind in _SIGNATURES if data.startswith(signature)), None)
    if found is None:
        return None
    if found == FileType.XLSX and data[30 : 30 + len(_ODS_HEAD)] == _ODS_HEAD:
        found = FileType.ODS
    try:
        guesses = {match.extension.lower() for match in puremagic.magic_string(data[:8192])}
    except puremagic.PureError:
        guesses = set()
    if guesses and not guesses & _PUREMAGIC_NAMES[found]:
        return None
    return found


def _check_pdf(data: bytes, field: str) -> bytes:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if reader.is_encrypted:
            raise _refuse(_("PDF 文件已加密或设有密码，请上传未加密的文件。"), field, "pdf_encrypted")
        if len(reader.pages) < 1:
            raise _refuse(_("PDF 文件没有任何页面。"), field, "pdf_empty")
        for page in reader.pages:
            page.mediabox  # noqa: B018 - touching each page makes pypdf parse it
    except ActionError:
        raise
    except Exception:
        raise _refuse(_("PDF 文件已损坏或格式不正确，无法打开。"), field, "pdf_invalid") from None
    return data


def _reencode_image(data: bytes, kind: FileType, field: str) -> bytes:
    """Decode and re-encode, which keeps the pixels and drops every metadata block."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > MAX_IMAGE_PIXELS:
                    raise _refuse(_("图片尺寸过大，请压缩后再上传。"), field, "image_too_large")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image) or image
                out = io.BytesIO()
                if kind == FileType.JPEG:
                    clean = upright.convert("RGB")
                    clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
                else:
                    mode = upright.mode if upright.mode in {"1", "L", "LA", "P", "RGB", "RGBA"} else "RGBA"
                    clean = upright.convert(mode)
                    clean.info.clear()
                    clean.save(out, format="PNG", optimize=True)
    except ActionError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(_("图片尺寸过大，请压缩后再上传。"), field, "image_too_large") from None
    except Exception:
        raise _refuse(_("图片已损坏或格式不正确，无法打开。"), field, "image_invalid") from None
    return out.getvalue()


def _check_xlsx(data: bytes, field: str, *, ods: bool = False) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise _refuse(_("表格文件结构异常（压缩包内文件过多），已拒绝。"), field, "zip_bomb")
            total = 0
            for member in members:
                total += member.file_size
                ratio = member.file_size / max(member.compress_size, 1)
                if total > MAX_UNCOMPRESSED_BYTES or ratio > MAX_COMPRESSION_RATIO:
                    raise _refuse(_("表格文件解压后过大（疑似压缩炸弹），已拒绝。"), field, "zip_bomb")
            names = {member.filename for member in members}
            if ods:
                if "content.xml" not in names:
                    raise _refuse(_("文件不是有效的 OpenDocument (.ods) 表格。"), field, "ods_invalid")
            elif "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                raise _refuse(_("文件不是有效的 Excel (.xlsx) 表格。"), field, "xlsx_invalid")
    except ActionError:
        raise
    except zipfile.BadZipFile:
        raise _refuse(_("文件不是有效的 Excel (.xlsx) 表格。"), field, "xlsx_invalid") from None
    return data


def _allowed_text(allowed: Iterable[FileType]) -> str:
    return "、".join(LABELS[kind] for kind in sorted(allowed, key=lambda k: list(FileType).index(k)))


def validate_upload(
    file: Any,
    *,
    allowed: Iterable[FileType] = DOCUMENTS,
    max_bytes: int | None = None,
    field: str = "file",
) -> ValidatedUpload:
    """Check an uploaded file (an ``UploadedFile`` or bytes); raise ``ActionError`` in Chinese if it fails."""
    allowed = frozenset(allowed)
    if file is None:
        raise _refuse(_("请选择要上传的文件。"), field, "required")
    limit = max_bytes or settings.MAX_UPLOAD_BYTES
    data = _read(file, limit, field)
    kind = detect(data)
    if kind is None or kind not in allowed:
        raise _refuse(
            _("文件内容不是允许的类型（仅限 %(types)s），请检查后重新上传。") % {"types": _allowed_text(allowed)},
            field,
            "bad_type",
        )
    if kind == FileType.PDF:
        content = _check_pdf(data, field)
    elif kind in PHOTOS:
        content = _reencode_image(data, kind, field)
    elif kind in (FileType.XLSX, FileType.ODS):
        content = _check_xlsx(data, field, ods=kind == FileType.ODS)
    else:
        content = data
    return ValidatedUpload(content=content, file_type=kind, original_name=_clean_name(getattr(file, "name", "") or ""))
