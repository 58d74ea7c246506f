"""The objects a questionnaire file becomes: scales, items, constructs, blocks, the instrument.

Frozen dataclasses, built by :mod:`toolkit.core.questionnaire` after the whole file has been
checked; importing them from there works as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from toolkit.core.variables import Variable

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
    ids whose constructs clustering uses; ``outcomes`` maps an outcome id to its declared
    :class:`~toolkit.core.variables.Variable` (never clustered on).
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
    outcomes: dict[str, Variable] = field(default_factory=dict)

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


