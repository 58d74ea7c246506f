"""`persona-toolkit questionnaire`: list, validate and show questionnaire files."""

from __future__ import annotations

import json

import click

from toolkit.core.questionnaire import (
    QuestionnaireError,
    available_questionnaires,
    get_questionnaire,
    load_questionnaire,
    questionnaire_as_dict,
)


@click.group()
def questionnaire():
    """List, validate and show questionnaire definitions (questionnaires/*.toml)."""


@questionnaire.command("list")
def questionnaire_list():
    """List the questionnaires that rounds can use."""
    for qid, path in available_questionnaires().items():
        try:
            q = load_questionnaire(path)
            click.echo(f"{qid}\tv{q.version}\t{len(q.items)} items\t{q.title.get('en', '')}")
        except QuestionnaireError as exc:
            click.echo(f"{qid}\tINVALID ({len(exc.problems)} problems)\t{path}")


@questionnaire.command("validate")
@click.argument("path", type=click.Path(dir_okay=False))
def questionnaire_validate(path):
    """Check a questionnaire file and list every problem in it."""
    try:
        q = load_questionnaire(path)
    except QuestionnaireError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{path}: valid ({len(q.items)} items, {len(q.constructs)} constructs)")


@questionnaire.command("show")
@click.argument("qid")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
def questionnaire_show(qid, fmt):
    """Show a questionnaire's items, constructs and scales."""
    try:
        q = get_questionnaire(qid)
    except (LookupError, QuestionnaireError) as exc:
        raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps(questionnaire_as_dict(q), ensure_ascii=False, indent=2))
        return
    for block in q.blocks:
        click.echo(f"[{block.id}] {block.title.get('en', '')}")
        for iid in block.items:
            item = q.items[iid]
            flag = " (reverse)" if item.reverse else ""
            click.echo(f"  {iid:<16} {item.type:<7} {item.construct or '':<22}{item.text.get('en', '')}{flag}")


COMMANDS = (questionnaire,)
