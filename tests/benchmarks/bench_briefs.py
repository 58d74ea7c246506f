"""Benchmark the Word briefs.  Run: python tests/benchmarks/bench_briefs.py

0. The goal of issue 23, and the exit code: the 18 documents of the demo round (an overview,
   and a communication and a training brief for each of its 4 personas, in Dutch and English)
   written by the toolkit, against the same content written with plain python-docx (its
   default template, the same paragraphs, tables and pictures in the same order) with every
   distinct picture drawn once with plain matplotlib. Both sides draw their 10 pictures inside
   the timing and save the files to disk. Goal: toolkit / plain at most 2.0, in CPU seconds of
   the process (median of 5); exit 1 when missed. Printed beside it, for information: the
   plain side with its pictures handed to it (not drawn), i.e. the document work alone.
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


# --- the 18 documents of the demo round: toolkit against plain python-docx --------------------

RATIO_GOAL = 2.0


def demo_documents() -> tuple[dict, dict, object]:
    """The demo round's persona set (as the brief tests build it), its round info with the
    change facts HR entered, and the default questionnaire: 4 personas, so 18 documents."""
    sys.path.insert(0, str(ROOT / "tests"))
    from brief_rounds import FACTS, ROUND_INFO, demo_round

    from toolkit.core.questionnaire import get_questionnaire

    return demo_round(), dict(ROUND_INFO, change_facts=FACTS), get_questionnaire("default")


def body_blocks(path: Path) -> tuple[list[tuple], list[str]]:
    """A written brief as plain content, in body order: ("p", text), ("t", rows of cells, each
    cell a list of paragraph texts) and ("img", picture name); and its header texts."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    doc = docx.Document(str(path))
    blocks: list[tuple] = []
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, doc)
            if child.findall(".//" + _W + "drawing"):
                blocks.append(("img", picture_name(path.name)))
            blocks.append(("p", paragraph.text))
        elif tag == "tbl":
            rows = [
                [[p.text for p in cell.paragraphs] for cell in row.cells]
                for row in Table(child, doc).rows
            ]
            blocks.append(("t", rows))
    headers = [p.text for p in doc.sections[0].header.paragraphs if p.text]
    return blocks, headers


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def picture_name(file_name: str) -> str:
    """Which picture a brief carries: "overview-nl" or "<persona key>-<lang>" (the
    communication and training brief of a persona show the same profile chart)."""
    stem = file_name.removesuffix(".docx")
    if stem.startswith("overview-"):
        return stem
    parts = stem.split("-")
    return f"{parts[1]}-{parts[-1]}"


def plain_profile_png(persona: dict, overall: dict, q, lang: str) -> bytes:
    """The profile picture drawn with plain matplotlib: organisation bars, persona dots, the
    construct names as labels, a legend; same size and resolution as the toolkit's chart."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from toolkit.core.guidance import construct_name

    ids = list(persona["profile"])
    org = [overall["profile"][c]["mean"] for c in ids]
    mean = [persona["profile"][c]["mean"] for c in ids]
    fig = Figure(figsize=(6.4, 0.34 * len(ids) + 1.1), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.barh(range(len(ids)), [o - 1 for o in org], left=1, height=0.55, label="Organisation")
    ax.scatter(mean, range(len(ids)), label=persona["name"])
    ax.set_yticks(range(len(ids)), [construct_name(q, c, lang) for c in ids])
    ax.set_xlim(1, 5)
    ax.legend()
    fig.subplots_adjust(left=0.35)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def plain_overview_png(persona_set: dict, q, lang: str) -> bytes:
    """The heat map of differences drawn with plain matplotlib, a value in every cell."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from toolkit.core.guidance import construct_name

    personas = [p for p in persona_set["personas"] if p.get("presented")]
    ids = list(persona_set["dimensions"])
    data = [[p["profile"][c]["diff"] for p in personas] for c in ids]
    fig = Figure(figsize=(6.4, 0.34 * len(ids) + 0.8), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.imshow(data, cmap="RdBu", vmin=-1.5, vmax=1.5, aspect="auto")
    ax.set_yticks(range(len(ids)), [construct_name(q, c, lang) for c in ids])
    ax.set_xticks(range(len(personas)), [p["name"] for p in personas])
    for i, row in enumerate(data):
        for j, value in enumerate(row):
            ax.text(j, i, f"{value:+.1f}", ha="center", va="center", fontsize=7.5)
    fig.subplots_adjust(left=0.35)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def plain_pictures(persona_set: dict, q) -> dict[str, bytes]:
    """Every distinct picture of the 18 documents, each drawn once: per language the heat map
    and one profile chart per shown persona."""
    pictures = {}
    for lang in ("nl", "en"):
        pictures[f"overview-{lang}"] = plain_overview_png(persona_set, q, lang)
        for p in persona_set["personas"]:
            if p.get("presented"):
                pictures[f"{p['key']}-{lang}"] = plain_profile_png(
                    p, persona_set["overall"], q, lang
                )
    return pictures


def plain_document(
    blocks: list[tuple], headers: list[str], pictures: dict[str, bytes], path: Path
) -> None:
    """One brief's content written with bare python-docx (its default template and styles)."""
    import docx
    from docx.shared import Cm

    doc = docx.Document()
    for text in headers:
        doc.sections[0].header.add_paragraph(text)
    for kind, value in blocks:
        if kind == "p":
            doc.add_paragraph(value)
        elif kind == "img":
            doc.add_picture(io.BytesIO(pictures[value]), width=Cm(16))
        else:
            table = doc.add_table(rows=len(value), cols=len(value[0]))
            for row, texts in zip(table.rows, value, strict=True):
                for cell, paragraphs in zip(row.cells, texts, strict=True):
                    cell.text = paragraphs[0] if paragraphs else ""
                    for more in paragraphs[1:]:
                        cell.add_paragraph(more)
    doc.save(str(path))


def eighteen_documents() -> bool:
    """Time the demo round's 18 briefs written by the toolkit (charts drawn inside the timing)
    and the same content written with plain python-docx and matplotlib; print the ratio.
    Returns whether the ratio is within RATIO_GOAL."""
    from toolkit.briefs import charts, write_round_briefs

    persona_set, info, q = demo_documents()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)

        def toolkit() -> list[Path]:
            charts.clear_cache()
            return write_round_briefs(persona_set, info, q, tmp / "toolkit")

        written = toolkit()  # warm-up: imports, template, catalogue, font cache
        content = {p.name: body_blocks(p) for p in written}

        def plain() -> None:
            pictures = plain_pictures(persona_set, q)
            for name, (blocks, headers) in content.items():
                plain_document(blocks, headers, pictures, tmp / f"plain-{name}")

        plain()  # warm-up
        given = plain_pictures(persona_set, q)

        def plain_given_pictures() -> None:
            for name, (blocks, headers) in content.items():
                plain_document(blocks, headers, given, tmp / f"plain-{name}")

        repeat = 5
        ours, theirs = cpu_and_wall(toolkit, repeat), cpu_and_wall(plain, repeat)
        no_drawing = cpu_and_wall(plain_given_pictures, repeat)
    placed = [b[1] for blocks, _ in content.values() for b in blocks if b[0] == "img"]
    print(
        f"the demo round's briefs, nl + en: {len(written)} files with {len(placed)} pictures, "
        f"{len(set(placed))} different ones, each drawn once on both sides"
    )
    print(f"  toolkit (charts drawn inside) : {ours[0]:6.2f} s CPU   {ours[1]:6.2f} s wall")
    print(f"  plain python-docx + matplotlib: {theirs[0]:6.2f} s CPU   {theirs[1]:6.2f} s wall")
    print(
        f"  plain, pictures not drawn     : {no_drawing[0]:6.2f} s CPU   {no_drawing[1]:6.2f} s wall "
        f"(documents only: toolkit / this {ours[0] / no_drawing[0]:.2f}x, for information)"
    )
    ratio = ours[0] / theirs[0]
    print(
        f"  ratio toolkit / plain (CPU)   : {ratio:5.2f}x   (goal <= {RATIO_GOAL}x); "
        f"wall {ours[1] / theirs[1]:.2f}x"
    )
    return ratio <= RATIO_GOAL


def cpu_and_wall(fn, repeat: int) -> tuple[float, float]:
    """Median CPU seconds of this process and median wall seconds of ``repeat`` calls of ``fn``.
    CPU time is the verdict: on a shared machine wall time measures the neighbours too."""
    cpu, wall = [], []
    for _ in range(repeat):
        c, w = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return statistics.median(cpu), statistics.median(wall)


def main() -> int:
    ok = eighteen_documents()
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
        charts.clear_cache()
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
            charts.clear_cache()
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
    print("OK" if ok else "GOAL MISSED: the 18 documents take more than twice plain python-docx")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
