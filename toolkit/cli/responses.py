"""`persona-toolkit responses`: import answers collected elsewhere."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from toolkit.cli.common import get_round_or_fail, open_db
from toolkit.core.intake import ImportProblem, parse_responses, read_table
from toolkit.data.responses import import_responses
from toolkit.data.rounds import round_questionnaire


@click.group()
def responses():
    """Import answers collected elsewhere (CSV or XLSX)."""


@responses.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--round", "round_id", type=int, required=True)
@with_appcontext
def responses_import(file, round_id):
    """Import one row per respondent, columns named by item id; all rows or none."""
    database = open_db()
    round_ = get_round_or_fail(database, round_id)
    q = round_questionnaire(database, round_)
    try:
        parsed = parse_responses(q, read_table(Path(file).read_bytes(), file))
        count = import_responses(database, round_, q, parsed)
    except (ImportProblem, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Imported {count} responses into round {round_id}.")


COMMANDS = (responses,)
