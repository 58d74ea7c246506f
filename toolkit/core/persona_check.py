"""The persona check: the people a persona set describes rate its cards, and what they said.

Once a year (or after a major change) the personas should be checked with the people themselves:
a short round in which a sample of employees, or the frontline colleagues who were interviewed,
read each persona card and say whether they recognise it, whether it is clear and whether
anything is missing. The three dimensions are a subset of the Persona Perception Scale
(J. Salminen, H. Kwak, J. M. Santos, S.-G. Jung, J. An & B. J. Jansen 2018, "Persona
perception scale: developing and validating an instrument for human-like representations of
data", CHI EA '18; J. Salminen, J. M. Santos, H. Kwak, J. An, S.-G. Jung & B. J. Jansen 2020,
"Persona perception scale: development and exploratory validation of an instrument for
evaluating individuals' perceptions of personas", *International Journal of Human-Computer
Studies* 141, 102437), which rates personas on credibility, clarity, completeness and more. The
statements below are our own wording, two for recognisability and one each for clarity and
completeness, so a check of five personas stays at twenty-five questions.

The check is an ordinary questionnaire, generated from the cards (:func:`check_source`), so the
existing round machinery carries it: links, reminders, closing, and the publication rules of
anonymous rounds. :func:`persona_results` turns the published answers into figures per persona,
under the rules of :mod:`toolkit.core.privacy`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from toolkit.core.messages import N_
from toolkit.core.privacy import effective_min, may_quote, may_show, suppress_groups

DIMENSIONS = ("recognisable", "clear", "complete")
LANGUAGES = ("nl", "en")
SCALE_MIN, SCALE_MAX = 1, 5
COMMENT = "comment"

# The wording is the catalogue's (English msgids, translated by the caller): our own statements,
# see the module docstring. Item suffix -> (dimension, statement).
STATEMENTS: dict[str, tuple[str, str]] = {
    "rec_1": ("recognisable", N_("I recognise people I work with in this persona.")),
    "rec_2": ("recognisable", N_("This persona feels like someone who really works here.")),
    "clr_1": ("clear", N_("After reading it I know straight away what matters to this group.")),
    "cmp_1": ("complete", N_("Nothing important is missing from this description.")),
}
COMMENT_TEXT = N_("What does not fit, or what is missing? You may leave this empty.")
SCALE_LABELS = (N_("Strongly disagree"), N_("Disagree"), N_("Neutral"), N_("Agree"), N_("Strongly agree"))
NO_ANSWER = N_("Don't know")
TITLE = N_("Persona check: do you recognise these personas?")
DRIVES, BRAKES = N_("What drives them"), N_("What holds them back")  # the persona card's own headings
MAX_LINES = 2
Translate = Callable[[str], str]


@dataclass(frozen=True)
class CheckCard:
    """What a respondent reads of one persona: ``prefix`` (the item-id prefix of its questions,
    "pc1", "pc2", ...), ``persona_id`` (its row id) and per language ("nl", "en") its ``name``,
    ``label`` (the one-line summary), ``drivers`` and ``brakes`` (a few short lines each: what
    drives the group and what holds it back, as the persona card says them)."""

    prefix: str
    persona_id: int
    name: Mapping[str, str]
    label: Mapping[str, str]
    drivers: Mapping[str, Sequence[str]]
    brakes: Mapping[str, Sequence[str]]


def _toml(text: str) -> str:
    """A TOML basic string of ``text`` (JSON's escapes are TOML's; DEL must be escaped too)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007F")


def _in_sentence(line: str) -> str:
    """``line`` to follow a colon: its first letter in lower case, unless it starts an acronym."""
    line = line.strip().rstrip(".")
    return line[:1].lower() + line[1:] if len(line) > 1 and not line[1].isupper() else line


def card_intro(card: CheckCard, lang: str, _: Translate) -> str:
    """The card as the page's introduction in ``lang``: the summary, then what drives the group
    and what holds it back, as one paragraph of plain text ("Needs the why first. What drives
    them: ...; .... What holds them back: ...."). ``_`` translates a catalogue msgid into
    ``lang``. Raises KeyError for a language the card lacks."""
    parts = [card.label[lang].strip().rstrip(".") + "."]
    for heading, lines in ((_(DRIVES), card.drivers[lang]), (_(BRAKES), card.brakes[lang])):
        if lines:
            parts.append(f"{heading}: " + "; ".join(_in_sentence(line) for line in lines) + ".")
    return " ".join(parts)


def _texts(key: str, translate: Mapping[str, Translate], msgid: str) -> list[str]:
    return [f"{key}.{lang} = {_toml(translate[lang](msgid))}" for lang in LANGUAGES]


def check_source(cards: Sequence[CheckCard], set_id: int, version: str, translate: Mapping[str, Translate]) -> str:
    """The TOML text of the check questionnaire for ``cards`` (one page per persona).

    Each page is titled with the persona's name and introduced by its card (:func:`card_intro`);
    it asks the statements of ``STATEMENTS`` on a five-point agreement scale and one optional
    comment, with item ids "<prefix>_<suffix>" and "<prefix>_comment". ``set_id`` names the
    questionnaire ("persona-check-<set_id>"), ``version`` tells checks of one set apart;
    ``translate`` maps "nl" and "en" to a function that translates a catalogue msgid. Raises
    ValueError for no cards. The text parses with
    :func:`toolkit.core.questionnaire.parse_questionnaire`.
    """
    if not cards:
        raise ValueError("a persona check needs at least one persona to show")
    lines = [f'id = "persona-check-{int(set_id)}"', f"version = {_toml(version)}", 'languages = ["nl", "en"]',
             f'persona_dimensions = ["{cards[0].prefix}"]', *_texts("title", translate, TITLE), "",
             "[scales.agree5]", f"min = {SCALE_MIN}", f"max = {SCALE_MAX}"]
    for lang in LANGUAGES:
        lines.append(f"labels.{lang} = [{', '.join(_toml(translate[lang](label)) for label in SCALE_LABELS)}]")
        lines.append(f"na_labels.{lang} = [{_toml(translate[lang](NO_ANSWER))}]")
    for card in cards:
        lines += ["", "[[blocks]]", f'id = "{card.prefix}"']
        lines += [f"title.{lang} = {_toml(card.name[lang])}" for lang in LANGUAGES]
        lines += [f"intro.{lang} = {_toml(card_intro(card, lang, translate[lang]))}" for lang in LANGUAGES]
    for card in cards:
        for suffix, (_dim, statement) in STATEMENTS.items():
            lines += ["", "[[items]]", f'id = "{card.prefix}_{suffix}"', f'block = "{card.prefix}"',
                      'type = "likert"', 'scale = "agree5"', *_texts("text", translate, statement)]
        lines += ["", "[[items]]", f'id = "{card.prefix}_{COMMENT}"', f'block = "{card.prefix}"', 'type = "text"',
                  *_texts("text", translate, COMMENT_TEXT)]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class DimensionResult:
    """One dimension of one persona: ``dimension`` (of ``DIMENSIONS``), ``n`` (people who rated
    it), ``mean`` (mean of the people's scores on the 1-5 scale, a person's score being the mean
    of their answered statements of the dimension) and ``distribution``: people per score 1..5
    (a person's score rounded half up), a count replaced by None where it would single out a
    group under the minimum (:func:`toolkit.core.privacy.suppress_groups`). ``mean`` is None and
    ``distribution`` empty when ``n`` is under the minimum group."""

    dimension: str
    n: int
    mean: float | None
    distribution: tuple[int | None, ...]


@dataclass(frozen=True)
class PersonaCheckResult:
    """What the check says about one persona: ``n`` (people who rated at least one statement
    about it), ``shown`` (n meets the minimum group, so the figures may be shown),
    ``min_group`` (the effective minimum), ``dimensions`` (one :class:`DimensionResult` per
    dimension, in ``DIMENSIONS`` order), ``comments`` (the comments written, in a fixed order
    that does not follow the responses; empty unless the group may be quoted,
    :func:`toolkit.core.privacy.may_quote`: twice the minimum and at least 10 people)."""

    n: int
    shown: bool
    min_group: int
    dimensions: tuple[DimensionResult, ...]
    comments: tuple[str, ...]


def _score(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if SCALE_MIN <= number <= SCALE_MAX else None


def _person_scores(answers: Mapping[str, Mapping[str, str]], prefix: str) -> dict[str, list[float]]:
    """dimension -> each person's score (mean of their answered statements of that dimension)."""
    scores: dict[str, list[float]] = {d: [] for d in DIMENSIONS}
    for response in answers.values():
        for dim in DIMENSIONS:
            values = [s for suffix, (d, _text) in STATEMENTS.items() if d == dim
                      if (s := _score(response.get(f"{prefix}_{suffix}"))) is not None]
            if values:
                scores[dim].append(sum(values) / len(values))
    return scores


def _dimension(dim: str, scores: list[float], min_group: int) -> DimensionResult:
    n = len(scores)
    if not may_show(n, min_group):
        return DimensionResult(dim, n, None, ())
    counts = {str(v): 0 for v in range(SCALE_MIN, SCALE_MAX + 1)}
    for s in scores:
        counts[str(int(math.floor(s + 0.5)))] += 1
    shown = suppress_groups({k: c for k, c in counts.items() if c}, min_group, total=n)
    return DimensionResult(dim, n, sum(scores) / n, tuple(shown.get(k, 0) for k in counts))


def persona_results(answers: Mapping[str, Mapping[str, str]], prefix: str, min_group: int = 5) -> PersonaCheckResult:
    """The check's figures for the persona whose items start with ``prefix``.

    ``answers``: response id -> item id -> stored value (numbers as text, as
    :func:`toolkit.data.responses.raw_answers` returns them), only responses that may be used
    (published); ``min_group``: the check round's minimum group (never below 5). A respondent
    counts for the persona when they rated at least one of its statements; comments are stripped
    and sorted so their order says nothing about who wrote them.
    """
    minimum = effective_min(min_group)
    rated = [r for r in answers.values() if any(_score(r.get(f"{prefix}_{s}")) is not None for s in STATEMENTS)]
    n = len(rated)
    scores = _person_scores({str(i): r for i, r in enumerate(rated)}, prefix)
    shown = may_show(n, minimum)
    quoted = shown and may_quote(n, minimum)
    written = sorted(t for r in answers.values() if (t := " ".join(str(r.get(f"{prefix}_{COMMENT}") or "").split())))
    return PersonaCheckResult(
        n=n, shown=shown, min_group=minimum,
        dimensions=tuple(_dimension(d, scores[d], minimum) for d in DIMENSIONS),
        comments=tuple(written) if quoted else (),
    )
