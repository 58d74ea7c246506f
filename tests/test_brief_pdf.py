"""The briefs survive a real word processor: headless LibreOffice converts them to PDF.

Why: python-docx happily writes documents that Word or LibreOffice then refuse or mangle.
Converting each kind of brief (and one full of hostile text) catches that, and page 1 of
each is rendered to PNG in tests/output/ (git-ignored) so a person can look at the result.

Only one LibreOffice runs at a time (a file lock), each run with a throw-away profile, so
parallel test runs and a desktop LibreOffice do not get in each other's way.
"""

from __future__ import annotations

import fcntl
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import docx
import pytest
from brief_rounds import FACTS, ROUND_INFO, demo_round

from toolkit.briefs import write_round_briefs

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "tests" / "output" / "briefs"
FIXTURE = Path(__file__).parent / "fixtures" / "persona_set_example.json"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
LOCK = Path(tempfile.gettempdir()) / "persona-toolkit-soffice.lock"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        SOFFICE is None,
        reason="LibreOffice (soffice) is not installed: "
        "run `make system-deps` (Debian package libreoffice-writer-nogui)",
    ),
]


def convert_to_pdf(files: list[Path], out_dir: Path, profile: Path) -> subprocess.CompletedProcess:
    """One soffice call for all files, under a lock: LibreOffice allows one instance per profile
    and behaves best with one instance at all."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return subprocess.run(
                [
                    SOFFICE,
                    f"-env:UserInstallation={profile.resolve().as_uri()}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(out_dir),
                    *map(str, files),
                ],
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    from toolkit.core.questionnaire import get_questionnaire

    q = get_questionnaire("default")
    base = tmp_path_factory.mktemp("pdf")
    persona_set = json.loads(FIXTURE.read_text("utf-8"))
    info = {
        "id": 7,
        "title": "Nieuw planningssysteem 2025",
        "questionnaire_title": q.title,
        "opens_at": "2025-03-03",
        "closes_at": "2025-03-21",
        "invited": 260,
        "responses": 192,
        "min_group": 5,
        "review_due": "2025-09-15",
        "organisation": "Gemeente Voorbeeld",
    }
    paths = write_round_briefs(persona_set, info, q, base / "docx")

    hostile = json.loads(FIXTURE.read_text("utf-8"))
    sanne = hostile["personas"][0]
    sanne["name"] = "Zoë <script> & Co 🚀\x07"
    sanne["label"] = {"nl": "Label & <b>\x01", "en": "Label & <b>\x01"}
    sanne["description"]["quotes"] = [
        "سارة تقول: نحتاج إلى وقت أطول",
        "שרה אומרת: צריך יותר זמן\x0b",
        "emoji 😀👍🏽 & <tag>",
    ]
    hostile_paths = write_round_briefs(
        hostile, dict(info, title="Q3 <script> & 🚀\x0c"), q, base / "hostile", langs=("en",)
    )
    hostile_comm = next(p for p in hostile_paths if p.name.startswith("communication-p1"))

    # one of each kind per language, plus the hostile communication brief
    chosen = [
        p for p in paths if p.name.startswith(("overview-", "communication-p1-", "training-p1-"))
    ]
    chosen.append(hostile_comm)
    # the demo round with its change facts: a persona card, the overview, a training brief
    demo = write_round_briefs(
        demo_round(), dict(ROUND_INFO, change_facts=FACTS), q, base / "demo", langs=("nl",)
    )
    for path in demo:  # LibreOffice names a PDF after its file: keep them apart from the above
        if path.name.startswith(("overview-", "communication-p4-", "training-p2-")):
            chosen.append(path.rename(path.with_name(f"demo-{path.name}")))
    result = convert_to_pdf(chosen, base / "pdf", base / "lo-profile")
    return chosen, base / "pdf", result


def test_libreoffice_converts_every_kind_of_brief_without_errors(converted):
    chosen, pdf_dir, result = converted
    assert result.returncode == 0, (
        f"soffice failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    )
    assert "Error" not in result.stderr and "error" not in result.stdout.lower(), result.stderr
    assert len(chosen) == 10
    for docx_path in chosen:
        pdf = pdf_dir / (docx_path.stem + ".pdf")
        assert pdf.exists(), f"no PDF for {docx_path.name}:\n{result.stdout}\n{result.stderr}"
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-") and len(data) > 20_000, docx_path.name


@pytest.mark.skipif(
    shutil.which("pdfinfo") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils (pdfinfo, pdftotext) not installed: run `make system-deps`",
)
def test_pdfs_have_several_pages_with_header_and_persona(converted):
    chosen, pdf_dir, _ = converted
    for docx_path in chosen:
        pdf = pdf_dir / (docx_path.stem + ".pdf")
        info = subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
        ).stdout
        pages = int(
            next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))
        )
        assert pages >= 3, (pdf.name, pages)
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert ("VERTROUWELIJK" if docx_path.name.endswith("-nl.docx") else "CONFIDENTIAL") in text
        if "hostile" in str(docx_path):
            assert "Zoë <script> & Co" in text and "Q3 <script> &" in text
        elif "demo" in str(docx_path):
            assert any(p["name"] in text for p in demo_round()["personas"])
        elif "p1" in docx_path.name:
            assert "Sanne" in text
        else:
            assert "Sanne" in text and "David" in text
        # page numbers are real fields, filled in by the word processor
        assert f"of {pages}" in text or f"van {pages}" in text, pdf.name


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftoppm) not installed: run `make system-deps`",
)
def test_page_one_of_each_kind_is_rendered_for_a_person_to_look_at(converted):
    chosen, pdf_dir, _ = converted
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for docx_path in chosen:
        pdf = pdf_dir / (docx_path.stem + ".pdf")
        prefix = OUTPUT / (
            ("hostile-" if "hostile" in str(docx_path) else "") + docx_path.stem + "-page"
        )
        for page in (1, 2):  # the cover, and the first page of content
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "60",
                    "-f",
                    str(page),
                    "-l",
                    str(page),
                    "-singlefile",
                    str(pdf),
                    f"{prefix}{page}",
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
            png = Path(f"{prefix}{page}.png")
            assert png.exists() and png.read_bytes().startswith(b"\x89PNG"), png


# --- page breaks a reader notices --------------------------------------------------------------------

FOOTER = re.compile(r"(Page|Pagina) \d+ (of|van) \d+$")


def page_texts(pdf: Path) -> list[str]:
    """The text of every page, laid out as printed (pdftotext -layout, one call per page)."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(i), "-l", str(i), str(pdf), "-"],
            capture_output=True, text=True, check=True,
        ).stdout
        for i in range(1, pages + 1)
    ]


def body_lines(page: str) -> list[str]:
    """The page's non-empty lines without the running footer, whitespace collapsed."""
    lines = [" ".join(line.split()) for line in page.splitlines()]
    lines = [line for line in lines if line]
    return lines[:-1] if lines and FOOTER.search(lines[-1]) else lines


def headings(docx_path: Path) -> list[str]:
    """The text of every heading in the document, whitespace collapsed."""
    doc = docx.Document(str(docx_path))
    return [
        " ".join(p.text.split())
        for p in doc.paragraphs
        if p.style is not None and p.style.name.startswith("Heading") and p.text.strip()
    ]


def orphan_headings(docx_path: Path, pdf: Path) -> list[tuple[int, str]]:
    """(page, heading) for every heading printed as the last line of a page (a heading that
    wraps counts when its last line ends the page)."""
    found = []
    texts = page_texts(pdf)
    titles = headings(docx_path)
    for number, page in enumerate(texts[:-1], start=1):
        lines = body_lines(page)
        if not lines:
            continue
        last, tail = lines[-1], " ".join(lines[-2:])
        for title in titles:
            if last == title or (tail.endswith(title) and title.endswith(last)):
                found.append((number, title))
                break
    return found


@pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
    reason="poppler-utils (pdftotext, pdfinfo) not installed: run `make system-deps`",
)
def test_no_heading_ends_a_page_and_no_reason_starts_one(converted):
    chosen, pdf_dir, _ = converted
    for docx_path in chosen:
        pdf = pdf_dir / (docx_path.stem + ".pdf")
        assert orphan_headings(docx_path, pdf) == [], docx_path.name
        for number, page in enumerate(page_texts(pdf), start=1):
            lines = body_lines(page)
            # line 0 is the running header; an advice's "because" never opens a page alone
            assert not (len(lines) > 1 and re.match(r"(because|omdat) ", lines[1])), (docx_path.name, number)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed")
def test_card_overview_and_training_brief_are_rendered_for_review(converted):
    """Saved under tests/output/briefs/: the persona card (page 1), the overview's first three
    pages and the training brief's first two, at a resolution a person can read."""
    chosen, pdf_dir, _ = converted
    wanted = {"demo-communication-p4-": (1,), "demo-overview-nl": (1, 2, 3), "demo-training-p2-": (1, 2)}
    OUTPUT.mkdir(parents=True, exist_ok=True)
    written = []
    for docx_path in (p for p in chosen if "demo" in str(p)):
        pages = next(v for k, v in wanted.items() if docx_path.name.startswith(k))
        pdf = pdf_dir / (docx_path.stem + ".pdf")
        for page in pages:
            target = OUTPUT / f"{docx_path.stem}-page{page}"
            subprocess.run(
                ["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile",
                 str(pdf), str(target)],
                check=True, capture_output=True, timeout=120,
            )
            written.append(Path(f"{target}.png"))
    assert len(written) == 6
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in written)
    disengaged = next(p for p in demo_round()["personas"] if p["key"] == "p4")["name"]
    card_pdf = next(pdf_dir.glob("demo-communication-p4-*-nl.pdf"))
    card = page_texts(card_pdf)[0]
    assert disengaged in card and "Kernzin" in card and "Niet doen" in card  # the card fits page 1
