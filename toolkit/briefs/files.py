"""The files of a round: every brief of every shown persona, per language, under a safe name."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from toolkit.briefs.communication import communication_brief
from toolkit.briefs.context import one_run
from toolkit.briefs.overview import overview_brief
from toolkit.briefs.sanitize import clean_text
from toolkit.briefs.text import catalogue
from toolkit.briefs.training import training_brief
from toolkit.briefs.visibility import shown_personas
from toolkit.core.guidance import GuidanceRules, default_guidance


def write_round_briefs(
    persona_set: dict,
    round_info: dict,
    q,
    out_dir,
    langs=("nl", "en"),
    rules: GuidanceRules | None = None,
) -> list[Path]:
    """Write the overview and every shown persona's communication and training brief per
    language into ``out_dir`` (a path; created if missing), overwriting files of the same name.

    File names use the persona key and an ASCII form of the name, never anything else:
    ``overview-nl.docx``, ``communication-p1-sanne-nl.docx``, ``training-p1-sanne-nl.docx``.
    Returns the written paths, per language the overview first, then per persona its
    communication and training brief. Raises ``ValueError`` before writing anything when a
    language in ``langs`` is not "nl" or "en"; ``OSError`` when the folder cannot be written.
    """
    rules = rules or default_guidance()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for lang in langs:
        catalogue(lang)  # fail before writing anything
    paths: list[Path] = []
    shown = shown_personas(persona_set, round_info)
    with one_run():  # the brief kinds share each persona's advice and card per language
        for lang in langs:
            paths += _language_briefs(persona_set, shown, round_info, q, out_dir, lang, rules)
    return paths


def _language_briefs(
    persona_set: dict, shown: list[dict], round_info: dict, q, out_dir: Path, lang: str, rules
) -> list[Path]:
    """The overview and each shown persona's communication and training brief in ``lang``,
    written into ``out_dir``; their paths in that order."""
    paths = []
    path = out_dir / f"overview-{lang}.docx"
    overview_brief(persona_set, round_info, q, lang, rules).save(str(path))
    paths.append(path)
    for persona in shown:
        stem = file_stem(persona)
        for kind, make in (
            ("communication", communication_brief),
            ("training", training_brief),
        ):
            path = out_dir / f"{kind}-{stem}-{lang}.docx"
            make(persona_set, persona, round_info, q, lang, rules).save(str(path))
            paths.append(path)
    return paths


def file_stem(persona: dict) -> str:
    """``<key>-<ascii-name>`` for file names: the key with anything but letters, digits, ``_``
    and ``-`` replaced, and the name lower-cased, accents dropped, at most 40 characters;
    the key alone when the name leaves nothing ("persona" when the key does)."""
    key = re.sub(r"[^A-Za-z0-9_-]+", "-", clean_text(persona.get("key"))).strip("-") or "persona"
    ascii_name = (
        unicodedata.normalize("NFKD", clean_text(persona.get("name")))
        .encode("ascii", "ignore")
        .decode()
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    return f"{key}-{slug}" if slug else key
