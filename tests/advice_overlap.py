"""How much advice text two personas share: the measure behind issue 18's "mostly the same
text for everyone", used by tests/test_advice_evidence.py and tests/benchmarks/bench_advice.py.

An advice *sentence* is a sentence of an advice's text or suggested answer (split after
. ? !), with the persona's own name replaced by a placeholder so that a name does not make
two sentences differ. For two personas A and B, the share of A's sentences that also appear
word for word in B's advice is |A ∩ B| / |A|; a pair is measured both ways.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from toolkit.core.guidance import Advice, GuidanceRules, evaluate, top_advice

SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def sentences(advices: Iterable[Advice], name: str | None) -> set[str]:
    """The distinct advice sentences of one persona (texts and suggested answers)."""
    out: set[str] = set()
    for advice in advices:
        for text in (advice.text, advice.answer or ""):
            if name:
                text = text.replace(name, "{name}")
            out.update(s.strip() for s in SENTENCE_END.split(text) if s.strip())
    return out


@dataclass(frozen=True)
class Overlap:
    """Shared sentences between two personas: ``a_share`` of A's, ``b_share`` of B's."""

    a: str
    b: str
    shared: int
    a_share: float
    b_share: float


def advice_by_persona(
    rules: GuidanceRules, persona_set: Mapping, lang: str, q, min_group: int = 5
) -> dict[str, list[Advice]]:
    """Every presented persona's advice (both audiences), as the briefs get it."""
    return {
        p["key"]: evaluate(
            rules, p, lang, overall=persona_set["overall"], q=q, min_group=min_group
        )
        for p in persona_set["personas"]
        if p.get("presented", True)
    }


def overlaps(persona_set: Mapping, advice: Mapping[str, list[Advice]]) -> list[Overlap]:
    """One :class:`Overlap` per pair of personas in ``advice``."""
    names = {p["key"]: p.get("name") for p in persona_set["personas"]}
    own = {key: sentences(advices, names.get(key)) for key, advices in advice.items()}
    out = []
    for a, b in itertools.combinations(sorted(own), 2):
        shared = len(own[a] & own[b])
        out.append(Overlap(a, b, shared, shared / max(len(own[a]), 1), shared / max(len(own[b]), 1)))
    return out


def summary(rows: list[Overlap]) -> tuple[float, float]:
    """(max, mean) over both directions of every pair; (0, 0) without pairs."""
    shares = [x for r in rows for x in (r.a_share, r.b_share)]
    return (max(shares), sum(shares) / len(shares)) if shares else (0.0, 0.0)


def table(rows: list[Overlap]) -> str:
    """The per-pair shares as lines of text, then max and mean."""
    lines = [f"{r.a}-{r.b}: {r.shared} shared, {r.a_share:.0%} of {r.a}'s, {r.b_share:.0%} of {r.b}'s"
             for r in rows]
    high, mean = summary(rows)
    return "\n".join(lines + [f"max {high:.0%}, mean {mean:.0%}"])


def top_rules(advice: Mapping[str, list[Advice]]) -> dict[str, dict[str, Advice | None]]:
    """persona key -> audience -> its most important advice."""
    return {
        key: {aud: top_advice(advices, aud) for aud in ("communication", "training")}
        for key, advices in advice.items()
    }


def top_trait(persona: Mapping) -> tuple[str, str] | None:
    """(construct, direction) of the persona's first distinguishing construct, or None."""
    first = next(iter(persona.get("distinguishing") or []), None)
    return (first["construct"], first["direction"]) if first else None
