"""Participants of a round: importing them from CSV/XLSX and finding them by their link.

Tokens themselves are derived in `toolkit.core.tokens`; only their hash is stored here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

import sqlite_utils
from email_validator import EmailNotValidError, validate_email

from toolkit.core.messages import N_
from toolkit.core.problems import ImportProblem, Problem, Problems
from toolkit.core.tabular import UPLOAD, Limits, Table, read_table
from toolkit.core.tokens import new_salt, participant_token, token_hash
from toolkit.data.audit import audit
from toolkit.data.db import transaction

LANGUAGES = ("nl", "en")
# Header names people use for the fixed columns (case-insensitive); anything else is an attribute.
COLUMN_ALIASES = {
    "email": ("email", "e-mail", "e-mailadres", "emailadres", "email address", "mail"),
    "name": ("name", "naam", "full name", "volledige naam"),
    "team": ("team", "afdeling", "department"),
    "language": ("language", "taal", "lang"),
}
LANGUAGE_WORDS = {
    "nl": "nl", "nederlands": "nl", "dutch": "nl", "nl-nl": "nl", "nl_nl": "nl",
    "en": "en", "engels": "en", "english": "en", "en-gb": "en", "en-us": "en", "en_gb": "en",
}
MAX_ATTRIBUTE_COLUMNS = 20


# --- links ------------------------------------------------------------------------------


def find_by_token(db: sqlite_utils.Database, token: str) -> dict | None:
    """The participant row whose personal link carries ``token``, or None (also for a text that
    cannot be one of our tokens; a token is looked up by its SHA-256, never stored itself)."""
    # Tokens are 43 URL-safe characters; anything else cannot be ours, so skip the lookup.
    if not 40 <= len(token) <= 64:
        return None
    rows = list(db.query("SELECT * FROM participants WHERE token_hash = ?", [token_hash(token)]))
    return rows[0] if rows else None


# --- import -----------------------------------------------------------------------------


def _column_map(headers: list[str]) -> dict[str, str]:
    """header -> fixed field name ('email', 'name', ...) or 'attr:<header>'."""
    mapping = {}
    for header in headers:
        key = header.strip().casefold()
        field = next((f for f, names in COLUMN_ALIASES.items() if key in names), None)
        mapping[header] = field or f"attr:{header}"
    return mapping


def _header_problems(table: Table, mapping: dict[str, str]) -> list[Problem]:
    problems = []
    fields = list(mapping.values())
    for field in ("email", "name", "team", "language"):
        if fields.count(field) > 1:
            both = " and ".join(f"'{h}'" for h, f in mapping.items() if f == field)
            problems.append(Problem(N_("row 1: columns %(columns)s both mean '%(field)s'; keep one"),
                                    columns=both, field=field))
    if "email" not in fields:
        problems.append(Problem(N_("row 1: no e-mail column; expected a column named 'email' (found: %(found)s)"),
                                found=", ".join(table.headers)))
    attributes = [h for h, f in mapping.items() if f.startswith("attr:")]
    if len(attributes) > MAX_ATTRIBUTE_COLUMNS:
        problems.append(Problem(N_("row 1: %(n)d extra columns; at most %(limit)d are kept as attributes"),
                                n=len(attributes), limit=MAX_ATTRIBUTE_COLUMNS))
    return problems


def _email_problem(raw: str) -> str:
    """The catalogue message for an address the validator refused, saying what is wrong."""
    local, at, domain = raw.partition("@")
    if not at:
        return N_("row %(row)d, column '%(column)s': '%(value)s' is not a valid e-mail address: it has no @")
    if any(ch.isspace() for ch in raw):
        return N_("row %(row)d, column '%(column)s': '%(value)s' is not a valid e-mail address: it contains a space")
    if "@" in domain:
        return N_("row %(row)d, column '%(column)s': '%(value)s' is not a valid e-mail address: it has more than one @")
    if not local or "." not in domain.strip("."):
        return N_("row %(row)d, column '%(column)s': '%(value)s' is not a valid e-mail address: expected a name, "
                  "an @ and a domain, such as name@example.org")
    return N_("row %(row)d, column '%(column)s': '%(value)s' is not a valid e-mail address; expected the form "
              "name@example.org, without characters such as brackets or commas")


# A plain ASCII local part (dot-separated runs of letters, digits, _ + -): email_validator keeps it
# as it is, so an address of this form whose domain it accepted before normalises to the same local
# part and that domain's normal form, without checking the domain again.
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*")


def normalised_email(raw: str, domains: dict[str, str]) -> str:
    """``raw`` as email_validator normalises it (no deliverability check); raises
    EmailNotValidError. ``domains`` caches each accepted domain's normal form for addresses with
    a plain local part: a list of 500,000 colleagues has a handful of domains, and checking a
    domain was half the time of an import."""
    local, at, domain = raw.rpartition("@")
    if at and domain in domains and len(local) <= 64 and _PLAIN_LOCAL.fullmatch(local):
        email = f"{local}@{domains[domain]}"
        if len(email) <= 254:
            return email
    email = validate_email(raw, check_deliverability=False).normalized
    if at and _PLAIN_LOCAL.fullmatch(local) and email.startswith(local + "@") and email.isascii():
        domains[domain] = email[len(local) + 1:]
    return email


def _email(number: int, column: str, raw: str, seen: dict[str, int], problems: list[Problem],
           domains: dict[str, str]) -> str | None:
    """The normalised address of one row, or None (the problem appended); ``seen`` maps each
    case-folded address to its first row, ``domains`` is :func:`normalised_email`'s cache."""
    if not raw:
        problems.append(Problem(N_("row %(row)d, column '%(column)s': empty; expected an e-mail address"),
                                row=number, column=column))
        return None
    try:
        email = normalised_email(raw, domains)
    except EmailNotValidError:  # its own reason is English only: say what is wrong in our words
        problems.append(Problem(_email_problem(raw), row=number, column=column, value=raw))
        return None
    if email.casefold() in seen:
        problems.append(Problem(N_("row %(row)d, column '%(column)s': '%(value)s' is a duplicate of row "
                                   "%(other)d; expected each participant once"),
                                row=number, column=column, value=raw, other=seen[email.casefold()]))
    else:
        seen[email.casefold()] = number
    return email


def parse_participants(table: Table, default_language: str = "nl") -> list[dict]:
    """Validate every row; return participant dicts or raise ImportProblem listing every error.

    Each dict has email, name, team, language, attributes (dict) and row (spreadsheet row); see
    :func:`iter_participants`.
    """
    rows = list(iter_participants(table, default_language))
    table.problems.raise_if_any(table.filename)
    return rows


def iter_participants(table: Table, default_language: str = "nl") -> Iterator[dict]:
    """Each valid row of ``table`` as a participant dict (email, name, team, language, attributes,
    row), as the rows are read. Header problems raise ImportProblem at once; a row's problems go
    into ``table.problems`` (its row is then not yielded), for the caller to raise when the rows
    are done (all or nothing)."""
    default_language = default_language if default_language in LANGUAGES else "nl"
    mapping = _column_map(table.headers)
    problems = _header_problems(table, mapping)
    if problems:
        raise ImportProblem(table.filename, problems)
    return _participants(table, mapping, default_language)


def _participants(table: Table, mapping: dict[str, str], default_language: str) -> Iterator[dict]:
    email_col = next(h for h, f in mapping.items() if f == "email")
    lang_col = next((h for h, f in mapping.items() if f == "language"), None)
    problems = table.problems
    seen: dict[str, int] = {}
    domains: dict[str, str] = {}
    count = 0
    for number, cells in table.records():
        before = len(problems) + problems.more
        email = _email(number, email_col, cells.get(email_col, ""), seen, problems, domains)
        language = default_language
        if lang_col and cells.get(lang_col):
            language = LANGUAGE_WORDS.get(cells[lang_col].casefold())
            if language is None:
                problems.append(Problem(N_("row %(row)d, column '%(column)s': unknown language '%(value)s'; "
                                           "expected nl or en"), row=number, column=lang_col, value=cells[lang_col]))
        row = {"row": number, "email": email or cells.get(email_col, ""), "name": "", "team": "",
               "language": language, "attributes": {}}
        for header, field in mapping.items():
            value = cells.get(header, "")
            if field in ("name", "team"):
                row[field] = value
            elif field.startswith("attr:") and value:
                row["attributes"][header] = value
        count += 1
        if len(problems) + problems.more == before:
            yield row
    if not count and not (problems or problems.more):
        problems.append(Problem(N_("the file has a header but no participants")))


def already_in_round(db: sqlite_utils.Database, round_id: int, rows: list[dict], filename: str) -> None:
    """Raise ImportProblem naming every row whose e-mail is already a participant of the round."""
    existing = {
        r[0].casefold() for r in db.execute("SELECT email FROM participants WHERE round_id = ?", [round_id])
    }
    problems = [_already_there(r) for r in rows if r["email"].casefold() in existing]
    if problems:
        raise ImportProblem(filename, problems)


def _already_there(r: dict) -> Problem:
    return Problem(N_("row %(row)d, column 'email': '%(value)s' is a duplicate: already a participant of this round"),
                   row=r["row"], value=r["email"])


IMPORT_BATCH = 1000  # participants stored per statement


def import_participants(db: sqlite_utils.Database, round_id: int, rows: Iterable[dict], secret_key: str,
                        *, filename: str = "upload", user_id: int | None = None,
                        problems: Problems | None = None) -> int:
    """Store validated participants with their link hashes, all in one transaction, or none;
    returns how many.

    ``rows`` may be a list or an iterator checking a file as it is read
    (:func:`iter_participants`): they are stored IMPORT_BATCH at a time, and ``problems`` (the
    list that iterator fills) is raised at the end, which rolls everything back. Raises
    ImportProblem naming every problem, and every row whose e-mail is a participant of the round
    already.
    """
    problems = Problems() if problems is None else problems
    with transaction(db):
        existing = {r[0].casefold() for r in db.execute("SELECT email FROM participants WHERE round_id = ?",
                                                        [round_id])}
        next_id = db.execute("SELECT coalesce(max(id), 0) + 1 FROM participants").fetchone()[0]
        batch, count = [], 0
        for r in rows:
            count += 1
            if r["email"].casefold() in existing:
                problems.append(_already_there(r))
            elif not (problems or problems.more):  # after the first problem the rest is only checked
                batch.append(_participant_row(round_id, next_id + len(batch), r, secret_key))
                if len(batch) >= IMPORT_BATCH:
                    _store_participants(db, batch)
                    next_id, batch = next_id + len(batch), []
        problems.raise_if_any(filename)
        _store_participants(db, batch)
        audit(db, user_id, "import", f"round {round_id}", f"{count} participants")
    return count


def _participant_row(round_id: int, participant_id: int, r: dict, secret_key: str) -> tuple:
    salt = new_salt()
    token = participant_token(secret_key, {"round_id": round_id, "id": participant_id, "token_salt": salt})
    return (participant_id, round_id, r["email"], r.get("name", ""), r.get("team", ""), r.get("language", "nl"),
            json.dumps(r.get("attributes", {}), ensure_ascii=False, sort_keys=True), salt, token_hash(token))


def _store_participants(db: sqlite_utils.Database, batch: list[tuple]) -> None:
    db.conn.executemany(
        "INSERT INTO participants (id, round_id, email, name, team, language, attributes, token_salt, token_hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)


def read_participants(data: bytes, filename: str, default_language: str = "nl", limits: Limits = UPLOAD) -> list[dict]:
    """Read a participant list (CSV, text or XLSX bytes, within ``limits``: a web upload's by
    default) into rows to import: {"email", "name", "team", "language", "attributes"}. Raises
    ImportProblem naming the file, and each row and column with what was expected, when any row
    is wrong (all rows or none)."""
    return parse_participants(read_table(data, filename, limits), default_language)


# --- command line -----------------------------------------------------------------------
