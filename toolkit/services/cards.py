"""Persona cards for the web pages and the steering group's slides, and the trainers' view of
which training modules each persona needs.

Both read the round's stored persona set through the briefs' own logic (toolkit.briefs.card,
toolkit.briefs.training_plan), so the card on screen, the card on paper and the slides say
the same, and the module view is the overview brief's training matrix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlite_utils

from toolkit.briefs.card import CardContent, card_content
from toolkit.briefs.context import BriefContext
from toolkit.briefs.training_plan import MODULE_NAMES, MODULES, PlannedModule, motivation_note, plan
from toolkit.core.guidance import default_guidance
from toolkit.core.visual import set_visuals, visual_svg
from toolkit.data.rounds import round_info, round_questionnaire

PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@dataclass(frozen=True)
class PersonaCard:
    """One persona's card: ``persona_id`` (its row id), ``content`` (what the card says),
    ``svg`` (its abstract picture as inline SVG markup) and ``teaching`` (how to teach the
    group, from its motivation type; '' when the questionnaire did not measure motivation)."""

    persona_id: int
    content: CardContent
    svg: str
    teaching: str


@dataclass(frozen=True)
class ModuleRow:
    """A persona's line of the module view: ``modules`` maps every module key of the plan
    (toolkit.briefs.training_plan.MODULES) to its planned module, or None when the persona
    does not need it; ``teaching`` how to teach the group."""

    persona_id: int
    name: str
    modules: dict[str, PlannedModule | None]
    teaching: str


def card_context(db: sqlite_utils.Database, round_: dict, persona_set: dict, lang: str) -> BriefContext:
    """The briefs' context for ``persona_set`` of ``round_`` in ``lang`` ("nl" or "en"): the
    privacy-trimmed set, the round's facts, its questionnaire and the shipped guidance rules.
    Raises ``ValueError`` for another language."""
    q = round_questionnaire(db, round_)
    return BriefContext(persona_set, round_info(db, round_, q, persona_set), q, lang, default_guidance())


def persona_cards(
    db: sqlite_utils.Database, round_: dict, persona_set: dict, lang: str, persona_ids: set[int] | None = None
) -> list[PersonaCard]:
    """The cards of the set's shown personas (all, or those in ``persona_ids``), largest first.
    Personas that may not be shown (toolkit.core.privacy) never get a card."""
    ctx = card_context(db, round_, persona_set, lang)
    shown = ctx.persona_set["personas"]
    pictures = set_visuals(shown, ctx.persona_set.get("dimensions"))
    return [
        PersonaCard(p["id"], card_content(ctx, p), visual_svg(pictures[str(p["key"])]), motivation_note(ctx, p))
        for p in shown
        if persona_ids is None or p.get("id") in persona_ids
    ]


def card_deck(db: sqlite_utils.Database, round_: dict, persona_set: dict, lang: str) -> bytes:
    """All cards of the round's set as .pptx bytes, one slide per shown persona
    (toolkit.briefs.slides)."""
    from toolkit.briefs.slides import card_deck as write_deck

    q = round_questionnaire(db, round_)
    return write_deck(persona_set, round_info(db, round_, q, persona_set), q, lang, default_guidance())


def deck_filename(round_: dict, lang: str) -> str:
    """"round-3-persona-cards-nl.pptx", with the round title when it has letters in it."""
    title = re.sub(r"[^A-Za-z0-9]+", "-", round_.get("title") or "").strip("-").lower()
    return f"round-{round_['id']}-{title + '-' if title else ''}persona-cards-{lang}.pptx"


def module_matrix(
    db: sqlite_utils.Database, round_: dict, persona_set: dict, lang: str
) -> tuple[list[tuple[str, str]], list[ModuleRow]]:
    """The training modules each shown persona needs (the training brief's plan, from readiness
    gaps and ADKAR barriers): the modules any persona needs as (key, name in ``lang``) in the
    plan's order, and one row per persona."""
    ctx = card_context(db, round_, persona_set, lang)
    rows = []
    for persona in ctx.persona_set["personas"]:
        planned = {m.module: m for m in plan(ctx, persona)}
        rows.append(ModuleRow(persona["id"], ctx.name(persona), {k: planned.get(k) for k in MODULES},
                              motivation_note(ctx, persona)))
    used = [k for k in MODULES if any(r.modules[k] for r in rows)]
    return [(k, ctx._(MODULE_NAMES[k])) for k in used], rows
