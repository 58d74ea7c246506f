"""Anonymous rounds at rest: what someone holding the files (but not SECRET_KEY) can link.

Respondents answer through the web app; then the raw bytes of toolkit.db, of toolkit.db-wal
before any checkpoint, and of a `persona-toolkit backup` file are read the way an intruder
would. A participant is named in those bytes by their e-mail address, name, token hash or
token salt (their numeric id only means something inside the participants table or as
responses.participant_id, which stays empty in anonymous rounds). A link is a unit of storage
that holds a response id and any of those: one database page, or one WAL transaction (the
frames up to a commit frame are written together, so whoever reads the WAL sees what was
written in one go). None may exist.

File modes: the database, its -wal and -shm, backups, the instance folder and the briefs that
`briefs make` writes are the owner's only (0600 files, 0700 folders); `check` names any that
others can read, and every connection overwrites what it deletes (secure_delete).
"""

from __future__ import annotations

import sqlite3
import stat

import pytest
from respondents import SECRET, answer, open_round

from toolkit.core.questionnaire import get_questionnaire
from toolkit.data.db import thread_connection

WAL_HEADER = 32
FRAME_HEADER = 24


@pytest.fixture
def app(database, instance):
    from toolkit import create_app

    return create_app({"TESTING": True, "SECRET_KEY": SECRET})


def wal_transactions(data: bytes) -> list[bytes]:
    """The WAL's frames grouped into what was committed together (a commit frame ends a group;
    frames of an older WAL generation, with another salt, are grouped on their own)."""
    if len(data) < WAL_HEADER:
        return []
    page_size = int.from_bytes(data[8:12], "big")
    groups, current, salt = [], [], None
    position = WAL_HEADER
    while position + FRAME_HEADER + page_size <= len(data):
        header = data[position:position + FRAME_HEADER]
        if salt is not None and header[8:16] != salt and current:
            groups.append(b"".join(current))
            current = []
        salt = header[8:16]
        current.append(data[position + FRAME_HEADER:position + FRAME_HEADER + page_size])
        if int.from_bytes(header[4:8], "big"):  # the database size after commit: a commit frame
            groups.append(b"".join(current))
            current = []
        position += FRAME_HEADER + page_size
    if current:
        groups.append(b"".join(current))
    return groups


def database_pages(data: bytes) -> list[bytes]:
    """A SQLite file cut into its pages (page size from the header; 1 means 65536)."""
    page_size = int.from_bytes(data[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    return [data[i:i + page_size] for i in range(0, len(data), page_size)]


def linking_units(units: list[bytes], response_ids: list[str], names: dict[str, list[str]]) -> list[tuple[int, str, str]]:
    """(unit number, response id, participant e-mail) for every unit holding both a response id and
    anything that names a participant (their e-mail, name, token hash or salt)."""
    found = []
    for number, unit in enumerate(units):
        responses = [rid for rid in response_ids if rid.encode() in unit]
        if not responses:
            continue
        for email, marks in names.items():
            if any(mark.encode() in unit for mark in marks):
                found.append((number, responses[0], email))
    return found


def test_no_page_or_wal_transaction_links_a_participant_to_a_response(app, cli, database, instance, tmp_path):
    pulse = get_questionnaire("pulse")
    round_id, people = open_round(database, pulse, people=8)
    live = thread_connection(app.config["DATABASE"])  # the connection the test client's requests use
    for connection in (database, live):
        connection.execute("PRAGMA wal_autocheckpoint = 0")  # keep every frame in the WAL
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for number, person in enumerate(people[:6]):
        answer(app, person, pulse, value=2 + number % 3)
    wal = (instance / "toolkit.db-wal").read_bytes()

    response_ids = [r for (r,) in database.execute("SELECT id FROM responses WHERE round_id = ?", [round_id])]
    assert len(response_ids) == 6
    assert database.execute("SELECT count(*) FROM responses WHERE participant_id IS NOT NULL").fetchone()[0] == 0
    names = {p["email"]: [p["email"], p["name"], p["token_hash"], p["token_salt"]] for p in people}

    transactions = wal_transactions(wal)
    assert len(transactions) >= 6  # every completion was committed into the WAL we read
    linked_in_wal = linking_units(transactions, response_ids, names)

    database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    linked_in_database = linking_units(database_pages((instance / "toolkit.db").read_bytes()), response_ids, names)
    backup = tmp_path / "backups" / "copy.db"
    cli("backup", "--out", backup)
    linked_in_backup = linking_units(database_pages(backup.read_bytes()), response_ids, names)

    units = [len({unit for unit, _rid, _email in found}) for found in (linked_in_wal, linked_in_database, linked_in_backup)]
    assert units == [0, 0, 0], (
        f"of {len(transactions)} WAL transactions {units[0]} link a participant to a response, and so do "
        f"{units[1]} database pages and {units[2]} backup pages: {linked_in_wal[:3]}")


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_database_backups_instance_folder_and_briefs_are_the_owners_only(cli, database, instance, tmp_path,
                                                                         default_q):
    from conftest import make_round_with_responses

    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=60)
    cli("personas", "derive", "--round", round_id, "--bootstrap", "2")
    backup = tmp_path / "backups" / "nightly.db"
    cli("backup", "--out", backup)
    briefs = tmp_path / "briefs"
    cli("briefs", "make", "--round", round_id, "--out", briefs, "--lang", "en")

    files = [instance / "toolkit.db", instance / "toolkit.db-wal", instance / "toolkit.db-shm", backup,
             *sorted(briefs.glob("*.docx"))]
    assert len(files) > 5
    loose = {str(p): oct(_mode(p)) for p in files if _mode(p) != 0o600}
    loose |= {str(p): oct(_mode(p)) for p in (instance, backup.parent, briefs) if _mode(p) != 0o700}
    assert loose == {}


def test_check_names_files_that_other_accounts_can_read(cli, database, instance):
    assert "PROBLEM" not in cli("check").output
    (instance / "toolkit.db").chmod(0o644)
    instance.chmod(0o755)
    result = cli("check", expect_ok=False)
    assert result.exit_code == 1
    assert f"{instance} can be read by other accounts" in result.output and "chmod 700" in result.output
    assert "toolkit.db can be read by other accounts on this machine (mode 644)" in result.output
    cli("init-db")  # tightens both
    assert "PROBLEM" not in cli("check").output


def test_every_connection_overwrites_what_it_deletes(database):
    assert database.execute("PRAGMA secure_delete").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError):  # and the foreign keys hold, as before
        database.execute("INSERT INTO answers (response_id, item_id, value) VALUES ('nobody', 'x', '1')")
