"""Large rounds for the page benchmark (bench_scale_pages.py), built once and cached.

A round of N responses of the default questionnaire, every item answered, is stored through the
toolkit's own storage function (``toolkit.data.responses.insert_response``, the same rows as an
import: response, answers, scores, day counter, kept sums), all in one transaction, in a real
SQLite file under ``tests/output/scale-pages/`` keyed by N and by the text of the schema
migrations, the kept sums' triggers and this builder (a change to any of them builds afresh).
The round is anonymous and closed, published in one step (as a close publishes), with 24 teams
and one response in 50 without a team, answered over 20 days; an HR account can log in, and the
round has a persona set derived from its answers (no bootstrap: the set only has to be there
for the pages).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
OUTPUT = ROOT / "tests" / "output" / "scale-pages"
HR_EMAIL, PASSWORD = "hr@bench.example", "correct-horse-1"
TEAMS = 24
DAYS = 20
BATCH = 5_000  # responses per generate call (bounded memory while building 100k)


def _cache_key() -> str:
    digest = hashlib.sha256()
    for path in (ROOT / "toolkit" / "data" / "migrations.py", ROOT / "toolkit" / "data" / "figures_schema.py",
                 Path(__file__)):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def instance_folder(n: int) -> Path:
    """The instance folder holding the cached round of ``n`` responses (it may not exist yet)."""
    return OUTPUT / f"{n}-{_cache_key()}"


def _store(db, q, round_id: int, n: int, *, seed: int) -> None:
    from toolkit.core.synthetic import generate_responses
    from toolkit.data.db import transaction
    from toolkit.data.responses import insert_response

    first = dt.date(2026, 3, 2)
    rng = np.random.default_rng(seed)
    with transaction(db):
        done = 0
        while done < n:
            size = min(BATCH, n - done)
            answers, _labels, _contexts = generate_responses(q, size, seed=seed + done)
            for i, rid in enumerate(sorted(answers)):
                number = done + i
                team = None if number % 50 == 49 else f"Team {int(rng.integers(TEAMS)):02d}"
                day = first + dt.timedelta(days=int(rng.integers(DAYS)))
                insert_response(db, q, round_id, answers[rid], context={"team": team} if team else {},
                                day=day, random_order=True, publication=1)
            done += size


def build(n: int, *, quiet: bool = False) -> tuple[Path, int]:
    """The instance folder and round id of a cached round of ``n`` responses, built when missing.

    Building takes about 1 ms per response (100k: a couple of minutes on 2 CPUs); a cached
    round is reused as it is. Returns (instance folder, round id).
    """
    folder = instance_folder(n)
    if (folder / "ready").exists():
        return folder, int((folder / "ready").read_text())
    shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    os.environ["PERSONA_TOOLKIT_INSTANCE"] = str(folder)
    from click.testing import CliRunner

    from toolkit.cli import main
    from toolkit.core.questionnaire import get_questionnaire
    from toolkit.data.accounts import create_user
    from toolkit.data.db import connect
    from toolkit.data.rounds import create_round
    from toolkit.services.pipeline import derive_round

    started = time.perf_counter()
    result = CliRunner().invoke(main, ["init-db"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    db = connect(folder / "toolkit.db")
    q = get_questionnaire("default")
    create_user(db, email=HR_EMAIL, name="HR", role="hr", password=PASSWORD, language="en")
    round_id = create_round(db, q, f"Scale {n}", mode="anonymous", min_group=5)
    _store(db, q, round_id, n, seed=n)
    db.execute("UPDATE rounds SET status = 'closed' WHERE id = ?", [round_id])
    derive_round(db, round_id, bootstrap=0)
    db.conn.close()
    (folder / "ready").write_text(str(round_id))
    if not quiet:
        print(f"built a round of {n:,} responses in {time.perf_counter() - started:.0f} s: {folder}")
    return folder, round_id


if __name__ == "__main__":
    for size in map(int, sys.argv[1:] or ["1000"]):
        build(size)
