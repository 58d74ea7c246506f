"""`persona-toolkit round`: create and list questionnaire rounds."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from toolkit.cli.common import open_db
from toolkit.core.questionnaire import QuestionnaireError, get_questionnaire
from toolkit.data.rounds import create_round, list_rounds


@click.group("round")
def round_group():
    """Create and list questionnaire rounds."""


@round_group.command("create")
@click.option("--questionnaire", "qid", required=True, help="Questionnaire id (see 'questionnaire list').")
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
        q = get_questionnaire(qid)
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
        click.echo(f"{r['id']}\t{r['status']}\t{r['mode']}\t{r['responses']} responses\t{r['title']}")


COMMANDS = (round_group,)
