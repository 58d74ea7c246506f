"""Workbooks made to hurt: zip bombs, billion laughs, XXE, a sheet claiming to be endless.

Each is refused within a second with a message that says what is wrong, and the web worker
that receives it (measured in its own process: resident memory before, peak after) grows by
less than 50 MB. Before, a 616 KB zip bomb or a 4.7 KB workbook grew a worker by about
125 MB/s until the worker timeout, and the XML attacks gave a 500.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from workbooks import BILLION_LAUGHS, MAIN, XXE, sheet_xml, simple_workbook, workbook, zip_bomb

from toolkit.core.intake import ImportProblem, read_table

ROOT = Path(__file__).resolve().parent.parent
LAUGHING_SHEET = BILLION_LAUGHS.replace(f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>',
                                        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
                                        '<is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
REFERS_TO_SHARED = (f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
                    '</sheetData></worksheet>')


def sheet_rows_megabyte() -> bytes:
    """About 1 MB of ordinary sheet XML (rows of answers 1-5), which deflate packs some 24 times."""
    import random

    pick, rows, size = random.Random(19), [], 0
    while size < 1 << 20:
        row = "<row>" + "".join(f"<c><v>{pick.randint(1, 5)}</v></c>" for _ in range(10)) + "</row>"
        rows.append(row)
        size += len(row)
    return "".join(rows).encode()


def hostile_files() -> dict[str, tuple[bytes, str]]:
    """name -> (bytes, a fragment the refusal must contain)."""
    endless = sheet_xml([["email"]]).replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    return {
        "zip-bomb.xlsx": (zip_bomb(600), "part xl/worksheets/sheet1.xml of the workbook is compressed"),
        "large-part.xlsx": (zip_bomb(101, sheet_rows_megabyte()),
                            "part xl/worksheets/sheet1.xml of the workbook unpacks to 101 MB; the limit is 100 MB"),
        "billion-laughs-shared-strings.xlsx": (workbook({"Sheet1": REFERS_TO_SHARED}, shared_strings=BILLION_LAUGHS),
                                               "part xl/sharedStrings.xml of the workbook declares a document type"),
        "billion-laughs-sheet.xlsx": (workbook({"Sheet1": LAUGHING_SHEET}),
                                      "part xl/worksheets/sheet1.xml of the workbook declares a document type"),
        "xxe.xlsx": (workbook({"Sheet1": XXE}), "as the 'billion laughs' and XXE attacks do"),
        "endless-column.xlsx": (workbook({"Sheet1": endless}),
                                "row 1048576 has a value in column 16384; the limit is 1000 columns"),
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("hostile")
    files = {}
    for name, (data, fragment) in hostile_files().items():
        (folder / name).write_bytes(data)
        files[name] = (folder / name, fragment)
    return files


@pytest.mark.parametrize("name", ["zip-bomb.xlsx", "large-part.xlsx", "billion-laughs-shared-strings.xlsx",
                                  "billion-laughs-sheet.xlsx", "xxe.xlsx", "endless-column.xlsx"])
def test_hostile_workbook_is_refused_at_once_with_a_clear_message(hostile, name):
    path, fragment = hostile[name]
    started = time.perf_counter()
    with pytest.raises(ImportProblem) as caught:
        read_table(path.read_bytes(), name)
    assert time.perf_counter() - started < 1.0
    assert len(caught.value.problems) == 1 and fragment in caught.value.problems[0], caught.value.problems
    assert "root:" not in str(caught.value)  # nothing of /etc/passwd was read


def test_a_sheet_claiming_the_whole_grid_reads_only_its_cells():
    """The 4.7 KB workbook of the issue: <dimension> says A1:XFD1048576, the data is 3 cells."""
    data = simple_workbook([["email", "name"], ["a@example.org", "Anna"]], dimension="A1:XFD1048576")
    started = time.perf_counter()
    table = read_table(data, "claims-everything.xlsx")
    assert time.perf_counter() - started < 0.5
    assert table.headers == ["email", "name"] and table.rows == [(2, {"email": "a@example.org", "name": "Anna"})]


WORKER = r"""
import io, json, sys, time
sys.path.insert(0, sys.argv[1])
from conftest import make_users
from toolkit import create_app
from toolkit.core.questionnaire import get_questionnaire
from toolkit.data.db import connect
from toolkit.data.migrations import migrate
from toolkit.data.rounds import create_round

db = connect(sys.argv[2] + "/toolkit.db")
migrate(db)
users = make_users(db)
round_id = create_round(db, get_questionnaire("default"), "Hostile")
app = create_app({"TESTING": True, "SECRET_KEY": "hostile-" + "x" * 40, "WTF_CSRF_ENABLED": False})
client = app.test_client()
client.post("/login", data={"email": users["hr"][1], "password": "correct-horse-1"})

def upload(name, data, path):
    return client.post(f"/rounds/{round_id}/{path}", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")

def status_mb(field):
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(field + ":")) / 1024

def reset_peak():
    with open("/proc/self/clear_refs", "w") as fh:  # "5": the peak (VmHWM) starts again from now
        fh.write("5")

for path in ("participants", "responses"):  # warm up: every module and template loaded
    upload("warm.csv", b"email,name\na@example.org,A\n", path)
results = {}
for name in sys.argv[3:]:
    data = open(name, "rb").read()
    for path in ("participants", "responses"):
        reset_peak()
        before = status_mb("VmRSS")
        started = time.perf_counter()
        response = upload(name.rsplit("/", 1)[-1], data, path)
        elapsed = time.perf_counter() - started
        peak = status_mb("VmHWM")
        results[f"{name.rsplit('/', 1)[-1]} {path}"] = {
            "status": response.status_code, "seconds": elapsed, "growth_mb": max(0.0, peak - before),
            "page": response.get_data(as_text=True)}
print(json.dumps(results))
"""


def test_web_worker_refuses_hostile_workbooks_fast_and_stays_small(hostile, tmp_path):
    names = ["zip-bomb.xlsx", "large-part.xlsx", "billion-laughs-shared-strings.xlsx", "billion-laughs-sheet.xlsx",
             "xxe.xlsx", "endless-column.xlsx"]
    env = dict(os.environ, PERSONA_TOOLKIT_INSTANCE=str(tmp_path), PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", WORKER, str(ROOT / "tests"), str(tmp_path),
                           *[str(hostile[n][0]) for n in names]],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.strip().splitlines()[-1])
    report = []
    for key, r in sorted(results.items()):
        name = key.split()[0]
        assert r["status"] == 422, (key, r["page"][-2000:])
        assert hostile[name][1] in html.unescape(r["page"]), (key, r["page"][-2000:])
        assert r["seconds"] < 1.0, (key, r["seconds"])
        assert r["growth_mb"] < 50, (key, r["growth_mb"])
        report.append(f"{key}: {r['seconds'] * 1000:.0f} ms, +{r['growth_mb']:.1f} MB")
    print("\n" + "\n".join(report))
