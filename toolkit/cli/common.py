"""What every command shares: the app factory for the command line, the database, errors."""

from __future__ import annotations

import secrets
from pathlib import Path

import click
from flask import current_app

from toolkit.core.settings import SettingsError
from toolkit.data.completions import adopt_legacy_completions
from toolkit.data.db import (
    OWNER_ONLY_FOLDER,
    DatabaseUnavailable,
    NotFound,
    connect,
    create_owner_only,
    database_files,
    explain_folder,
    restrict_to_owner,
)
from toolkit.data.migrations import migrate
from toolkit.data.rounds import get_round, keep_dashboard_sums
from toolkit.web.app import create_app


def cli_app(*_args, **_kwargs):
    """The app for a command: commands need no session secret; only `serve` insists on a real one.

    A setting with a value the toolkit cannot run with stops every command with a click error
    naming the setting and the values allowed (never a traceback).
    """
    try:
        try:
            return create_app()
        except RuntimeError:  # no SECRET_KEY yet: fine for every command but `serve`
            app = create_app({"SECRET_KEY": secrets.token_hex(32)})
            app.config["CLI_EPHEMERAL_SECRET"] = True
            return app
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


def open_db():
    """A connection to the instance database; a click error naming the problem when it cannot open."""
    try:
        return connect(current_app.config["DATABASE"])
    except DatabaseUnavailable as exc:
        raise click.ClickException(str(exc)) from exc


def get_round_or_fail(database, round_id: int) -> dict:
    """The round row, or a click error "round N does not exist"."""
    try:
        return get_round(database, round_id)
    except NotFound as exc:
        raise click.ClickException(str(exc)) from exc


def require_secret_key(why: str = "") -> None:
    """Stop with a clear message when the instance has no SECRET_KEY of its own yet."""
    if current_app.config.get("CLI_EPHEMERAL_SECRET"):
        raise click.ClickException(
            f"SECRET_KEY is not set in {current_app.instance_path}/config.py: run 'persona-toolkit init-db' first"
            + (f" ({why})" if why else "")
        )


def ensure_instance(folder: Path) -> None:
    """Create the instance folder (0700) and a config.py (0600) with a fresh secret key, once."""
    if not folder.exists():
        folder.mkdir(parents=True, mode=OWNER_ONLY_FOLDER)
    config = folder / "config.py"
    if create_owner_only(config):  # 0600 before the key is in it
        config.write_text(
            "# Persona Toolkit settings for this instance. See README.md for every setting.\n"
            f"SECRET_KEY = {secrets.token_hex(32)!r}\n"
            "PUBLIC_BASE_URL = 'http://127.0.0.1:5000'\n"
            "MAIL_SERVER = 'localhost'\nMAIL_PORT = 25\nMAIL_USE_TLS = False\nMAIL_USE_SSL = False\n"
            "MAIL_USERNAME = None\nMAIL_PASSWORD = None\n"
            "MAIL_DEFAULT_SENDER = 'persona-toolkit@localhost'\n",
            encoding="utf-8",
        )


def init_database() -> list[str]:
    """Create the instance folder and database, apply pending migrations; returns their names.

    A folder that cannot be written (read-only disk or permissions) is a click error saying
    which folder and what access is needed, not a traceback.

    Also what an upgrade needs once: participants' completion flags of anonymous rounds become
    link markers (that needs SECRET_KEY), pages freed before secure_delete was on are dropped
    (VACUUM), and the folder and database files are made the owner's only.
    """
    folder = Path(current_app.instance_path)
    try:
        ensure_instance(folder)
    except OSError as exc:
        raise click.ClickException(explain_folder(folder, exc)) from exc
    database = open_db()
    try:
        ran = migrate(database)
        keep_dashboard_sums(database)  # rounds from before m017: summed here, not at their first dashboard
        if not current_app.config.get("CLI_EPHEMERAL_SECRET"):
            adopt_legacy_completions(database, current_app.config["SECRET_KEY"])
        if "m008_unlinkable_anonymous_rounds" in ran and "m001_initial" not in ran:
            database.execute("VACUUM")
        try:
            for path in database_files(current_app.config["DATABASE"]):
                restrict_to_owner(path)
            restrict_to_owner(folder)
        except OSError:  # not ours to change: `persona-toolkit check` names it
            pass
        return ran
    finally:
        database.conn.close()
