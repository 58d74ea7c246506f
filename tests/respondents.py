"""Respondents for tests: a round with participants, and answering it through the web app.

Shared by the anonymity modules (tests/test_anonymity_*.py): people get real personal links
(derived from the app's SECRET_KEY), follow them in a Flask test client, and post every page
of the questionnaire the way a browser does.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from toolkit.core.tokens import participant_token
from toolkit.data.rounds import create_round
from toolkit.services.participants import import_participants

SECRET = "anonymity-test-secret-long-enough-for-settings"


def open_round(db, q, *, mode="anonymous", people=6, teams=("Finance",), min_group=5, title=None,
               secret=SECRET) -> tuple[int, list[dict]]:
    """An open round with `people` participants spread over `teams` in turn.

    Returns (round id, participants) where each participant is a dict with id, email, name,
    team, token (the personal link's token) and token_hash, in the order they were imported.
    """
    round_id = create_round(db, q, title or f"{mode} round", mode=mode, language="en", min_group=min_group)
    db.execute("UPDATE rounds SET status = 'open', works_council_date = '2026-01-05', "
               "works_council_ref = 'OR-1' WHERE id = ?", [round_id])
    rows = [{"row": i + 2, "email": f"person{i:02d}.r{round_id}@example.org", "name": f"Person {i:02d}",
             "team": teams[i % len(teams)], "language": "en", "attributes": {}} for i in range(people)]
    import_participants(db, round_id, rows, secret)
    people_rows = list(db.query("SELECT * FROM participants WHERE round_id = ? ORDER BY id", [round_id]))
    return round_id, [{**p, "token": participant_token(secret, p)} for p in people_rows]


def _hidden(html: str, name: str) -> str | None:
    found = re.search(rf'name="{name}" (?:type="hidden" )?value="([^"]*)"', html)
    return found.group(1) if found else None


def answer(app, person: dict, q, value: int | Callable[[str], int] = 4) -> None:
    """Follow `person`'s link in a fresh browser and answer every likert item: `value`, or
    `value(item_id)` when it is a function.

    Raises AssertionError when the last page does not lead to the thank-you page.
    """
    client = app.test_client()
    assert client.get(f"/s/{person['token']}").status_code == 303
    for page_no, block in enumerate(q.blocks):
        html = client.get("/survey").get_data(as_text=True)
        fields = {k: v for k in ("csrf_token", "ticket", "page") if (v := _hidden(html, k)) is not None}
        assert fields.get("page") == str(page_no), f"expected page {page_no}"
        posted = {f"q_{iid}": str(value(iid) if callable(value) else value)
                  for iid in block.items if q.items[iid].type == "likert"}
        done = client.post("/survey", data={**fields, **posted, "action": "next"})
        assert done.status_code == 303
    assert done.headers["Location"] == "/survey/thanks"
