"""Imports and exports at the size of a 100,000-person organisation (issue 23), each in a child
process whose peak memory (resource.getrusage of the children) and time are measured.

- ``responses import`` of one CSV of 100,000 responses (questionnaires/default.toml, every item
  answered, from toolkit.core.synthetic) and ``participants import`` of one CSV of 500,000
  people, from the command line. Goals: peak RSS under 300 MB; import time at least 0.5 of a
  baseline that stores the same long (response, item, value) rows with sqlite-utils insert_all
  into a fresh SQLite file (printed as baseline time / import time).
- The answers.csv export of a round of 10,000 and of 100,000 responses, downloaded through the
  app (test client, as HR). Goal: peak RSS at 100k / at 10k <= 1.5; time and first byte printed.

Exit 1 when a goal is missed. Generated files and databases are cached in tests/output/scale_io/
(delete the folder to make them again).

    .venv/bin/python tests/benchmarks/bench_scale_io.py
    BENCH_IO_RESPONSES=100000 BENCH_IO_PARTICIPANTS=500000 BENCH_IO_SMALL=10000
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "tests" / "output" / "scale_io"
BIN = Path(sys.executable).parent
RESPONSES = int(os.environ.get("BENCH_IO_RESPONSES", "100000"))
PARTICIPANTS = int(os.environ.get("BENCH_IO_PARTICIPANTS", "500000"))
SMALL = int(os.environ.get("BENCH_IO_SMALL", "10000"))
CHUNK = 10_000
RSS_GOAL_MB, SPEED_GOAL, GROWTH_GOAL = 300, 0.5, 1.5

# Runs one command as its child and prints that child's peak RSS (kB on Linux) and wall time.
MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"rc": done.returncode, "seconds": time.perf_counter() - start,
                  "rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "out": done.stdout[-2000:], "err": done.stderr[-2000:]}))
"""

# Downloads answers.csv as HR through the app; prints seconds to the first byte, total, bytes.
EXPORT = """
import json, os, sys, time
from toolkit import create_app
app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False})
client = app.test_client()
client.post("/login", data={"email": "hr@bench.example", "password": "correct-horse-1"})
start = time.perf_counter()
response = client.get(f"/rounds/{sys.argv[1]}/answers.csv", buffered=False)
size, first = 0, None
for chunk in response.response:
    if first is None:
        first = time.perf_counter() - start
    size += len(chunk)
response.close()
assert response.status_code == 200, response.status_code
print(json.dumps({"first_byte": first, "seconds": time.perf_counter() - start, "bytes": size}))
"""


def measure(*command: str, env: dict | None = None) -> dict:
    """Run ``command`` in a child (under a measuring child); its peak RSS in MB and time in s."""
    done = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, check=True)
    result = json.loads(done.stdout)
    if result["rc"] != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result['out']}\n{result['err']}")
    return result


def cli(instance: Path, *args: str) -> str:
    env = {**os.environ, "PERSONA_TOOLKIT_INSTANCE": str(instance)}
    return subprocess.run([str(BIN / "persona-toolkit"), *args], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def answers_csv(n: int) -> Path:
    """A CSV of ``n`` synthetic responses as a form tool exports them (written 10,000 at a time)."""
    path = OUT / f"answers-{n}.csv"
    if path.exists():
        return path
    from toolkit.core.questionnaire import get_questionnaire
    from toolkit.core.synthetic import generate_responses

    q = get_questionnaire("default")
    items = list(q.items)
    OUT.mkdir(parents=True, exist_ok=True)
    part = path.with_suffix(".part")
    with part.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["respondent_id", "team", *items])
        for chunk, start in enumerate(range(0, n, CHUNK)):
            answers, _labels, contexts = generate_responses(q, min(CHUNK, n - start), seed=chunk)
            for rid in sorted(answers):
                cells = ["|".join(v) if isinstance(v, list) else v for v in
                         (answers[rid].get(iid, "") for iid in items)]
                writer.writerow([f"c{chunk}-{rid}", contexts[rid].get("team", ""), *cells])
    part.rename(path)
    return path


def participants_csv(n: int) -> Path:
    path = OUT / f"participants-{n}.csv"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        teams = ("Finance", "IT", "Operations", "Customer Service", "HR", "Sales")
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, delimiter=";")
            writer.writerow(["email", "name", "team", "language", "location"])
            for i in range(n):
                writer.writerow([f"person{i}@example.org", f"Person {i}", teams[i % 6], ("nl", "en")[i % 3 == 0],
                                 f"Site {i % 40}"])
    return path


def fresh_instance(name: str) -> Path:
    import shutil

    folder = OUT / name
    shutil.rmtree(folder, ignore_errors=True)
    cli(folder, "init-db")
    return folder


BASELINE = """
import csv, sys, sqlite_utils
db = sqlite_utils.Database(sys.argv[1])
def rows():
    with open(sys.argv[2], newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh, delimiter=sys.argv[3])
        header = next(reader)
        for number, cells in enumerate(reader):
            for column, value in zip(header, cells):
                yield {"response": number, "item": column, "value": value}
with db.conn:
    db["long_rows"].insert_all(rows(), batch_size=1000)
"""


def baseline(path: Path, delimiter: str) -> dict:
    target = OUT / f"baseline-{path.stem}.db"
    for leftover in OUT.glob(f"baseline-{path.stem}.db*"):
        leftover.unlink()
    result = measure(sys.executable, "-c", BASELINE, str(target), str(path), delimiter)
    target.unlink()
    return result


def import_case(kind: str, path: Path, delimiter: str) -> bool:
    instance = fresh_instance(f"import-{kind}")
    round_id = cli(instance, "round", "create", "--questionnaire", "default", "--title", "bench", "--identified")
    env = {"PERSONA_TOOLKIT_INSTANCE": str(instance)}
    result = measure(str(BIN / "persona-toolkit"), kind, "import", str(path), "--round", round_id, env=env)
    base = baseline(path, delimiter)
    ratio = base["seconds"] / result["seconds"]
    ok = result["rss_mb"] < RSS_GOAL_MB and ratio >= SPEED_GOAL
    print(f"{kind} import {path.name} ({path.stat().st_size / 2**20:.1f} MB): {result['seconds']:.1f} s, "
          f"peak RSS {result['rss_mb']:.0f} MB (goal < {RSS_GOAL_MB}); baseline insert_all of the long rows "
          f"{base['seconds']:.1f} s, {base['rss_mb']:.0f} MB; baseline / import = {ratio:.2f} (goal >= {SPEED_GOAL})"
          f" {'ok' if ok else 'MISSED'}")
    print("   ", result["out"].strip().splitlines()[0] if result["out"].strip() else "")
    return ok


def export_round(n: int) -> tuple[Path, str]:
    """An instance with a round of ``n`` responses stored through insert_response, and an HR user."""
    instance = OUT / f"export-{n}"
    marker = instance / "round_id"
    if marker.exists():
        return instance, marker.read_text()
    instance = fresh_instance(f"export-{n}")
    os.environ["PERSONA_TOOLKIT_INSTANCE"] = str(instance)
    from toolkit.core.questionnaire import get_questionnaire
    from toolkit.core.synthetic import generate_responses
    from toolkit.data.accounts import create_user
    from toolkit.data.db import connect, transaction
    from toolkit.data.responses import insert_response
    from toolkit.data.rounds import create_round

    q = get_questionnaire("default")
    db = connect(instance / "toolkit.db")
    create_user(db, email="hr@bench.example", name="HR", role="hr", password="correct-horse-1", language="en")
    round_id = create_round(db, q, "bench", mode="identified")
    for chunk, start in enumerate(range(0, n, CHUNK)):
        answers, _labels, contexts = generate_responses(q, min(CHUNK, n - start), seed=chunk)
        with transaction(db):
            for rid in sorted(answers):
                insert_response(db, q, round_id, answers[rid], external_id=f"c{chunk}-{rid}", context=contexts[rid])
    db.conn.close()
    marker.write_text(str(round_id))
    return instance, str(round_id)


def export_case() -> bool:
    peaks = {}
    for n in (SMALL, RESPONSES):
        instance, round_id = export_round(n)
        env = {"PERSONA_TOOLKIT_INSTANCE": str(instance)}
        result = measure(sys.executable, "-c", EXPORT, round_id, env=env)
        inner = json.loads(result["out"])
        peaks[n] = result["rss_mb"]
        print(f"answers.csv export, {n} responses: {inner['seconds']:.1f} s (first byte after "
              f"{inner['first_byte']:.2f} s), {inner['bytes'] / 2**20:.1f} MB, peak RSS {result['rss_mb']:.0f} MB")
    growth = peaks[RESPONSES] / peaks[SMALL]
    ok = growth <= GROWTH_GOAL
    print(f"answers.csv peak RSS {RESPONSES} / {SMALL} = {growth:.2f} (goal <= {GROWTH_GOAL}) {'ok' if ok else 'MISSED'}")
    return ok


def main() -> int:
    os.environ.setdefault("PERSONA_TOOLKIT_BABEL_DEFAULT_LOCALE", "en")
    cases = os.environ.get("BENCH_IO_CASES", "responses,participants,export").split(",")
    results = []
    if "responses" in cases:
        results.append(import_case("responses", answers_csv(RESPONSES), ","))
    if "participants" in cases:
        results.append(import_case("participants", participants_csv(PARTICIPANTS), ";"))
    if "export" in cases:
        results.append(export_case())
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
