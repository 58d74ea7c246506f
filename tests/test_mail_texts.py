"""Invitation and reminder wording: HR's text keeps the link, deadline and anonymity statement,
placeholders are filled per participant, and a line without a value drops out."""

from __future__ import annotations

import pytest

from toolkit.mail import render, texts

CONTEXT = {"name": "Anne", "round_title": "Nieuwe werkwijze", "link": "https://toolkit.example.org/s/abc",
           "closes_at": "30 maart 2026, 09:00 CEST", "minutes": 15, "contact": "privacy@example.org",
           "change": "We plannen met één systeem.", "purpose": "Klanten wachten korter."}


@pytest.mark.parametrize("kind", texts.EDITABLE_KINDS)
@pytest.mark.parametrize("lang", ("nl", "en"))
def test_the_standard_texts_pass_their_own_check_in_both_languages(kind, lang):
    text = render.default_text(kind, lang)
    assert texts.problems(text, lang) == []
    assert "{" + texts.ALIASES[lang]["anonymity"] + "}" in text.body


def test_a_text_without_the_link_deadline_or_anonymity_statement_is_refused_naming_them():
    body = "Beste {naam},\n\nVul de vragenlijst in: {link}"
    found = texts.problems(texts.MailText("Uitnodiging", body), "nl")
    assert found == [texts.TextProblem("missing", "body", ("{sluitdatum}", "{anonimiteit}"))]
    english = texts.problems(texts.MailText("Invitation", "Hi {name}, {anonymity}"), "en")
    assert english == [texts.TextProblem("missing", "body", ("{link}", "{deadline}"))]


def test_unknown_placeholders_stray_braces_and_empty_parts_are_each_named():
    found = texts.problems(texts.MailText("", "{link} {deadline} {anonymity} {voornaam} and a } here"), "en")
    assert [p.code for p in found] == ["empty", "braces", "unknown"]
    assert found[2].names == ("{voornaam}",)
    subject = texts.problems(texts.MailText("Your link: {link}", "{link} {deadline} {anonymity}"), "en")
    assert subject == [texts.TextProblem("subject", "subject", ("{link}",))]
    long = texts.problems(texts.MailText("x", "{link} {deadline} {anonymity}" + "x" * texts.MAX_BODY), "en")
    assert [p.code for p in long] == ["too_long"]


def test_dutch_and_english_names_work_in_either_language_and_in_any_case():
    text = texts.MailText("Uitnodiging: {Titel}", "{naam}: {link}\n{deadline}\n{ANONIMITEIT}")
    assert texts.problems(text, "en") == []
    filled = texts.fill(text, {"name": "Anne", "link": "https://x/s/1", "deadline": "1 mei",
                               "anonymity": "Anoniem.", "title": "Ronde"}, link_label="Open")
    assert filled.subject == "Uitnodiging: Ronde"
    assert filled.text == "Anne: https://x/s/1\n1 mei\nAnoniem.\n"


def test_a_line_whose_placeholder_has_no_value_is_left_out_and_so_is_an_empty_paragraph():
    text = texts.MailText("S", "Dear {name},\n\n{change}\n{purpose}\n\nClosing: {deadline}\n\n{link}\n\n"
                               "Privacy? {contact}\n\n{anonymity}")
    values = {"name": "Anne", "change": "", "purpose": "", "deadline": "", "link": "https://x/s/1",
              "contact": "", "anonymity": "Anonymous."}
    filled = texts.fill(text, values, link_label="Open your questionnaire")
    assert filled.text == "Dear Anne,\n\nhttps://x/s/1\n\nAnonymous.\n"
    assert len(filled.html_paragraphs) == 3
    # a link on its own line reads as a button-like label; inside a sentence it stays the address
    assert str(filled.html_paragraphs[1]) == '<a href="https://x/s/1">Open your questionnaire</a>'
    inline = texts.fill(texts.MailText("S", "Go to {link} now"), values, link_label="Open")
    assert str(inline.html_paragraphs[0]) == 'Go to <a href="https://x/s/1">https://x/s/1</a> now'


def test_what_hr_types_is_escaped_in_the_html_version():
    text = texts.MailText("S", "<b>Hi</b> {name}\n{link} {deadline} {anonymity}")
    filled = texts.fill(text, {"name": "<script>", "link": "https://x/s/1?a=1&b=2", "deadline": "d",
                               "anonymity": "a"}, link_label="Open")
    html = str(filled.html_paragraphs[0])
    assert "<b>" not in html and "&lt;b&gt;Hi&lt;/b&gt; &lt;script&gt;" in html
    assert 'href="https://x/s/1?a=1&amp;b=2"' in html


@pytest.mark.parametrize("lang", ("nl", "en"))
def test_an_anonymous_rounds_invitation_says_the_answers_are_anonymous(lang):
    rendered = render.render("invitation", lang, dict(CONTEXT, anonymous=True, min_group=5))
    sentence = render.anonymity_sentence(lang, True, 5)
    assert sentence in rendered.text and ("anoniem" if lang == "nl" else "anonymous") in sentence
    assert "15" in rendered.text and "privacy@example.org" in rendered.text
    assert CONTEXT["change"] in rendered.text and CONTEXT["purpose"] in rendered.text
    identified = render.render("invitation", lang, dict(CONTEXT, anonymous=False, min_group=7))
    assert render.anonymity_sentence(lang, False, 7) in identified.text
    assert sentence not in identified.text


def test_hr_wording_replaces_the_standard_text_and_keeps_the_statement():
    own = texts.MailText("Doe mee: {titel}", "Hoi {naam}!\n\n{anonimiteit}\n\n{link}\n\nTot {sluitdatum}.")
    rendered = render.render("invitation", "nl", dict(CONTEXT, mail_text=own))
    assert rendered.subject == "Doe mee: Nieuwe werkwijze"
    assert rendered.text.startswith("Hoi Anne!\n\nJe antwoorden zijn anoniem")
    assert rendered.text.endswith("Tot 30 maart 2026, 09:00 CEST.\n")
    assert '<a href="https://toolkit.example.org/s/abc">' in rendered.html
