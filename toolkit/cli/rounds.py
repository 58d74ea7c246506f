"""`persona-toolkit round`: create and list questionnaire rounds."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from toolkit.cli.common import get_round_or_fail, open_db
from toolkit.core.questionnaire import QuestionnaireError, get_questionnaire, library
from toolkit.data.rounds import change_facts, create_round, list_rounds, save_change_facts


@click.group("round")
def round_group():
    """Create and list questionnaire rounds."""


@round_group.command("create")
@click.option("--questionnaire", "qid", required=True,
              help="Questionnaire id (see 'questionnaire list'; add your own with 'questionnaire add').")
@click.option("--title", required=True)
@click.option("--anonymous/--identified", default=True, show_default=True,
              help="Anonymous rounds keep no link between participant and answers.")
@click.option("--language", type=click.Choice(["nl", "en", "participant"]), default="nl", show_default=True)
@click.option("--min-group", type=click.IntRange(min=5), default=5, show_default=True)
@click.option("--min-answered", type=click.IntRange(1, 100), default=None, metavar="PERCENT",
              help="Share of the closed questions a respondent must answer before sending (default: every "
                   "required question and two thirds of each persona construct's questions).")
@with_appcontext
def round_create(qid, title, anonymous, language, min_group, min_answered):
    """Create a round; prints the new round's id alone on stdout."""
    try:
        q = get_questionnaire(qid, *library(current_app.instance_path))
        round_id = create_round(open_db(), q, title, mode="anonymous" if anonymous else "identified",
                                language=language, min_group=min_group,
                                min_answered_share=min_answered / 100 if min_answered else None)
    except (LookupError, QuestionnaireError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(round_id)


@round_group.command("list")
@with_appcontext
def round_list():
    """List rounds with their status and number of responses."""
    for r in list_rounds(open_db()):
        click.echo(f"{r['id']}\t{r['status']}\t{r['mode']}\t{r['count'].text()} responses\t{r['title']}")


@round_group.command("facts")
@click.option("--round", "round_id", type=int, required=True)
@click.option("--what", help="What changes, in one sentence.")
@click.option("--why", help="Why it changes, in one sentence.")
@click.option("--when", "when", help="When: the start, and when training happens.")
@click.option("--unchanged", help="What stays the same, in one sentence.")
@with_appcontext
def round_facts(round_id, what, why, when, unchanged):
    """Set the change facts the briefs draft their key messages from, then print all four.

    Only the options given change; an empty value ('') clears a fact. Without options the
    stored facts are printed, one 'key<TAB>text' line each.
    """
    database = open_db()
    get_round_or_fail(database, round_id)
    given = {k: v for k, v in (("what", what), ("why", why), ("when", when), ("unchanged", unchanged))
             if v is not None}
    try:
        facts = save_change_facts(database, round_id, given) if given else change_facts(database, round_id)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    for key, text in facts.items():
        click.echo(f"{key}\t{text}")


COMMANDS = (round_group,)
