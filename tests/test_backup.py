"""`backup` and `restore`: a consistent copy while others write, and a restore that refuses
anything that is not a healthy database of ours, keeping the current one aside."""

from __future__ import annotations

import sqlite3
import threading

from conftest import make_users

from toolkit.data.db import connect, transaction


def _count_users(path) -> int:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute("SELECT count(*) FROM users").fetchone()[0]
    finally:
        conn.close()


def test_backup_while_another_process_writes_is_consistent_and_self_contained(cli, database, instance, tmp_path):
    stop = threading.Event()

    def writer():
        db = connect(instance / "toolkit.db")
        batch = 0
        while not stop.is_set():
            with transaction(db):  # ten rows or none: a consistent copy holds a multiple of ten
                for i in range(10):
                    db.execute("INSERT INTO audit (at, action, object) VALUES ('2027-01-01', 'w', ?)", [f"{batch}-{i}"])
            batch += 1
        db.conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        out = tmp_path / "copies" / "backup.db"
        result = cli("backup", "--out", out)
    finally:
        stop.set()
        thread.join()
    assert "Backup written to" in result.output
    assert not (tmp_path / "copies" / "backup.db-wal").exists()
    conn = sqlite3.connect(str(out))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        written = conn.execute("SELECT count(*) FROM audit WHERE action = 'w'").fetchone()[0]
        assert written % 10 == 0
    finally:
        conn.close()


def test_backup_never_overwrites_an_existing_file(cli, database, tmp_path):
    out = tmp_path / "backup.db"
    out.write_bytes(b"precious")
    result = cli("backup", "--out", out, expect_ok=False)
    assert result.exit_code == 1 and "already exists" in result.output
    assert out.read_bytes() == b"precious"


def test_restore_brings_back_the_backup_and_keeps_the_replaced_database(cli, database, instance, tmp_path, app):
    make_users(database)
    out = tmp_path / "backup.db"
    cli("backup", "--out", out)
    database.execute("DELETE FROM users WHERE role = 'trainer'")
    assert _count_users(instance / "toolkit.db") == 3
    result = cli("restore", out, "--yes")
    assert "Restored" in result.output
    assert _count_users(instance / "toolkit.db") == 4
    kept = list((instance / "backups").glob("before-restore-*.db"))
    assert len(kept) == 1 and _count_users(kept[0]) == 3
    # a running app picks it up on its next request (one connection per request)
    from conftest import login

    assert login(app.test_client(), "trainer@test.example").status_code == 302
    assert database.execute("SELECT count(*) FROM audit WHERE action = 'restore'").fetchone()[0] == 1


def test_restore_refuses_files_that_are_not_a_healthy_toolkit_database(cli, database, instance, tmp_path):
    make_users(database)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database at all" * 100)
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(str(foreign))
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.commit()
    conn.close()
    newer = tmp_path / "newer.db"
    cli("backup", "--out", newer)
    conn = sqlite3.connect(str(newer))
    conn.execute("INSERT INTO _migrations (name, applied_at) VALUES ('m999_from_the_future', '2030-01-01')")
    conn.commit()
    conn.close()
    damaged = tmp_path / "damaged.db"
    cli("backup", "--out", damaged)
    data = bytearray(damaged.read_bytes())
    page = 4096
    for offset in range(page * 2, len(data) - page, page):  # scribble over every page but the header
        data[offset + 100: offset + 400] = b"\xff" * 300
    damaged.write_bytes(bytes(data))

    expectations = {
        garbage: "not a readable SQLite database",
        foreign: "not a Persona Toolkit database",
        newer: "newer version of the toolkit",
        damaged: "",
        tmp_path / "missing.db": "does not exist",
    }
    for path, message in expectations.items():
        result = cli("restore", path, "--yes", expect_ok=False)
        assert result.exit_code == 1, path
        assert message in result.output and "Nothing was changed" in result.output, (path, result.output)
        assert "Traceback" not in result.output
    assert _count_users(instance / "toolkit.db") == 4
    assert not (instance / "backups").exists()


def test_restore_asks_for_confirmation_without_yes(cli, database, tmp_path):
    out = tmp_path / "backup.db"
    cli("backup", "--out", out)
    result = cli("restore", out, expect_ok=False)
    assert result.exit_code == 1 and "Replace" in result.output
