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
    if "_migrations" not in db.table_names():
        return []
    return [r["name"] for r in db.query("SELECT name FROM _migrations ORDER BY rowid")]


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply every migration not yet applied; return the names applied now."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = set(applied(db))
    ran = []
    for migration in _discover():
        if migration.__name__ in done:
            continue
        with transaction(db):
            migration(db)
            db.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                [migration.__name__, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")],
            )
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


def m010_answer_mapping_and_completion(db: sqlite_utils.Database) -> None:
    """Answer files confirmed column by column, and responses that need answers (issue 19).

    - participant_uploads.kind: 'participants' (as before) or 'answers': an answer file read and
      waiting for HR to confirm what each column holds is kept here like a participant list
      waiting for its preview (``rows`` then holds the read table as JSON), and goes the same
      way: on confirm or cancel, after 24 hours, and with the round's data at retention;
    - rounds.min_answered_share: the share (0-1] of a respondent's closed questions that must be
      answered before a response can be sent; NULL is the default rule (every required item,
      and two thirds of the items of each persona-dimension construct; toolkit.core.completion).
    """
    db.execute("ALTER TABLE participant_uploads ADD COLUMN kind TEXT NOT NULL DEFAULT 'participants'")
    db.execute("ALTER TABLE rounds ADD COLUMN min_answered_share REAL "
               "CHECK (min_answered_share IS NULL OR (min_answered_share > 0 AND min_answered_share <= 1))")
