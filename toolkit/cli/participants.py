"""`persona-toolkit participants`: import a round's participants and show their links."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from toolkit.cli.common import get_round_or_fail, open_db, require_secret_key
from toolkit.core.intake import ImportProblem, open_table
from toolkit.core.tokens import participant_token, personal_link
from toolkit.services.participants import import_participants, iter_participants


def _db_and_round(round_id):
    require_secret_key("personal links are derived from it")
    database = open_db()
    return database, get_round_or_fail(database, round_id)

@click.group("participants")
def participants_group():
    """Import a round's participants and show their personal links."""

@participants_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--round", "round_id", type=int, required=True)
@with_appcontext
def participants_import(file, round_id):
    """Import participants (email, name, team, language, extra columns); all rows or none. Any
    size: the file is read, checked and stored row by row."""
    database, round_ = _db_and_round(round_id)
    try:
        with open(file, "rb") as source:  # read, checked and stored as a stream: no size limit here
            table = open_table(source, file)
            rows = iter_participants(table, round_["language"])
            count = import_participants(database, round_id, rows, current_app.config["SECRET_KEY"],
                                        filename=Path(file).name, problems=table.problems)
    except ImportProblem as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Imported {count} participants into round {round_id}.")

@participants_group.command("link")
@click.argument("email")
@click.option("--round", "round_id", type=int, required=True)
@with_appcontext
def participants_link(email, round_id):
    """Print one participant's personal link (the same link the invitation carries)."""
    database, _round = _db_and_round(round_id)
    rows = list(database.query("SELECT * FROM participants WHERE round_id = ? AND email = ?", [round_id, email]))
    if not rows:
        raise click.ClickException(f"{email} is not a participant of round {round_id}")
    token = participant_token(current_app.config["SECRET_KEY"], rows[0])
    click.echo(personal_link(current_app.config["PUBLIC_BASE_URL"], token))


COMMANDS = (participants_group,)
