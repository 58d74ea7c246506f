"""The persona cards of a round as slides for the steering group (PowerPoint, python-pptx).

One 16:9 slide per persona that may be shown, in the order of the set: its abstract picture
(toolkit.core.visual, as a PNG), name (the slide title, so the deck's outline and screen
readers list the personas), label, size and stability, what drives and what holds the group
back, channel and messenger, do's and don'ts. The words are the persona card's
(:func:`toolkit.briefs.card.card_content`), so a slide says what the Word card and the web
card say. The reasons behind each do and don't, and the key sentence, go into the speaker
notes: a slide stays readable from the back of the room, the evidence stays one click away.
"""

from __future__ import annotations

import io

from toolkit.briefs.card import CardContent, card_content
from toolkit.briefs.charts import visual_png
from toolkit.briefs.context import BriefContext
from toolkit.core.guidance import GuidanceRules
from toolkit.core.visual import set_visuals

WIDTH_IN, HEIGHT_IN = 13.333, 7.5
INK = (0x1D, 0x24, 0x33)
MUTED = (0x5A, 0x62, 0x75)
LAYOUT_TITLE_ONLY = 5  # python-pptx's default template: "Title Only"


def card_deck(persona_set: dict, round_info: dict, q, lang: str, rules: GuidanceRules | None = None) -> bytes:
    """The .pptx bytes: one slide per shown persona of ``persona_set`` (a persona-set dict as
    stored), worded in ``lang`` ("nl" or "en"). ``round_info`` and ``q`` as for the briefs
    (toolkit.data.rounds.round_info, the parsed questionnaire). Raises ``ValueError`` for a
    language briefs are not written in. A set without shown personas gives a deck without
    slides."""
    from pptx import Presentation
    from pptx.util import Inches

    ctx = BriefContext(persona_set, round_info, q, lang, rules)
    shown = ctx.persona_set["personas"]
    pictures = set_visuals(shown, ctx.persona_set.get("dimensions"))
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(WIDTH_IN), Inches(HEIGHT_IN)
    deck.core_properties.title = ctx.round_title()
    deck.core_properties.language = {"nl": "nl-NL", "en": "en-GB"}.get(lang, lang)
    for persona in shown:
        content = card_content(ctx, persona)
        _slide(ctx, deck, content, visual_png(pictures[content.key]))
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def _slide(ctx: BriefContext, deck, c: CardContent, picture: bytes) -> None:
    from pptx.util import Inches

    _ = ctx._
    slide = deck.slides.add_slide(deck.slide_layouts[LAYOUT_TITLE_ONLY])
    slide.shapes.add_picture(io.BytesIO(picture), Inches(0.5), Inches(0.45), Inches(1.9), Inches(1.9))
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = Inches(2.7), Inches(0.35), Inches(10.1), Inches(0.9)
    title.text = c.name
    _style(title.text_frame.paragraphs[0], 36, bold=True, left=True)
    _text(slide, (2.7, 1.2, 10.1, 0.5), [(c.label, 20, False, MUTED)])
    _text(slide, (2.7, 1.75, 10.1, 0.5), [(" · ".join([c.people, c.share, c.stability]), 14, False, INK)])
    drivers = [line.text for line in c.drivers] or [c.no_drivers or "–"]
    brakes = [line.text for line in c.brakes] or [
        _("No construct is clearly on the unfavourable side of the organisation.")]
    _column(slide, (0.5, 2.65, 6.0, 2.2), _("What drives them"), drivers)
    _column(slide, (6.8, 2.65, 6.0, 2.2), _("What holds them back"), brakes)
    channel = [line for line in (c.channel, c.messenger) if line]
    if c.asks & {"channels", "messenger"}:
        _column(slide, (0.5, 5.0, 4.0, 1.9), _("Channel and messenger"), channel or [c.no_choice])
    _column(slide, (4.7, 5.0, 4.2, 1.9), _("Do"), [a.text for a in c.dos] or ["–"])
    _column(slide, (9.1, 5.0, 3.7, 1.9), _("Don't"), [a.text for a in c.donts] or ["–"])
    _text(slide, (0.5, 7.0, 12.3, 0.35), [(ctx.round_title() + " · " + ctx.note(), 9, False, MUTED)])
    notes = [_("Key sentence:") + " " + c.key_sentence]
    notes += [str(line) for line in c.drivers + c.brakes if line.figure]
    do, dont = _("Do"), _("Don't")
    notes += [f"{do}: {a.text} ({a.because})" for a in c.dos]
    notes += [f"{dont}: {a.text} ({a.because})" for a in c.donts]
    notes.append(c.stability_note)
    slide.notes_slide.notes_text_frame.text = "\n".join(notes)


def _column(slide, box: tuple[float, float, float, float], heading: str, lines: list[str]) -> None:
    points = fit_points(lines, box[2], box[3] - 0.35)
    runs = [(heading, 15, True, INK)] + [("• " + line, points, False, INK) for line in lines]
    _text(slide, box, runs)


def fit_points(lines: list[str], width_in: float, height_in: float, largest: int = 12, smallest: int = 9) -> int:
    """The largest font size (points, ``largest`` down to ``smallest``) at which ``lines``
    fit a box of ``width_in`` x ``height_in`` inches, estimated: an average character is half
    an em wide and a line 1.25 em high. PowerPoint does not shrink text when a file is
    opened, so the deck must choose a size that fits before it is written."""
    points = largest
    for points in range(largest, smallest - 1, -1):
        per_line = max(1, int(width_in * 72 / (points * 0.5)))
        rows = sum(-(-max(1, len(line) + 2) // per_line) for line in lines)
        if rows * points * 1.25 / 72 <= height_in:
            return points
    return points


def _text(slide, box: tuple[float, float, float, float], paragraphs: list[tuple[str, int, bool, tuple]]) -> None:
    """A text box at ``box`` (left, top, width, height in inches), one paragraph per
    (text, points, bold, rgb) entry, wrapping within the box."""
    from pptx.util import Inches

    shape = slide.shapes.add_textbox(*(Inches(v) for v in box))
    frame = shape.text_frame
    frame.word_wrap = True
    for index, (text, points, bold, colour) in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.text = text
        _style(paragraph, points, bold=bold, colour=colour)


def _style(paragraph, points: int, *, bold: bool = False, colour: tuple = INK, left: bool = False) -> None:
    from pptx.dml.color import RGBColor
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Pt

    if left:
        paragraph.alignment = PP_ALIGN.LEFT
    for run in paragraph.runs:
        run.font.size = Pt(points)
        run.font.bold = bold
        run.font.color.rgb = RGBColor(*colour)
