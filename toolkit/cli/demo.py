"""`persona-toolkit demo`: fill the instance with demo data."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from toolkit.cli.common import init_database, open_db
from toolkit.services.demo import build_demo


@click.command()
@click.option("--respondents", type=click.IntRange(20, 20000), default=240, show_default=True)
@click.option("--briefs-dir", type=click.Path(file_okay=False), default=None,
              help="Where to write the demo briefs (default: INSTANCE/briefs).")
@with_appcontext
def demo(respondents, briefs_dir):
    """Fill the instance with demo users, a round of synthetic answers, personas and briefs."""
    init_database()
    out = Path(briefs_dir) if briefs_dir else Path(current_app.instance_path) / "briefs"
    summary = build_demo(open_db(), respondents=respondents, briefs_dir=out)
    click.echo(summary)


COMMANDS = (demo,)
