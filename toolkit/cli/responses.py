"""`persona-toolkit responses`: import answers collected elsewhere, and the column mapping it uses.

Messages are printed in English (the catalogue's message ids), like every command.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from toolkit.cli.common import get_round_or_fail, open_db
from toolkit.core.intake import ImportProblem, ParsedAnswers, iter_responses, open_table
from toolkit.core.mapping import propose, read_mapping, with_outcomes, with_types
from toolkit.core.variables import parse_declaration
from toolkit.data.responses import import_responses
from toolkit.data.rounds import round_questionnaire


@click.group()
def responses():
    """Import answers collected elsewhere (CSV, tab-separated text or XLSX)."""


def _rows(numbers: list[int], count: int) -> str:
    return ", ".join(map(str, numbers[:10])) + (", …" if count > min(len(numbers), 10) else "")


def skipped_summary(parsed: ParsedAnswers) -> str:
    """One English sentence on the rows an import skipped, or "" when it skipped none."""
    parts = []
    if parsed.empty_rows:
        parts.append(f"{parsed.empty_rows} empty row(s) ({_rows(parsed.empty_examples, parsed.empty_rows)})")
    if parsed.unanswered_rows:
        parts.append(f"{len(parsed.unanswered_rows)} row(s) without any answer "
                     f"({_rows(parsed.unanswered_rows, len(parsed.unanswered_rows))})")
    if parsed.text_rows:
        parts.append(f"{len(parsed.text_rows)} row(s) of question texts ({_rows(parsed.text_rows, len(parsed.text_rows))})")
    if not parts:
        return ""
    return "Skipped " + (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]) + "."


OUTCOME_HELP = ("A column to keep as an outcome, TYPE yes_no, categorical (default) or numeric; profiled per "
                "persona, never clustered on. Overrides the mapping for that column. Repeat for more columns.")


def _declarations(outcomes: tuple[str, ...]) -> tuple:
    try:
        return tuple(parse_declaration(text) for text in outcomes)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--outcome") from exc


@responses.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--round", "round_id", type=int, required=True)
@click.option("--mapping", "mapping_file", type=click.Path(exists=True, dir_okay=False),
              help="A column mapping (JSON) from `responses map` or the web preview.")
@click.option("--outcome", "outcomes", multiple=True, metavar="ID[:TYPE]", help=OUTCOME_HELP)
@with_appcontext
def responses_import(file, round_id, mapping_file, outcomes):
    """Import one row per respondent; all rows or none. Any size: the file is read, checked and
    stored row by row (each cell at most 4,000 characters).

    Columns are matched to items by item id or by question text (any language of the
    questionnaire), and to the questionnaire's declared outcomes by their id; with --mapping,
    every column is used as the mapping file says (items, respondent_id, context or outcome
    variables, or ignore). --outcome ID:TYPE keeps the column ID as an outcome of that type
    (reasons for leaving, absence, ...). Empty rows and rows without any answer are skipped
    and counted.
    """
    extra = _declarations(outcomes)
    database = open_db()
    round_ = get_round_or_fail(database, round_id)
    q = round_questionnaire(database, round_)
    try:
        with open(file, "rb") as source:  # read, checked and stored as a stream: no size limit here
            table = open_table(source, file)
            mapping = None
            if mapping_file:
                mapping = read_mapping(q, table.headers, Path(mapping_file).read_text(encoding="utf-8-sig"),
                                       Path(mapping_file).name)
            parsed, rows = iter_responses(q, table, mapping, extra)
            count = import_responses(database, round_, q, rows, filename=Path(file).name,
                                     variables=parsed.variables, problems=table.problems)
    except ImportProblem as exc:
        raise click.ClickException(str(exc)) from exc
    kept = parsed.outcomes()
    click.echo(f"Imported {count} responses into round {round_id}"
               + (f", with outcome column(s) {', '.join(kept)}." if kept else "."))
    if skipped_summary(parsed):
        click.echo(skipped_summary(parsed))


@responses.command("map")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--round", "round_id", type=int, required=True)
@click.option("--outcome", "outcomes", multiple=True, metavar="ID[:TYPE]", help=OUTCOME_HELP)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write the mapping here (default: print it).")
@with_appcontext
def responses_map(file, round_id, outcomes, out):
    """Write the proposed column mapping of FILE as JSON, to check, edit and pass to `import --mapping`.

    Each column gets a use: item:<item id>, respondent_id, context:<name>,
    outcome:<name>:<type> (type yes_no, categorical or numeric; declared outcomes of the
    questionnaire and --outcome columns are written so) or ignore. Columns nothing matched are
    set to ignore and listed on standard error.
    """
    extra = _declarations(outcomes)
    database = open_db()
    q = round_questionnaire(database, get_round_or_fail(database, round_id))
    try:
        with open(file, "rb") as source:
            headers = open_table(source, file).headers
        mapping, problems = with_outcomes(q, propose(q, headers), extra)
        if problems:
            raise ImportProblem(Path(file).name, problems)
    except ImportProblem as exc:
        raise click.ClickException(str(exc)) from exc
    mapping = with_types(q, mapping)
    if out:
        Path(out).write_text(mapping.to_json(), encoding="utf-8")
    else:
        click.echo(mapping.to_json(), nl=False)
    for column in mapping.unmatched():
        click.echo(f"Not recognised, set to ignore: '{column}'", err=True)


COMMANDS = (responses,)
