"""The rules behind anonymous rounds, one at a time: what a close publishes, that every reader
uses only published answers, the upgrade of older databases, and files at rest."""

from __future__ import annotations

import re
from pathlib import Path

from respondents import SECRET

from toolkit.core.tokens import done_marker, participant_token
from toolkit.data import migrations
from toolkit.data.db import connect, transaction
from toolkit.data.responses import (
    answers_by_response,
    insert_response,
    publish_at_close,
    usable_count,
)
from toolkit.data.rounds import create_round, get_round
from toolkit.services.participants import import_participants

TOOLKIT = Path(__file__).resolve().parent.parent / "toolkit"


def waiting(db, q, round_id: int, teams: dict[str | None, int]) -> None:
    """Anonymous web answers that came in while the round was open: stored, not yet published."""
    with transaction(db):
        for team, n in teams.items():
            for _ in range(n):
                insert_response(db, q, round_id, {}, context={"team": team} if team else {}, publication=None)


def test_first_close_publishes_everything_later_ones_only_whole_groups_per_team(database, pulse):
    round_id = create_round(database, pulse, "Anonymous")
    round_ = get_round(database, round_id)
    waiting(database, pulse, round_id, {"Finance": 3, None: 1})
    assert usable_count(database, round_id) == 0  # nothing shows while the answers wait
    with transaction(database):
        assert publish_at_close(database, round_) == (4, 0)  # the first publication takes all, even 4
    waiting(database, pulse, round_id, {"Finance": 5, "Sales": 2, None: 1})
    with transaction(database):
        assert publish_at_close(database, round_) == (5, 3)  # Finance's five; Sales 2 and one without a team wait
    waiting(database, pulse, round_id, {"Sales": 2})
    with transaction(database):
        assert publish_at_close(database, round_) == (0, 5)  # Sales 4 and one without a team: still too few
    waiting(database, pulse, round_id, {"Sales": 1})
    with transaction(database):
        assert publish_at_close(database, round_) == (5, 1)  # Sales reaches five together
    assert usable_count(database, round_id) == 14
    publications = database.execute("SELECT publication, count(*) FROM responses WHERE round_id = ? "
                                    "GROUP BY 1 ORDER BY 1", [round_id]).fetchall()
    assert publications == [(None, 1), (1, 4), (2, 5), (3, 5)]


def test_an_import_is_published_at_once_and_counts_as_an_earlier_publication(database, pulse):
    from toolkit.core.intake import ImportedResponse
    from toolkit.data.responses import import_responses

    round_id = create_round(database, pulse, "Anonymous with a file")
    round_ = get_round(database, round_id)
    import_responses(database, round_, pulse, [ImportedResponse(i + 2, f"E{i}", {}, {}) for i in range(20)])
    assert usable_count(database, round_id) == 20  # HR's own file: nothing to wait for
    waiting(database, pulse, round_id, {None: 1})
    with transaction(database):
        # One web answer beside twenty known rows would be the difference: it waits.
        assert publish_at_close(database, round_) == (0, 1)


# --- every reader goes through the published answers -------------------------------------------

# Modules that may read the responses, answers and scores tables themselves, and why.
RAW_READERS = {
    "data/responses.py": "defines usable_responses' readers; counts stored and waiting answers",
    "data/rounds.py": "counts stored answers for the count shown in steps of the minimum",
    "data/migrations.py": "the schema",
    "data/figures.py": "builds a round's kept sums; reads them only as published (usable_responses' rule)",
    "data/figures_schema.py": "the triggers that keep the sums as responses are written",
    "services/programmes.py": "counts stored answers for the count shown in steps of the minimum",
    "services/retention.py": "deletes answers; a participant's own answers in identified rounds",
}
RAW_READ = re.compile(r"\b(FROM|JOIN)\s+(responses|answers|scores|figure_groups|figure_sums)\b")  # the SQL in toolkit/ is upper case


def test_no_module_reads_answers_around_the_published_ones():
    offenders = []
    for path in sorted(TOOLKIT.rglob("*.py")):
        name = path.relative_to(TOOLKIT).as_posix()
        if name not in RAW_READERS and RAW_READ.search(path.read_text(encoding="utf-8")):
            offenders.append(name)
    assert offenders == []


def test_answers_waiting_for_the_close_are_in_no_figure(database, pulse):
    round_id = create_round(database, pulse, "Anonymous")
    waiting(database, pulse, round_id, {None: 7})
    assert answers_by_response(database, round_id, pulse) == {}
    with transaction(database):
        publish_at_close(database, get_round(database, round_id))
    assert len(answers_by_response(database, round_id, pulse)) == 7


# --- older databases ------------------------------------------------------------------------


def test_m008_keeps_the_days_as_counts_and_publishes_what_was_already_shown(tmp_path, pulse):
    db = connect(tmp_path / "old.db")
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for step in migrations._discover():
        if step.__name__ >= "m008":
            break
        with transaction(db):  # the database as it was before m008
            step(db)
            db.execute("INSERT INTO _migrations VALUES (?, 'then')", [step.__name__])
    rounds = {}
    for title, mode, status in (("closed", "anonymous", "closed"), ("open", "anonymous", "open"),
                                ("named", "identified", "open")):
        rounds[title] = create_round(db, pulse, title, mode=mode)
        db.execute("UPDATE rounds SET status = ? WHERE id = ?", [status, rounds[title]])
        for i, day in enumerate(("2026-01-05", "2026-01-05", "2026-01-06")):
            rid = f"{title}-{i}"
            db.execute("INSERT INTO responses (id, round_id, submitted_on) VALUES (?, ?, ?)", [rid, rounds[title], day])
            db.execute("INSERT INTO answers (response_id, item_id, value) VALUES (?, 'rdy_app_1', '4')", [rid])

    assert "m008_unlinkable_anonymous_rounds" in migrations.migrate(db)

    rows = {r["id"]: r for r in db.query("SELECT * FROM responses")}
    assert len(rows) == 9 and db.execute("SELECT count(*) FROM answers").fetchone()[0] == 9  # nothing cascaded
    assert {rows[f"closed-{i}"]["submitted_on"] for i in range(3)} == {None}  # anonymous: no day any more
    assert rows["named-2"]["submitted_on"] == "2026-01-06"
    assert db.execute("SELECT day, count FROM response_days WHERE round_id = ? ORDER BY day",
                      [rounds["closed"]]).fetchall() == [("2026-01-05", 2), ("2026-01-06", 1)]
    assert [rows[f"{t}-0"]["publication"] for t in ("closed", "open", "named")] == [1, None, 1]
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    db.execute("DELETE FROM responses WHERE id = 'closed-0'")  # the cascade still holds
    assert db.execute("SELECT count(*) FROM answers WHERE response_id = 'closed-0'").fetchone()[0] == 0


def test_init_db_turns_old_completion_flags_of_anonymous_rounds_into_link_markers(cli, database, instance, pulse):
    round_id = create_round(database, pulse, "Answered before the upgrade")
    rows = [{"row": i + 2, "email": f"p{i}@example.org", "name": "", "team": "", "language": "nl",
             "attributes": {}} for i in range(3)]
    import_participants(database, round_id, rows, SECRET)
    database.execute("UPDATE participants SET responded = 1, link_used = 1 WHERE email = 'p1@example.org'")
    (instance / "config.py").write_text(f"SECRET_KEY = {SECRET!r}\n", encoding="utf-8")
    cli("init-db")
    assert database.execute("SELECT sum(responded) + sum(link_used) FROM participants").fetchone()[0] == 0
    p1 = next(database.query("SELECT * FROM participants WHERE email = 'p1@example.org'"))
    assert [m for (m,) in database.execute("SELECT marker FROM completed_links")] == [
        done_marker(participant_token(SECRET, p1))]
