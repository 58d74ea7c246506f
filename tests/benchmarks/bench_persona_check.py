"""Benchmark the persona check.  Run: python tests/benchmarks/bench_persona_check.py

On a scratch instance with 240 synthetic respondents and their personas: how long creating a
check takes (the cards in two languages, the questionnaire written and stored, the round), and
the persona page's median time without a check and with a closed check of 200 respondents. Goal:
the persona page with a 200-respondent check under 0.5 s (median, test client, one thread).
Exit status 1 when the goal is missed.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

PAGE_GOAL = 0.5


def _page_median(client, persona_id: int, runs: int = 20) -> float:
    times = []
    for _ in range(runs + 3):
        start = time.perf_counter()
        assert client.get(f"/personas/{persona_id}?lang=nl").status_code == 200
        times.append(time.perf_counter() - start)
    return statistics.median(times[3:])  # the first requests warm caches


def main() -> int:
    os.environ["PERSONA_TOOLKIT_INSTANCE"] = str(Path(tempfile.mkdtemp()) / "instance")
    os.environ.setdefault("MPLBACKEND", "Agg")
    from click.testing import CliRunner
    from conftest import login, make_round_with_responses, make_users

    from toolkit import create_app
    from toolkit.cli import main as cli
    from toolkit.core.privacy import presentable_personas
    from toolkit.core.questionnaire import get_questionnaire
    from toolkit.data.db import connect, transaction
    from toolkit.data.persona_sets import current_persona_set
    from toolkit.data.responses import insert_response
    from toolkit.data.rounds import get_round, round_questionnaire
    from toolkit.services.persona_checks import create_check
    from toolkit.services.pipeline import derive_round

    CliRunner().invoke(cli, ["init-db"], catch_exceptions=False)
    db = connect(Path(os.environ["PERSONA_TOOLKIT_INSTANCE"]) / "toolkit.db")
    users = make_users(db)
    round_id, _answers, _labels = make_round_with_responses(db, get_questionnaire("default"), n=240, seed=3)
    derive_round(db, round_id, bootstrap=5)
    persona_set = current_persona_set(db, round_id)
    persona_id = presentable_personas(persona_set)[0]["id"]
    client = create_app({"TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False}).test_client()
    login(client, users["hr"][1])
    without = _page_median(client, persona_id)

    start = time.perf_counter()
    check_id = create_check(db, persona_set["id"], mode="identified")
    created = time.perf_counter() - start
    q = round_questionnaire(db, get_round(db, check_id))
    rng = random.Random(1)
    with transaction(db):
        for _ in range(200):
            insert_response(db, q, check_id, {iid: rng.randint(1, 5) if item.type == "likert" else "Herkenbaar."
                                              for iid, item in q.items.items()})
    db.execute("UPDATE rounds SET status = 'closed' WHERE id = ?", [check_id])
    with_check = _page_median(client, persona_id)

    print(f"create_check ({len(q.blocks)} personas): {created * 1000:.0f} ms (a cold process adds a few seconds: the cards load the language detector)")
    print(f"persona page, median of 20: {without * 1000:.1f} ms without a check, "
          f"{with_check * 1000:.1f} ms with a closed check of 200 respondents (goal < {PAGE_GOAL * 1000:.0f} ms)")
    return 0 if with_check < PAGE_GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
