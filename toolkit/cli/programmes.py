"""`persona-toolkit programme`: rounds of one change over time, compared."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

from toolkit.cli.common import open_db
from toolkit.core.compare import KIND_NAMES
from toolkit.core.numbers import format_percent
from toolkit.data.db import NotFound
from toolkit.services import programmes


def _comparison_text(result: dict, lang: str) -> list[str]:
    """The comparison as lines of text in ``lang`` ("nl" or "en"), through the catalogue."""
    with force_locale(lang):
        return _comparison_lines(result, lang)


def _comparison_lines(result: dict, lang: str) -> list[str]:
    lines = [_("Programme %(id)s: %(name)s", id=result["programme"]["id"], name=result["programme"]["name"])]
    kinds = {"baseline": _("baseline"), "pulse": _("pulse"), "follow-up": _("follow-up")}
    for r in result["rounds"]:
        mark = "" if r["has_personas"] else "  " + _("(no personas yet)")
        lines.append(f"  {_('round %(id)s', id=r['id'])} [{kinds.get(r['kind'], r['kind'])}] {r['title']}{mark}")
    for item in result["comparisons"]:
        c = item["comparison"]
        lines.append("")
        lines.append(_("Round %(before)s -> round %(after)s (compared on %(n)s shared constructs)",
                       before=item["before"]["id"], after=item["after"]["id"], n=len(c["shared_constructs"])))
        for ch in c["changes"]:
            before = " + ".join(f"{p['name']} {format_percent(p['share'], lang)}" for p in ch["before"]) or "-"
            after = " + ".join(f"{p['name']} {format_percent(p['share'], lang)}" for p in ch["after"]) or "-"
            lines.append(f"  {_(KIND_NAMES[ch['kind']]):<10} {before:<30} -> {after}")
        if c["unmeasured"]:
            lines.append("  " + _("not measured in the later round: %(constructs)s", constructs=", ".join(c["unmeasured"])))
    if result["drift"]:
        lines.append("")
        lines.append(_("What changed since the last round:"))
        lines += [f"  - {line}" for line in result["drift"][lang]]
    elif len(result["rounds"]) < 2:
        lines.append(_("Add a second round to compare."))
    return lines


def _fail(exc):
    raise click.ClickException(str(exc)) from exc

@click.group()
def programme():
    """Group rounds of one change into a programme and compare them over time."""

@programme.command("create")
@click.option("--name", required=True, help="Name of the change initiative.")
@click.option("--description", default="", help="What the programme is about.")
@with_appcontext
def programme_create(name, description):
    """Create a programme; prints the new programme's id alone on stdout."""
    try:
        click.echo(programmes.create_programme(open_db(), name, description))
    except programmes.ProgrammeError as exc:
        _fail(exc)

@programme.command("list")
@with_appcontext
def programme_list():
    """List programmes with their number of rounds."""
    for p in programmes.list_programmes(open_db()):
        click.echo(f"{p['id']}\t{p['rounds']} rounds\t{p['name']}")

@programme.command("add-round")
@click.option("--programme", "programme_id", type=int, required=True)
@click.option("--round", "round_id", type=int, required=True)
@click.option("--kind", type=click.Choice(programmes.ROUND_KINDS), default="follow-up", show_default=True,
              help="baseline, pulse (a short subset of items) or follow-up.")
@with_appcontext
def programme_add_round(programme_id, round_id, kind):
    """Add a round to a programme; its questionnaire must be compatible with the baseline."""
    try:
        programmes.add_round(open_db(), programme_id, round_id, kind)
    except (programmes.ProgrammeError, NotFound) as exc:
        _fail(exc)
    click.echo(f"Round {round_id} is now the {kind} of programme {programme_id}.")

@programme.command("compare")
@click.option("--programme", "programme_id", type=int, required=True)
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["nl", "en"]), default="en", show_default=True,
              help="Language of the text output.")
@with_appcontext
def programme_compare(programme_id, fmt, lang):
    """Compare the personas of consecutive rounds: which persist, grow, shrink, split, merge, appear, vanish."""
    database = open_db()
    try:
        programmes.sync_names(database, programme_id)
        result = programmes.compare_programme(database, programme_id)
    except NotFound as exc:
        _fail(exc)
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True))
    else:
        click.echo("\n".join(_comparison_text(result, lang)))

@programme.command("major-change")
@click.option("--programme", "programme_id", type=int, required=True)
@click.option("--note", required=True, help="What changed (a reorganisation, a system going live...).")
@click.option("--within-days", type=click.IntRange(0, 365), default=programmes.MAJOR_CHANGE_REVIEW_DAYS, show_default=True)
@with_appcontext
def programme_major_change(programme_id, note, within_days):
    """Register a major change: the programme's persona reviews become due within a month."""
    try:
        due = programmes.register_major_change(open_db(), programme_id, note, within_days=within_days)
    except (programmes.ProgrammeError, NotFound) as exc:
        _fail(exc)
    click.echo(f"Reviews of programme {programme_id} are now due by {due}.")


COMMANDS = (programme,)
