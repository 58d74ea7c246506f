"""Numbered schema migrations. The schema changes only here, one function per step.

Each migration runs once, inside one transaction together with its record in `_migrations`,
so a crash half-way leaves the database at the previous step.
"""

from __future__ import annotations

import datetime as dt
import re

import sqlite_utils

from toolkit.data.db import transaction


def m001_initial(db: sqlite_utils.Database) -> None:
    """The first schema, as released; history, so it never changes (later steps alter it).

    Accounts (users, round_access), questionnaire versions, programmes and rounds, participants,
    responses with their answers, scores and drafts, persona sets with personas and assignments,
    the outbox, jobs, the audit log, rate limits and leases. Times are ISO 8601 text in UTC;
    `rate_limits.window_start` and `leases.expires_at` are unix seconds.
    """
    db.execute("""CREATE TABLE users (
        id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE COLLATE NOCASE, name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin','hr','change_manager','trainer')),
        password_hash TEXT NOT NULL, language TEXT NOT NULL DEFAULT 'nl',
        active INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL)""")
    db.execute("""CREATE TABLE questionnaire_versions (
        id INTEGER PRIMARY KEY, questionnaire_id TEXT NOT NULL, version TEXT NOT NULL,
        file_hash TEXT NOT NULL UNIQUE, source TEXT NOT NULL, stored_at TEXT NOT NULL)""")
    db.execute("""CREATE TABLE programmes (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL)""")
    db.execute("""CREATE TABLE rounds (
        id INTEGER PRIMARY KEY, questionnaire_id TEXT NOT NULL,
        questionnaire_version_id INTEGER NOT NULL REFERENCES questionnaire_versions(id),
        title TEXT NOT NULL, language TEXT NOT NULL DEFAULT 'nl'
            CHECK (language IN ('nl','en','participant')),
        mode TEXT NOT NULL DEFAULT 'anonymous' CHECK (mode IN ('anonymous','identified')),
        opens_at TEXT, closes_at TEXT, reminder_days TEXT NOT NULL DEFAULT '[3, 5]',
        min_group INTEGER NOT NULL DEFAULT 5 CHECK (min_group >= 5),
        status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','open','closed')),
        programme_id INTEGER REFERENCES programmes(id), round_kind TEXT NOT NULL DEFAULT 'baseline',
        works_council_date TEXT, works_council_ref TEXT, retention_days INTEGER NOT NULL DEFAULT 730,
        created_by INTEGER REFERENCES users(id), created_at TEXT NOT NULL)""")
    db.execute("""CREATE TABLE round_access (
        round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        PRIMARY KEY (round_id, user_id))""")
    db.execute("""CREATE TABLE participants (
        id INTEGER PRIMARY KEY, round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        email TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL DEFAULT '', team TEXT NOT NULL DEFAULT '',
        language TEXT NOT NULL DEFAULT 'nl', attributes TEXT NOT NULL DEFAULT '{}',
        token_hash TEXT UNIQUE, invited_at TEXT, responded INTEGER NOT NULL DEFAULT 0,
        UNIQUE (round_id, email))""")
    # Anonymous rounds: nothing here refers to a participant; the day is the only time kept.
    db.execute("""CREATE TABLE responses (
        id TEXT PRIMARY KEY, round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        participant_id INTEGER REFERENCES participants(id) ON DELETE CASCADE,
        external_id TEXT, submitted_on TEXT NOT NULL, language TEXT,
        team TEXT, attributes TEXT NOT NULL DEFAULT '{}', source TEXT NOT NULL DEFAULT 'web')""")
    db.execute("CREATE INDEX responses_round ON responses(round_id)")
    db.execute("""CREATE TABLE answers (
        response_id TEXT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
        item_id TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (response_id, item_id))""")
    db.execute("""CREATE TABLE scores (
        response_id TEXT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
        construct TEXT NOT NULL, value REAL, PRIMARY KEY (response_id, construct))""")
    # Work in progress of a respondent, keyed by a hash derived from their link, so it can be
    # resumed without storing who it belongs to. Removed when the response is submitted.
    db.execute("""CREATE TABLE drafts (
        key TEXT PRIMARY KEY, round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        answers TEXT NOT NULL DEFAULT '{}', page INTEGER NOT NULL DEFAULT 0,
        language TEXT, updated_on TEXT NOT NULL)""")
    db.execute("""CREATE TABLE persona_sets (
        id INTEGER PRIMARY KEY, round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        method TEXT NOT NULL, k INTEGER NOT NULL, params TEXT NOT NULL, quality TEXT NOT NULL,
        data TEXT NOT NULL, current INTEGER NOT NULL DEFAULT 1, review_due TEXT NOT NULL,
        created_by INTEGER REFERENCES users(id), created_at TEXT NOT NULL)""")
    db.execute("""CREATE TABLE personas (
        id INTEGER PRIMARY KEY, set_id INTEGER NOT NULL REFERENCES persona_sets(id) ON DELETE CASCADE,
        key TEXT NOT NULL, name TEXT NOT NULL, label TEXT NOT NULL, size INTEGER NOT NULL,
        presented INTEGER NOT NULL, profile TEXT NOT NULL, evidence TEXT NOT NULL,
        edited_name TEXT, narrative TEXT, edited_by INTEGER REFERENCES users(id), edited_at TEXT,
        UNIQUE (set_id, key))""")
    db.execute("""CREATE TABLE assignments (
        set_id INTEGER NOT NULL REFERENCES persona_sets(id) ON DELETE CASCADE,
        response_id TEXT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
        persona_key TEXT NOT NULL, PRIMARY KEY (set_id, response_id))""")
    db.execute("""CREATE TABLE outbox (
        id INTEGER PRIMARY KEY, round_id INTEGER REFERENCES rounds(id) ON DELETE CASCADE,
        participant_id INTEGER REFERENCES participants(id) ON DELETE CASCADE,
        recipient TEXT NOT NULL, kind TEXT NOT NULL, due_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sending','sent','failed')),
        attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT, last_error TEXT, sent_at TEXT,
        UNIQUE (participant_id, round_id, kind))""")
    db.execute("""CREATE TABLE jobs (
        id INTEGER PRIMARY KEY, kind TEXT NOT NULL, round_id INTEGER, params TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL DEFAULT 'queued', progress REAL NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT '', result TEXT, created_by INTEGER, created_at TEXT NOT NULL,
        finished_at TEXT)""")
    db.execute("""CREATE TABLE audit (
        id INTEGER PRIMARY KEY, at TEXT NOT NULL, user_id INTEGER, action TEXT NOT NULL,
        object TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '')""")
    db.execute("""CREATE TABLE rate_limits (
        key TEXT PRIMARY KEY, window_start REAL NOT NULL, count INTEGER NOT NULL)""")
    db.execute("""CREATE TABLE leases (
        name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at REAL NOT NULL)""")


def _discover() -> list:
    """Every function named mNNN_* in this module, in number order: add a step by adding one."""
    found = [f for name, f in globals().items() if re.fullmatch(r"m\d{3}_\w+", name) and callable(f)]
    return sorted(found, key=lambda f: f.__name__)




def applied(db: sqlite_utils.Database) -> list[str]:
    """Names of the migrations applied to `db` ("m001_initial", ...), in the order they ran.

    An empty list for a database that has never been migrated.
    """
    if "_migrations" not in db.table_names():
        return []
    return [r["name"] for r in db.query("SELECT name FROM _migrations ORDER BY rowid")]


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply every migration not yet applied; return the names applied now.

    A migration marked ``rebuilds_tables`` copies a table that others refer to into a new one:
    it runs with foreign keys off (else dropping the old table would cascade into its children),
    and the references are checked before it commits. Raises RuntimeError when they do not hold.
    """
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = set(applied(db))
    ran = []
    for migration in _discover():
        if migration.__name__ in done:
            continue
        rebuilds = getattr(migration, "rebuilds_tables", False)
        if rebuilds:
            db.execute("PRAGMA foreign_keys = OFF")  # only outside a transaction does this take effect
        try:
            with transaction(db):
                migration(db)
                broken = db.execute("PRAGMA foreign_key_check").fetchall() if rebuilds else []
                if broken:
                    raise RuntimeError(f"{migration.__name__} left {len(broken)} broken references, e.g. {broken[0]}")
                db.execute(
                    "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                    [migration.__name__, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")],
                )
        finally:
            if rebuilds:
                db.execute("PRAGMA foreign_keys = ON")
        ran.append(migration.__name__)
    return ran


# New steps go below, one function each, numbered after the last: m002_..., m003_...


def m002_outbox_schedule(db: sqlite_utils.Database) -> None:
    """Scheduler and outbox bookkeeping (issue 7).

    - outbox claims: which process holds a row while sending, until when, and whether the message
      was already handed to the SMTP server (so a crash in that window is never re-sent blindly);
    - messages without a participant (change managers, review reminders): SQLite treats NULLs in
      UNIQUE as distinct, so they get their own unique key on (round, kind, recipient);
    - rounds.schedule_note: why the scheduler left a round alone (e.g. no works-council record);
    - scheduler_runs: when daily work (retention purge) last ran.
    """
    db.execute("ALTER TABLE outbox ADD COLUMN claimed_by TEXT")
    db.execute("ALTER TABLE outbox ADD COLUMN claimed_until TEXT")
    db.execute("ALTER TABLE outbox ADD COLUMN handed_at TEXT")
    db.execute("ALTER TABLE outbox ADD COLUMN updated_at TEXT")
    db.execute(
        "CREATE UNIQUE INDEX outbox_unique_without_participant "
        "ON outbox(coalesce(round_id, 0), kind, recipient COLLATE NOCASE) WHERE participant_id IS NULL"
    )
    db.execute("CREATE INDEX outbox_due ON outbox(status, due_at)")
    db.execute("ALTER TABLE rounds ADD COLUMN schedule_note TEXT")
    db.execute("CREATE TABLE scheduler_runs (name TEXT PRIMARY KEY, last_run_at TEXT NOT NULL)")


def m003_participant_links(db: sqlite_utils.Database) -> None:
    """Personal survey links (a salt per participant, a used flag) and checked participant uploads."""
    # Personal links are re-derived from SECRET_KEY and this per-participant salt (so
    # invitations and reminders carry the same link); only sha256(link token) is stored.
    # link_used marks a completed link; no time is kept with it.
    db.execute("ALTER TABLE participants ADD COLUMN token_salt TEXT")
    db.execute("ALTER TABLE participants ADD COLUMN link_used INTEGER NOT NULL DEFAULT 0")
    # A checked participant upload waiting for HR to confirm it (preview, then all or nothing).
    db.execute("""CREATE TABLE participant_uploads (
        id TEXT PRIMARY KEY, round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        user_id INTEGER, filename TEXT NOT NULL, rows TEXT NOT NULL, created_at TEXT NOT NULL)""")


def m005_programme_reviews(db: sqlite_utils.Database) -> None:
    """Persona reviews (who looked, what they kept or changed, why, when next) and major changes."""
    # Who looked at a persona set, what they kept or changed and why; each review sets the next date.
    db.execute("""CREATE TABLE reviews (
        id INTEGER PRIMARY KEY, set_id INTEGER NOT NULL REFERENCES persona_sets(id) ON DELETE CASCADE,
        reviewed_by INTEGER REFERENCES users(id), reviewed_at TEXT NOT NULL,
        kept TEXT NOT NULL DEFAULT '', changed TEXT NOT NULL DEFAULT '', why TEXT NOT NULL,
        next_review_due TEXT NOT NULL)""")
    db.execute("CREATE INDEX reviews_set ON reviews(set_id)")
    # A major change in a programme (reorganisation, new system live) brings reviews forward.
    db.execute("""CREATE TABLE major_changes (
        id INTEGER PRIMARY KEY, programme_id INTEGER NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
        registered_at TEXT NOT NULL, registered_by INTEGER REFERENCES users(id), note TEXT NOT NULL,
        review_due TEXT NOT NULL)""")


def m006_lookup_indexes(db: sqlite_utils.Database) -> None:
    """Indexes for counting a round's team and for finding a participant's responses."""
    # Completing an anonymous response counts the respondent's team (is it big enough to keep?):
    # without this index that count scanned every participant of the round inside the write
    # transaction, so each completion got slower as the round grew.
    db.execute("CREATE INDEX participants_round_team ON participants(round_id, team)")
    # Deleting a participant (retention, identified rounds) checks responses that point at it.
    # Partial: anonymous responses (no participant) cost no index write when they are stored.
    db.execute("CREATE INDEX responses_participant ON responses(participant_id) WHERE participant_id IS NOT NULL")


def m007_single_statement_writes(db: sqlite_utils.Database) -> None:
    """Storing a response, and completing one from the web, as single statements.

    A web server thread gives up Python's GIL at every SQLite call and must win it back from
    the other threads before it can send the next; a transaction of several calls holds the
    write lock through all those waits. One INSERT into these views runs every write in one
    call — atomic as any single statement: all of it lands or none of it.

    response_entries: one response with its answers and scores (JSON objects item -> value and
    construct -> score). `response_rowid` gives the response row a random position (anonymous
    rounds: row order must not reveal the order of answering); NULL appends it.

    web_completions: a respondent finishing — the link is marked used (refused with 'already
    completed' if it was), the response stored, the draft deleted.

    Answers and scores become WITHOUT ROWID tables keyed by (response, item / construct): as
    rowid tables with a separate index on that key every answer went into two B-trees, and
    completing a response cost 40% more (measured: 450 -> 290 us with 4,000 responses). Their
    rows are kept in key order, and response ids are random, so that order reveals nothing.
    """
    for table, key, value in (("answers", "item_id", "value TEXT NOT NULL"), ("scores", "construct", "value REAL")):
        db.execute(f"""CREATE TABLE {table}_keyed (
            response_id TEXT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
            {key} TEXT NOT NULL, {value}, PRIMARY KEY (response_id, {key})) WITHOUT ROWID""")
        db.execute(f"INSERT INTO {table}_keyed (response_id, {key}, value) SELECT response_id, {key}, value FROM {table}")
        db.execute(f"DROP TABLE {table}")
        db.execute(f"ALTER TABLE {table}_keyed RENAME TO {table}")
    columns = ("id", "round_id", "participant_id", "external_id", "submitted_on", "language", "team",
               "attributes", "source", "response_rowid", "answers", "scores")
    db.execute(f"CREATE VIEW response_entries ({', '.join(columns)}) AS "
               f"SELECT {', '.join(['NULL'] * len(columns))} WHERE 0")
    db.execute("""CREATE TRIGGER response_entries_insert INSTEAD OF INSERT ON response_entries BEGIN
        INSERT INTO responses (rowid, id, round_id, participant_id, external_id, submitted_on, language, team,
                               attributes, source)
        VALUES (NEW.response_rowid, NEW.id, NEW.round_id, NEW.participant_id, NEW.external_id, NEW.submitted_on,
                NEW.language, NEW.team, NEW.attributes, NEW.source);
        INSERT INTO answers (response_id, item_id, value) SELECT NEW.id, key, value FROM json_each(NEW.answers);
        INSERT INTO scores (response_id, construct, value) SELECT NEW.id, key, value FROM json_each(NEW.scores);
    END""")
    more = ("for_participant", "draft_key")
    db.execute(f"CREATE VIEW web_completions ({', '.join(columns + more)}) AS "
               f"SELECT {', '.join(['NULL'] * len(columns + more))} WHERE 0")
    db.execute(f"""CREATE TRIGGER web_completions_insert INSTEAD OF INSERT ON web_completions BEGIN
        SELECT RAISE(ABORT, 'already completed')
        WHERE NOT EXISTS (SELECT 1 FROM participants WHERE id = NEW.for_participant AND link_used = 0);
        UPDATE participants SET responded = 1, link_used = 1 WHERE id = NEW.for_participant;
        INSERT INTO response_entries ({', '.join(columns)})
        VALUES ({', '.join('NEW.' + c for c in columns)});
        DELETE FROM drafts WHERE key = NEW.draft_key;
    END""")


RESPONSE_COLUMNS = ("id", "round_id", "participant_id", "external_id", "day", "language", "team", "attributes",
                    "source", "response_rowid", "publication", "answers", "scores")


def _round_mode(column: str) -> str:
    return f"(SELECT mode FROM rounds WHERE id = NEW.{column})"


def _write_views(db: sqlite_utils.Database, *, days_of_imports: bool = True) -> None:
    """The single-statement writes of m007, as m008 leaves them (see there); m010 writes them
    again with ``days_of_imports`` False (imported answers are not counted in response_days)."""
    def empty_view(name: str, columns: tuple[str, ...]) -> None:
        db.execute(f"CREATE VIEW {name} ({', '.join(columns)}) AS SELECT {', '.join(['NULL'] * len(columns))} WHERE 0")

    stored = ", ".join(c for c in RESPONSE_COLUMNS if c not in ("response_rowid", "answers", "scores", "day"))
    values = ", ".join(f"NEW.{c}" for c in RESPONSE_COLUMNS if c not in ("response_rowid", "answers", "scores", "day"))
    values = values.replace("NEW.language", f"CASE WHEN {_round_mode('round_id')} = 'identified' THEN NEW.language END")
    entry = ", ".join(RESPONSE_COLUMNS)
    empty_view("response_entries", RESPONSE_COLUMNS)
    db.execute(f"""CREATE TRIGGER response_entries_insert INSTEAD OF INSERT ON response_entries BEGIN
        SELECT RAISE(ABORT, 'a response in an anonymous round names no participant')
        WHERE NEW.participant_id IS NOT NULL AND {_round_mode('round_id')} IS NOT 'identified';
        INSERT INTO responses (rowid, submitted_on, {stored})
        VALUES (NEW.response_rowid, CASE WHEN {_round_mode('round_id')} = 'identified' THEN NEW.day END, {values});
        INSERT INTO response_days (round_id, day, count) SELECT NEW.round_id, NEW.day, 1
            WHERE {"1" if days_of_imports else "NEW.source IS NOT 'import'"}
            ON CONFLICT (round_id, day) DO UPDATE SET count = count + 1;
        INSERT INTO answers (response_id, item_id, value) SELECT NEW.id, key, value FROM json_each(NEW.answers);
        INSERT INTO scores (response_id, construct, value) SELECT NEW.id, key, value FROM json_each(NEW.scores);
    END""")
    empty_view("web_completions", (*RESPONSE_COLUMNS, "for_participant", "draft_key"))
    db.execute(f"""CREATE TRIGGER web_completions_insert INSTEAD OF INSERT ON web_completions BEGIN
        SELECT RAISE(ABORT, 'an anonymous round is completed through anonymous_completions')
        WHERE {_round_mode('round_id')} IS NOT 'identified';
        SELECT RAISE(ABORT, 'already completed')
        WHERE NOT EXISTS (SELECT 1 FROM participants WHERE id = NEW.for_participant AND link_used = 0);
        UPDATE participants SET responded = 1, link_used = 1 WHERE id = NEW.for_participant;
        INSERT INTO response_entries ({entry}) VALUES ({', '.join('NEW.' + c for c in RESPONSE_COLUMNS)});
        DELETE FROM drafts WHERE key = NEW.draft_key;
    END""")
    anonymous = [c if c != "participant_id" else "NULL" for c in RESPONSE_COLUMNS]
    empty_view("anonymous_completions", (*RESPONSE_COLUMNS, "done_marker", "draft_key"))
    db.execute(f"""CREATE TRIGGER anonymous_completions_insert INSTEAD OF INSERT ON anonymous_completions BEGIN
        SELECT RAISE(ABORT, 'already completed') WHERE EXISTS (SELECT 1 FROM completed_links WHERE marker = NEW.done_marker);
        INSERT INTO completed_links (marker, round_id) VALUES (NEW.done_marker, NEW.round_id);
        INSERT INTO response_entries ({entry})
        VALUES ({', '.join(c if c == 'NULL' else 'NEW.' + c for c in anonymous)});
        DELETE FROM drafts WHERE key = NEW.draft_key;
    END""")


def m008_unlinkable_anonymous_rounds(db: sqlite_utils.Database) -> None:
    """Anonymous rounds that hold against repetition and against whoever holds the files (issue 16).

    - responses.submitted_on may be empty, and is for anonymous rounds: their days live only as
      counts in `response_days` (round, day, count), which every stored response increments in
      the statement that stores it (existing days are counted, then dropped from anonymous rows);
    - responses.publication: which publication of its round a response belongs to (1, 2, …), or
      NULL while it waits for the round's close (anonymous web answers) or was held back at a close
      because too few came in since the previous one. Answers of rounds already closed, imported
      answers and identified rounds count as published;
    - usable_responses: the responses that figures, exports and personas are computed from
      (identified rounds: all; anonymous rounds: published ones). Readers go through it;
    - completed_links: an anonymous round's completed link, kept as sha256("done:" + token) and
      keyed by it (so in no order); completing writes this instead of the participant's flags;
    - the write views of m007 again, now with the day counter, the publication, a check that an
      anonymous response names no participant, and `anonymous_completions` for anonymous rounds.

    Participants of anonymous rounds who completed before this step keep their `link_used` flag
    until `init-db` turns it into a marker (that needs SECRET_KEY, which a migration has not).
    """
    db.execute("DROP VIEW web_completions")  # their triggers go with them; _write_views makes new ones
    db.execute("DROP VIEW response_entries")
    db.execute("""CREATE TABLE response_days (
        round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE, day TEXT NOT NULL,
        count INTEGER NOT NULL, PRIMARY KEY (round_id, day)) WITHOUT ROWID""")
    db.execute("INSERT INTO response_days (round_id, day, count) "
               "SELECT round_id, substr(submitted_on, 1, 10), count(*) FROM responses GROUP BY 1, 2")
    db.execute("""CREATE TABLE responses_rebuilt (
        id TEXT PRIMARY KEY, round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        participant_id INTEGER REFERENCES participants(id) ON DELETE CASCADE,
        external_id TEXT, submitted_on TEXT, language TEXT,
        team TEXT, attributes TEXT NOT NULL DEFAULT '{}', source TEXT NOT NULL DEFAULT 'web', publication INTEGER)""")
    db.execute("""INSERT INTO responses_rebuilt (rowid, id, round_id, participant_id, external_id, submitted_on,
                                                 language, team, attributes, source, publication)
        SELECT r.rowid, r.id, r.round_id, r.participant_id, r.external_id,
               CASE WHEN o.mode = 'identified' THEN r.submitted_on END, r.language, r.team, r.attributes, r.source,
               CASE WHEN o.mode = 'identified' OR o.status = 'closed' OR r.source != 'web' THEN 1 END
        FROM responses r JOIN rounds o ON o.id = r.round_id""")
    db.execute("DROP TABLE responses")
    db.execute("ALTER TABLE responses_rebuilt RENAME TO responses")
    db.execute("CREATE INDEX responses_round ON responses(round_id)")
    db.execute("CREATE INDEX responses_participant ON responses(participant_id) WHERE participant_id IS NOT NULL")
    db.execute("""CREATE TABLE completed_links (
        marker TEXT PRIMARY KEY, round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE) WITHOUT ROWID""")
    db.execute("CREATE INDEX completed_links_round ON completed_links(round_id)")
    db.execute("""CREATE VIEW usable_responses AS
        SELECT r.* FROM responses r JOIN rounds o ON o.id = r.round_id
        WHERE o.mode = 'identified' OR r.publication IS NOT NULL""")
    _write_views(db)


m008_unlinkable_anonymous_rounds.rebuilds_tables = True


def m009_outcome_variables(db: sqlite_utils.Database) -> None:
    """Outcome and extra variables (issue 17): declared per round, stored per response.

    round_variables: variables declared when answers were imported (``--outcome ID:TYPE``);
    those declared in the questionnaire file need no row. response_values: one value per
    response and variable, as text (yes/no, a number, a category); deleted with the response.
    Kept apart from the answers: they are never clustered on and never exported as answers.
    """
    db.execute("""CREATE TABLE round_variables (
        round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        id TEXT NOT NULL, type TEXT NOT NULL CHECK (type IN ('yes_no','categorical','numeric')),
        declared_at TEXT NOT NULL, PRIMARY KEY (round_id, id))""")
    db.execute("""CREATE TABLE response_values (
        response_id TEXT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
        variable TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (response_id, variable)) WITHOUT ROWID""")

def m010_answer_mapping_and_completion(db: sqlite_utils.Database) -> None:
    """Answer files confirmed column by column, and responses that need answers (issue 19).

    - participant_uploads.kind: 'participants' (as before) or 'answers': an answer file read and
      waiting for HR to confirm what each column holds is kept here like a participant list
      waiting for its preview (``rows`` then holds the read table as JSON), and goes the same
      way: on confirm or cancel, after 24 hours, and with the round's data at retention;
    - rounds.min_answered_share: the share (0-1] of a respondent's closed questions that must be
      answered before a response can be sent; NULL is the default rule (every required item,
      and two thirds of the items of each persona-dimension construct; toolkit.core.completion);
    - the write views of m008 again, now leaving imported answers out of `response_days`: they
      were not given on that day (nor through an invitation), and counting them there made the
      response rate over time pass 100 %. Imports stored before this step stay counted.
    """
    db.execute("ALTER TABLE participant_uploads ADD COLUMN kind TEXT NOT NULL DEFAULT 'participants'")
    for view in ("web_completions", "anonymous_completions", "response_entries"):  # their triggers go with them
        db.execute(f"DROP VIEW {view}")
    _write_views(db, days_of_imports=False)
    db.execute("ALTER TABLE rounds ADD COLUMN min_answered_share REAL "
               "CHECK (min_answered_share IS NULL OR (min_answered_share > 0 AND min_answered_share <= 1))")


def m011_invitation_texts_and_privacy_contact(db: sqlite_utils.Database) -> None:
    """HR's own invitation and reminder wording, the privacy contact, and opening times (issue 20).

    mail_texts: per round, message kind ('invitation', 'reminder') and language, the subject and
    body HR wrote; the body holds the placeholders {link}, {deadline} and {anonymity}, which the
    app fills at send time (toolkit.mail.texts). No row means the standard wording.

    rounds.privacy_contact: who respondents may ask about privacy, shown on the welcome page and
    in the invitation; NULL falls back to the instance's PRIVACY_CONTACT setting.

    rounds.opens_at for rounds HR opened by hand before this step: the time of the 'open' entry in
    the audit log, so the round page says when they opened instead of "–".
    """
    db.execute("""CREATE TABLE mail_texts (
        round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder')),
        language TEXT NOT NULL CHECK (language IN ('nl', 'en')),
        subject TEXT NOT NULL, body TEXT NOT NULL, updated_at TEXT NOT NULL,
        updated_by INTEGER REFERENCES users(id), PRIMARY KEY (round_id, kind, language))""")
    db.execute("ALTER TABLE rounds ADD COLUMN privacy_contact TEXT")
    db.execute(
        "UPDATE rounds SET opens_at = (SELECT min(a.at) FROM audit a WHERE a.action = 'open' "
        "AND a.object = 'round ' || rounds.id) WHERE opens_at IS NULL AND status != 'draft'"
    )


def m012_sessions_and_job_heartbeats(db: sqlite_utils.Database) -> None:
    """Sessions that can be ended from the server, and background jobs that survive restarts.

    users.session_version: stored in the session at login and compared on every request; bumped
    on logout, password reset, role change and disabling, so every older session cookie of the
    account stops working, wherever it was copied to.

    jobs: attempts (1 at the first start, re-queued once after an interruption), worker (the
    process running it, "host:pid:random"), started_at, heartbeat_at (unix seconds, renewed while
    it runs; a stale heartbeat means the process is gone), failure (why it failed, as a code the
    progress page words: error, timeout, interrupted).
    """
    db.execute("ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 1")
    db.execute("ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE jobs ADD COLUMN worker TEXT")
    db.execute("ALTER TABLE jobs ADD COLUMN started_at TEXT")
    db.execute("ALTER TABLE jobs ADD COLUMN heartbeat_at REAL")
    db.execute("ALTER TABLE jobs ADD COLUMN failure TEXT")
    db.execute("CREATE INDEX jobs_status ON jobs(status)")


def m013_change_facts(db: sqlite_utils.Database) -> None:
    """The change facts HR enters once per round (issue 18): what changes, why, when, and what
    stays the same. The overview brief drafts its key-message house and each persona card's key
    sentence from them. One row per round; an empty text means "not entered yet"."""
    db.execute("""CREATE TABLE change_facts (
        round_id INTEGER PRIMARY KEY REFERENCES rounds(id) ON DELETE CASCADE,
        what TEXT NOT NULL DEFAULT '', why TEXT NOT NULL DEFAULT '', timing TEXT NOT NULL DEFAULT '',
        unchanged TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL, updated_by INTEGER REFERENCES users(id))""")


def m014_persona_set_replacement(db: sqlite_utils.Database) -> None:
    """Re-deriving keeps people's work (issue 20).

    persona_sets.pending: a set derived from the web waits (1) until someone has seen what it
    changes and confirmed it; only then does it become the round's current set.
    persona_sets.replaced_by / replaced_at: the set that took this one's place, and when; the
    old set stays readable, marked "replaced by".
    personas.carried_from: the earlier persona whose hand-edited name and narrative this one
    took over (a one-to-one match of profiles, toolkit.core.compare).
    """
    db.execute("ALTER TABLE persona_sets ADD COLUMN pending INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE persona_sets ADD COLUMN replaced_by INTEGER REFERENCES persona_sets(id) ON DELETE SET NULL")
    db.execute("ALTER TABLE persona_sets ADD COLUMN replaced_at TEXT")
    db.execute("ALTER TABLE personas ADD COLUMN carried_from INTEGER REFERENCES personas(id) ON DELETE SET NULL")
    # Sets replaced before this step: each non-current set is marked replaced by the next set of its round.
    db.execute("""UPDATE persona_sets SET replaced_by = (
        SELECT min(later.id) FROM persona_sets later WHERE later.round_id = persona_sets.round_id
        AND later.id > persona_sets.id), replaced_at = (
        SELECT later.created_at FROM persona_sets later WHERE later.round_id = persona_sets.round_id
        AND later.id > persona_sets.id ORDER BY later.id LIMIT 1)
        WHERE current = 0""")


def m015_field_notes(db: sqlite_utils.Database) -> None:
    """Field notes from conversations (issue 22): what was heard in an interview, a focus group or
    from frontline colleagues, on a round, stored only after names, e-mail addresses and phone
    numbers were masked (toolkit.core.field_notes). kind: interview | focus_group | frontline |
    other; held_on: ISO date; people: how many took part (never counted as respondents); tags: a
    JSON list. field_note_personas links a note to personas (of the round's set at the time)."""
    db.execute("""CREATE TABLE field_notes (
        id INTEGER PRIMARY KEY, round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('interview','focus_group','frontline','other')),
        held_on TEXT NOT NULL, people INTEGER NOT NULL CHECK (people BETWEEN 1 AND 200),
        text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 1500), theme TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]', author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL, updated_at TEXT)""")
    db.execute("CREATE INDEX field_notes_round ON field_notes(round_id, held_on)")
    db.execute("""CREATE TABLE field_note_personas (
        note_id INTEGER NOT NULL REFERENCES field_notes(id) ON DELETE CASCADE,
        persona_id INTEGER NOT NULL REFERENCES personas(id) ON DELETE CASCADE,
        PRIMARY KEY (note_id, persona_id)) WITHOUT ROWID""")
    db.execute("CREATE INDEX field_note_personas_persona ON field_note_personas(persona_id)")


def m016_persona_checks(db: sqlite_utils.Database) -> None:
    """Persona checks (issue 22): a round generated from a persona set, in which people rate its
    cards. `personas` is JSON, [{"prefix": "pc1", "persona_id": 12}, ...]: which persona each
    page's questions are about. Deleting the round or the set deletes the link."""
    db.execute("""CREATE TABLE persona_checks (
        round_id INTEGER PRIMARY KEY REFERENCES rounds(id) ON DELETE CASCADE,
        set_id INTEGER NOT NULL REFERENCES persona_sets(id) ON DELETE CASCADE,
        personas TEXT NOT NULL, created_by INTEGER REFERENCES users(id), created_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX persona_checks_set ON persona_checks(set_id)")

def m017_dashboard_sums(db: sqlite_utils.Database) -> None:
    """A round's dashboard figures kept as sums as responses are written (issue 23): counts per
    publication and team, and per construct the number, total, high and low of the scores, each
    kept by triggers in the statement that writes (toolkit.data.figures_schema, which holds the
    tables and triggers). Counts of the responses stored so far are made here; a round's sums
    when its dashboard is first read (toolkit.data.figures.ensure_figures)."""
    from toolkit.data import figures_schema

    figures_schema.create(db)
