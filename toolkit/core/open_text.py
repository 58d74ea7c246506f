"""Open answers made countable: cleaned texts, their lemmas without stop words, and the
"when …" part of a situation ("When …, I want …, so that …").

The words that carry a theme are the lemmas (dictionary forms: "roosters" -> "rooster",
"trainings" -> "training") of an answer in its own language, guessed per answer among Dutch
and English (``text_language``). Left out are the stop words of that language (the
``stop-words`` package, Alir3z4/python-stop-words) and the words of the question itself: people
echo the question ("what worries me is …", "ik maak me zorgen over …"), and a theme called
"worry" says nothing. Lemmatisation is simplemma's (Barbaresi, *Simplemma: a simple
multilingual lemmatizer for Python*), which works from word lists shipped in the package:
nothing leaves the machine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from toolkit.core.text_language import LANGUAGES, guess_language

MAX_TEXT_CHARS = 400  # a quote longer than this is cut (as describe.py does for quotes)
MIN_WORD_CHARS = 3  # shorter words ("ok", "IT") carry no theme on their own
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# Where the situation starts ("when", "wanneer", "als", "zodra", "tijdens") and where it stops:
# at the wish ("I want", "wil ik", "ik wil"), at the purpose ("so that", "zodat") or at the end
# of the clause.
_WHEN = re.compile(r"\b(whenever|when|once|if|during|wanneer|zodra|als|tijdens|bij)\b", re.IGNORECASE)
_STOP_AT = re.compile(
    r"[,;:.!?\n]|\b(i want|i'd like|i would like|i need|i wait|i just|so that|then|wil ik|ik wil|"
    r"zou ik|wil ik graag|moet ik|doe ik|dan|zodat)\b",
    re.IGNORECASE,
)
MAX_WHEN_CHARS = 120
# The 2025 English list of ``stop-words`` (1,333 words, from web-search practice) also holds
# nouns and verbs that carry what people write about a change at work; those are kept.
KEEP = {
    "en": frozenset(
        "system systems computer work worked working works course information help problem problems "
        "test room rooms home group groups member members detail date research order orders site "
        "website webpage text value year years interest fire bill call face move clear".split()
    ),
    "nl": frozenset(),
}


def clean_answer(value) -> str | None:
    """An open answer as it may be quoted: whitespace collapsed, cut to ``MAX_TEXT_CHARS`` with
    "…"; None for anything that is not a text or is blank."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text:
        return None
    if len(text) > MAX_TEXT_CHARS:
        text = text[: MAX_TEXT_CHARS - 1].rstrip() + "…"
    return text


@lru_cache(maxsize=8)
def stop_lemmas(lang: str) -> frozenset[str]:
    """The stop words of ``lang`` ("nl" or "en") from the ``stop-words`` package, in their own
    form and as lemmas (so "wil" and its lemma "willen" both go), less the content words of
    ``KEEP``. Raises ValueError for a language outside ``LANGUAGES``."""
    if lang not in LANGUAGES:
        raise ValueError(f"no stop words for language '{lang}' (known: {', '.join(LANGUAGES)})")
    from simplemma import lemmatize
    from stop_words import get_stop_words

    words = {w.casefold() for w in get_stop_words(lang)} - KEEP[lang]
    return frozenset(words | {lemmatize(w, lang=lang).casefold() for w in words}) - KEEP[lang]


@lru_cache(maxsize=65536)
def _lemma(word: str, lang: str) -> str:
    from simplemma import lemmatize

    return lemmatize(word, lang=lang).casefold()


def words_of(text: str, lang: str) -> list[tuple[str, str]]:
    """(lemma, word as written, lower-case) for the words of ``text`` read as ``lang``, in
    order, stop words kept: letters only (numbers and punctuation go), words shorter than
    ``MIN_WORD_CHARS`` left out."""
    words = (m.group(0).casefold() for m in _WORD.finditer(text))
    return [(_lemma(w, lang), w) for w in words if len(w) >= MIN_WORD_CHARS]


def question_lemmas(texts: Iterable[tuple[str, str]]) -> frozenset[str]:
    """The lemmas of a question's own wording, ``texts`` as (language, text) pairs in the
    product's languages; answers that echo these words are not themed by them."""
    found: set[str] = set()
    for lang, text in texts:
        if lang in LANGUAGES and isinstance(text, str):
            found.update(lemma for lemma, _word in words_of(text, lang))
    return frozenset(found)


def answer_lemmas(
    text: str, fallback_lang: str, also_stop: frozenset[str] = frozenset()
) -> dict[str, str]:
    """The content lemmas of one answer, each with the form it was first written in
    (lemma -> word, sorted by lemma): the answer's language is guessed (Dutch or English;
    ``fallback_lang`` when no word is known), then its stop words and ``also_stop`` (the
    question's own words) are left out. Empty for an answer of stop words only."""
    return dict(_content_words(text, fallback_lang, also_stop))


@lru_cache(maxsize=16384)  # the same answer comes back often (short answers, several questions)
def _content_words(text: str, fallback_lang: str, also_stop: frozenset[str]) -> tuple[tuple[str, str], ...]:
    lang = guess_language(text) or fallback_lang
    stop = stop_lemmas(lang)
    found: dict[str, str] = {}
    for lemma, word in words_of(text, lang):
        if lemma not in stop and word not in stop and lemma not in also_stop:
            found.setdefault(lemma, word)
    return tuple(sorted(found.items()))


def when_part(text: str) -> str | None:
    """The situation in a "When …, I want …, so that …" answer: from its "when" word
    ("when", "wanneer", "als", "zodra", "tijdens", …) to the wish, the purpose or the end of
    the clause, e.g. "When the new system goes live, I want …" -> "when the new system goes
    live". An answer without a "when" word gives its first clause before the wish. Lower-case
    first letter, at most ``MAX_WHEN_CHARS`` characters; None when nothing is left."""
    text = " ".join(text.split())
    start = _WHEN.search(text)
    begin = start.start() if start and start.start() < len(text) // 2 + 1 else 0
    rest = text[begin:]
    skip = start.end() - begin if start and begin == start.start() else 0
    stop = _STOP_AT.search(rest, skip)
    part = rest[: stop.start()] if stop else rest
    part = part.strip(" '\"‘’“”()-–—").rstrip()
    if not part or (start and begin == start.start() and len(part) <= skip):
        return None
    if len(part) > MAX_WHEN_CHARS:
        part = part[: MAX_WHEN_CHARS - 1].rstrip() + "…"
    return part[0].lower() + part[1:] if not part[:2].isupper() else part
