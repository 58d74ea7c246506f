"""The "From conversations" section of the persona briefs (issue 22).

What HR and change managers heard in interviews, focus groups and from frontline colleagues,
as notes linked to the persona (``round_info["field_notes"]``, stored already masked by
toolkit.data.field_notes). The section stands apart from every survey figure: it says what kind
of conversation, when and with how many people, and that those people are not respondents; no
note is counted in any figure of the brief.
"""

from __future__ import annotations

from collections.abc import Mapping

from toolkit.briefs.context import BriefContext
from toolkit.briefs.sanitize import clean_text
from toolkit.briefs.styles import STYLE_NAMES as S
from toolkit.briefs.writer import Writer
from toolkit.core.field_notes import KIND_NAMES

MAX_NOTES = 12  # a brief is read in one sitting: the newest twelve, and how many more there are


def persona_notes(round_info: Mapping, persona: Mapping) -> list[dict]:
    """The notes of ``round_info["field_notes"]`` linked to ``persona`` (by its ``key``), in the
    order given (latest conversation first). Each note: kind, held_on (ISO date), people, text,
    theme, tags, persona_keys."""
    key = persona.get("key")
    return [n for n in round_info.get("field_notes") or () if isinstance(n, Mapping)
            and key in (n.get("persona_keys") or ())]


def conversations(ctx: BriefContext, w: Writer, persona: dict) -> None:
    """Write the section: heading, what these notes are (and are not), then per note a line with
    kind, date, number of people and theme, its tags, and its text; a sentence when there are none."""
    _ = ctx._
    notes = persona_notes(ctx.round_info, persona)
    w.heading(_("From conversations"))
    w.para(_("What HR and change managers heard in interviews, focus groups and from frontline "
             "colleagues. These are notes, not survey results: the people in these conversations "
             "are not counted among the respondents, and no figure in this brief includes them."),
           S["small"])
    if not notes:
        w.para(_("No notes from conversations are linked to %(name)s yet. Add them on the round's "
                 "notes page.", name=ctx.name(persona)))
        return
    for note in notes[:MAX_NOTES]:
        w.rich([(_note_heading(ctx, note), S["figure_char"])])
        w.para(clean_text(note.get("text"), single_line=False), multi_line=True)
        tags = [clean_text(t) for t in note.get("tags") or () if clean_text(t)]
        if tags:
            w.para(_("Tags: %(tags)s", tags=", ".join(tags)), S["small"])
    if len(notes) > MAX_NOTES:
        w.para(_("%(n)s earlier notes are on the round's notes page.", n=len(notes) - MAX_NOTES), S["small"])


def _note_heading(ctx: BriefContext, note: Mapping) -> str:
    """"Interview · 3 March 2026 · 1 person · theme: planning"."""
    _ = ctx._
    kind = note.get("kind")
    people = int(note.get("people") or 0)
    parts = [
        _(KIND_NAMES[kind]) if kind in KIND_NAMES else clean_text(kind),
        ctx.date(note.get("held_on")),
        _("1 person") if people == 1 else _("%(n)s people", n=people),
    ]
    theme = clean_text(note.get("theme"))
    if theme:
        parts.append(_("theme: %(theme)s", theme=theme))
    return " · ".join(parts)
