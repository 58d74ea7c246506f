"""`persona-toolkit questionnaire`: list, validate, add and show questionnaire files."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from toolkit.core.coverage import instrument_summary
from toolkit.core.questionnaire import (
    Questionnaire,
    QuestionnaireError,
    get_questionnaire,
    library,
    list_questionnaires,
    load_questionnaire,
    questionnaire_as_dict,
)
from toolkit.services.questionnaires import add_questionnaire

SECTION_NAMES = {
    "adkar": "ADKAR stages",
    "communication": "communication preferences",
    "learning": "learning preferences",
    "context": "context questions (team, role, tenure, age)",
    "open": "open questions (situations and quotes)",
}


@click.group()
def questionnaire():
    """List, validate, add and show questionnaire definitions (TOML files)."""


def _folders() -> tuple[Path, ...]:
    return library(current_app.instance_path)


@questionnaire.command("list")
@with_appcontext
def questionnaire_list():
    """List the questionnaires rounds can use, and broken files with what is wrong in them."""
    for entry in list_questionnaires(*_folders()):
        where = "own" if entry.own else "product"
        q = entry.questionnaire
        if q is not None:
            click.echo(f"{entry.id}\tv{q.version}\t{len(q.items)} items\t{where}\t{q.title.get('en') or next(iter(q.title.values()), '')}")
            continue
        click.echo(f"{entry.id}\tBROKEN ({len(entry.problems)} problem(s))\t{where}\t{entry.path}")
        for problem in entry.problems:
            click.echo(f"    - {problem}")


def _report(q: Questionnaire) -> list[str]:
    """What the instrument measures, in the words of the validation report."""
    summary = instrument_summary(q)
    lines = [f"  persona dimensions: {', '.join(q.persona_dimensions)} "
             f"({len(summary['dimensions'])} constructs: {', '.join(summary['dimensions'])})"]
    measured = [SECTION_NAMES[s] for s in summary["measured"]]
    lines.append(f"  also measured: {'; '.join(measured) if measured else 'nothing else'}")
    if summary["not_asked"]:
        missing = "; ".join(SECTION_NAMES[s] for s in summary["not_asked"])
        lines.append(f"  not asked (persona pages and briefs leave these out): {missing}")
    outcomes = [f"{v['id']} ({v['type']})" for v in summary["outcomes"]]
    lines.append(f"  outcomes: {', '.join(outcomes) if outcomes else 'none declared'}")
    return lines


@questionnaire.command("validate")
@click.argument("path", type=click.Path(dir_okay=False))
def questionnaire_validate(path):
    """Check a questionnaire file, list every problem in it, or say what it measures."""
    try:
        q = load_questionnaire(path)
    except QuestionnaireError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{path}: valid ({len(q.items)} items, {len(q.constructs)} constructs)")
    for line in _report(q):
        click.echo(line)


@questionnaire.command("add")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True, help="Replace an own questionnaire added before with the same id.")
@with_appcontext
def questionnaire_add(path, replace):
    """Check a questionnaire file and store a copy in the instance, for new rounds to use."""
    try:
        q, replaced = add_questionnaire(current_app.instance_path, Path(path).read_bytes(), path, replace=replace)
    except QuestionnaireError as exc:
        raise click.ClickException(f"nothing was added\n{exc}") from exc
    click.echo(f"{'Replaced' if replaced else 'Added'} questionnaire '{q.id}' (v{q.version}, {len(q.items)} items) "
               f"as {q.path}")
    for line in _report(q):
        click.echo(line)
    click.echo(f"Use it: persona-toolkit round create --questionnaire {q.id} --title \"...\"")


@questionnaire.command("show")
@click.argument("qid")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
@with_appcontext
def questionnaire_show(qid, fmt):
    """Show a questionnaire's items, constructs, scales and outcomes."""
    try:
        q = get_questionnaire(qid, *_folders())
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
    for variable in q.outcomes.values():
        click.echo(f"outcome {variable.id:<16} {variable.type:<12}{variable.title('en')}")


COMMANDS = (questionnaire,)
