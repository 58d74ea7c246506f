"""Schema steps keep the data that is already there."""

from __future__ import annotations

from toolkit.core.questionnaire import get_questionnaire
from toolkit.data import migrations
from toolkit.data.db import connect, transaction
from toolkit.data.rounds import create_round


def test_answers_and_scores_survive_the_move_to_keyed_tables(tmp_path):
    db = connect(tmp_path / "old.db")
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for step in migrations._discover():
        if step.__name__ >= "m007":
            break
        with transaction(db):  # the database as it was before m007
            step(db)
            db.execute("INSERT INTO _migrations VALUES (?, 'then')", [step.__name__])
    q = get_questionnaire("pulse")
    round_id = create_round(db, q, "Before")
    db.execute("INSERT INTO responses (id, round_id, submitted_on) VALUES ('r1', ?, '2026-01-05')", [round_id])
    db.execute("INSERT INTO answers (response_id, item_id, value) VALUES ('r1', 'a', '4'), ('r1', 'b', '[\"x\"]')")
    db.execute("INSERT INTO scores (response_id, construct, value) VALUES ('r1', 'c', 3.25), ('r1', 'd', NULL)")

    assert "m007_single_statement_writes" in migrations.migrate(db)

    assert db.execute("SELECT response_id, item_id, value FROM answers ORDER BY item_id").fetchall() == [
        ("r1", "a", "4"), ("r1", "b", '["x"]')]
    assert db.execute("SELECT response_id, construct, value FROM scores ORDER BY construct").fetchall() == [
        ("r1", "c", 3.25), ("r1", "d", None)]
    assert "WITHOUT ROWID" in db.execute("SELECT sql FROM sqlite_master WHERE name = 'answers'").fetchone()[0]
    db.execute("DELETE FROM responses WHERE id = 'r1'")  # the cascade still holds
    assert db.execute("SELECT count(*) FROM answers").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM scores").fetchone()[0] == 0
