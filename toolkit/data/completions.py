"""Who has completed their link: asked only by whoever holds SECRET_KEY (the scheduler, the mail).

Identified rounds keep it on the participant (`responded`, `link_used`). Anonymous rounds keep
only markers sha256("done:" + token) in `completed_links` (migration m008): finding a
participant's marker means deriving their token, which needs SECRET_KEY. No screen or export
asks here; reminders and the mail do, so that reminders still reach only those who have not
answered.
"""

from __future__ import annotations

import sqlite_utils

from toolkit.core.tokens import done_marker, participant_token
from toolkit.data.db import transaction


def marker_of(secret_key: str, participant: dict) -> str | None:
    """The marker that completing `participant`'s link stores, or None when they have no link
    (no token salt). `participant` needs id, round_id and token_salt."""
    if not participant.get("token_salt"):
        return None
    return done_marker(participant_token(secret_key, participant))


def completed_participant_ids(db: sqlite_utils.Database, secret_key: str, round_: dict) -> set[int]:
    """Ids of the round's participants who completed a response through their link.

    `round_` needs id and mode. For an anonymous round every participant's marker is derived
    (one HMAC each: about 2 µs) and looked up among the round's stored markers.
    """
    if round_["mode"] == "identified":
        return {pid for (pid,) in db.execute(
            "SELECT id FROM participants WHERE round_id = ? AND (responded = 1 OR link_used = 1)", [round_["id"]])}
    stored = {m for (m,) in db.execute("SELECT marker FROM completed_links WHERE round_id = ?", [round_["id"]])}
    done = set()
    for participant in db.query(
        "SELECT id, round_id, token_salt, link_used OR responded AS flagged FROM participants WHERE round_id = ?",
        [round_["id"]],
    ):  # a flag: completed before markers existed, and `init-db` has not moved it yet
        if participant["flagged"] or marker_of(secret_key, participant) in stored:
            done.add(participant["id"])
    return done


def has_completed(db: sqlite_utils.Database, secret_key: str, participant: dict, mode: str) -> bool:
    """Whether this one participant completed their link. `participant` is their row (id, round_id,
    token_salt, responded, link_used); `mode` the round's mode."""
    if participant.get("link_used") or participant.get("responded"):
        return True
    if mode == "identified":
        return False
    marker = marker_of(secret_key, participant)
    return marker is not None and db.execute(
        "SELECT 1 FROM completed_links WHERE marker = ?", [marker]).fetchone() is not None


def adopt_legacy_completions(db: sqlite_utils.Database, secret_key: str) -> int:
    """Turn the flags that older versions set on participants of anonymous rounds into markers.

    Before migration m008 completing an anonymous round set `responded` and `link_used` on the
    participant. This moves that fact into `completed_links` and clears the flags, in one
    transaction; returns how many participants it moved. Run by `init-db`, which knows SECRET_KEY.
    """
    with transaction(db):
        rows = list(db.query(
            "SELECT p.id, p.round_id, p.token_salt FROM participants p JOIN rounds r ON r.id = p.round_id "
            "WHERE r.mode != 'identified' AND (p.responded = 1 OR p.link_used = 1)"))
        for participant in rows:
            marker = marker_of(secret_key, participant)
            if marker is not None:
                db.execute("INSERT OR IGNORE INTO completed_links (marker, round_id) VALUES (?, ?)",
                           [marker, participant["round_id"]])
        db.conn.executemany("UPDATE participants SET responded = 0, link_used = 0 WHERE id = ?",
                            [(p["id"],) for p in rows])
    return len(rows)
