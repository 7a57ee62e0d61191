"""A base and placements for document tests, made through the real actions."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from pypdf import PdfReader

from campusflow.bases.models import PracticeBase
from campusflow.bases.tests.helpers import make_base
from campusflow.core.testing import World
from campusflow.orgs.models import Student
from campusflow.practice import actions
from campusflow.practice.models import Placement

PERIOD: dict[str, Any] = {
    "start_date": date(2025, 7, 1),
    "end_date": date(2026, 6, 30),
    "onsite_start": date(2025, 7, 15),
    "onsite_end": date(2026, 5, 31),
}


def base_with_mentor(world: World) -> PracticeBase:
    return make_base(world, mentors=(world.mentors["a"],))


def place(world: World, student: Student, base: PracticeBase, actor: Any = None) -> Placement:
    data = actions.PlacementInput(
        student=student, base=base, mentor=world.mentors["a"], practice_type="dispatch", **PERIOD
    )
    return actions.create_placement(actor=actor or world.secretary_cs, data=data)


def pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def squeeze(text: str) -> str:
    """Text without whitespace: typst puts thin spaces between Chinese and Latin."""
    return "".join(text.split())


def embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """Every font the PDF uses → whether its program is embedded (/FontFile, /FontFile2 or /FontFile3)."""
    found: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources: Any = page["/Resources"].get_object()
        fonts = resources.get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descriptors = [font.get("/FontDescriptor")]
            for descendant in font.get("/DescendantFonts", []):
                descriptors.append(descendant.get_object().get("/FontDescriptor"))
            embedded = any(
                key in d.get_object()
                for d in descriptors
                if d is not None
                for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            found[str(font["/BaseFont"])] = embedded
    return found
