"""Which of the product's languages a short free text is written in, to show people's own words
in the reader's language first.

Respondents answer open questions in the language they choose; a Dutch page should lead with
Dutch quotes when the group wrote some. The guess is simplemma's language detector
(Barbaresi, simplemma: a simple multilingual lemmatizer; ``langdetect`` scores a text by the
share of its words each language's dictionary knows), restricted to the languages asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

LANGUAGES = ("nl", "en")


@lru_cache(maxsize=4096)
def guess_language(text: str, languages: tuple[str, ...] = LANGUAGES) -> str | None:
    """The language of ``languages`` (ISO 639-1 codes) that ``text`` is most likely written in,
    or None when no word of it is known in any of them. Deterministic for the same text."""
    from simplemma import langdetect  # loads its dictionaries on first use (about a second)

    scores = [(lang, score) for lang, score in langdetect(text, lang=languages) if lang in languages]
    best = max(scores, key=lambda pair: (pair[1], -languages.index(pair[0])), default=None)
    return best[0] if best and best[1] > 0 else None


def in_language_first(texts: Iterable[str], lang: str) -> list[str]:
    """``texts`` with those written in ``lang`` first, each group keeping its order (a stable
    sort, so the same texts always come out the same)."""
    texts = list(texts)
    return sorted(texts, key=lambda t: guess_language(t) != lang)
