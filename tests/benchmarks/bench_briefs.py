"""Benchmark the Word briefs.  Run: python tests/benchmarks/bench_briefs.py

1. One communication brief against raw python-docx writing a document of the same size (the
   same paragraphs with the same text, the same tables, the same picture). The difference is
   what the toolkit adds: opening the styled template, rule evaluation, privacy checks, text
   cleaning, styles. Goal: at most 2x. Measured warm (the persona's chart is already
   rendered, as when the training brief follows the communication brief) and cold (chart
   rendered inside the timing).
2. All briefs of a 6-persona round in both languages (2 overviews + 24 persona briefs),
   written to disk. Goal: under 5 seconds.
"""

from __future__ import annotations

import copy
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

FIXTURE = ROOT / "tests" / "fixtures" / "persona_set_example.json"
NAMES = ["Sanne", "David", "Noor", "Bram", "Eline", "Mehmet"]


def round_info() -> dict:
    return {
        "id": 1,
        "title": "Benchmark round",
        "questionnaire_title": "Change and motivation",
        "opens_at": "2025-03-03",
        "closes_at": "2025-03-21",
        "invited": 600,
        "responses": 480,
        "min_group": 5,
        "review_due": "2025-09-15",
        "organisation": "Benchmark BV",
    }


def six_persona_set() -> dict:
    """The example set grown to six presented personas with distinct profiles."""
    base = json.loads(FIXTURE.read_text("utf-8"))
    templates = base["personas"][:2]
    personas = []
    for i, name in enumerate(NAMES):
        p = copy.deepcopy(templates[i % 2])
        p["key"], p["name"], p["presented"], p["stability_band"] = f"p{i + 1}", name, True, "stable"
        p["size"] = 60 + 7 * i
        shift = (i - 2.5) / 10
        for cid, entry in p["profile"].items():
            entry["mean"] = round(entry["mean"] + shift * (1 if i % 2 else -1), 2)
            entry["diff"] = round(entry["mean"] - base["overall"]["profile"][cid]["mean"], 2)
            entry["n"] = p["size"]
        personas.append(p)
    base["personas"] = personas
    base["n_used"] = sum(p["size"] for p in personas)
    return base


def document_shape(doc) -> dict:
    """What a document is made of: body paragraphs (text, style), tables (cell texts), pictures."""
    return {
        "paragraphs": [p.text for p in doc.paragraphs],
        "tables": [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables],
        "pictures": len(doc.inline_shapes),
    }


def raw_docx(shape: dict, png: bytes) -> bytes:
    """The same content written with plain python-docx: no template, no styles, no checks."""
    import docx
    from docx.shared import Cm

    doc = docx.Document()
    tables = iter(shape["tables"])
    picture_left = shape["pictures"]
    # interleave roughly like the brief: a table after every few paragraphs
    every = max(1, len(shape["paragraphs"]) // max(1, len(shape["tables"]) + 1))
    for i, text in enumerate(shape["paragraphs"]):
        doc.add_paragraph(text)
        if i % every == every - 1:
            rows = next(tables, None)
            if rows:
                table = doc.add_table(rows=len(rows), cols=len(rows[0]))
                for r, values in enumerate(rows):
                    cells = table.rows[r].cells
                    for c, value in enumerate(values):
                        cells[c].text = value
        if picture_left and i == 10:
            doc.add_picture(io.BytesIO(png), width=Cm(16))
            picture_left -= 1
    for rows in tables:
        table = doc.add_table(rows=len(rows), cols=len(rows[0]))
        for r, values in enumerate(rows):
            cells = table.rows[r].cells
            for c, value in enumerate(values):
                cells[c].text = value
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    t0 = time.perf_counter()
    from toolkit.briefs import charts, communication_brief, write_round_briefs
    from toolkit.core.guidance import default_guidance
    from toolkit.core.questionnaire import get_questionnaire

    q = get_questionnaire("default")
    rules = default_guidance()
    persona_set = six_persona_set()
    info = round_info()
    persona = persona_set["personas"][0]

    def brief_bytes() -> bytes:
        out = io.BytesIO()
        communication_brief(persona_set, persona, info, q, "en", rules).save(out)
        return out.getvalue()

    first = brief_bytes()  # warm-up: imports matplotlib, reads the template and the rules
    startup = time.perf_counter() - t0
    import docx

    doc = docx.Document(io.BytesIO(first))
    shape = document_shape(doc)
    png = charts.profile_chart(persona, persona_set["overall"], q, "en")
    raw_docx(shape, png)  # warm-up

    repeat = 15
    brief_warm = timed(brief_bytes, repeat)

    def brief_cold() -> bytes:
        charts._cache.clear()
        return brief_bytes()

    brief_cold_s = timed(brief_cold, repeat)
    raw = timed(lambda: raw_docx(shape, png), repeat)
    n_cells = sum(len(rows) * len(rows[0]) for rows in shape["tables"])
    print(
        f"one communication brief: {len(shape['paragraphs'])} paragraphs, {len(shape['tables'])} tables "
        f"({n_cells} cells), {shape['pictures']} picture, {len(first) // 1024} KiB"
    )
    print(f"  toolkit brief, chart cached : {brief_warm * 1000:7.1f} ms")
    print(f"  toolkit brief, chart drawn  : {brief_cold_s * 1000:7.1f} ms")
    print(f"  raw python-docx, same size  : {raw * 1000:7.1f} ms")
    print(f"  ratio (chart cached)        : {brief_warm / raw:5.2f}x   (goal <= 2x)")
    print(f"  ratio (chart drawn)         : {brief_cold_s / raw:5.2f}x")

    def whole_round() -> tuple[float, int, int]:
        with tempfile.TemporaryDirectory() as tmp:
            charts._cache.clear()
            start = time.perf_counter()
            paths = write_round_briefs(
                persona_set, info, q, Path(tmp), langs=("nl", "en"), rules=rules
            )
            elapsed = time.perf_counter() - start
            return elapsed, len(paths), sum(p.stat().st_size for p in paths)

    runs = [whole_round() for _ in range(3)]
    times = sorted(r[0] for r in runs)
    _, files, size = runs[0]
    print(
        f"6-persona round, nl + en: {files} files, {size // 1024} KiB; charts drawn inside the timing"
    )
    print(f"  best of 3: {times[0]:.2f} s   median: {times[1]:.2f} s   (goal < 5 s)")
    print(f"  first brief of the process incl. imports: {startup:.2f} s")
    if hasattr(os, "getloadavg"):
        print(
            f"  machine load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
    ok = brief_warm / raw <= 2.0 and times[0] < 5.0
    print("OK" if ok else "GOAL MISSED")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
