"""Responses with their answers and construct scores: stored in one statement each, and read
only through the functions here.

Which responses a round's figures are made of (DESIGN §8): in an identified round all of them;
in an anonymous round only the published ones. Web answers of an anonymous round wait,
unpublished, until the round closes; the close publishes them all at once (:func:`publish_at_close`),
so no screen or export moves when one person answers. After a reopen, the next close publishes
what came in since only in groups of at least the minimum size. Every reader below goes through
the `usable_responses` view (migration m008), which holds exactly that rule; no other module
reads the responses table for figures (tests/test_anonymity_rules.py checks it).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import sqlite_utils

from toolkit.core.intake import ImportedResponse, decode_value, encode_value
from toolkit.core.messages import N_
from toolkit.core.participation import ResponseCounts
from toolkit.core.privacy import may_show, shown_response_count
from toolkit.core.problems import ImportProblem, Problem, Problems
from toolkit.core.questionnaire import Questionnaire
from toolkit.core.scoring import construct_scores
from toolkit.core.variables import Variable
from toolkit.core.variables import encode as encode_variable
from toolkit.data.audit import audit
from toolkit.data.db import transaction, utcnow, write
from toolkit.data.figures import paused, publish_teams
from toolkit.data.variables import declare_round_variables

# Random row positions lie in 1 .. 9e18: a clash is as unlikely as guessing a 62-bit number.
RANDOM_ROWS = 9_000_000_000_000_000_000


class AlreadyCompleted(Exception):
    """The personal link was used to complete a response before."""


def new_response_id() -> str:
    """A new response id: 32 random hex characters, so ids say nothing about order or person."""
    return secrets.token_hex(16)


def response_entry(
    q: Questionnaire,
    round_id: int,
    answers: dict,
    *,
    external_id: str | None = None,
    context: dict | None = None,
    participant_id: int | None = None,
    language: str | None = None,
    source: str = "web",
    day: dt.date | None = None,
    random_order: bool = False,
    publication: int | None = 1,
) -> dict:
    """One row for the response_entries view (migration m008): the response, its answers, its scores.

    `answers` maps item id -> value (int, str or list of str); `context` holds team and other
    attributes (team is stored in its own column). `day` (default: today, UTC) is counted in
    `response_days`; only an identified round also keeps it with the response (the database
    drops it, and the language, for anonymous rounds). `publication` is the publication the
    response belongs to (None: not yet published, see :func:`publish_at_close`).
    `random_order` gives the response row a random position, so that in an anonymous round the
    order of the rows does not reveal the order in which people answered. Answer and score rows
    are kept in the order of the (random) response id anyway (migration m007).
    """
    context = dict(context or {})
    return {
        "id": new_response_id(), "round_id": round_id, "participant_id": participant_id,
        "external_id": external_id, "day": (day or utcnow().date()).isoformat(), "language": language,
        "team": context.pop("team", None), "attributes": json.dumps(context, ensure_ascii=False, sort_keys=True),
        "source": source,
        "response_rowid": secrets.randbelow(RANDOM_ROWS) + 1 if random_order else None,
        "publication": publication,
        "answers": json.dumps({item: encode_value(value) for item, value in answers.items()}, ensure_ascii=False),
        "scores": json.dumps(construct_scores(q, answers)),
    }


def _insert_entry(db: sqlite_utils.Database, view: str, entry: dict) -> None:
    write(db, f"INSERT INTO {view} ({', '.join(entry)}) VALUES ({', '.join(':' + c for c in entry)})", entry)


def insert_response(db: sqlite_utils.Database, q: Questionnaire, round_id: int, answers: dict, **options) -> str:
    """Insert one complete response with its answers and scores, in one statement; returns its id.

    Options as :func:`response_entry`; by default the response is part of the round's first
    publication (answers stored by a program, not given through a link). Callers storing
    several responses together hold a transaction around them.
    """
    entry = response_entry(q, round_id, answers, **options)
    _insert_entry(db, "response_entries", entry)
    return entry["id"]


def _complete(db: sqlite_utils.Database, view: str, entry: dict) -> str:
    try:
        _insert_entry(db, view, entry)
    except sqlite3.IntegrityError as exc:
        if "already completed" in str(exc):
            raise AlreadyCompleted from exc
        raise
    return entry["id"]


def complete_web_response(db: sqlite_utils.Database, entry: dict, *, participant_id: int, draft_key: str) -> str:
    """Identified rounds: mark the participant's link used, store the response, delete the draft,
    in one statement; returns the response id.

    Raises AlreadyCompleted when the link was used before (nothing is then stored), and
    sqlite3.IntegrityError for an anonymous round (use :func:`complete_anonymous_response`).
    """
    return _complete(db, "web_completions", {**entry, "for_participant": participant_id, "draft_key": draft_key})


def complete_anonymous_response(db: sqlite_utils.Database, entry: dict, *, done_marker: str, draft_key: str) -> str:
    """Anonymous rounds: store the link's marker, the response (unpublished) and delete the draft,
    in one statement that writes nothing naming the participant; returns the response id.

    `done_marker` is :func:`toolkit.core.tokens.done_marker` of the link's token. Raises
    AlreadyCompleted when that marker is stored already (two tabs finishing at once store one).
    """
    entry = {**entry, "participant_id": None, "language": None, "publication": None}
    return _complete(db, "anonymous_completions", {**entry, "done_marker": done_marker, "draft_key": draft_key})


IMPORT_BATCH = 500  # responses stored per statement during an import


def import_responses(
    db: sqlite_utils.Database, round_: dict, q: Questionnaire, responses: Iterable[ImportedResponse],
    user_id: int | None = None, *, filename: str = "import", variables: list[Variable] | tuple[Variable, ...] = (),
    problems: Problems | None = None,
) -> int:
    """Store validated responses all together, or none of them; returns how many.

    ``responses`` may be a list or an iterator that checks a file as it is read
    (:func:`toolkit.core.intake.iter_responses`): they are stored IMPORT_BATCH at a time inside one
    transaction, and ``problems`` (the list that iterator fills, ``Table.problems``) is raised at
    the end, which rolls everything back. Context (team and other kept context variables) goes
    into the response's team and attributes; each response's outcome values
    (``ImportedResponse.values``) into response_values, and ``variables`` declared at this import
    (``ParsedAnswers.variables``) are recorded for the round. They form one publication of their
    own. Raises ImportProblem (named after ``filename``) listing every problem: those of the rows,
    each respondent id imported into the round before, a variable declared for the round before
    with another type; nothing is then stored.
    """
    problems = Problems() if problems is None else problems
    with transaction(db):
        before = {row[0] for row in db.execute(
            "SELECT external_id FROM responses WHERE round_id = ? AND external_id IS NOT NULL", [round_["id"]])}
        try:
            declare_round_variables(db, round_["id"], variables)
        except ValueError as exc:
            raise ImportProblem(filename, [exc.args[0]]) from None
        publication = next_publication(db, round_["id"])  # the file is HR's own: published as it lands
        batch: list[ImportedResponse] = []
        count = 0
        for r in responses:
            if r.external_id in before:
                problems.append(Problem(N_("row %(row)d: respondent id '%(id)s' was imported into this round before"),
                                        row=r.row, id=r.external_id))
            count += 1
            if not (problems or problems.more):  # after the first problem the rest is only checked
                batch.append(r)
                if len(batch) >= IMPORT_BATCH:
                    _store_batch(db, q, round_["id"], publication, batch)
                    batch = []
        problems.raise_if_any(filename)
        _store_batch(db, q, round_["id"], publication, batch)
        audit(db, user_id, "import", f"round {round_['id']}", f"{count} responses")
    return count


def _store_batch(db: sqlite_utils.Database, q: Questionnaire, round_id: int, publication: int,
                 batch: list[ImportedResponse]) -> None:
    """Insert imported responses (with answers, scores and outcome values) in two statements."""
    if not batch:
        return
    entries = [response_entry(q, round_id, r.answers, external_id=r.external_id, context=r.context,
                              source="import", publication=publication) for r in batch]
    db.conn.executemany(f"INSERT INTO response_entries ({', '.join(entries[0])}) "
                        f"VALUES ({', '.join(':' + c for c in entries[0])})", entries)
    db.conn.executemany("INSERT INTO response_values (response_id, variable, value) VALUES (?, ?, ?)",
                        [(entry["id"], vid, encode_variable(value)) for entry, r in zip(entries, batch, strict=True)
                         for vid, value in r.values.items() if value is not None])


# --- publication ------------------------------------------------------------------------------


class Publication(NamedTuple):
    """What a close did with a round's unpublished responses: how many it published, how many it held back."""

    published: int
    held: int


def next_publication(db: sqlite_utils.Database, round_id: int) -> int:
    """The number the round's next publication gets (1 for the first)."""
    return (db.execute("SELECT max(publication) FROM responses WHERE round_id = ?", [round_id]).fetchone()[0] or 0) + 1


def publish_at_close(db: sqlite_utils.Database, round_: dict) -> Publication:
    """Publish an anonymous round's waiting responses at its close, or hold them back.

    The first publication takes everything (every figure still needs the minimum group). A
    later one (after a reopen, or after imported answers were published) could be compared with
    what was shown before, so it is made only of teams with at least the minimum number of new
    responses (responses stored without a team count as one more team), and only when that adds
    up to at least the minimum; the rest waits for the next close. Identified rounds publish
    nothing here (all their responses count). Call inside the close's transaction. The kept
    dashboard sums (m017) of the published teams move to the new publication as a whole
    (toolkit.data.figures.publish_teams): a few rows, whatever the number of responses.
    """
    if round_["mode"] == "identified":
        return Publication(0, 0)
    waiting = db.execute("SELECT id, coalesce(team, '') FROM responses WHERE round_id = ? AND publication IS NULL",
                         [round_["id"]]).fetchall()
    number = next_publication(db, round_["id"])
    if number == 1:
        chosen = [rid for rid, _team in waiting]
    else:
        per_team = Counter(team for _rid, team in waiting)
        chosen = [rid for rid, team in waiting if may_show(per_team[team], round_["min_group"])]
        if not may_show(len(chosen), round_["min_group"]):
            chosen = []
    with paused(db, round_["id"], resum_after=False):  # whole teams: their kept sums move as a whole
        db.conn.executemany("UPDATE responses SET publication = ? WHERE id = ?", [(number, rid) for rid in chosen])
        published = set(chosen)
        publish_teams(db, round_["id"], {team for rid, team in waiting if rid in published}, number)
    return Publication(len(chosen), len(waiting) - len(chosen))


def held_back(db: sqlite_utils.Database, round_id: int) -> int:
    """Responses of a round that are stored but not published (waiting for a close, or held back)."""
    return _kept_count(db, round_id, "g.publication = 0")


# The usable_responses rule on the counts kept per publication (figure_groups, m017; unpublished
# responses are kept under publication 0): reading them costs a few rows whatever the round's size.
_USABLE = "(g.publication > 0 OR (SELECT mode FROM rounds WHERE id = g.round_id) = 'identified')"


def _kept_count(db: sqlite_utils.Database, round_id: int, where: str = "1") -> int:
    """The round's responses that meet ``where`` (SQL on figure_groups ``g``), from the kept counts."""
    return db.execute(f"SELECT coalesce(sum(g.n), 0) FROM figure_groups g WHERE g.round_id = ? AND {where}",
                      [round_id]).fetchone()[0]


# --- reading: only what may be used --------------------------------------------------------------


def stored_count(db: sqlite_utils.Database, round_id: int) -> int:
    """Every response stored for the round, published or not (not a figure to show as it is:
    see :func:`toolkit.core.privacy.shown_response_count`)."""
    return _kept_count(db, round_id)


def usable_count(db: sqlite_utils.Database, round_id: int) -> int:
    """The number of responses the round's figures, exports and personas are made of."""
    return _kept_count(db, round_id, _USABLE)


def usable_responses(db: sqlite_utils.Database, round_id: int) -> list[dict]:
    """The round's usable responses as rows of the responses table (id, team, attributes,
    external_id, participant_id, submitted_on, publication, …), in id order."""
    return list(db.query("SELECT * FROM usable_responses WHERE round_id = ? ORDER BY id", [round_id]))


def raw_answers(db: sqlite_utils.Database, round_id: int) -> dict[str, dict[str, str]]:
    """response id -> item id -> the stored text of the answer, for the round's usable responses."""
    result: dict[str, dict[str, str]] = {}
    for rid, item_id, value in db.execute(
        "SELECT a.response_id, a.item_id, a.value FROM answers a JOIN usable_responses r ON r.id = a.response_id "
        "WHERE r.round_id = ?", [round_id]
    ):
        result.setdefault(rid, {})[item_id] = value
    return result


# The round's usable responses with their participant and their answers (a JSON object item id ->
# stored text), one row per response in id order. The responses are sorted first (LIMIT -1 keeps
# SQLite from folding the inner query into the outer one), and each response's answers are read
# by key as its row is fetched, so the first row comes at once instead of after every answer.
_WITH_PARTICIPANTS = """
SELECT s.*, (SELECT json_group_object(a.item_id, a.value) FROM answers a WHERE a.response_id = s.id)
FROM (SELECT r.id, r.submitted_on, r.external_id, r.team, p.email, p.name, p.team AS p_team, p.language,
             p.attributes
      FROM usable_responses r LEFT JOIN participants p ON p.id = r.participant_id
      WHERE r.round_id = ? ORDER BY r.id LIMIT -1) s"""


def responses_with_participants(db: sqlite_utils.Database, round_id: int) -> Iterator[tuple]:
    """The round's usable responses one at a time, in id order, for an export that streams: tuples
    (id, submitted_on, external_id, team, participant's email, name, team, language, attributes
    JSON, answers as a JSON object item id -> stored text or None); participant fields are None
    for a response without one."""
    return db.execute(_WITH_PARTICIPANTS, [round_id])


def respondent_attribute_keys(db: sqlite_utils.Database, round_id: int) -> list[str]:
    """Every attribute key of the participants behind the round's usable responses, in the order
    the responses (by id) first show it."""
    return [key for (key,) in db.execute(
        "SELECT j.key FROM usable_responses r JOIN participants p ON p.id = r.participant_id, "
        "json_each(p.attributes) j WHERE r.round_id = ? GROUP BY j.key ORDER BY min(printf('%s %010d', r.id, j.id))",
        [round_id])]


def answers_by_response(db: sqlite_utils.Database, round_id: int, q: Questionnaire) -> dict[str, dict]:
    """response id -> item id -> decoded answer (int, str or list), for every usable response
    (a response without answers maps to an empty dict).

    Decoded row by row as SQLite hands them over (the stored texts are never all held at
    once), with the questionnaire's own item-id strings as keys: at 100 000 responses that is
    millions of answers, and a fresh key string per answer was most of the memory `personas
    derive` needed.
    """
    result = {rid: {} for (rid,) in db.execute("SELECT id FROM usable_responses WHERE round_id = ?", [round_id])}
    items = {item_id: (item_id, item) for item_id, item in q.items.items()}
    for rid, item_id, value in db.execute(
        "SELECT a.response_id, a.item_id, a.value FROM answers a JOIN usable_responses r ON r.id = a.response_id "
        "WHERE r.round_id = ?", [round_id]
    ):
        key, item = items.get(item_id, (item_id, None))
        result[rid][key] = decode_value(item, value)
    return result


def participants_by_response(db: sqlite_utils.Database, round_id: int) -> dict[str, int]:
    """response id -> participant id, for the round's responses given through a personal link
    of an identified round (anonymous responses have no participant)."""
    return dict(db.execute(
        "SELECT id, participant_id FROM responses WHERE round_id = ? AND participant_id IS NOT NULL", [round_id]
    ).fetchall())


def contexts_by_response(db: sqlite_utils.Database, round_id: int) -> dict[str, dict]:
    """response id -> context (team and stored attributes), for every usable response."""
    result = {}
    for rid, team, attributes in db.execute(
        "SELECT id, team, attributes FROM usable_responses WHERE round_id = ?", [round_id]
    ):
        context = json.loads(attributes or "{}")
        if team:
            context["team"] = team
        result[rid] = context
    return result


def scores_by_response(db: sqlite_utils.Database, round_id: int) -> tuple[dict[str, dict[str, float | None]], dict[str, str | None]]:
    """(response id -> construct -> score, response id -> team) for every usable response."""
    scores: dict[str, dict[str, float | None]] = {}
    teams: dict[str, str | None] = {}
    for rid, team in db.execute("SELECT id, team FROM usable_responses WHERE round_id = ?", [round_id]):
        scores[rid], teams[rid] = {}, team
    for rid, construct, value in db.execute(
        "SELECT s.response_id, s.construct, s.value FROM scores s JOIN usable_responses r ON r.id = s.response_id "
        "WHERE r.round_id = ?", [round_id]
    ):
        scores[rid][construct] = value
    return scores, teams


def daily_counts(db: sqlite_utils.Database, round_id: int) -> dict[dt.date, int]:
    """Responses stored per day (UTC), from the counters every stored response increments."""
    return {dt.date.fromisoformat(day): n for day, n in db.execute(
        "SELECT day, count FROM response_days WHERE round_id = ? ORDER BY day", [round_id])}


def response_counts(db: sqlite_utils.Database, round_: dict) -> ResponseCounts:
    """The round's invited participants, its answers given online (as the round may show them:
    :func:`toolkit.core.privacy.shown_response_count` -- an open anonymous round in steps of its
    minimum group) and its answers imported from files (published as they land, so exact)."""
    invited = db.execute("SELECT count(*) FROM participants WHERE round_id = ?", [round_["id"]]).fetchone()[0]
    stored_online = _kept_count(db, round_["id"], "g.online")
    usable_online, imported = usable_by_source(db, round_["id"])
    online = shown_response_count(stored_online, usable_online, anonymous=round_["mode"] != "identified",
                                  open_=round_["status"] == "open", min_group=round_["min_group"])
    return ResponseCounts(invited, online, imported)


def usable_by_source(db: sqlite_utils.Database, round_id: int) -> tuple[int, int]:
    """(answered online, imported) among the responses the round's figures are made of."""
    return _kept_count(db, round_id, f"g.online AND {_USABLE}"), _kept_count(db, round_id, f"NOT g.online AND {_USABLE}")
