"""Rounds and the exact questionnaire text each round was created with."""

from __future__ import annotations

import datetime as dt
import json

import sqlite_utils

from toolkit.core.dashboard import construct_points
from toolkit.core.privacy import shown_response_count
from toolkit.core.questionnaire import Questionnaire, parse_questionnaire
from toolkit.core.shapes import PersonaSet, Round, RoundInfo
from toolkit.data.audit import audit
from toolkit.data.db import NotFound, iso, transaction, utcnow
from toolkit.data.field_notes import notes_for_briefs
from toolkit.data.figures import ensure_figures
from toolkit.data.responses import stored_count, usable_by_source, usable_count


def store_questionnaire_version(db: sqlite_utils.Database, q: Questionnaire) -> int:
    """Keep the exact instrument text with the data, so old rounds read after the file changes."""
    row = db.execute("SELECT id FROM questionnaire_versions WHERE file_hash = ?", [q.file_hash]).fetchone()
    if row:
        return row[0]
    with open(q.path, encoding="utf-8") as fh:
        source = fh.read()
    cur = db.execute(
        "INSERT INTO questionnaire_versions (questionnaire_id, version, file_hash, source, stored_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [q.id, q.version, q.file_hash, source, iso(utcnow())],
    )
    return cur.lastrowid


# Parsed instruments by the hash of their text: a hash names exactly one text, so this never
# goes stale, whichever database the process is looking at.
_by_hash: dict[str, Questionnaire] = {}


def round_questionnaire(db: sqlite_utils.Database, round_: dict) -> Questionnaire:
    """The instrument stored with the round. A caller that read `questionnaire_hash` along with the
    round (the respondent pages do, in the same query) is answered without another query."""
    known = _by_hash.get(round_.get("questionnaire_hash") or "")
    if known is not None:
        return known
    source, qid, version, file_hash = db.execute(
        "SELECT source, questionnaire_id, version, file_hash FROM questionnaire_versions WHERE id = ?",
        [round_["questionnaire_version_id"]],
    ).fetchone()
    q = _by_hash.get(file_hash)
    if q is None:
        q = parse_questionnaire(source.encode("utf-8"), f"{qid} v{version} (stored with round {round_['id']})")
        if len(_by_hash) < 256:
            _by_hash[file_hash] = q
    return q


def create_round(
    db: sqlite_utils.Database,
    q: Questionnaire,
    title: str,
    *,
    mode: str = "anonymous",
    language: str = "nl",
    min_group: int = 5,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    reminder_days: tuple[int, ...] = (3, 5),
    created_by: int | None = None,
    programme_id: int | None = None,
    round_kind: str = "baseline",
    min_answered_share: float | None = None,
) -> int:
    """Create a draft round of questionnaire ``q`` (its exact version stored with it) and return
    its id. ``mode`` is "anonymous" or "identified"; times are aware UTC datetimes;
    ``reminder_days`` are days after opening. ``min_answered_share``: the share (0-1] of the
    closed questions a respondent must answer before sending, or None for the default rule
    (`toolkit.core.completion`). Raises ValueError for an empty title, a minimum group under 5,
    a close time not after the opening, or a share outside (0, 1].
    """
    title = title.strip()
    if not title:
        raise ValueError("a round needs a title")
    if min_group < 5:
        raise ValueError("the minimum group size cannot be below 5")
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValueError("the round must close after it opens")
    if min_answered_share is not None and not 0 < min_answered_share <= 1:
        raise ValueError("the minimum answered share lies between 0 and 1 (0 excluded)")
    with transaction(db):
        version_id = store_questionnaire_version(db, q)
        cur = db.execute(
            "INSERT INTO rounds (questionnaire_id, questionnaire_version_id, title, language, mode, "
            "opens_at, closes_at, reminder_days, min_group, created_by, created_at, programme_id, round_kind) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [q.id, version_id, title, language, mode, iso(opens_at), iso(closes_at),
             json.dumps(list(reminder_days)), min_group, created_by, iso(utcnow()), programme_id, round_kind],
        )
        round_id = cur.lastrowid
        if min_answered_share is not None:
            db.execute("UPDATE rounds SET min_answered_share = ? WHERE id = ?", [min_answered_share, round_id])
        audit(db, created_by, "create", f"round {round_id}", title)
    if db["figure_points"].exists():  # (m017 on) its dashboard sums are kept from the first response on
        ensure_figures(db, round_id, construct_points(q))
    return round_id


def keep_dashboard_sums(db: sqlite_utils.Database) -> list[int]:
    """Store the favourable points of every round that has none yet and sum its scores (rounds
    created before m017; `init-db` runs this after migrating, so no dashboard view has to).
    Returns the ids of the rounds summed now; about a second per 100k stored responses."""
    done = []
    for round_ in db.query("SELECT * FROM rounds WHERE id NOT IN (SELECT round_id FROM figure_points) ORDER BY id"):
        if ensure_figures(db, round_["id"], construct_points(round_questionnaire(db, round_))):
            done.append(round_["id"])
    return done


def get_round(db: sqlite_utils.Database, round_id: int) -> Round:
    """The rounds row of ``round_id``; raises NotFound for an unknown id."""
    rows = list(db.query("SELECT * FROM rounds WHERE id = ?", [round_id]))
    if not rows:
        raise NotFound(f"round {round_id} does not exist")
    return rows[0]


def with_counts(round_: dict, stored: int, usable: int) -> dict:
    """The round row with `responses` (the number its figures are made of) and `count` (the
    :class:`ShownCount` that screens and commands may show), from its stored and usable counts."""
    count = shown_response_count(stored, usable, anonymous=round_["mode"] != "identified",
                                 open_=round_["status"] == "open", min_group=round_["min_group"])
    return {**round_, "responses": usable, "count": count}


def list_rounds(db: sqlite_utils.Database) -> list[Round]:
    """Every round, newest first, with `invited`, `responses` and `count` (see :func:`with_counts`)."""
    rows = db.query(
        "SELECT r.*, (SELECT coalesce(sum(n), 0) FROM figure_groups WHERE round_id = r.id) AS stored, "
        "(SELECT coalesce(sum(n), 0) FROM figure_groups WHERE round_id = r.id "
        "AND (publication > 0 OR r.mode = 'identified')) AS usable, "
        "(SELECT count(*) FROM participants WHERE round_id = r.id) AS invited "
        "FROM rounds r ORDER BY r.id DESC"
    )
    return [with_counts({k: v for k, v in r.items() if k not in ("stored", "usable")}, r["stored"], r["usable"])
            for r in rows]


def round_counts(db: sqlite_utils.Database, round_: dict) -> dict:
    """`round_` with `invited`, `responses` and `count` filled in (see :func:`with_counts`)."""
    invited = db.execute("SELECT count(*) FROM participants WHERE round_id = ?", [round_["id"]]).fetchone()[0]
    return with_counts({**round_, "invited": invited}, stored_count(db, round_["id"]), usable_count(db, round_["id"]))


def response_count(db: sqlite_utils.Database, round_id: int) -> int:
    """Every response stored for the round (published or not); not a figure to show as it is."""
    return stored_count(db, round_id)


def participant_first_names(db: sqlite_utils.Database, round_id: int) -> set[str]:
    """The first names of the round's participants, casefolded (for names personas must not get).

    The first word of each participant's name; in anonymous rounds too, since the list has
    names even when nothing links them to answers.
    """
    names = set()
    for (name,) in db.execute("SELECT name FROM participants WHERE round_id = ?", [round_id]):
        words = (name or "").split()
        if words:
            names.add(words[0].casefold())
    return names


# The change facts of a round: key in the briefs' round_info -> column of change_facts.
CHANGE_FACT_COLUMNS = {"what": "what", "why": "why", "when": "timing", "unchanged": "unchanged"}
CHANGE_FACT_MAX_CHARS = 600


def change_facts(db: sqlite_utils.Database, round_id: int) -> dict[str, str]:
    """The round's change facts as {"what", "why", "when", "unchanged"} -> text ('' when not
    entered). Raises nothing for a round without facts: every text is then ''."""
    row = db.execute(
        "SELECT what, why, timing, unchanged FROM change_facts WHERE round_id = ?", [round_id]
    ).fetchone()
    return dict(zip(CHANGE_FACT_COLUMNS, row or ("", "", "", ""), strict=True))


def save_change_facts(db: sqlite_utils.Database, round_id: int, facts: dict[str, str],
                      user_id: int | None = None) -> dict[str, str]:
    """Store the facts given in ``facts`` (keys of ``CHANGE_FACT_COLUMNS``; a key left out keeps
    its stored text, '' clears it) and return all four. Each text is stripped; raises
    ``ValueError`` for an unknown key or a text over ``CHANGE_FACT_MAX_CHARS`` characters, and
    ``NotFound`` for a round that does not exist."""
    unknown = set(facts) - set(CHANGE_FACT_COLUMNS)
    if unknown:
        raise ValueError(f"unknown change fact(s): {', '.join(sorted(unknown))} "
                         f"(known: {', '.join(CHANGE_FACT_COLUMNS)})")
    cleaned = {k: " ".join(str(v or "").split()) for k, v in facts.items()}
    for key, text in cleaned.items():
        if len(text) > CHANGE_FACT_MAX_CHARS:
            raise ValueError(f"'{key}' can have at most {CHANGE_FACT_MAX_CHARS} characters, not {len(text)}")
    get_round(db, round_id)
    merged = {**change_facts(db, round_id), **cleaned}
    with transaction(db):
        db.execute(
            "INSERT INTO change_facts (round_id, what, why, timing, unchanged, updated_at, updated_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (round_id) DO UPDATE SET what = excluded.what, "
            "why = excluded.why, timing = excluded.timing, unchanged = excluded.unchanged, "
            "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            [round_id, *(merged[k] for k in CHANGE_FACT_COLUMNS), iso(utcnow()), user_id],
        )
        audit(db, user_id, "change facts", f"round {round_id}", ", ".join(sorted(cleaned)))
    return merged


def round_info(db: sqlite_utils.Database, round_: Round, q: Questionnaire, persona_set: PersonaSet | None) -> RoundInfo:
    """What the briefs need to know about a round, its change facts included. Its counts are of
    the responses the personas are made of: ``invited``, ``answered_online`` and ``imported``
    apart (a response rate is only answered_online / invited), and ``responses``, their total."""
    invited = db.execute("SELECT count(*) FROM participants WHERE round_id = ?", [round_["id"]]).fetchone()[0]
    online, imported = usable_by_source(db, round_["id"])
    return {
        "id": round_["id"],
        "title": round_["title"],
        "questionnaire_title": q.title,
        "opens_at": round_["opens_at"],
        "closes_at": round_["closes_at"],
        "invited": invited or None,
        "answered_online": online,
        "imported": imported,
        "responses": online + imported,
        "min_group": round_["min_group"],
        "review_due": (persona_set or {}).get("review_due"),
        "organisation": None,
        "change_facts": change_facts(db, round_["id"]),
        "field_notes": notes_for_briefs(db, round_["id"], persona_set),
    }
