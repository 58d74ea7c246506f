"""`persona-toolkit briefs`: write the Word briefs of a round."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from toolkit.cli.common import get_round_or_fail, open_db
from toolkit.services.pipeline import briefs_for_round


@click.group()
def briefs():
    """Write Word briefs for change managers and trainers."""


@briefs.command("make")
@click.option("--round", "round_id", type=int, required=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True)
@click.option("--lang", type=click.Choice(["nl", "en"]), multiple=True, help="Default: both.")
@with_appcontext
def briefs_make(round_id, out_dir, lang):
    """Write a communication and a training brief per persona and an overview brief."""
    database = open_db()
    get_round_or_fail(database, round_id)
    try:
        paths = briefs_for_round(database, round_id, Path(out_dir), langs=lang or ("nl", "en"))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    for path in paths:
        click.echo(path)


COMMANDS = (briefs,)
