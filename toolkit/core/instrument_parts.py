"""Reading each section of a questionnaire file: scales, blocks, constructs, items, outcomes.

Every reader adds its problems to one list and remembers what it could not read (a scale
without a usable ``min``, a construct without a usable block), so that the sections read
after it stay quiet about those: one mistake gives one message, not one per item that uses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from toolkit.core.instrument import ITEM_TYPES, ROLES, Construct, Item, Option, Scale
from toolkit.core.instrument_fields import Fields, describe
from toolkit.core.variables import ID_PATTERN, VARIABLE_TYPES, Variable

MAX_SCALE_POINTS = 11
SCALE_FIELDS = ("min", "max", "labels", "na_labels")
BLOCK_FIELDS = ("id", "title", "intro")
CONSTRUCT_FIELDS = ("id", "block", "name", "high", "low", "single_item")
ITEM_FIELDS = ("id", "block", "type", "construct", "scale", "reverse", "role", "required", "text", "options")
OPTION_FIELDS = ("value", "label")
OUTCOME_FIELDS = ("id", "type", "name", "categories")
RESERVED_COLUMNS = ("respondent_id", "team", "role", "tenure", "age")


@dataclass
class Reading:
    """What the section readers share while one file is read.

    ``languages``: the file's languages (empty when unusable: translations are then not
    checked); ``problems``: every message so far; ``broken_scales``/``broken_constructs``:
    ids that exist but could not be read; ``claimed``: item id -> the construct that listed it
    in an ``items`` field (a mistake already reported); ``block_ids``: blocks in file order.
    """

    languages: tuple[str, ...]
    problems: list[str]
    broken_scales: set[str] = field(default_factory=set)
    broken_constructs: set[str] = field(default_factory=set)
    claimed: dict[str, str] = field(default_factory=dict)
    block_ids: list[str] = field(default_factory=list)


def read_scales(raw: dict, r: Reading) -> dict[str, Scale]:
    """``[scales.<id>]`` tables -> Scale by id; unreadable ones are reported and remembered."""
    scales = {}
    for sid, table in raw.items():
        f = Fields(table, f"scale '{sid}'", SCALE_FIELDS, r.problems)
        lo, hi = f.integer("min"), f.integer("max")
        if lo is None or hi is None:
            for key, value in (("min", lo), ("max", hi)):
                if value is None and not f.has(key):
                    r.problems.append(f"scale '{sid}': missing '{key}' (a whole number)")
            r.broken_scales.add(sid)
            continue
        if lo >= hi:
            r.problems.append(f"scale '{sid}': scale out of range: min {lo} must be an integer below max {hi}")
            r.broken_scales.add(sid)
            continue
        if hi - lo + 1 > MAX_SCALE_POINTS:
            r.problems.append(f"scale '{sid}': scale out of range: {lo}..{hi} has more than {MAX_SCALE_POINTS} points")
            r.broken_scales.add(sid)
            continue
        labels = _scale_labels(f, "labels", sid, (lo, hi), r, required=True)
        na = _scale_labels(f, "na_labels", sid, None, r, required=False)
        scales[sid] = Scale(sid, lo, hi, labels, na)
    return scales


def _scale_labels(f: Fields, key: str, sid: str, bounds: tuple[int, int] | None, r: Reading, required: bool):
    table = f.table(key)
    if key in f.broken or (not table and not required):
        return {}
    labels = {}
    for lang in r.languages:
        values = table.get(lang)
        if values is None:
            r.problems.append(f"scale '{sid}': missing {lang} translation of '{key}'")
        elif not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            r.problems.append(f"scale '{sid}': '{key}.{lang}' must be a list of texts, got {describe(values)}")
        else:
            if bounds is not None and len(values) != bounds[1] - bounds[0] + 1:
                r.problems.append(
                    f"scale '{sid}': {len(values)} {lang} labels for {bounds[1] - bounds[0] + 1} values "
                    f"({bounds[0]}..{bounds[1]})"
                )
            labels[lang] = tuple(values)
    return labels


def read_blocks(rows: list[dict], r: Reading) -> list[dict]:
    """``[[blocks]]`` -> their readable rows ({"id", "title", "intro"}); ids go to ``r.block_ids``."""
    blocks = []
    for i, row in enumerate(rows, start=1):
        bid = row.get("id")
        f = Fields(row, f"block '{bid}'" if isinstance(bid, str) else f"block {i}", BLOCK_FIELDS, r.problems)
        bid = f.text("id")
        if not bid:
            if not f.has("id"):
                r.problems.append(f"block {i}: missing 'id'")
            continue
        if bid in r.block_ids:
            r.problems.append(f"block '{bid}': duplicate id")
            continue
        r.block_ids.append(bid)
        title = f.texts("title", r.languages)
        intro = f.texts("intro", r.languages, required=False)
        blocks.append({"id": bid, "title": title, "intro": intro})
    return blocks


def read_constructs(rows: list[dict], r: Reading) -> dict[str, dict]:
    """``[[constructs]]`` -> construct id -> its checked fields, first of each id."""
    constructs: dict[str, dict] = {}
    for i, row in enumerate(rows, start=1):
        cid = row.get("id") if isinstance(row.get("id"), str) else None
        where = f"construct '{cid}'" if cid else f"construct {i}"
        hint = f'an item names its construct instead: put construct = "{cid}" in each of its [[items]]'
        f = Fields(row, where, CONSTRUCT_FIELDS, r.problems, hints={"items": hint})
        cid = f.text("id")
        if not cid:
            if not f.has("id"):
                r.problems.append(f"{where}: missing 'id'")
            continue
        if cid in constructs:
            r.problems.append(f"{where}: duplicate id")
            continue
        listed = row.get("items")
        if isinstance(listed, list):
            r.claimed.update({str(item): cid for item in listed})
        block = f.text("block")
        if block is None:
            if not f.has("block"):
                r.problems.append(f"{where}: missing 'block' (one of: {', '.join(r.block_ids)})")
            r.broken_constructs.add(cid)
        elif block not in r.block_ids:
            r.problems.append(f"{where}: unknown block '{block}' (known: {', '.join(r.block_ids)})")
            r.broken_constructs.add(cid)
        single = f.boolean("single_item")
        constructs[cid] = {
            "block": block,
            "name": f.texts("name", r.languages),
            "high": f.texts("high", r.languages, required=False),
            "low": f.texts("low", r.languages, required=False),
            "single_item": single,
            "single_item_broken": "single_item" in f.broken,
        }
    return constructs


def read_items(
    rows: list[dict], constructs: dict[str, dict], scales: dict[str, Scale], r: Reading
) -> dict[str, Item]:
    """``[[items]]`` -> Item by id, in file order; every field checked once."""
    items: dict[str, Item] = {}
    for i, row in enumerate(rows, start=1):
        iid = row.get("id")
        if not isinstance(iid, str) or not iid:
            text = row.get("text")
            r.problems.append(f"item {i}: missing 'id' (a text{f'; its text: {text!r}' if text else ''})")
            continue
        where = f"item '{iid}'"
        if iid in items:
            r.problems.append(f"{where}: duplicate id")
            continue
        f = Fields(row, where, ITEM_FIELDS, r.problems)
        itype = f.text("type", "likert")
        if itype not in ITEM_TYPES:
            r.problems.append(f"{where}: unknown type '{itype}' (expected one of {', '.join(ITEM_TYPES)})")
        construct = f.text("construct")
        block = _item_block(f, iid, itype, construct, constructs, r)
        scale = f.text("scale")
        if itype == "likert" and "scale" not in f.broken:
            if scale is None:
                r.problems.append(f"{where}: likert item needs a 'scale'")
            elif scale not in scales and scale not in r.broken_scales:
                r.problems.append(f"{where}: unknown scale '{scale}'")
        role = f.text("role")
        if role is not None and role not in ROLES:
            r.problems.append(f"{where}: unknown role '{role}'")
        items[iid] = Item(
            id=iid, block=block, type=itype or "likert", text=f.texts("text", r.languages),
            construct=construct, scale=scale, reverse=f.boolean("reverse"),
            options=tuple(_options(f, where, itype, r)), role=role, required=f.boolean("required"),
        )
    return items


def _item_block(f: Fields, iid: str, itype: str, construct, constructs: dict, r: Reading) -> str | None:
    """The item's block: its construct's when it has one; reports what does not fit, once."""
    where = f"item '{iid}'"
    block = f.text("block")
    if "construct" in f.broken or "block" in f.broken:
        return block
    if construct is not None:
        if construct not in constructs:
            r.problems.append(f"{where}: unknown construct '{construct}'")
            return block
        own = constructs[construct]["block"]
        if construct in r.broken_constructs:
            return block or own
        if block is not None and block != own:
            r.problems.append(
                f"{where}: block '{block}' differs from the block of its construct '{construct}' ('{own}')"
            )
        if itype != "likert":
            r.problems.append(f"{where}: only likert items can belong to a construct (type is '{itype}')")
        return own
    if iid in r.claimed:
        return block  # its construct listed it; that mistake is reported on the construct
    if block is None:
        r.problems.append(f"{where}: missing 'block' (or a 'construct' to take it from)")
    elif block not in r.block_ids:
        r.problems.append(f"{where}: unknown block '{block}'")
    return block


def _options(f: Fields, where: str, itype: str, r: Reading) -> list[Option]:
    if itype not in ("single", "multi"):
        if f.has("options"):
            r.problems.append(f"{where}: only single and multi items have options (type is '{itype}')")
        return []
    rows = f.tables("options")
    if not rows and "options" not in f.broken:
        r.problems.append(f"{where}: a {itype} item needs options")
    options, seen = [], set()
    for i, row in enumerate(rows, start=1):
        value = row.get("value")
        label = f"{where} option '{value}'" if isinstance(value, str) else f"{where} option {i}"
        of = Fields(row, label, OPTION_FIELDS, r.problems)
        value = of.text("value")
        if value is None:
            if not of.has("value"):
                r.problems.append(f"{label}: missing 'value' (a text)")
            continue
        if value in seen:
            r.problems.append(f"{where}: duplicate option '{value}'")
        seen.add(value)
        options.append(Option(value, of.texts("label", r.languages)))
    return options


def build_constructs(constructs: dict[str, dict], items: dict[str, Item], r: Reading) -> dict[str, Construct]:
    """Construct by id with its items (in file order); item counts checked."""
    members = {cid: [i.id for i in items.values() if i.construct == cid] for cid in constructs}
    built = {}
    for cid, c in constructs.items():
        n = len(members[cid])
        if not c["single_item_broken"] and cid not in r.broken_constructs:
            if c["single_item"] and n != 1:
                r.problems.append(f"construct '{cid}': single_item construct has {n} items")
            elif not c["single_item"] and n < 2 and not any(v == cid for v in r.claimed.values()):
                r.problems.append(
                    f"construct '{cid}': has {n} item(s); a construct needs at least 2 (or declare single_item = true)"
                )
        built[cid] = Construct(cid, c["block"], c["name"], tuple(members[cid]), c["single_item"], c["high"], c["low"])
    return built


def read_composites(raw: dict, constructs: dict[str, Construct], r: Reading) -> dict[str, tuple[str, ...]]:
    """``[composites]``: name -> the constructs it averages."""
    composites = {}
    for name, parts in raw.items():
        if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
            r.problems.append(f"composite '{name}': must be a list of construct ids, got {describe(parts)}")
            continue
        if name in constructs:
            r.problems.append(f"composite '{name}': has the same id as a construct; choose another name")
        unknown = [p for p in parts if p not in constructs]
        if unknown:
            r.problems.append(f"composite '{name}': unknown construct(s) {', '.join(unknown)}")
        composites[name] = tuple(parts)
    return composites


def read_outcomes(rows: list[dict], items: dict[str, Item], r: Reading) -> dict[str, Variable]:
    """``[[outcomes]]`` -> Variable by id: columns that come with imported answers, never clustered."""
    outcomes: dict[str, Variable] = {}
    for i, row in enumerate(rows, start=1):
        oid = row.get("id") if isinstance(row.get("id"), str) else None
        where = f"outcome '{oid}'" if oid else f"outcome {i}"
        f = Fields(row, where, OUTCOME_FIELDS, r.problems)
        oid = f.text("id")
        if not oid:
            if not f.has("id"):
                r.problems.append(f"{where}: missing 'id'")
            continue
        problem = _outcome_id_problem(oid, outcomes, items)
        if problem:
            r.problems.append(f"{where}: {problem}")
            continue
        otype = f.text("type")
        if otype not in VARIABLE_TYPES:
            if "type" not in f.broken:
                r.problems.append(f"{where}: 'type' must be one of {', '.join(VARIABLE_TYPES)}, got {describe(otype)}")
            continue
        categories = f.text_list("categories", '["voluntary", "involuntary"]') or []
        if categories and otype != "categorical":
            r.problems.append(f"{where}: only a categorical outcome has 'categories' (type is '{otype}')")
        name = f.texts("name", r.languages)
        outcomes[oid] = Variable(oid, otype, name, tuple(categories), "questionnaire")
    return outcomes


def _outcome_id_problem(oid: str, outcomes: dict, items: dict) -> str | None:
    if not ID_PATTERN.match(oid):
        return "'id' must start with a letter and hold only letters, digits and _ (at most 40)"
    if oid in outcomes:
        return "duplicate id"
    if oid in items or oid in RESERVED_COLUMNS:
        return f"'{oid}' is already the name of an item or import column; choose another id"
    return None


def read_languages(top: Fields) -> tuple[str, ...]:
    """``languages``: a list of codes; a text or anything else is one message and no languages."""
    languages = top.text_list("languages", '["nl", "en"]')
    if languages is None:
        if not top.has("languages"):
            top.problems.append("missing 'languages' (for example [\"nl\", \"en\"])")
        return ()
    if not languages:
        top.problems.append("'languages' is empty (for example [\"nl\", \"en\"])")
    bad = [lang for lang in languages if not re.fullmatch(r"[a-z]{2,3}", lang)]
    if bad:
        top.problems.append(f"'languages': {', '.join(map(repr, bad))} is not a language code such as \"nl\" or \"en\"")
        return tuple(lang for lang in languages if lang not in bad)
    return tuple(languages)


def read_dimensions(top: Fields, r: Reading) -> tuple[str, ...]:
    """``persona_dimensions``: block ids whose constructs clustering uses."""
    dims = top.text_list("persona_dimensions", '["attitudes"]')
    if dims is None:
        if not top.has("persona_dimensions"):
            r.problems.append("missing 'persona_dimensions' (the blocks whose constructs define personas)")
        return ()
    if not dims:
        r.problems.append("'persona_dimensions' is empty (the blocks whose constructs define personas)")
    for d in dims:
        if d not in r.block_ids:
            r.problems.append(f"persona_dimensions: unknown block '{d}'")
    return tuple(dims)

