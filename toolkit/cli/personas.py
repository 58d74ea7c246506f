"""`persona-toolkit personas`: derive a round's personas and export them."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from toolkit.cli.common import get_round_or_fail, open_db
from toolkit.core.personas import stability_text
from toolkit.core.privacy import exportable_persona_set
from toolkit.data.persona_sets import current_persona_set, load_persona_set
from toolkit.data.responses import usable_responses
from toolkit.services.pipeline import derive_round


@click.group()
def personas():
    """Derive personas from a round's answers and export them."""


@personas.command("derive")
@click.option("--round", "round_id", type=int, required=True)
@click.option("--k", type=click.IntRange(1, 6), default=None, help="Force this number of personas (1-6).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--bootstrap", type=click.IntRange(0, 1000), default=100, show_default=True,
              help="Resamples for the stability check.")
@with_appcontext
def personas_derive(round_id, k, seed, bootstrap):
    """Cluster the round's persona-dimension scores into personas and store them.

    Prints each persona with its stability and band (never rounded into another band), the
    respondents left out, and a possible further split when a larger k would find one.
    """
    database = open_db()
    get_round_or_fail(database, round_id)
    try:
        set_id = derive_round(database, round_id, k=k, seed=seed, bootstrap=bootstrap)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    persona_set = load_persona_set(database, set_id)
    if persona_set.get("no_distinct_personas"):
        click.echo(f"Round {round_id}: no distinct personas in this round (one overall profile).")
    else:
        click.echo(f"Round {round_id}: {persona_set['k']} personas (set {set_id}).")
    for p in persona_set["personas"]:
        shown = "" if p.get("presented", True) else " [not presented: unstable]"
        click.echo(f"  {p['name']}: {p['size']} people, stability {stability_text(p.get('stability'))}"
                   f" — {p['label'].get('en', '')}{shown}")
    excluded = persona_set.get("excluded", {}).get("too_many_missing", 0)
    if excluded:
        click.echo(f"  {excluded} respondent(s) left out: more than a third of the persona dimensions missing.")
    near = persona_set.get("quality", {}).get("near_miss")
    if near:
        click.echo(f"  A possible split: {_near_miss_text(near)} — try --k {near['k']}.")


def _near_miss_text(near: dict) -> str:
    traits = ", ".join(f"{d['direction']} {d['construct']}" for d in near.get("distinguishing", [])[:3])
    share = f"{round((near.get('share') or 0) * 100)}%"
    return (f"a group of {near['size']} people ({share}){': ' + traits if traits else ''}, "
            f"stability {stability_text(near.get('stability'))}")


@personas.command("export")
@click.option("--round", "round_id", type=int, required=True)
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@with_appcontext
def personas_export(round_id, fmt):
    """Print the round's current personas (json) or each response's persona (csv)."""
    database = open_db()
    round_ = get_round_or_fail(database, round_id)
    persona_set = current_persona_set(database, round_id, members=True)
    if persona_set is None:
        raise click.ClickException(f"round {round_id} has no personas yet: run 'persona-toolkit personas derive --round {round_id}'")
    persona_set = exportable_persona_set(persona_set, round_["min_group"])
    if fmt == "csv":
        _export_members_csv(database, round_, persona_set)
        return
    for p in persona_set["personas"]:
        p.pop("members", None)
    click.echo(json.dumps(persona_set, ensure_ascii=False, indent=2, sort_keys=True))


def _export_members_csv(database, round_: dict, persona_set: dict) -> None:
    """respondent_id,persona per member. Anonymous rounds list only answers imported with a
    respondent_id (HR's own identifier); answers given through personal links carry no identifier
    at all, and how many were left out goes to stderr."""
    anonymous = round_["mode"] != "identified"
    external = {r["id"]: r["external_id"] or ("" if anonymous else r["id"])
                for r in usable_responses(database, round_["id"])}
    members = [(external.get(rid, ""), p["name"]) for p in persona_set["personas"] for rid in p["members"]]
    click.echo("respondent_id,persona")
    for respondent, name in sorted(m for m in members if m[0]):
        click.echo(f"{respondent},{name}")
    left_out = sum(1 for m in members if not m[0])
    if left_out:
        click.echo(f"{left_out} responses given through personal links are not listed: in an anonymous round "
                   "they carry no identifier", err=True)


COMMANDS = (personas,)
