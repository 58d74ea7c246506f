"""`persona-toolkit responses`: import answers collected elsewhere."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from toolkit.cli.common import get_round_or_fail, open_db
from toolkit.core.intake import ImportProblem, parse_responses, read_table
from toolkit.core.variables import parse_declaration
from toolkit.data.responses import import_responses
from toolkit.data.rounds import round_questionnaire


@click.group()
def responses():
    """Import answers collected elsewhere (CSV or XLSX)."""


@responses.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--round", "round_id", type=int, required=True)
@click.option("--outcome", "outcomes", multiple=True, metavar="ID[:TYPE]",
              help="A column to keep as an outcome, TYPE yes_no, categorical (default) or numeric; "
                   "profiled per persona, never clustered on. Repeat for more columns.")
@with_appcontext
def responses_import(file, round_id, outcomes):
    """Import one row per respondent, columns named by item id; all rows or none.

    Outcome columns (reasons for leaving, absence, ...) come along when the questionnaire
    declares them or when they are named with --outcome.
    """
    database = open_db()
    round_ = get_round_or_fail(database, round_id)
    q = round_questionnaire(database, round_)
    try:
        extra = tuple(parse_declaration(text) for text in outcomes)
        parsed = parse_responses(q, read_table(Path(file).read_bytes(), file), extra)
        count = import_responses(database, round_, q, parsed, variables=extra)
    except (ImportProblem, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    kept = sorted({vid for r in parsed for vid, v in r.values.items() if v is not None})
    click.echo(f"Imported {count} responses into round {round_id}"
               + (f", with outcome column(s) {', '.join(kept)}." if kept else "."))


COMMANDS = (responses,)
