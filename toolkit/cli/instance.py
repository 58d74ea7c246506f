"""The instance and its database: init-db, check, backup, restore, purge."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from toolkit.cli.common import init_database, open_db
from toolkit.data.audit import audit
from toolkit.data.db import DatabaseUnavailable, utcnow
from toolkit.services.health import MIN_FREE_MB, check_instance
from toolkit.services.maintenance import (
    BackupProblem,
    backup_database,
    check_backup,
    restore_database,
)
from toolkit.services.retention import purge_due, purge_expired


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the instance folder and database, or bring its schema up to date."""
    ran = init_database()
    click.echo(f"Database {current_app.config['DATABASE']}: " + (f"applied {', '.join(ran)}" if ran else "up to date"))


@click.command("check")
@click.option("--min-free-mb", type=click.IntRange(min=0), default=None,
              help=f"Free disk space required (default: MIN_FREE_MB setting or {MIN_FREE_MB}).")
@with_appcontext
def check_command(min_free_mb):
    """Check the database (integrity, schema version, writable) and free disk space; exit 1 on a problem."""
    if min_free_mb is None:
        min_free_mb = int(current_app.config.get("MIN_FREE_MB", MIN_FREE_MB))
    report = check_instance(current_app.config["DATABASE"], min_free_mb=min_free_mb)
    for fact in report.facts:
        click.echo(f"ok: {fact}")
    for problem in report.problems:
        click.echo(f"PROBLEM: {problem}", err=True)
    if not report.ok:
        raise SystemExit(1)
    click.echo("healthy")


@click.command("backup")
@click.option("--out", "out", type=click.Path(dir_okay=False), required=True,
              help="The backup file to write (must not exist yet).")
@with_appcontext
def backup_command(out):
    """Write a consistent copy of the database, safe while the app is running."""
    db = open_db()
    try:
        path = backup_database(db, Path(out))
        audit(db, None, "backup", "database", str(path))
    except (BackupProblem, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        db.conn.close()
    click.echo(f"Backup written to {path} ({path.stat().st_size} bytes).")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(file, yes):
    """Replace the database with a backup (checked first; the current one is kept)."""
    problems = check_backup(Path(file))
    if problems:
        raise click.ClickException("; ".join(problems) + ". Nothing was changed.")
    if not yes:
        click.confirm(f"Replace {current_app.config['DATABASE']} with {file}?", abort=True)
    keep_dir = Path(current_app.instance_path) / "backups"
    try:
        kept = restore_database(Path(current_app.config["DATABASE"]), Path(file), keep_dir)
    except (BackupProblem, DatabaseUnavailable, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {file}. The previous database was kept as {kept}.")


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Only list the rounds whose data would be deleted.")
@with_appcontext
def purge_command(dry_run):
    """Delete answers and participant data of rounds past their retention period."""
    db = open_db()
    try:
        if dry_run:
            now = utcnow()
            for r in db.query("SELECT id, title, closes_at, retention_days FROM rounds ORDER BY id"):
                due = purge_due(r)
                if due is not None and due <= now:
                    click.echo(f"round {r['id']}\tdue since {due.date().isoformat()}\t{r['title']}")
            return
        purged = purge_expired(db)
    finally:
        db.conn.close()
    if not purged:
        click.echo("Nothing to delete: no round is past its retention period.")
    for round_id, held in purged.items():
        click.echo(f"round {round_id}: deleted " + ", ".join(f"{n} {what}" for what, n in held.items() if n))


COMMANDS = (init_db_command, check_command, backup_command, restore_command, purge_command)
