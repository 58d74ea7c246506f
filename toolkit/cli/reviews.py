"""`persona-toolkit review`: record and list reviews of persona sets."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from toolkit.cli.common import open_db
from toolkit.data.db import NotFound
from toolkit.services import programmes


def _fail(exc):
    raise click.ClickException(str(exc)) from exc


@click.group()
def review():
    """Record and list reviews of persona sets (are these personas still right?)."""

@review.command("record")
@click.option("--round", "round_id", type=int, default=None, help="Review the round's current persona set.")
@click.option("--set", "set_id", type=int, default=None, help="Or name the persona set directly.")
@click.option("--by", "email", required=True, help="E-mail of the account that did the review.")
@click.option("--kept", default="", help="What was kept, and on what evidence.")
@click.option("--changed", default="", help="What was changed.")
@click.option("--why", required=True, help="Why.")
@with_appcontext
def review_record(round_id, set_id, email, kept, changed, why):
    """Record a review of a persona set; the next review is due a year later."""
    database = open_db()
    if (round_id is None) == (set_id is None):
        raise click.ClickException("give either --round or --set")
    user = database.execute("SELECT id FROM users WHERE email = ?", [email]).fetchone()
    if not user:
        raise click.ClickException(f"no account with e-mail {email}")
    if round_id is not None:
        row = database.execute("SELECT id FROM persona_sets WHERE round_id = ? AND current = 1", [round_id]).fetchone()
        if not row:
            raise click.ClickException(f"round {round_id} has no personas to review")
        set_id = row[0]
    try:
        programmes.record_review(database, set_id, user_id=user[0], why=why, kept=kept, changed=changed)
    except (programmes.ProgrammeError, NotFound) as exc:
        _fail(exc)
    due = database.execute("SELECT review_due FROM persona_sets WHERE id = ?", [set_id]).fetchone()[0]
    click.echo(f"Review of persona set {set_id} recorded; next review due {due}.")

@review.command("overdue")
@with_appcontext
def review_overdue():
    """List persona sets whose review date has passed."""
    rows = programmes.overdue_reviews(open_db())
    for row in rows:
        click.echo(f"set {row['set_id']}\tround {row['round_id']}\tdue {row['review_due']}"
                   f"\t{row['days_overdue']} days overdue\t{row['round_title']}")
    if not rows:
        click.echo("No reviews are overdue.")


COMMANDS = (review,)
