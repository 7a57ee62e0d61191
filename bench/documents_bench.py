"""Render 200 校企合作协议 PDFs with the one shared typst compiler and print ms per document.

    .venv/bin/python bench/documents_bench.py [count]

Needs no database: the bases are unsaved model instances. Prints the cold first
render (font loading), the warm average through ``documents.renderer.render``
and, as the floor, the raw ``typst.Compiler.compile`` call with the same data.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campusflow.settings")

import django

django.setup()

from campusflow.bases.models import PracticeBase  # noqa: E402
from campusflow.documents import renderer  # noqa: E402
from campusflow.documents.data import Disclosure  # noqa: E402
from campusflow.documents.kinds import KINDS  # noqa: E402
from campusflow.orgs.models import OrgUnit  # noqa: E402


def bases(count: int) -> list[PracticeBase]:
    school = OrgUnit(pk=1, name="华北理工大学", kind="school", contact_name="刘老师", contact_phone="010-12345678")
    college = OrgUnit(pk=2, name="计算机学院", kind="department")
    return [
        PracticeBase(
            pk=i + 1,
            school=school,
            responsible_college=college,
            code=f"B{i:05d}",
            name=f"中原油田勘探开发研究院第{i}分院",
            unit_type=PracticeBase.UnitType.STATE_OWNED,
            address="河南省濮阳市华龙区中原路277号",
            leader_name="李建国",
            leader_phone="13900001111",
            contact_name="赵敏",
            contact_phone="13900002222",
            school_contact_name="詹健",
            school_contact_phone="13900003333",
        )
        for i in range(count)
    ]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    kind = KINDS["agreement"]
    items = bases(count)
    disclosure = Disclosure(None)
    payloads = [kind.build(base, disclosure) for base in items]

    started = time.perf_counter()
    first = renderer.render(kind.template, payloads[0])
    cold_ms = (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    sizes = [len(renderer.render(kind.template, payload)) for payload in payloads]
    warm_ms = (time.perf_counter() - started) * 1000 / count

    compiler = renderer.compiler()
    path = str(renderer.template_dir() / kind.template)
    texts = [json.dumps(payload, ensure_ascii=False) for payload in payloads]
    started = time.perf_counter()
    for text in texts:
        compiler.compile(input=path, sys_inputs={"data": text}, format="pdf")
    floor_ms = (time.perf_counter() - started) * 1000 / count

    print(f"{count} agreements, {len(first) // 1024} KB each (avg {sum(sizes) // count // 1024} KB)")
    print(f"cold first render: {cold_ms:.1f} ms")
    print(f"warm render():     {warm_ms:.2f} ms/document")
    print(f"floor compile():   {floor_ms:.2f} ms/document (ratio {warm_ms / floor_ms:.2f})")


if __name__ == "__main__":
    main()
