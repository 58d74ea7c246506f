"""Field notes from conversations: the rules a note obeys before it is stored.

A field note is what HR or a change manager heard in an interview, a focus group or from
frontline colleagues (issue 22): evidence beside the survey, never part of its figures. This
module checks a note (kind, date, number of people, lengths, tags) and masks personal data in
its free text before anything is stored:

- e-mail addresses;
- phone numbers in Dutch forms (06-12345678, 020 123 4567, (020) 1234567, +31 (0)6 1234 5678,
  0031 6 …) and international ones (+44 20 7946 0958);
- the names of the round's participants: first names, last names and full names, case-insensitive,
  as whole words, with Dutch particles ("van der", "de", "'t") taken along ("Jan van der Berg",
  "van der Berg", "Berg", "jan").

Names that are also everyday words ("Ben" / "ik ben", "de Groot" / "een groot probleem", see
``EVERYDAY_WORDS``) are masked only when written with a capital or as part of a longer name;
everything else is case-insensitive. Pure: the caller gives the participants' names and the
markers (translated), and gets the masked text with how many of each kind were replaced.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from toolkit.core.messages import N_, MessageError

KINDS = ("interview", "focus_group", "frontline", "other")
KIND_NAMES = {
    "interview": N_("Interview"),
    "focus_group": N_("Focus group"),
    "frontline": N_("Frontline colleagues' observations"),
    "other": N_("Other conversation"),
}
MAX_TEXT = 1500  # characters: a short note, not a transcript
MAX_THEME = 80
MAX_TAGS, MAX_TAG = 6, 30
MAX_PEOPLE = 200
# What replaces each kind of personal data; the screens pass these through the catalogue.
MARKERS = {"name": N_("[name]"), "email": N_("[e-mail]"), "phone": N_("[phone]")}

# Dutch (and a few other) surname particles: never a name on their own, taken along with one.
PARTICLES = frozenset(
    "van de der den het 't t ter ten te in op aan bij uit onder over vd v.d v/d d da dal del della "
    "di do dos du la le les von zu".split()
)
# Everyday words that are also first or last names: masked only when capitalised or next to
# another name, so that "ik ben" stays readable when a participant is called Ben.
EVERYDAY_WORDS = frozenset(
    "ben wil mag hoop roos lot job bas jet wit groot klein jong oud bos berg veld dam post kok boer "
    "koning meer hoek zee beek winter zomer vos haan wolf hof kerk boom blok man mol das vink smit "
    "bakker visser molenaar schot sterk snel goed will may mark bill rob guy art hope joy rose grace "
    "dean sky summer young white brown green black king hill wood baker cook long little hunter page "
    "price rich rice major ward bell hall park dawn faith jack may".split()
)

EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A run of digit groups joined by one separator (space, dot, hyphen, slash) or a "(0)"; a
# leading "+" or "(" is part of it. Which prefix of the run is a phone number is decided below.
PHONE_RUN = re.compile(r"(?<![\w+])(\+\s?)?\(?\d+\)?(?:(?:\s?\(0\)\s?|[ .\-/]|(?<=\)))\(?\d+\)?)*")
DATE_START = re.compile(r"^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}(?![-./]?\d)")
# A word: letters, hyphenated parts, and an elided start ("d'Souza", "O'Brien"); "Sanne's" is
# the word "Sanne" followed by "'s".
WORD = re.compile(r"(?:[^\W\d_]['’])?[^\W\d_]+(?:-[^\W\d_]+)*")


@dataclass(frozen=True)
class Masked:
    """The text as it may be stored, and what was replaced: ``counts`` maps "name", "email"
    and "phone" to how many were replaced (0 when none)."""

    text: str
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """True when anything was replaced."""
        return any(self.counts.values())


@dataclass(frozen=True)
class NameIndex:
    """The participants' names cut into words (casefolded): ``first`` names, ``last`` names
    (the words after the particles), and ``whole`` full names as tuples of words."""

    first: frozenset[str]
    last: frozenset[str]

    def kind(self, word: str) -> str | None:
        """"first", "last" or None for one word (casefolded); a hyphenated word counts when each
        part is a name or a particle and one part is a name ("Jansen-de", "Jan-Willem")."""
        if word in self.first:
            return "first"
        if word in self.last:
            return "last"
        parts = re.split(r"['’\-]", word)
        if len(parts) > 1 and all(p in self.first or p in self.last or p in PARTICLES for p in parts):
            if any(p in self.first for p in parts):
                return "first"
            if any(p in self.last for p in parts):
                return "last"
        return None


def name_index(names: Iterable[str]) -> NameIndex:
    """Index participants' names ("Jan van der Berg", "Berg, Jan van der", "Jan-Willem de Vries").

    The first word is the first name (and, when hyphenated, each of its parts); the words after
    it that are not particles are last names, each on its own and each part of a hyphenated one.
    "Surname, first names particles" (a comma) is read the other way round. Words of one letter
    and particles are never names.
    """
    first: set[str] = set()
    last: set[str] = set()
    for raw in names:
        text = " ".join(str(raw or "").split())
        if "," in text:
            surname, _, given = text.partition(",")
            text = f"{given} {surname}"
        words = [w.casefold() for w in WORD.findall(text)]
        if not words:
            continue
        _add(first, words[0])
        for word in words[1:]:
            _add(last, word)
    return NameIndex(frozenset(first), frozenset(last))


def _add(target: set[str], word: str) -> None:
    parts = [p for p in re.split(r"['’\-]", word) if p]
    for piece in (word, *parts) if len(parts) > 1 else (word,):
        if len(piece) > 1 and piece not in PARTICLES:
            target.add(piece)


def mask_personal_data(text: str, names: Iterable[str] | NameIndex,
                       markers: Mapping[str, str] | None = None) -> Masked:
    """``text`` with e-mail addresses, phone numbers and participants' names replaced.

    ``names`` are the round's participant names (or a :class:`NameIndex` of them); ``markers``
    maps "name", "email" and "phone" to the replacement text (``MARKERS``, untranslated, when
    None). E-mail addresses go first (a name inside one goes with it), then phone numbers,
    then names; a full name with its particles becomes one marker. Returns a :class:`Masked`.
    """
    markers = {**MARKERS, **(markers or {})}
    index = names if isinstance(names, NameIndex) else name_index(names)
    counts = {"name": 0, "email": 0, "phone": 0}
    text, counts["email"] = EMAIL.subn(markers["email"], text)
    text, counts["phone"] = _mask_phones(text, markers["phone"])
    text, counts["name"] = _mask_names(text, index, markers["name"])
    return Masked(text, counts)


def _mask_phones(text: str, marker: str) -> tuple[str, int]:
    out, pos, n = [], 0, 0
    for match in PHONE_RUN.finditer(text):
        end = _phone_end(match.group(0))
        if end is None:
            continue
        out.append(text[pos:match.start()])
        out.append(marker)
        pos = match.start() + end
        n += 1
    out.append(text[pos:])
    return "".join(out), n


def _phone_end(run: str) -> int | None:
    """The length of the longest start of ``run`` that is a phone number, or None.

    Dutch numbers: 0 and nine digits; "+31" or "0031" and nine digits (a "(0)" not counted);
    other countries: "+" or "00" and 8 to 15 digits. The start of a date (01-02-2026) is not
    a phone number.
    """
    if DATE_START.match(run) or not (run.startswith(("+", "0", "(0"))):
        return None
    best = None
    for boundary in re.finditer(r"\d(?=\D|$)", run):
        end = boundary.end()
        digits = re.sub(r"\D", "", re.sub(r"\(0\)", "", run[:end]) if run.startswith("+") else run[:end])
        if run.startswith("+") or digits.startswith("00"):
            national = digits[2:] if digits.startswith("00") else digits
            ok = len(national) == 11 if national.startswith("31") else 8 <= len(national) <= 15
        else:
            ok = len(digits) == 10
        if ok:
            opened = run[:end].count("(") > run[:end].count(")")
            best = end + (1 if opened and run[end:end + 1] == ")" else 0)
    return best


def _mask_names(text: str, index: NameIndex, marker: str) -> tuple[str, int]:
    words = list(WORD.finditer(text))
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        end = _name_span(text, words, i, index)
        if end is None:
            i += 1
            continue
        spans.append((words[i].start(), words[end].end()))
        i = end + 1
    for start, stop in reversed(spans):
        text = text[:start] + marker + text[stop:]
    return text, len(spans)


def _is_name(match: re.Match, index: NameIndex, *, within: bool) -> bool:
    word = match.group(0)
    folded = word.casefold()
    if index.kind(folded) is None:
        return False
    return within or folded not in EVERYDAY_WORDS or word[:1].isupper()


def _name_span(text: str, words: list[re.Match], i: int, index: NameIndex) -> int | None:
    """The index of the last word of the name that starts at word ``i``, or None.

    A name starts at a name word, or at particles directly followed by a last name ("van der
    Berg"). It goes on over the words that follow with only spaces between: names, or particles
    followed by a name. An everyday word counts lower-case only after a name and particles
    ("Peter de groot") or as a last name right after a first name ("jan berg"), never on its
    own or as another first name ("Sanne wil").
    """
    j = i
    while j < len(words) and _folded(words[j]) in PARTICLES and _adjacent(text, words, j):
        j += 1
    if j > i and (j >= len(words) or index.kind(_folded(words[j])) != "last"):
        return None
    if not _is_name(words[j], index, within=False):
        return None
    end = j
    while _adjacent(text, words, end):
        m = end + 1
        while m < len(words) and _folded(words[m]) in PARTICLES and _adjacent(text, words, m):
            m += 1
        after_first = index.kind(_folded(words[end])) == "first" and index.kind(_folded(words[m])) == "last" \
            if m < len(words) else False
        if m < len(words) and _is_name(words[m], index, within=m > end + 1 or after_first):
            end = m
        else:
            break
    return end


def _folded(match: re.Match) -> str:
    return match.group(0).casefold()


def _adjacent(text: str, words: list[re.Match], j: int) -> bool:
    """True when word ``j`` is followed by word ``j + 1`` with only spaces between."""
    if j + 1 >= len(words):
        return False
    gap = text[words[j].end():words[j + 1].start()]
    return gap.isspace() and "\n" not in gap


def check_note(*, kind: str, held_on, people, text: str, theme: str = "", tags=(),
               today: dt.date | None = None) -> dict:
    """A note's fields tidied and checked, before masking.

    ``kind`` one of ``KINDS``; ``held_on`` a date (or ISO text) not after ``today`` (a day's
    grace for time zones); ``people``
    how many took part, 1 to ``MAX_PEOPLE``; ``text`` 1 to ``MAX_TEXT`` characters (spaces
    tidied, line breaks kept); ``theme`` at most ``MAX_THEME`` characters; ``tags`` a comma
    separated text or a list, each at most ``MAX_TAG`` characters, at most ``MAX_TAGS``.
    Returns {"kind", "held_on" (ISO date), "people", "text", "theme", "tags" (list)}.
    Raises :class:`MessageError` naming the first rule broken.
    """
    if kind not in KINDS:
        raise MessageError(N_("Choose what kind of conversation this was."))
    day = _day(held_on)
    # A day's grace: the writer's "today" may already be tomorrow on the server's clock.
    if day > (today or dt.date.today()) + dt.timedelta(days=1):
        raise MessageError(N_("The date of the conversation cannot be in the future."))
    try:
        people = int(people)
    except (TypeError, ValueError):
        people = 0
    if not 1 <= people <= MAX_PEOPLE:
        raise MessageError(N_("The number of people must be between 1 and %(max)s."), max=MAX_PEOPLE)
    lines = [" ".join(line.split()) for line in str(text or "").replace("\r\n", "\n").split("\n")]
    text = "\n".join(lines).strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    if not text:
        raise MessageError(N_("Write down what you heard."))
    if len(text) > MAX_TEXT:
        raise MessageError(N_("A note can have at most %(max)s characters, not %(n)s."), max=MAX_TEXT, n=len(text))
    theme = " ".join(str(theme or "").split())
    if len(theme) > MAX_THEME:
        raise MessageError(N_("A theme can have at most %(max)s characters."), max=MAX_THEME)
    return {"kind": kind, "held_on": day.isoformat(), "people": people, "text": text,
            "theme": theme, "tags": _tags(tags)}


def _day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise MessageError(N_("Give the date of the conversation.")) from None


def _tags(tags) -> list[str]:
    if isinstance(tags, str):
        tags = tags.split(",")
    cleaned = list(dict.fromkeys(t for t in (" ".join(str(x).split()).lower() for x in tags or ()) if t))
    if len(cleaned) > MAX_TAGS:
        raise MessageError(N_("A note can have at most %(max)s tags."), max=MAX_TAGS)
    if any(len(t) > MAX_TAG for t in cleaned):
        raise MessageError(N_("A tag can have at most %(max)s characters."), max=MAX_TAG)
    return cleaned


def may_change(action: str, *, author_id: int | None, user_id: int, role: str) -> bool:
    """Whether a user may ``action`` ("edit" or "delete") a note written by ``author_id``.

    Writers edit and delete their own notes; HR and administrators may also delete anyone's (a
    note that holds what it should not), but never rewrite another person's words.
    """
    if author_id is not None and author_id == user_id:
        return True
    return action == "delete" and role in ("hr", "admin")
