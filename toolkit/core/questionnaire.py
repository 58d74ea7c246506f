"""Questionnaire definitions: load a TOML instrument, validate it, return frozen objects.

The loader collects *every* problem in a file before it gives up, because the person fixing
an instrument wants one list, not a round trip per mistake -- and only one message per
mistake: a field of the wrong type (``reverse = "false"``, ``min = "1"``, ``languages =
"en"``) is reported once and then treated as absent, so it does not set off a message for
every item that uses it. Each problem names the file and the item (or construct, scale,
block) it is about. The file format is described in docs/architecture.md; the objects are in
:mod:`toolkit.core.instrument`, the section readers in :mod:`toolkit.core.instrument_parts`.

Instruments live in the product's questionnaires/ folder and, for an organisation's own
instruments, in the instance folder (INSTANCE/questionnaires/, filled by ``questionnaire
add`` or the upload page). :func:`list_questionnaires` lists both, broken files included with
their problems; :func:`get_questionnaire` finds one by id.

The default instrument (questionnaires/default.toml, items in our own words) draws its
constructs from: self-determination theory for motivation (R. M. Ryan & E. L. Deci 2000,
*American Psychologist* 55(1), 68-78: intrinsic, identified, introjected and external
motivation, amotivation); readiness for change (D. T. Holt, A. A. Armenakis, H. S. Feild &
S. G. Harris 2007, *Journal of Applied Behavioral Science* 43(2), 232-255: appropriateness,
management support, change efficacy, personal valence) and affective commitment to change
(L. Herscovitch & J. P. Meyer 2002, *Journal of Applied Psychology* 87(3), 474-487); and the
ADKAR stages (J. Hiatt 2006, *ADKAR*, Prosci).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from toolkit import paths
from toolkit.core import instrument_parts as parts
from toolkit.core.instrument import (
    ITEM_TYPES,
    ROLES,
    Block,
    Construct,
    Item,
    Option,
    Questionnaire,
    QuestionnaireError,
    Scale,
)
from toolkit.core.instrument_fields import Fields

__all__ = [
    "INSTANCE_FOLDER",
    "ITEM_TYPES",
    "NON_INSTRUMENT_FILES",
    "QUESTIONNAIRE_DIR",
    "ROLES",
    "Block",
    "Construct",
    "Item",
    "ListedQuestionnaire",
    "Option",
    "Questionnaire",
    "QuestionnaireError",
    "Scale",
    "available_questionnaires",
    "get_questionnaire",
    "library",
    "list_questionnaires",
    "load_questionnaire",
    "parse_questionnaire",
    "questionnaire_as_dict",
]

QUESTIONNAIRE_DIR = paths.QUESTIONNAIRES
INSTANCE_FOLDER = "questionnaires"  # INSTANCE/questionnaires/: the organisation's own instruments
NON_INSTRUMENT_FILES = {"personas.toml", "guidance.toml"}
TOP_FIELDS = (
    "id", "version", "languages", "title", "persona_dimensions", "scales", "composites", "blocks",
    "constructs", "items", "outcomes",
)
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


def _parse(data: dict, path: Path, raw_bytes: bytes) -> Questionnaire:
    problems: list[str] = []
    top = Fields(data, "questionnaire", TOP_FIELDS, problems)
    qid = _questionnaire_id(top, path)
    version = top.text("version", "1")
    r = parts.Reading(parts.read_languages(top), problems)
    title = top.texts("title", r.languages)
    scales = parts.read_scales(top.table("scales"), r)
    blocks = parts.read_blocks(top.tables("blocks"), r)
    construct_rows = parts.read_constructs(top.tables("constructs"), r)
    items = parts.read_items(top.tables("items"), construct_rows, scales, r)
    constructs = parts.build_constructs(construct_rows, items, r)
    composites = parts.read_composites(top.table("composites"), constructs, r)
    dims = parts.read_dimensions(top, r)
    outcomes = parts.read_outcomes(top.tables("outcomes"), items, r)
    if problems:
        raise QuestionnaireError(path, problems)
    return Questionnaire(
        id=qid,
        version=version,
        languages=r.languages,
        title=title,
        scales=scales,
        blocks=tuple(
            Block(b["id"], b["title"], b["intro"], tuple(i.id for i in items.values() if i.block == b["id"]))
            for b in blocks
        ),
        items=items,
        constructs=constructs,
        composites=composites,
        persona_dimensions=dims,
        path=str(path),
        file_hash=hashlib.sha256(raw_bytes).hexdigest(),
        outcomes=outcomes,
    )


def _questionnaire_id(top: Fields, path: Path) -> str:
    qid = top.text("id")
    if qid is None:
        if not top.has("id"):
            top.problems.append("missing 'id' (a short name such as \"default\")")
        return path.stem
    if not ID_PATTERN.match(qid):
        top.problems.append(
            f"'id' must be 1 to 40 letters, digits, - or _ (it names the file when the questionnaire is "
            f"added), got \"{qid}\""
        )
    return qid


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Load and validate one instrument file; raise QuestionnaireError naming every problem."""
    path = Path(path)
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise QuestionnaireError(path, [f"cannot read file: {exc.strerror}"]) from exc
    return parse_questionnaire(raw_bytes, path)


def _toml(raw_bytes: bytes, path: Path) -> dict:
    """The TOML table of a file's bytes (UTF-8, a byte-order mark allowed); QuestionnaireError else."""
    try:
        text = raw_bytes.decode("utf-8-sig")  # Notepad and Excel-era editors write a BOM
    except UnicodeDecodeError as exc:
        raise QuestionnaireError(path, [f"not UTF-8 text (byte {exc.start}); save the file as UTF-8"]) from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise QuestionnaireError(path, [f"not valid TOML: {exc}"]) from exc


def parse_questionnaire(raw_bytes: bytes, path: str | Path = "<text>") -> Questionnaire:
    """Validate instrument TOML held in memory (as stored with a round, or uploaded).

    ``path`` only names the text in messages. A UTF-8 byte-order mark is accepted. Raises
    QuestionnaireError listing every problem (not UTF-8, not TOML, or any mistake in the
    instrument).
    """
    path = Path(path)
    return _parse(_toml(raw_bytes, path), path, raw_bytes)


# --- the library: the product's instruments and the organisation's own -----------------------------


@dataclass(frozen=True)
class ListedQuestionnaire:
    """One instrument file as :func:`list_questionnaires` finds it.

    ``id``: the id in the file (the file name without .toml when the id cannot be read);
    ``path``: the file; ``own``: True for a file in the instance folder (added by the
    organisation); ``questionnaire``: the validated instrument, or None when the file is
    broken; ``problems``: every problem of a broken file (empty when valid).
    """

    id: str
    path: Path
    own: bool
    questionnaire: Questionnaire | None
    problems: tuple[str, ...] = ()


def library(instance: str | Path | None = None) -> tuple[Path, ...]:
    """The folders instruments are read from: the product's, then INSTANCE/questionnaires/.

    ``instance`` is the instance folder (None: the product's folder only). The instance
    sub-folder need not exist.
    """
    folders = (QUESTIONNAIRE_DIR,)
    return folders + (Path(instance) / INSTANCE_FOLDER,) if instance is not None else folders


def _folders(directories: Sequence[Path | str]) -> list[Path]:
    return [Path(d) for d in (directories or (QUESTIONNAIRE_DIR,))]


def list_questionnaires(*directories: Path | str) -> list[ListedQuestionnaire]:
    """Every instrument file in ``directories`` (default: the product's folder), broken ones too.

    Files are read in folder order, by file name; personas.toml and guidance.toml are not
    instruments. A file whose id was already listed from an earlier file is listed as broken
    ("id already used by ..."), so the first one stays the one rounds get. Folders after the
    first count as the organisation's own (``own``).
    """
    listed: list[ListedQuestionnaire] = []
    seen: dict[str, Path] = {}
    for index, folder in enumerate(_folders(directories)):
        for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
            if path.name in NON_INSTRUMENT_FILES:
                continue
            try:
                q, qid, problems = load_questionnaire(path), None, ()
                qid = q.id
            except QuestionnaireError as exc:
                q, qid, problems = None, _readable_id(path), tuple(exc.problems)
            if qid in seen:
                q, problems = None, (f"id '{qid}' is already used by {seen[qid]}; give this file another id",)
            else:
                seen[qid] = path
            listed.append(ListedQuestionnaire(qid, path, index > 0, q, problems))
    return listed


def _readable_id(path: Path) -> str:
    """The id a broken file means to have: its ``id`` when readable, else the file name."""
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return path.stem
    qid = data.get("id")
    return qid if isinstance(qid, str) and qid else path.stem


def available_questionnaires(*directories: Path | str) -> dict[str, Path]:
    """Map questionnaire id -> file for every valid instrument in ``directories``.

    ``directories`` default to the product's questionnaires/ folder; pass
    ``*library(instance)`` to include the organisation's own. Broken files are left out (see
    :func:`list_questionnaires` to show them).
    """
    return {entry.id: entry.path for entry in list_questionnaires(*directories) if entry.questionnaire}


def get_questionnaire(qid: str, *directories: Path | str) -> Questionnaire:
    """Load the instrument with id ``qid`` from ``directories`` (default: the product's folder).

    Raises LookupError naming the available ids when there is none, QuestionnaireError with
    every problem when the file with that id (or that file name) is broken.
    """
    listed = list_questionnaires(*directories)
    for entry in listed:
        if entry.id == qid and entry.questionnaire is not None:
            return entry.questionnaire
    for entry in listed:
        if entry.id == qid:
            raise QuestionnaireError(entry.path, list(entry.problems))
    known = ", ".join(e.id for e in listed if e.questionnaire) or "none"
    raise LookupError(f"unknown questionnaire '{qid}' (available: {known})")


def questionnaire_as_dict(q: Questionnaire) -> dict:
    """The JSON shape of `questionnaire show --format json`."""

    def scale_dict(sid):
        if sid is None:
            return None
        s = q.scales[sid]
        return {"id": s.id, "min": s.min, "max": s.max, "labels": {k: list(v) for k, v in s.labels.items()}}

    return {
        "id": q.id,
        "version": q.version,
        "languages": list(q.languages),
        "title": q.title,
        "persona_dimensions": list(q.persona_dimensions),
        "constructs": {
            c.id: {"block": c.block, "name": c.name, "items": list(c.items), "single_item": c.single_item}
            for c in q.constructs.values()
        },
        "items": [
            {
                "id": i.id,
                "block": i.block,
                "type": i.type,
                "construct": i.construct,
                "reverse": i.reverse,
                "role": i.role,
                "text": i.text,
                "scale": scale_dict(i.scale),
                "options": [{"value": o.value, "label": o.label} for o in i.options],
            }
            for i in q.items.values()
        ],
        "outcomes": [
            {"id": v.id, "type": v.type, "name": v.name, "categories": list(v.categories)}
            for v in q.outcomes.values()
        ],
    }
