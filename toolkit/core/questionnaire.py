"""Questionnaire definitions: load a TOML instrument, validate it, return frozen objects.

The loader collects *every* problem in a file before it gives up, because the person fixing
an instrument wants one list, not a round trip per mistake. Each problem names the file and
the item (or construct, scale, block) it is about. The file format is described in
docs/architecture.md.

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
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from toolkit import paths

ITEM_TYPES = ("likert", "single", "multi", "text")
ROLES = (
    "comm_channels",
    "comm_messenger",
    "comm_detail",
    "comm_frequency",
    "comm_involvement",
    "learn_format",
    "learn_pace",
    "learn_digital",
    "learn_time",
    "ctx_team",
    "ctx_role",
    "ctx_tenure",
    "ctx_age",
    "open_situation",
    "open_help",
    "open_worry",
)
QUESTIONNAIRE_DIR = paths.QUESTIONNAIRES
NON_INSTRUMENT_FILES = {"personas.toml", "guidance.toml"}


class QuestionnaireError(ValueError):
    """A questionnaire file that cannot be used; ``problems`` lists every reason."""

    def __init__(self, path: str | Path, problems: list[str]):
        """Keep the path and the problems; the message lists every problem on its own line."""
        self.path = str(path)
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{self.path}: {len(problems)} problem(s)\n{lines}")


@dataclass(frozen=True)
class Scale:
    """An answer scale: whole numbers ``min``..``max`` with a label per value and language.

    ``labels`` maps language -> one label per value, lowest first; ``na_labels`` maps
    language -> labels that mean "no answer" (e.g. "N/A").
    """

    id: str
    min: int
    max: int
    labels: dict[str, tuple[str, ...]]
    na_labels: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def values(self) -> range:
        """The scale's values, ``min`` to ``max`` inclusive."""
        return range(self.min, self.max + 1)

    def label(self, value: int, lang: str) -> str:
        """The label of ``value`` in ``lang``; raises KeyError or IndexError when there is none."""
        return self.labels[lang][value - self.min]


@dataclass(frozen=True)
class Option:
    """An option of a choice item: the stored ``value`` and its ``label`` per language."""

    value: str
    label: dict[str, str]


@dataclass(frozen=True)
class Item:
    """One question: likert (on ``scale``, maybe ``reverse`` keyed), single, multi or text.

    ``construct``: the construct a likert item measures, or None; ``options``: for single
    and multi items; ``role``: what the toolkit uses the item for (see ROLES), or None;
    ``text``: language -> question text; ``required``: respondents may not skip it.
    """

    id: str
    block: str
    type: str
    text: dict[str, str]
    construct: str | None = None
    scale: str | None = None
    reverse: bool = False
    options: tuple[Option, ...] = ()
    role: str | None = None
    required: bool = False

    def option(self, value: str) -> Option | None:
        """The option with ``value``, or None."""
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class Construct:
    """What a group of likert items measures, scored as their mean (see toolkit.core.scoring).

    ``name``, ``high`` and ``low`` map language -> the construct's name and short phrases
    for a high and a low score; ``single_item`` marks one-item indicators (ADKAR stages).
    """

    id: str
    block: str
    name: dict[str, str]
    items: tuple[str, ...]
    single_item: bool = False
    high: dict[str, str] = field(default_factory=dict)
    low: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Block:
    """A page of the questionnaire: title, optional intro (per language) and its item ids."""

    id: str
    title: dict[str, str]
    intro: dict[str, str]
    items: tuple[str, ...]


@dataclass(frozen=True)
class Questionnaire:
    """A validated instrument. ``file_hash`` is the SHA-256 of the file's bytes.

    ``scales``, ``items`` and ``constructs`` are keyed by id in file order; ``composites``
    maps a composite id to the constructs it averages; ``persona_dimensions`` are the block
    ids whose constructs clustering uses.
    """

    id: str
    version: str
    languages: tuple[str, ...]
    title: dict[str, str]
    scales: dict[str, Scale]
    blocks: tuple[Block, ...]
    items: dict[str, Item]
    constructs: dict[str, Construct]
    composites: dict[str, tuple[str, ...]]
    persona_dimensions: tuple[str, ...]
    path: str
    file_hash: str

    def dimension_constructs(self) -> list[str]:
        """Constructs of the persona-dimension blocks, in file order: what clustering uses."""
        return [c.id for c in self.constructs.values() if c.block in self.persona_dimensions]

    def items_with_role(self, role: str) -> list[Item]:
        """The items with ``role``, in file order (empty when the instrument has none)."""
        return [i for i in self.items.values() if i.role == role]

    def block(self, block_id: str) -> Block:
        """The block with ``block_id``; raises StopIteration when there is none."""
        return next(b for b in self.blocks if b.id == block_id)

    def scored_constructs(self) -> list[str]:
        """Every construct id, in file order."""
        return list(self.constructs)


def _texts(raw, where: str, field_name: str, languages, problems, required=True) -> dict:
    """Read a {lang: text} table and report each missing language."""
    if raw is None:
        if required:
            wanted = ", ".join(languages) or "each language listed in 'languages'"
            problems.append(f"{where}: missing '{field_name}' (expected one text per language: {wanted})")
        return {}
    if not isinstance(raw, dict):
        problems.append(f"{where}: '{field_name}' must be a table of texts per language, got {raw!r}")
        return {}
    for lang in languages:
        value = raw.get(lang)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{where}: missing {lang} translation of '{field_name}'")
    return {k: v for k, v in raw.items() if isinstance(v, str)}


def _load_scales(data, languages, problems) -> dict[str, Scale]:
    scales = {}
    for sid, raw in (data.get("scales") or {}).items():
        where = f"scale '{sid}'"
        lo, hi = raw.get("min"), raw.get("max")
        if not isinstance(lo, int) or not isinstance(hi, int) or lo >= hi:
            problems.append(f"{where}: scale out of range: min {lo!r} must be an integer below max {hi!r}")
            continue
        if hi - lo > 10:
            problems.append(f"{where}: scale out of range: {lo}..{hi} has more than 11 points")
            continue
        labels = {}
        for lang in languages:
            values = (raw.get("labels") or {}).get(lang)
            if not isinstance(values, list):
                problems.append(f"{where}: missing {lang} translation of 'labels'")
                continue
            if len(values) != hi - lo + 1:
                problems.append(
                    f"{where}: {len(values)} {lang} labels for {hi - lo + 1} values ({lo}..{hi})"
                )
            labels[lang] = tuple(str(v) for v in values)
        na = {k: tuple(str(v) for v in vs) for k, vs in (raw.get("na_labels") or {}).items()}
        if na:
            for lang in languages:
                if lang not in na:
                    problems.append(f"{where}: missing {lang} translation of 'na_labels'")
        scales[sid] = Scale(sid, lo, hi, labels, na)
    return scales


def _parse(data: dict, path: Path, raw_bytes: bytes) -> Questionnaire:
    problems: list[str] = []
    qid = data.get("id")
    if not isinstance(qid, str) or not qid:
        problems.append("missing 'id' (a short name such as \"default\")")
        qid = path.stem
    languages = tuple(data.get("languages") or ())
    if not languages:
        problems.append("missing 'languages' (for example [\"nl\", \"en\"])")
    title = _texts(data.get("title"), "questionnaire", "title", languages, problems)
    scales = _load_scales(data, languages, problems)
    block_rows = data.get("blocks") or []
    block_ids = _check_blocks(block_rows, languages, problems)
    construct_rows = _construct_rows(data, block_ids, languages, problems)
    items, members, block_items = _load_items(
        data, construct_rows, block_ids, scales, languages, problems
    )
    constructs = _build_constructs(construct_rows, members, problems)
    composites = _load_composites(data, constructs, problems)
    dims = _persona_dimensions(data, block_ids, problems)
    if problems:
        raise QuestionnaireError(path, problems)
    blocks = tuple(
        Block(
            id=raw["id"],
            title=dict(raw.get("title") or {}),
            intro=dict(raw.get("intro") or {}),
            items=tuple(block_items[raw["id"]]),
        )
        for raw in block_rows
    )
    return Questionnaire(
        id=qid,
        version=str(data.get("version", "1")),
        languages=languages,
        title=title,
        scales=scales,
        blocks=blocks,
        items=items,
        constructs=constructs,
        composites=composites,
        persona_dimensions=dims,
        path=str(path),
        file_hash=hashlib.sha256(raw_bytes).hexdigest(),
    )


def _check_blocks(block_rows: list, languages, problems: list[str]) -> list[str]:
    """Block ids in file order (duplicates kept, reported), texts checked."""
    block_ids: list[str] = []
    for raw in block_rows:
        bid = raw.get("id")
        if bid in block_ids:
            problems.append(f"block '{bid}': duplicate id")
        block_ids.append(bid)
        _texts(raw.get("title"), f"block '{bid}'", "title", languages, problems)
        if raw.get("intro") is not None:
            _texts(raw.get("intro"), f"block '{bid}'", "intro", languages, problems)
    return block_ids


def _construct_rows(data: dict, block_ids: list[str], languages, problems: list[str]) -> dict:
    """Construct id -> its raw table, first of each id; block and texts checked."""
    construct_rows = {}
    for raw in data.get("constructs") or []:
        cid = raw.get("id")
        where = f"construct '{cid}'"
        if cid in construct_rows:
            problems.append(f"{where}: duplicate id")
            continue
        if raw.get("block") not in block_ids:
            problems.append(f"{where}: unknown block '{raw.get('block')}' (known: {', '.join(map(str, block_ids))})")
        _texts(raw.get("name"), where, "name", languages, problems)
        for key in ("high", "low"):
            if raw.get(key) is not None:
                _texts(raw.get(key), where, key, languages, problems)
        construct_rows[cid] = raw
    return construct_rows


def _load_items(data, construct_rows, block_ids, scales, languages, problems):
    """(items by id, item ids per construct, item ids per block), every item checked."""
    items: dict[str, Item] = {}
    members: dict[str, list[str]] = {cid: [] for cid in construct_rows}
    block_items: dict[str, list[str]] = {bid: [] for bid in block_ids}
    for raw in data.get("items") or []:
        iid = raw.get("id")
        where = f"item '{iid}'"
        if not isinstance(iid, str) or not iid:
            problems.append(f"item without an id (text: {raw.get('text')!r})")
            continue
        if iid in items:
            problems.append(f"{where}: duplicate id")
            continue
        itype = raw.get("type", "likert")
        if itype not in ITEM_TYPES:
            problems.append(f"{where}: unknown type '{itype}' (expected one of {', '.join(ITEM_TYPES)})")
        construct = raw.get("construct")
        block = _item_block(raw, where, itype, construct_rows, members, block_ids, block_items, problems)
        scale = raw.get("scale")
        if itype == "likert":
            if scale is None:
                problems.append(f"{where}: likert item needs a 'scale'")
            elif scale not in scales:
                problems.append(f"{where}: unknown scale '{scale}'")
        options = _item_options(raw, where, itype, languages, problems)
        role = raw.get("role")
        if role is not None and role not in ROLES:
            problems.append(f"{where}: unknown role '{role}'")
        text = _texts(raw.get("text"), where, "text", languages, problems)
        items[iid] = Item(
            id=iid,
            block=block,
            type=itype,
            text=text,
            construct=construct,
            scale=scale,
            reverse=bool(raw.get("reverse", False)),
            options=tuple(options),
            role=role,
            required=bool(raw.get("required", False)),
        )
    return items, members, block_items


def _item_block(raw, where, itype, construct_rows, members, block_ids, block_items, problems):
    """The item's block (its construct's, when it has one); records construct and block membership."""
    iid = raw["id"]
    construct = raw.get("construct")
    block = raw.get("block")
    construct_known = construct is None or construct in construct_rows
    if construct is not None:
        if not construct_known:
            problems.append(f"{where}: unknown construct '{construct}'")
        else:
            members[construct].append(iid)
            construct_block = construct_rows[construct].get("block")
            if block is not None and block != construct_block:
                problems.append(
                    f"{where}: block '{block}' differs from the block of its construct "
                    f"'{construct}' ('{construct_block}')"
                )
            block = construct_block
            if itype != "likert":
                problems.append(f"{where}: only likert items can belong to a construct (type is '{itype}')")
    if block in block_ids:
        block_items[block].append(iid)
    elif construct_known:  # an unknown construct is the one problem to report, not its block
        problems.append(f"{where}: unknown block '{block}'")
    return block


def _item_options(raw, where: str, itype: str, languages, problems: list[str]) -> list[Option]:
    options = []
    if itype in ("single", "multi"):
        raw_options = raw.get("options") or []
        if not raw_options:
            problems.append(f"{where}: a {itype} item needs options")
        seen = set()
        for opt in raw_options:
            value = opt.get("value")
            if value in seen:
                problems.append(f"{where}: duplicate option '{value}'")
            seen.add(value)
            label = _texts(opt.get("label"), f"{where} option '{value}'", "label", languages, problems)
            options.append(Option(str(value), label))
    return options


def _build_constructs(construct_rows: dict, members: dict, problems: list[str]) -> dict[str, Construct]:
    constructs = {}
    for cid, raw in construct_rows.items():
        single = bool(raw.get("single_item", False))
        if len(members[cid]) < 2 and not single:
            problems.append(
                f"construct '{cid}': has {len(members[cid])} item(s); a construct needs at least 2 "
                "(or declare single_item = true)"
            )
        if single and len(members[cid]) != 1:
            problems.append(f"construct '{cid}': single_item construct has {len(members[cid])} items")
        constructs[cid] = Construct(
            id=cid,
            block=raw.get("block"),
            name=dict(raw.get("name") or {}),
            items=tuple(members[cid]),
            single_item=single,
            high=dict(raw.get("high") or {}),
            low=dict(raw.get("low") or {}),
        )
    return constructs


def _load_composites(data: dict, constructs: dict, problems: list[str]) -> dict[str, tuple[str, ...]]:
    composites = {}
    for name, parts in (data.get("composites") or {}).items():
        unknown = [p for p in parts if p not in constructs]
        if name in constructs:
            problems.append(f"composite '{name}': has the same id as a construct; choose another name")
        if unknown:
            problems.append(f"composite '{name}': unknown construct(s) {', '.join(unknown)}")
        composites[name] = tuple(parts)
    return composites


def _persona_dimensions(data: dict, block_ids: list[str], problems: list[str]) -> tuple[str, ...]:
    dims = tuple(data.get("persona_dimensions") or ())
    for d in dims:
        if d not in block_ids:
            problems.append(f"persona_dimensions: unknown block '{d}'")
    if not dims:
        problems.append("missing 'persona_dimensions' (the blocks whose constructs define personas)")
    return dims


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Load and validate one instrument file; raise QuestionnaireError naming every problem."""
    path = Path(path)
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise QuestionnaireError(path, [f"cannot read file: {exc.strerror}"]) from exc
    return parse_questionnaire(raw_bytes, path)


def parse_questionnaire(raw_bytes: bytes, path: str | Path = "<text>") -> Questionnaire:
    """Validate instrument TOML held in memory (as stored with a round).

    ``path`` only names the text in messages. Raises QuestionnaireError listing every
    problem (not UTF-8, not TOML, or any mistake in the instrument).
    """
    path = Path(path)
    try:
        data = tomllib.loads(raw_bytes.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise QuestionnaireError(path, [f"not UTF-8 text (byte {exc.start})"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise QuestionnaireError(path, [f"not valid TOML: {exc}"]) from exc
    return _parse(data, path, raw_bytes)


def available_questionnaires(directory: Path = QUESTIONNAIRE_DIR) -> dict[str, Path]:
    """Map questionnaire id -> file for every instrument in questionnaires/.

    Files that are not TOML, not UTF-8, or have no ``items`` and string ``id`` are skipped
    silently, as are personas.toml and guidance.toml.
    """
    found = {}
    for path in sorted(directory.glob("*.toml")):
        if path.name in NON_INSTRUMENT_FILES:
            continue
        try:
            data = tomllib.loads(path.read_text("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue
        if "items" in data and isinstance(data.get("id"), str):
            found[data["id"]] = path
    return found


def get_questionnaire(qid: str, directory: Path = QUESTIONNAIRE_DIR) -> Questionnaire:
    """Load the instrument with id ``qid`` from ``directory``.

    Raises LookupError naming the available ids when there is none, QuestionnaireError when
    the file is broken.
    """
    files = available_questionnaires(directory)
    if qid not in files:
        known = ", ".join(files) or "none"
        raise LookupError(f"unknown questionnaire '{qid}' (available: {known})")
    return load_questionnaire(files[qid])


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
    }
