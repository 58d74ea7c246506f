"""Files at rest are the owner's only: the database, its -wal and -shm, backups, the instance
folder and the briefs that `briefs make` writes (0600 files, 0700 folders); `check` names any that
others can read, and every connection overwrites what it deletes."""

from __future__ import annotations

import sqlite3
import stat

import pytest


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
