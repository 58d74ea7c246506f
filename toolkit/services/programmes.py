"""Programmes: a change initiative's rounds over time, their comparison, and persona reviews.

A programme groups a baseline, pulse rounds (a short subset of items) and follow-ups that use
the same or a compatible questionnaire. Consecutive rounds are compared with
:mod:`toolkit.core.compare`; names of personas that persist are written into the later set so a
persona keeps its name from round to round. Each persona set has a review date (one year by
default); registering a major change brings it forward, recording a review moves it on.
"""

from __future__ import annotations

import datetime as dt

import sqlite_utils

from toolkit.core.compare import carry_over_names, compare_persona_sets, drift_summary
from toolkit.core.privacy import exportable_persona_set
from toolkit.core.questionnaire import Questionnaire
from toolkit.data.audit import audit
from toolkit.data.db import NotFound, iso, transaction, utcnow
from toolkit.data.persona_sets import DEFAULT_REVIEW_DAYS, current_persona_set
from toolkit.data.rounds import get_round, round_questionnaire, with_counts

ROUND_KINDS = ("baseline", "pulse", "follow-up")
REVIEW_DAYS = DEFAULT_REVIEW_DAYS
MAJOR_CHANGE_REVIEW_DAYS = 30
MAX_TEXT = 4000


class ProgrammeError(ValueError):
    """Something a user asked for that cannot be done; the message says what and why."""


def _today() -> dt.date:
    return utcnow().date()


# --- programmes and their rounds --------------------------------------------------------


def create_programme(db: sqlite_utils.Database, name: str, description: str = "", *,
                     user_id: int | None = None) -> int:
    """Create a programme and return its id; the audit log names `user_id` as its creator.

    `name` and `description` are stored trimmed. Raises ProgrammeError when the name is empty
    or longer than 200 characters. The description's length is the form's to check.
    """
    name = (name or "").strip()
    if not name:
        raise ProgrammeError("a programme needs a name")
    if len(name) > 200:
        raise ProgrammeError("a programme name can have at most 200 characters")
    with transaction(db):
        cur = db.execute("INSERT INTO programmes (name, description, created_at) VALUES (?, ?, ?)",
                         [name, (description or "").strip(), iso(utcnow())])
        audit(db, user_id, "create", f"programme {cur.lastrowid}", name)
    return cur.lastrowid


def get_programme(db: sqlite_utils.Database, programme_id: int) -> dict:
    """The programme row (id, name, description, created_at); raises NotFound when there is none."""
    rows = list(db.query("SELECT * FROM programmes WHERE id = ?", [programme_id]))
    if not rows:
        raise NotFound(f"programme {programme_id} does not exist")
    return rows[0]


def list_programmes(db: sqlite_utils.Database) -> list[dict]:
    """Every programme, newest first, each with `rounds`: how many rounds it holds.

    Not filtered by who may see what: the web layer leaves out programmes with rounds the
    user is not granted.
    """
    return list(db.query(
        "SELECT p.*, (SELECT count(*) FROM rounds r WHERE r.programme_id = p.id) AS rounds "
        "FROM programmes p ORDER BY p.id DESC"))


def programme_rounds(db: sqlite_utils.Database, programme_id: int) -> list[dict]:
    """The programme's rounds in time order, each with its current persona set id and review date,
    and `responses` / `count` as :func:`toolkit.data.rounds.with_counts` gives them."""
    rows = db.query(
        "SELECT r.*, s.id AS set_id, s.review_due, "
        "(SELECT count(*) FROM responses WHERE round_id = r.id) AS stored, "
        "(SELECT count(*) FROM usable_responses WHERE round_id = r.id) AS usable "
        "FROM rounds r LEFT JOIN persona_sets s ON s.round_id = r.id AND s.current = 1 "
        "WHERE r.programme_id = ? ORDER BY coalesce(r.opens_at, r.created_at), r.id", [programme_id])
    return [with_counts({k: v for k, v in r.items() if k not in ("stored", "usable")}, r["stored"], r["usable"])
            for r in rows]


def compatibility_problems(baseline: Questionnaire, other: Questionnaire) -> list[str]:
    """Why `other` cannot be compared with `baseline` (empty when it can).

    Compatible: the two share at least one persona construct, and every shared construct is
    measured with items of the baseline (the same ids, so the same wording) on the same scale.
    """
    shared = [c for c in baseline.dimension_constructs() if c in other.dimension_constructs()]
    if not shared:
        return [f"questionnaire '{other.id}' v{other.version} shares no persona constructs with the baseline "
                f"questionnaire '{baseline.id}' v{baseline.version}"]
    problems = []
    for c in shared:
        foreign = [i for i in other.constructs[c].items if i not in baseline.constructs[c].items]
        if foreign:
            problems.append(f"construct '{c}' uses items {', '.join(foreign)} that the baseline questionnaire "
                            f"'{baseline.id}' v{baseline.version} does not have for it")
            continue
        for item_id in other.constructs[c].items:
            s_new, s_old = other.scales[other.items[item_id].scale], baseline.scales[baseline.items[item_id].scale]
            if (s_new.min, s_new.max) != (s_old.min, s_old.max) or other.items[item_id].reverse != baseline.items[item_id].reverse:
                problems.append(f"item '{item_id}' is scored differently than in the baseline "
                                f"({s_new.min}-{s_new.max} vs {s_old.min}-{s_old.max}, or reverse keying)")
    return problems


def add_round(db: sqlite_utils.Database, programme_id: int, round_id: int, kind: str = "follow-up", *,
              user_id: int | None = None) -> None:
    """Put a round in a programme, after checking its questionnaire fits the programme's baseline.

    `kind` is one of ROUND_KINDS. The first round of a programme is accepted as it is; later ones
    are checked with `compatibility_problems` against the programme's baseline round (or its
    first round when none is marked baseline). Afterwards persona names are carried over
    (`sync_names`). Raises NotFound for an unknown programme or round, and ProgrammeError for an
    unknown kind, a round that belongs to another programme, or an incompatible questionnaire.
    """
    if kind not in ROUND_KINDS:
        raise ProgrammeError(f"round kind '{kind}' is not one of {', '.join(ROUND_KINDS)}")
    get_programme(db, programme_id)
    round_ = get_round(db, round_id)
    if round_["programme_id"] not in (None, programme_id):
        raise ProgrammeError(f"round {round_id} already belongs to programme {round_['programme_id']}")
    others = [r for r in programme_rounds(db, programme_id) if r["id"] != round_id]
    if others:
        base = next((r for r in others if r["round_kind"] == "baseline"), others[0])
        problems = compatibility_problems(round_questionnaire(db, base), round_questionnaire(db, round_))
        if problems:
            raise ProgrammeError(f"round {round_id} cannot join programme {programme_id}: " + "; ".join(problems))
    with transaction(db):
        db.execute("UPDATE rounds SET programme_id = ?, round_kind = ? WHERE id = ?", [programme_id, kind, round_id])
        audit(db, user_id, "add-round", f"programme {programme_id}", f"round {round_id} ({kind})")
    sync_names(db, programme_id)


# --- comparison -------------------------------------------------------------------------


def _negative_rule_ids() -> set[str]:
    try:
        from toolkit.core.personas import load_persona_config

        return {rule.id for rule in load_persona_config().rules if rule.negative}
    except Exception:  # noqa: BLE001 - a broken personas.toml must not break the programme page
        return set()


def comparable_set(db: sqlite_utils.Database, round_: dict, negative_rules: set[str] | None = None) -> dict | None:
    """The round's current persona set as compare() reads it: only presentable personas,
    each marked `negative` when a negative label rule named it."""
    persona_set = current_persona_set(db, round_["id"])
    if persona_set is None:
        return None
    persona_set = exportable_persona_set(persona_set, round_["min_group"])
    sources = (persona_set.get("quality") or {}).get("labels") or {}
    negative_rules = _negative_rule_ids() if negative_rules is None else negative_rules
    for p in persona_set["personas"]:
        p["negative"] = bool(p.get("negative")) or sources.get(p["key"], "").removeprefix("rule:") in negative_rules
    return persona_set


def construct_names(*questionnaires: Questionnaire) -> dict[str, dict[str, str]]:
    """Construct id -> {language: name} over all `questionnaires`; the first one naming it wins."""
    names: dict[str, dict[str, str]] = {}
    for q in questionnaires:
        for cid, construct in q.constructs.items():
            names.setdefault(cid, dict(construct.name))
    return names


def compare_programme(db: sqlite_utils.Database, programme_id: int) -> dict:
    """Every consecutive pair of the programme's rounds compared, the latest drift, the trends."""
    programme = get_programme(db, programme_id)
    rounds = programme_rounds(db, programme_id)
    negative = _negative_rule_ids()
    sets, questionnaires = {}, {}
    for r in rounds:
        questionnaires[r["id"]] = round_questionnaire(db, r)
        sets[r["id"]] = comparable_set(db, r, negative)
    with_sets = [r for r in rounds if sets[r["id"]] is not None]
    comparisons = []
    for before, after in zip(with_sets, with_sets[1:], strict=False):
        comparison = compare_persona_sets(
            sets[before["id"]], sets[after["id"]],
            construct_names=construct_names(questionnaires[before["id"]], questionnaires[after["id"]]))
        sets[after["id"]] = carry_over_names(comparison, sets[after["id"]])
        comparisons.append({"before": _round_summary(before), "after": _round_summary(after),
                            "comparison": comparison})
    latest = comparisons[-1]["comparison"] if comparisons else None
    return {
        "programme": {k: programme[k] for k in ("id", "name", "description", "created_at")},
        "rounds": [_round_summary(r) | {"has_personas": sets[r["id"]] is not None} for r in rounds],
        "without_personas": [r["id"] for r in rounds if sets[r["id"]] is None],
        "comparisons": comparisons,
        "drift": {lang: drift_summary(latest, lang) for lang in ("nl", "en")} if latest else None,
        "trends": trends(rounds, sets, construct_names(*questionnaires.values())),
    }


def _round_summary(round_: dict) -> dict:
    return {"id": round_["id"], "title": round_["title"], "kind": round_["round_kind"],
            "questionnaire": round_["questionnaire_id"], "opens_at": round_["opens_at"],
            "created_at": round_["created_at"], "set_id": round_.get("set_id"),
            "review_due": round_.get("review_due"), "responses": round_.get("responses")}


def trends(rounds: list[dict], sets: dict[int, dict | None], names: dict) -> list[dict]:
    """Per construct: the organisation mean in each round (None where it was not measured), and
    the mean of each persona followed by name."""
    constructs: list[str] = []
    for r in rounds:
        s = sets[r["id"]]
        if s:
            constructs += [c for c in (s.get("dimensions") or s.get("overall", {}).get("profile", {}))
                           if c not in constructs]
    result = []
    for c in constructs:
        org, personas = [], {}
        for index, r in enumerate(rounds):
            s = sets[r["id"]]
            entry = ((s or {}).get("overall") or {}).get("profile", {}).get(c) or {}
            org.append(entry.get("mean"))
            for p in (s or {}).get("personas", []):
                mean = (p.get("profile", {}).get(c) or {}).get("mean")
                if mean is not None:
                    personas.setdefault(p["name"], [None] * len(rounds))[index] = mean
        result.append({"construct": c, "name": names.get(c, {}), "organisation": org,
                       "personas": [{"name": n, "values": v} for n, v in personas.items()]})
    return result


def sync_names(db: sqlite_utils.Database, programme_id: int) -> int:
    """Write carried-over names into the later rounds' persona sets; returns how many changed.

    Only the derived name changes: a name someone edited by hand stays as they chose it.
    """
    rounds = [r for r in programme_rounds(db, programme_id) if r["set_id"]]
    changed = 0
    negative = _negative_rule_ids()
    previous = None
    for r in rounds:
        current = comparable_set(db, r, negative)
        if previous is not None:
            comparison = compare_persona_sets(previous, current)
            renamed = carry_over_names(comparison, current)
            old = {p["key"]: p["name"] for p in current["personas"]}
            updates = [(p["name"], r["set_id"], p["key"]) for p in renamed["personas"] if p["name"] != old[p["key"]]]
            if updates:
                with transaction(db):
                    db.conn.executemany(
                        "UPDATE personas SET name = ? WHERE set_id = ? AND key = ? AND edited_name IS NULL", updates)
                    audit(db, None, "carry-names", f"persona set {r['set_id']}",
                                ", ".join(f"{k}: {n}" for n, _s, k in updates))
                changed += len(updates)
            current = renamed
        previous = current
    return changed


# --- reviews ----------------------------------------------------------------------------


def record_review(db: sqlite_utils.Database, set_id: int, *, user_id: int | None, why: str, kept: str = "",
                  changed: str = "", today: dt.date | None = None, next_days: int = REVIEW_DAYS) -> int:
    """Record that someone reviewed a persona set; the next review is due `next_days` later.

    `why` is required, and at least one of `kept` and `changed`; each text is trimmed and at
    most MAX_TEXT (4000) characters. `today` defaults to today in UTC. Sets the set's
    `review_due` to today + `next_days` (365 by default), audits the review and returns the
    review's id. Raises ProgrammeError for missing or too long texts and NotFound for an
    unknown persona set.
    """
    why, kept, changed = (why or "").strip(), (kept or "").strip(), (changed or "").strip()
    if not why:
        raise ProgrammeError("a review needs a reason: say why the personas were kept or changed")
    if not kept and not changed:
        raise ProgrammeError("a review needs to say what was kept, what was changed, or both")
    for label, text in (("why", why), ("kept", kept), ("changed", changed)):
        if len(text) > MAX_TEXT:
            raise ProgrammeError(f"'{label}' can have at most {MAX_TEXT} characters (got {len(text)})")
    if not db.execute("SELECT 1 FROM persona_sets WHERE id = ?", [set_id]).fetchone():
        raise NotFound(f"persona set {set_id} does not exist")
    today = today or _today()
    due = (today + dt.timedelta(days=next_days)).isoformat()
    with transaction(db):
        cur = db.execute(
            "INSERT INTO reviews (set_id, reviewed_by, reviewed_at, kept, changed, why, next_review_due) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", [set_id, user_id, today.isoformat(), kept, changed, why, due])
        db.execute("UPDATE persona_sets SET review_due = ? WHERE id = ?", [due, set_id])
        audit(db, user_id, "review", f"persona set {set_id}", why[:200])
    return cur.lastrowid


def reviews_for_set(db: sqlite_utils.Database, set_id: int) -> list[dict]:
    """The reviews of persona set `set_id`, newest first, each with `reviewer` (a name or None).

    Review rows: reviewed_at and next_review_due (ISO dates), kept, changed, why, reviewed_by.
    An unknown set has no reviews ([]).
    """
    return list(db.query(
        "SELECT v.*, u.name AS reviewer FROM reviews v LEFT JOIN users u ON u.id = v.reviewed_by "
        "WHERE v.set_id = ? ORDER BY v.reviewed_at DESC, v.id DESC", [set_id]))


def register_major_change(db: sqlite_utils.Database, programme_id: int, note: str, *, user_id: int | None = None,
                          today: dt.date | None = None, within_days: int = MAJOR_CHANGE_REVIEW_DAYS) -> str:
    """A major change makes the current personas suspect: bring their review forward.

    Records the change with `note` (trimmed; required) and moves the review date of every current
    persona set in the programme forward to `within_days` (30) days after `today` (default today
    in UTC); a set already due sooner keeps its date. Returns that date as an ISO date. Raises
    ProgrammeError for an empty note and NotFound for an unknown programme.
    """
    note = (note or "").strip()
    if not note:
        raise ProgrammeError("describe the major change (what happened), so reviewers know why the review came early")
    get_programme(db, programme_id)
    today = today or _today()
    due = (today + dt.timedelta(days=within_days)).isoformat()
    with transaction(db):
        db.execute("INSERT INTO major_changes (programme_id, registered_at, registered_by, note, review_due) "
                   "VALUES (?, ?, ?, ?, ?)", [programme_id, today.isoformat(), user_id, note, due])
        db.execute("UPDATE persona_sets SET review_due = ? WHERE current = 1 AND review_due > ? AND round_id IN "
                   "(SELECT id FROM rounds WHERE programme_id = ?)", [due, due, programme_id])
        audit(db, user_id, "major-change", f"programme {programme_id}", note[:200])
    return due


def major_changes(db: sqlite_utils.Database, programme_id: int) -> list[dict]:
    """The programme's registered major changes, newest first, each with `registrar` (a name or None).

    Rows: registered_at and review_due (ISO dates), note, registered_by.
    """
    return list(db.query(
        "SELECT m.*, u.name AS registrar FROM major_changes m LEFT JOIN users u ON u.id = m.registered_by "
        "WHERE m.programme_id = ? ORDER BY m.registered_at DESC, m.id DESC", [programme_id]))


def overdue_reviews(db: sqlite_utils.Database, today: dt.date | None = None, *,
                    round_ids: set[int] | None = None) -> list[dict]:
    """Current persona sets whose review date has passed, most overdue first.

    `round_ids` limits the list to rounds a user may see (None: all)."""
    today = today or _today()
    rows = db.query(
        "SELECT s.id AS set_id, s.round_id, s.review_due, r.title AS round_title, r.programme_id, "
        "p.name AS programme_name, (SELECT max(reviewed_at) FROM reviews WHERE set_id = s.id) AS last_reviewed "
        "FROM persona_sets s JOIN rounds r ON r.id = s.round_id LEFT JOIN programmes p ON p.id = r.programme_id "
        "WHERE s.current = 1 AND s.review_due < ? ORDER BY s.review_due, s.id", [today.isoformat()])
    result = []
    for row in rows:
        if round_ids is not None and row["round_id"] not in round_ids:
            continue
        row["days_overdue"] = (today - dt.date.fromisoformat(row["review_due"][:10])).days
        result.append(row)
    return result
