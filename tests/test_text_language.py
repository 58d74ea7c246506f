"""Own words in the reader's language first (a newcomer saw English quotes on Dutch persona cards)."""

from __future__ import annotations

from toolkit.core.text_language import guess_language, in_language_first

QUOTES = [
    "Room to experiment without everything having to be perfect at once.",
    "Dat het te langzaam gaat.",
    "Fewer slides, more facts.",
    "Gewoon met rust gelaten worden.",
]


def test_short_texts_are_recognised_as_dutch_or_english():
    assert [guess_language(q) for q in QUOTES] == ["en", "nl", "en", "nl"]
    assert guess_language("12345 !!!") is None


def test_texts_in_the_readers_language_come_first_in_their_own_order():
    assert in_language_first(QUOTES, "nl") == [QUOTES[1], QUOTES[3], QUOTES[0], QUOTES[2]]
    assert in_language_first(QUOTES, "en") == [QUOTES[0], QUOTES[2], QUOTES[1], QUOTES[3]]


def test_the_dutch_persona_card_leads_with_a_dutch_quote():
    from brief_rounds import ROUND_INFO, demo_round

    from toolkit.briefs.context import BriefContext
    from toolkit.core.questionnaire import get_questionnaire

    ps = demo_round()
    quoted = [p for p in ps["personas"] if len((p.get("description") or {}).get("quotes") or []) > 1]
    assert quoted
    q = get_questionnaire("default")
    for lang in ("nl", "en"):
        ctx = BriefContext(ps, ROUND_INFO, q, lang, None)
        for persona in quoted:
            words = ctx.verbatim(ctx.shown(persona), "quotes")
            in_lang = [w for w in words if guess_language(w) == lang]
            assert words[: len(in_lang)] == in_lang  # the reader's language first
