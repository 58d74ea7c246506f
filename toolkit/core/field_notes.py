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

The text is NFKC-normalised first (full-width digits become 0-9; the stored text is the
normalised one). Names are compared with accents folded and case ignored on both sides
("Jose Garcia", "ÖMER YILMAZ" and "Soren Odegaard" are "José García", "Ömer Yılmaz" and "Søren
Ødegaard"); what is replaced is the span of the text as written. A capitalised name with a
Dutch possessive "s" ("Bakkers team") is the name. A participant whose full name holds digits
("Employee 12") is masked as one whole, digits included, across a space, line break or hyphen.
Phone numbers are found on their digits whatever comes before them ("kamer 12 06-12345678").

Names that are also everyday words ("Ben" / "ik ben", "de Groot" / "een groot probleem", see
``EVERYDAY_WORDS``) are masked only when written with a capital or as part of a longer name;
everything else is case-insensitive. Pure: the caller gives the participants' names and the
markers (translated), and gets the masked text with how many of each kind were replaced.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
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
# Hyphens and dashes people type between digit groups or name parts (after NFKC).
DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
# A run of digit groups joined by one separator (space, dot, slash, a dash with or without spaces
# around it) or a "(0)"; a leading "+" or "(" is part of it. Which parts of the run are phone
# numbers is decided below, on the digits.
PHONE_RUN = re.compile(
    rf"(?<![\d+])(\+\s?)?\(?\d+\)?(?:(?:[ \t]?\(0\)[ \t]?|[ \t]?[{DASHES}][ \t]?|[ ./]|(?<=\)))\(?\d+\)?)*")
DATE_START = re.compile(r"^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}(?![-./]?\d)")
# A word: letters, hyphenated parts, and an elided start ("d'Souza", "O'Brien"); "Sanne's" is
# the word "Sanne" followed by "'s".
WORD = re.compile(r"(?:[^\W\d_]['’])?[^\W\d_]+(?:-[^\W\d_]+)*")


# Letters that NFKD does not take apart, written the way people type them without the accent.
FOLD_LETTERS = str.maketrans({"ø": "o", "ı": "i", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ð": "d",
                              "þ": "th", "ł": "l", "ħ": "h", "ŧ": "t", "ŀ": "l", "ĸ": "k", "ŋ": "n"})


def fold(text: str) -> str:
    """``text`` casefolded with accents taken off, for comparing names ("Ødegaard" -> "odegaard",
    "YILMAZ" and "Yılmaz" -> "yilmaz", "García" -> "garcia"): casefold, NFKD without combining
    marks, then the letters of ``FOLD_LETTERS``. The result may differ in length from ``text``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.translate(FOLD_LETTERS).casefold()


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
    """The participants' names cut into words (folded, see :func:`fold`): ``first`` names,
    ``last`` names (the words after the particles), and ``whole``: the full names that hold a
    digit ("Employee 12"), each as a tuple of its folded letter and digit parts."""

    first: frozenset[str]
    last: frozenset[str]
    whole: frozenset[tuple[str, ...]] = frozenset()

    def kind(self, word: str) -> str | None:
        """"first", "last" or None for one word (folded, see :func:`fold`); a hyphenated word counts when each
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
    and particles are never names. Words are folded (:func:`fold`). A name that holds a digit
    ("Employee 12") is also kept whole, as its letter and digit parts ("employee", "12").
    """
    first: set[str] = set()
    last: set[str] = set()
    whole: set[tuple[str, ...]] = set()
    for raw in names:
        text = " ".join(unicodedata.normalize("NFKC", str(raw or "")).split())
        if "," in text:
            surname, _, given = text.partition(",")
            text = f"{given} {surname}"
        if any(c.isdigit() for c in text):
            parts = tuple(fold(p) for p in re.findall(r"\d+|[^\W\d_]+", text))
            if any(p.isdigit() for p in parts):
                whole.add(parts)
        words = [fold(w) for w in WORD.findall(text)]
        if not words:
            continue
        _add(first, words[0])
        for word in words[1:]:
            _add(last, word)
    return NameIndex(frozenset(first), frozenset(last), frozenset(whole))


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
    then full names that hold digits ("Employee 12"), then phone numbers, then the other names;
    a full name with its particles becomes one marker. ``text`` is NFKC-normalised first and
    the returned text is the normalised one. Returns a :class:`Masked`.
    """
    markers = {**MARKERS, **(markers or {})}
    index = names if isinstance(names, NameIndex) else name_index(names)
    counts = {"name": 0, "email": 0, "phone": 0}
    text = unicodedata.normalize("NFKC", text)
    text, counts["email"] = EMAIL.subn(markers["email"], text)
    text, numbered = _mask_numbered_names(text, index, markers["name"])
    text, counts["phone"] = _mask_phones(text, markers["phone"])
    text, counts["name"] = _mask_names(text, index, markers["name"])
    counts["name"] += numbered
    return Masked(text, counts)


def _mask_numbered_names(text: str, index: NameIndex, marker: str) -> tuple[str, int]:
    """Mask the full names that hold digits, longest first, on the folded text."""
    if not index.whole:
        return text, 0
    folded, origin = _folded_with_origin(text)
    gap = rf"[\s{DASHES}]"
    spans: list[tuple[int, int]] = []
    for parts in sorted(index.whole, key=lambda p: -sum(map(len, p))):
        seps = [f"{gap}*" if a.isdigit() != b.isdigit() else f"{gap}+" for a, b in zip(parts, parts[1:], strict=False)]
        body = re.escape(parts[0]) + "".join(sep + re.escape(p) for sep, p in zip(seps, parts[1:], strict=True))
        for m in re.finditer(rf"(?<![^\W_]){body}(?![^\W_])", folded):
            start, stop = origin[m.start()], origin[m.end() - 1] + 1
            if not any(a < stop and start < b for a, b in spans):
                spans.append((start, stop))
    for start, stop in sorted(spans, reverse=True):
        text = text[:start] + marker + text[stop:]
    return text, len(spans)


def _folded_with_origin(text: str) -> tuple[str, list[int]]:
    """``text`` folded character by character, with for each folded character the index of the
    character of ``text`` it came from."""
    out: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        piece = fold(char)
        out.append(piece)
        origin.extend([i] * len(piece))
    return "".join(out), origin


def _mask_phones(text: str, marker: str) -> tuple[str, int]:
    out, pos, n = [], 0, 0
    for match in PHONE_RUN.finditer(text):
        for start, stop in _phones_in_run(match.group(0)):
            out.append(text[pos:match.start() + start])
            out.append(marker)
            pos = match.start() + stop
            n += 1
    out.append(text[pos:])
    return "".join(out), n


def _phones_in_run(run: str) -> list[tuple[int, int]]:
    """The (start, stop) offsets of the phone numbers in a run of digit groups.

    A phone number may start at any group of the run, so that a number just before it ("kamer
    12 06-12345678", "1) 0612345678") does not hide it; a date (01-02-2026) is skipped whole, so
    that no number is read into its middle.
    """
    found: list[tuple[int, int]] = []
    after = 0
    for i, char in enumerate(run):
        starts_group = char in "+(" or (char.isdigit() and (i == 0 or not run[i - 1].isdigit() and run[i - 1] != "("))
        if i < after or not starts_group:
            continue
        date = DATE_START.match(run[i:])
        if date:
            after = i + date.end()
            continue
        end = _phone_end(run[i:])
        if end is not None:
            found.append((i, i + end))
            after = i + end
    return found


def _phone_end(run: str) -> int | None:
    """The length of the longest start of ``run`` that is a phone number, or None.

    Dutch numbers: 0 and nine digits; "+31" or "0031" and nine digits (a "(0)" not counted);
    other countries: "+" or "00" and 8 to 15 digits. The start of a date (01-02-2026) is not
    a phone number.
    """
    if DATE_START.match(run) or not (run.startswith(("+", "0", "(0"))):
        return None
    international = run.startswith("+") or re.match(r"\(?00", run) is not None
    best = None
    for boundary in re.finditer(r"\d(?=\D|$)", run):
        end = boundary.end()
        head = re.sub(r"\(0\)", "", run[:end]) if international else run[:end]
        digits = re.sub(r"\D", "", head)
        if international:
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
        spans.append((words[i].start(), words[end].end() - (1 if _possessive(words[end], index) else 0)))
        i = end + 1
    for start, stop in reversed(spans):
        text = text[:start] + marker + text[stop:]
    return text, len(spans)


def _is_name(match: re.Match, index: NameIndex, *, within: bool) -> bool:
    word = match.group(0)
    folded = fold(word)
    if index.kind(folded) is None:
        return _possessive(match, index)
    return within or folded not in EVERYDAY_WORDS or word[:1].isupper()


def _possessive(match: re.Match, index: NameIndex) -> bool:
    """True for a capitalised name with the Dutch possessive "s" ("Bakkers team", "Sannes")."""
    word = match.group(0)
    return (len(word) > 3 and word[:1].isupper() and word.endswith("s") and index.kind(fold(word)) is None
            and index.kind(fold(word[:-1])) is not None)


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
    while not _possessive(words[end], index) and _adjacent(text, words, end):
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
    return fold(match.group(0))


def _adjacent(text: str, words: list[re.Match], j: int) -> bool:
    """True when word ``j`` is followed by word ``j + 1`` with only spaces between."""
    if j + 1 >= len(words):
        return False
    gap = text[words[j].end():words[j + 1].start()]
    return gap.isspace() and "\n" not in gap


def check_note(*, kind: str, held_on, people, text: str, theme: str = "", tags=(),
               today: dt.date | None = None) -> dict:
    """A note's fields tidied and checked, before masking.

    Text and theme are NFKC-normalised first (as :func:`mask_personal_data` stores them), so
    that the length rules hold for what is stored. ``kind`` one of ``KINDS``; ``held_on`` a date (or ISO text) not after ``today`` (a day's
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
    text = unicodedata.normalize("NFKC", str(text or ""))  # as masking stores it: "…" is "..."
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    text = "\n".join(lines).strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    if not text:
        raise MessageError(N_("Write down what you heard."))
    if len(text) > MAX_TEXT:
        raise MessageError(N_("A note can have at most %(max)s characters, not %(n)s."), max=MAX_TEXT, n=len(text))
    theme = " ".join(unicodedata.normalize("NFKC", str(theme or "")).split())
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
