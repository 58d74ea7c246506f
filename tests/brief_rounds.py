"""Rounds the brief tests write documents for: the demo round, and an own instrument.

The demo round is the one `persona-toolkit demo` builds (240 synthetic respondents of the four
default segments, seed 2026), derived here without a database; the own instrument is an
engagement survey an organisation brings itself: no ADKAR self-check, no preference questions,
no open questions. Both are built once per test process.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The schema checker lives next to the repository (../shared/ooxml/check.py), not in it.
CHECK = ROOT.parent / "shared" / "ooxml" / "check.py"
OUTPUT = ROOT / "tests" / "output" / "briefs"

ROUND_INFO = {
    "id": 1,
    "title": "Nieuwe manier van werken — nulmeting 2026",
    "opens_at": "2026-09-07T07:00:00+00:00",
    "closes_at": "2026-09-21T07:00:00+00:00",
    "invited": 300,
    "responses": 240,
    "min_group": 5,
    "review_due": "2027-03-15",
    "organisation": "Gemeente Voorbeeld",
}
FACTS = {
    "what": "We gaan anders samenwerken: vaste teams per klantgroep en één gedeelde planning.",
    "why": "Zo weet een klant wie hem helpt, en hoeft niemand werk over te doen.",
    "when": "De nieuwe teams starten op 1 februari 2027; de trainingen zijn in januari.",
    "unchanged": "Je contract, je werkplek en je leidinggevende blijven hetzelfde.",
}

OWN_INSTRUMENT = """
id = "engagement"
version = "1.0"
languages = ["nl", "en"]
persona_dimensions = ["engagement"]
title.nl = "Betrokkenheidsonderzoek"
title.en = "Engagement survey"

[scales.agree5]
min = 1
max = 5
labels.nl = ["Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"]
labels.en = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]

[[blocks]]
id = "engagement"
title.nl = "Je werk"
title.en = "Your work"

{constructs}
{items}
"""
OWN_CONSTRUCTS = {
    "vigour": ("Energie", "Vigour"),
    "dedication": ("Toewijding", "Dedication"),
    "workload": ("Werkdruk", "Workload"),
    "team_climate": ("Teamklimaat", "Team climate"),
}


def own_questionnaire():
    """The engagement survey as a parsed questionnaire (two items per construct)."""
    from toolkit.core.questionnaire import parse_questionnaire

    constructs, items = [], []
    for cid, (nl, en) in OWN_CONSTRUCTS.items():
        constructs.append(
            f'[[constructs]]\nid = "{cid}"\nblock = "engagement"\nname.nl = "{nl}"\n'
            f'name.en = "{en}"\n'
        )
        for i in (1, 2):
            items.append(
                f'[[items]]\nid = "{cid}_{i}"\ntype = "likert"\nconstruct = "{cid}"\n'
                f'scale = "agree5"\nreverse = false\ntext.nl = "{nl} {i}"\ntext.en = "{en} {i}"\n'
            )
    text = OWN_INSTRUMENT.format(constructs="\n".join(constructs), items="\n".join(items))
    return parse_questionnaire(text.encode(), "engagement.toml")


@functools.cache
def demo_round(bootstrap: int = 20) -> dict:
    """The demo round's persona set (the default instrument, seed 2026)."""
    from toolkit.core.personas import derive_personas, describe_personas
    from toolkit.core.questionnaire import get_questionnaire
    from toolkit.core.scoring import score_matrix
    from toolkit.core.synthetic import generate_responses

    q = get_questionnaire("default")
    answers, _labels, contexts = generate_responses(q, 240, seed=2026, missing_rate=0.02)
    persona_set = derive_personas(score_matrix(q, answers), q, bootstrap=bootstrap)
    return describe_personas(persona_set, q, answers, contexts, min_group=5, min_quote_group=10)


@functools.cache
def own_round() -> dict:
    """The engagement survey's persona set: three synthetic segments of 60 people."""
    from toolkit.core.personas import derive_personas, describe_personas
    from toolkit.core.scoring import score_matrix
    from toolkit.core.synthetic import Segment, generate_responses

    q = own_questionnaire()
    segments = [
        Segment("energised", 0.4, {"vigour": 4.4, "dedication": 4.3, "workload": 2.5, "team_climate": 4.0}),
        Segment("strained", 0.35, {"vigour": 2.6, "dedication": 3.6, "workload": 4.5, "team_climate": 3.0}),
        Segment("detached", 0.25, {"vigour": 2.2, "dedication": 1.8, "workload": 3.0, "team_climate": 2.2}),
    ]
    answers, _labels, contexts = generate_responses(q, 180, segments=segments, seed=5)
    persona_set = derive_personas(score_matrix(q, answers), q, bootstrap=20)
    return describe_personas(persona_set, q, answers, contexts, min_group=5, min_quote_group=10)


def schema_errors(files: list[Path]) -> list[str]:
    """Every schema error check.py reports for ``files`` (one line each); [] when all valid."""
    result = subprocess.run(
        [sys.executable, str(CHECK), *map(str, files)], capture_output=True, text=True, check=False
    )
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    if result.returncode and not lines:
        lines = [result.stderr.strip() or f"check.py exited with {result.returncode}"]
    return lines


def soffice() -> str | None:
    """The LibreOffice binary, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")
