"""typst → PDF (X-03): one shared ``typst.Compiler`` per process, data passed as JSON.

Templates are ``.typ`` files under ``documents/typst/`` (or the directory named
by the ``DOCUMENTS_TYPST_DIR`` setting). They read their data with
``#let data = json(bytes(sys.inputs.data))`` and show values as *content*, so
whatever a person typed (``#sys.exit()``, ``*bold*``, ``$``) is typeset
literally: user text never becomes template source.

Fonts come only from Debian ``fonts-noto-cjk`` (Noto Serif/Sans CJK SC);
system fonts are ignored so every server typesets the same PDF, and typst
embeds a subset of each font used.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import typst
from django.conf import settings

TEMPLATE_DIR = Path(__file__).resolve().parent / "typst"
FONT_DIR = Path("/usr/share/fonts/opentype/noto")

_lock = threading.Lock()
_compiler: typst.Compiler | None = None


class RenderError(Exception):
    """A template failed to compile (a bug in the template, never in the data)."""


def template_dir() -> Path:
    return Path(getattr(settings, "DOCUMENTS_TYPST_DIR", TEMPLATE_DIR))


def font_paths() -> list[str]:
    return [str(getattr(settings, "DOCUMENTS_FONT_DIR", FONT_DIR))]


def compiler() -> typst.Compiler:
    """The process's one compiler: fonts are loaded once, later documents take milliseconds."""
    global _compiler
    if _compiler is None:
        with _lock:
            if _compiler is None:
                _compiler = typst.Compiler(root=str(template_dir()), font_paths=font_paths(), ignore_system_fonts=True)
    return _compiler


def render(template: str, data: dict[str, Any]) -> bytes:
    """Compile ``template`` (a file name under the template directory) with ``data`` to PDF bytes."""
    path = (template_dir() / template).resolve()
    if path.parent != template_dir().resolve() or path.suffix != ".typ" or not path.is_file():
        raise RenderError(f"unknown template {template!r}")
    payload = json.dumps(data, ensure_ascii=False, default=str)
    shared = compiler()
    # The compiler keeps per-compile state (inputs, file cache): one document at a time.
    with _lock:
        try:
            result = shared.compile(input=str(path), sys_inputs={"data": payload}, format="pdf")
        except typst.TypstError as error:
            raise RenderError(getattr(error, "diagnostic", "") or str(error)) from error
    if not isinstance(result, bytes):  # pragma: no cover - a single PDF is always bytes
        raise RenderError("typst returned no PDF")
    return result
