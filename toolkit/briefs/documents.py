"""Word briefs from a persona set: one communication and one training brief per persona, and
an overview per round, in Dutch and English.

Why this shape:
- Every document starts from the styled template in templates/briefs/ (built by
  toolkit/brief_template.py) and uses only its named styles, so the look lives in one place
  and an organisation can restyle the template without touching this file.
- Advice comes from the guidance rules (questionnaires/guidance.toml), and every piece of
  advice is printed with its reason: the condition, the figure and the n behind it.
- Privacy is re-checked here, not trusted: personas that are not presented or have fewer
  than the round's minimum group never get a brief and never appear in the overview, and no
  count below the minimum group is printed (it reads "fewer than 5").
- Text that came from people (names, labels, team names, quotes, round titles) is stripped of
  characters Word cannot store before it goes in.

Pure module: no Flask, no database. All wording shown in the documents is in ``LABELS``
(one dict per language), so the app can later route it through Flask-Babel in one place.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

from toolkit.briefs import template as brief_template
from toolkit.core import privacy
from toolkit.core.guidance import (
    ASPECTS,
    Advice,
    GuidanceRules,
    by_section,
    construct_name,
    default_guidance,
    evaluate,
    mid_sentence,
    number,
    option_label,
    percent,
    top_advice,
)
from toolkit.core.numbers import finite_float as _float

FIGURE_WIDTH_CM = 16.0
MAX_LINES = 5  # drivers / hold-backs listed per persona (the strongest first)
ADKAR_ORDER = ("awareness", "desire", "knowledge", "ability", "reinforcement")
S = brief_template.STYLE_NAMES

LABELS: dict[str, dict[str, str]] = {
    "nl": {
        # kinds and cover
        "kind_communication": "Communicatiebrief",
        "kind_training": "Trainingsbrief",
        "kind_overview": "Overzicht persona's",
        "overview_title": "Persona's van deze ronde",
        "cover_round": "Ronde",
        "cover_questionnaire": "Vragenlijst",
        "cover_organisation": "Organisatie",
        "cover_made": "Gemaakt op",
        "cover_group": "Groep",
        "cover_stability": "Stabiliteit",
        "cover_period": "Periode",
        "group_size": "{size} mensen ({share} van de geanalyseerde respondenten)",
        "stability_value": "{band} ({value})",
        "band_stable": "stabiel",
        "band_indicative": "indicatief",
        "band_unstable": "instabiel",
        "confidential_note": "Vertrouwelijk. Deze brief beschrijft groepen van minstens {min_group} mensen, "
        "geen individuen. Gebruik hem niet om over personen te oordelen en deel hem "
        "alleen met wie met deze groepen werkt.",
        # communication brief
        "h_at_a_glance": "In het kort",
        "top_advice": "Belangrijkste advies: ",
        "glance_facts": "{size} mensen · {share} van de respondenten · {band}",
        "h_who": "Wie is {name}?",
        "h_drives": "Wat hen drijft en wat hen tegenhoudt",
        "h_drives_sub": "Drijfveren",
        "h_holds_sub": "Remmers",
        "h_key_messages": "Kernboodschappen",
        "aspect_why": "Waarom",
        "aspect_what": "Wat",
        "aspect_how": "Hoe",
        "aspect_wiifm": "Wat levert het mij op?",
        "h_tone": "Toon en taal",
        "h_channels": "Kanalen en afzenders",
        "h_frequency": "Frequentie en timing",
        "h_involve": "Hoe je hen betrekt",
        "h_questions": "Vragen die je kunt verwachten",
        "h_avoid": "Wat je beter vermijdt",
        "h_triggers": "Wanneer de verandering hen raakt",
        "h_watch": "Waaraan je ziet dat de communicatie werkt",
        "h_advice": "Advies",
        "h_situations": "Momenten die zij zelf noemen",
        "h_about": "Over deze brief",
        # training brief
        "h_gaps": "Eerst te dichten kloven",
        "h_format": "Leervormen en tempo",
        "h_digital": "Digitaal vertrouwen",
        "h_support": "Ondersteuning en tijd",
        "h_sequence": "Voorgestelde volgorde van modules",
        "h_group": "Samenstelling van groepen",
        "h_evaluate": "Hoe je evalueert",
        # overview
        "h_figures": "De ronde in cijfers",
        "h_side_by_side": "De persona's naast elkaar",
        "h_side_advice": "Eerste advies per persona",
        "h_chart": "Profielen vergeleken",
        "h_method": "Methode en kwaliteit",
        "h_left_out": "Wie niet is meegenomen, en waarom",
        "h_caveats": "Kanttekeningen",
        "h_drift": "Wat is er veranderd sinds de vorige meting",
        "drift_since": "Vergeleken met: {round}.",
        "h_review": "Volgende evaluatie",
        # table headings
        "col_rank": "#",
        "col_channel": "Kanaal",
        "col_messenger": "Afzender",
        "col_frequency": "Frequentie",
        "col_format": "Leervorm",
        "col_pace": "Tempo",
        "col_time": "Tijd per week",
        "col_people": "Mensen",
        "col_share": "Aandeel",
        "col_theme": "Thema",
        "col_message": "Boodschap",
        "col_question": "Vraag",
        "col_answer": "Voorgesteld antwoord",
        "col_stage": "Kenmerk",
        "col_score": "Score",
        "col_org": "Organisatie",
        "col_barrier": "Drempel (≤ 3)",
        "col_step": "Stap",
        "col_module": "Module",
        "col_persona": "Persona",
        "col_label": "Typering",
        "col_size": "Omvang",
        "col_level": "Niveau",
        "col_stability": "Stabiliteit",
        "col_stands_out": "Valt op door",
        "col_key_advice": "Belangrijkste communicatieadvies",
        "col_channel_pref": "Voorkeurskanaal",
        "col_gap": "Eerste trainingsadvies",
        "col_figure": "Gegeven",
        "col_value": "Waarde",
        "col_category": "Kenmerk",
        "col_group": "Groep",
        "col_k": "Aantal persona's (k)",
        "col_k_score": "Score",
        "col_chosen": "Gekozen",
        "chosen": "gekozen",
        # figures
        "fig_questionnaire": "Vragenlijst",
        "fig_period": "Periode",
        "fig_invited": "Uitgenodigd",
        "fig_responses": "Ingevulde vragenlijsten",
        "fig_rate": "Responspercentage",
        "fig_used": "Meegenomen in de analyse",
        "fig_level": "Algemeen niveau (schaal 1–5)",
        "fig_personas": "Persona's in dit overzicht",
        "fig_min_group": "Kleinste groep die getoond wordt",
        "people": "{n} mensen",
        # narrative and statements
        "narrative_intro": "{name} staat voor {size} mensen, {share} van de geanalyseerde respondenten.",
        "narrative_compare": "Vergeleken met de hele organisatie {phrases}.",
        "narrative_flat": "Het profiel van deze groep ligt dicht bij dat van de hele organisatie.",
        "narrative_level": "Het algemene niveau is {level}, tegenover {org_level} in de organisatie.",
        "and": "en",
        "figure_pair": "{mean} tegenover {org} in de organisatie, n = {n}",
        "figure_single": "gemiddeld {mean}, n = {n}",
        "barrier_phrase": "{stage}: {share} scoort 3 of lager (n = {n})",
        "nothing_drives": "Geen kenmerk ligt duidelijk boven de organisatie. Het hoogst scoort: {construct} ({figure}).",
        "nothing_holds": "Geen kenmerk ligt duidelijk onder de organisatie en geen ADKAR-fase is voor "
        "een groot deel van de groep een drempel.",
        "quote_intro": "In hun eigen woorden:",
        "quotes_withheld": "Citaten en eigen woorden worden alleen getoond bij groepen van minstens {min_quote} mensen.",
        "chart_profile": "Figuur: gemiddelde score van {name} (punt) tegenover de organisatie (balk), per kenmerk op een schaal van 1 tot 5.",
        "chart_overview": "Figuur: verschil van elke persona met de organisatie per kenmerk, in punten op de schaal 1–5. Blauw is hoger, rood is lager.",
        "chart_alt_profile": "Profiel van {name} tegenover de organisatie",
        "chart_alt_overview": "Verschillen van de persona's met de organisatie",
        "detail_statement": "Voorkeur tussen waarom en context (1) en wat en hoe (5): {figure}.",
        "involvement_statement": "Wens om betrokken te worden (1–5): {figure}.",
        "digital_statement": "Vertrouwen in digitale middelen (1–5): {figure}.",
        "no_data": "Geen gegevens, of minder dan {min_group} mensen gaven hier antwoord.",
        "ranked_intro": "Zo vaak gekozen in deze groep (meerdere antwoorden mogelijk bij kanalen en leervormen):",
        "context_intro": "Waar deze mensen werken (alleen groepen van minstens {min_group} mensen):",
        "ctx_team": "Team of afdeling",
        "ctx_role": "Soort functie",
        "ctx_tenure": "Diensttijd",
        "ctx_age": "Leeftijd",
        # about
        "about_basis": "Deze brief is gemaakt uit de antwoorden van {n} mensen in ronde ‘{round}’. Elk advies "
        "noemt eronder waarom het gegeven wordt: het kenmerk, het cijfer en het aantal mensen (n) "
        "waarop het rust. ‘Algemeen advies’ rust niet op een bijzonder signaal in de gegevens.",
        "about_privacy": "Groepen en antwoordcategorieën met minder dan {min_group} mensen worden nooit getoond; "
        "eigen woorden alleen bij groepen van minstens {min_quote} mensen.",
        "about_suppressed": "Voor deze persona zijn {count} uitsplitsingen weggelaten omdat ze op te weinig mensen zouden rusten.",
        "about_indicative": "Let op: deze persona is indicatief (stabiliteit {value}). Behandel het beeld als een "
        "werkhypothese en toets het in gesprekken.",
        "about_scale": "Scores lopen van 1 (laag) tot 5 (hoog). ‘Tegenover de organisatie’ vergelijkt met het "
        "gemiddelde van alle geanalyseerde respondenten.",
        # overview: method, left out, caveats, review
        "method_text": "Methode: {method}. Het aantal persona's is gekozen met {criterion}: k = {k}{requested}. "
        "De persona's zijn gevormd op: {dimensions}.",
        "method_requested": " (gevraagd: {k})",
        "method_stability": "Stabiliteit is gemeten met {bootstrap} bootstrap-steekproeven (Jaccard-overlap): "
        "0,75 of hoger is stabiel, 0,60–0,75 indicatief; daaronder wordt een groep niet als persona getoond.",
        "method_seed": "Startwaarde (seed) {seed}; dezelfde gegevens geven dezelfde persona's.",
        "no_distinct": "De gegevens laten geen duidelijk te onderscheiden persona's zien. Behandel de organisatie als één groep.",
        "excluded_reason": "{count} respondenten niet meegenomen: {reason}.",
        "reason_too_many_missing": "te veel ontbrekende antwoorden",
        "hidden_unstable": "{groups} groep(en) niet getoond omdat ze niet stabiel genoeg zijn (stabiliteit onder 0,60), samen {people} mensen.",
        "hidden_small": "{groups} groep(en) niet getoond omdat ze kleiner zijn dan {min_group} mensen.",
        "none_left_out": "Alle geanalyseerde respondenten vallen in een getoonde persona.",
        "fewer_than": "minder dan {min_group}",
        "caveat_tendencies": "Persona's zijn tendensen, geen hokjes: niet iedereen in een groep herkent zich in het beeld.",
        "caveat_snapshot": "De gegevens zijn zelfrapportage op één moment; ze veranderen mee met de verandering zelf.",
        "caveat_individuals": "Gebruik persona's nooit om over individuele medewerkers te beslissen.",
        "caveat_rate": "Het responspercentage is {rate}; wie niet reageerde kan anders denken dan wie wel reageerde.",
        "caveat_indicative": "Indicatieve persona's (stabiliteit 0,60–0,75): {names}. Toets ze in gesprekken voordat je er veel op bouwt.",
        "caveat_hidden": "Niet elke groep is getoond; de getoonde persona's dekken {covered} van de geanalyseerde respondenten.",
        "review_due": "Volgende evaluatie gepland op {date}. Herhaal dan de vragenlijst en vergelijk de persona's met deze ronde.",
        "review_suggest": "Er is nog geen datum gepland. Evalueer uiterlijk zes maanden na sluiting van de ronde, rond {date}.",
        "review_none": "Er is nog geen datum gepland. Evalueer binnen zes maanden.",
        "unknown": "–",
        "months": "januari februari maart april mei juni juli augustus september oktober november december",
        # charts (used by charts.py)
        "chart_organisation": "Organisatie",
        "chart_score": "Gemiddelde score (1–5)",
    },
    "en": {
        "kind_communication": "Communication brief",
        "kind_training": "Training brief",
        "kind_overview": "Persona overview",
        "overview_title": "The personas of this round",
        "cover_round": "Round",
        "cover_questionnaire": "Questionnaire",
        "cover_organisation": "Organisation",
        "cover_made": "Produced on",
        "cover_group": "Group",
        "cover_stability": "Stability",
        "cover_period": "Period",
        "group_size": "{size} people ({share} of the respondents analysed)",
        "stability_value": "{band} ({value})",
        "band_stable": "stable",
        "band_indicative": "indicative",
        "band_unstable": "unstable",
        "confidential_note": "Confidential. This brief describes groups of at least {min_group} people, not "
        "individuals. Do not use it to judge individuals, and share it only with people "
        "who work with these groups.",
        "h_at_a_glance": "At a glance",
        "top_advice": "Most important advice: ",
        "glance_facts": "{size} people · {share} of respondents · {band}",
        "h_who": "Who is {name}?",
        "h_drives": "What drives them and what holds them back",
        "h_drives_sub": "What drives them",
        "h_holds_sub": "What holds them back",
        "h_key_messages": "Key messages",
        "aspect_why": "Why",
        "aspect_what": "What",
        "aspect_how": "How",
        "aspect_wiifm": "What is in it for me?",
        "h_tone": "Tone and language",
        "h_channels": "Channels and messengers",
        "h_frequency": "Frequency and timing",
        "h_involve": "How to involve them",
        "h_questions": "Questions to expect",
        "h_avoid": "What to avoid",
        "h_triggers": "When the change hits them",
        "h_watch": "How to tell the communication works",
        "h_advice": "Advice",
        "h_situations": "Moments they describe themselves",
        "h_about": "About this brief",
        "h_gaps": "Readiness gaps to close first",
        "h_format": "Formats and pace",
        "h_digital": "Digital confidence",
        "h_support": "Support and time",
        "h_sequence": "Suggested sequence of modules",
        "h_group": "Group composition",
        "h_evaluate": "How to evaluate",
        "h_figures": "The round in figures",
        "h_side_by_side": "The personas side by side",
        "h_side_advice": "First advice per persona",
        "h_chart": "Profiles compared",
        "h_method": "Method and quality",
        "h_left_out": "Who was left out, and why",
        "h_caveats": "Caveats",
        "h_drift": "What changed since the last round",
        "drift_since": "Compared with: {round}.",
        "h_review": "Next review",
        "col_rank": "#",
        "col_channel": "Channel",
        "col_messenger": "Messenger",
        "col_frequency": "Frequency",
        "col_format": "Format",
        "col_pace": "Pace",
        "col_time": "Time per week",
        "col_people": "People",
        "col_share": "Share",
        "col_theme": "Theme",
        "col_message": "Message",
        "col_question": "Question",
        "col_answer": "Suggested answer",
        "col_stage": "Construct",
        "col_score": "Score",
        "col_org": "Organisation",
        "col_barrier": "Barrier (≤ 3)",
        "col_step": "Step",
        "col_module": "Module",
        "col_persona": "Persona",
        "col_label": "Label",
        "col_size": "Size",
        "col_level": "Level",
        "col_stability": "Stability",
        "col_stands_out": "Stands out for",
        "col_key_advice": "Most important communication advice",
        "col_channel_pref": "Preferred channel",
        "col_gap": "First training advice",
        "col_figure": "Figure",
        "col_value": "Value",
        "col_category": "Characteristic",
        "col_group": "Group",
        "col_k": "Number of personas (k)",
        "col_k_score": "Score",
        "col_chosen": "Chosen",
        "chosen": "chosen",
        "fig_questionnaire": "Questionnaire",
        "fig_period": "Period",
        "fig_invited": "Invited",
        "fig_responses": "Completed questionnaires",
        "fig_rate": "Response rate",
        "fig_used": "Used in the analysis",
        "fig_level": "Overall level (scale 1–5)",
        "fig_personas": "Personas in this overview",
        "fig_min_group": "Smallest group shown",
        "people": "{n} people",
        "narrative_intro": "{name} stands for {size} people, {share} of the respondents analysed.",
        "narrative_compare": "Compared with the organisation as a whole, this group {phrases}.",
        "narrative_flat": "This group's profile is close to that of the organisation as a whole.",
        "narrative_level": "The overall level is {level}, against {org_level} in the organisation.",
        "and": "and",
        "figure_pair": "{mean} vs {org} in the organisation, n = {n}",
        "figure_single": "mean {mean}, n = {n}",
        "barrier_phrase": "{stage}: {share} score 3 or lower (n = {n})",
        "nothing_drives": "No construct is clearly above the organisation. The highest score: {construct} ({figure}).",
        "nothing_holds": "No construct is clearly below the organisation, and no ADKAR stage is a barrier "
        "for a large part of the group.",
        "quote_intro": "In their own words:",
        "quotes_withheld": "Quotes and own words are shown only for groups of at least {min_quote} people.",
        "chart_profile": "Figure: {name}'s mean score (dot) against the organisation (bar), per construct on a scale of 1 to 5.",
        "chart_overview": "Figure: each persona's difference from the organisation per construct, in points on the 1–5 scale. Blue is higher, red is lower.",
        "chart_alt_profile": "Profile of {name} against the organisation",
        "chart_alt_overview": "The personas' differences from the organisation",
        "detail_statement": "Preference between why and context (1) and what and how (5): {figure}.",
        "involvement_statement": "Wish to be involved (1–5): {figure}.",
        "digital_statement": "Confidence with digital tools (1–5): {figure}.",
        "no_data": "No data, or fewer than {min_group} people answered this.",
        "ranked_intro": "How often each option was chosen in this group (channels and formats allow several answers):",
        "context_intro": "Where these people work (only groups of at least {min_group} people):",
        "ctx_team": "Team or department",
        "ctx_role": "Type of role",
        "ctx_tenure": "Length of service",
        "ctx_age": "Age",
        "about_basis": "This brief was made from the answers of {n} people in round ‘{round}’. Under every piece "
        "of advice it says why it is given: the construct, the figure and the number of people (n) "
        "behind it. ‘General advice’ does not rest on a particular signal in the data.",
        "about_privacy": "Groups and answer categories with fewer than {min_group} people are never shown; own "
        "words only for groups of at least {min_quote} people.",
        "about_suppressed": "For this persona {count} breakdowns were left out because they would rest on too few people.",
        "about_indicative": "Note: this persona is indicative (stability {value}). Treat the picture as a working "
        "hypothesis and test it in conversations.",
        "about_scale": "Scores run from 1 (low) to 5 (high). ‘Against the organisation’ compares with the mean "
        "of all respondents analysed.",
        "method_text": "Method: {method}. The number of personas was chosen by {criterion}: k = {k}{requested}. "
        "The personas are based on: {dimensions}.",
        "method_requested": " (requested: {k})",
        "method_stability": "Stability was measured with {bootstrap} bootstrap resamples (Jaccard overlap): 0.75 or "
        "more is stable, 0.60–0.75 indicative; below that a group is not shown as a persona.",
        "method_seed": "Seed {seed}; the same data give the same personas.",
        "no_distinct": "The data show no clearly distinct personas. Treat the organisation as one group.",
        "excluded_reason": "{count} respondents not included: {reason}.",
        "reason_too_many_missing": "too many missing answers",
        "hidden_unstable": "{groups} group(s) not shown because they are not stable enough (stability below 0.60), {people} people in all.",
        "hidden_small": "{groups} group(s) not shown because they have fewer than {min_group} people.",
        "none_left_out": "Every respondent analysed belongs to a persona shown here.",
        "fewer_than": "fewer than {min_group}",
        "caveat_tendencies": "Personas are tendencies, not boxes: not everyone in a group will recognise themselves.",
        "caveat_snapshot": "The data are self-reports at one moment; they will move with the change itself.",
        "caveat_individuals": "Never use personas to make decisions about individual employees.",
        "caveat_rate": "The response rate is {rate}; those who did not respond may think differently from those who did.",
        "caveat_indicative": "Indicative personas (stability 0.60–0.75): {names}. Test them in conversations before building much on them.",
        "caveat_hidden": "Not every group is shown; the personas shown cover {covered} of the respondents analysed.",
        "review_due": "Next review planned for {date}. Repeat the questionnaire then and compare the personas with this round.",
        "review_suggest": "No date has been set. Review within six months of the round closing, around {date}.",
        "review_none": "No date has been set. Review within six months.",
        "unknown": "–",
        "months": "January February March April May June July August September October November December",
        "chart_organisation": "Organisation",
        "chart_score": "Mean score (1–5)",
    },
}

# Characters XML 1.0 (and so Word) cannot store, plus C1 controls Word chokes on.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACE = re.compile(r"\s+")


def clean_text(value, *, single_line: bool = True, strip: bool = True) -> str:
    """Text from people, made safe for Word: XML-illegal and control characters removed
    (tab and newline kept only in multi-line text), whitespace runs collapsed."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ILLEGAL.sub("", text)
    if single_line:
        text = _SPACE.sub(" ", text)
        return text.strip() if strip else text
    return "\n".join(_SPACE.sub(" ", line).strip() for line in text.split("\n")).strip()


# ---------------------------------------------------------------------------------------------
# Privacy: who may be shown
# ---------------------------------------------------------------------------------------------


# The decisions themselves live in toolkit/privacy.py, the one place every screen, export and
# brief asks; these helpers only adapt them to a round_info dict.


def min_group_of(round_info: Mapping) -> int:
    """The round's minimum group, never below the product-wide floor (privacy.MIN_GROUP)."""
    try:
        return privacy.effective_min(int(round_info.get("min_group") or privacy.MIN_GROUP))
    except (TypeError, ValueError):
        return privacy.MIN_GROUP


def min_quote_of(min_group: int) -> int:
    """The smallest group whose own words may be quoted (mirrors privacy.may_quote)."""
    return max(privacy.effective_min(min_group) * 2, privacy.MIN_VERBATIM_GROUP)


def may_show(persona: Mapping, min_group: int) -> bool:
    size = persona.get("size")
    if not isinstance(size, int | float) or isinstance(size, bool):
        return False
    return bool(privacy.presentable_personas({"personas": [persona]}, min_group))


def shown_personas(persona_set: Mapping, round_info: Mapping) -> list[dict]:
    """The personas that get a brief and appear in the overview, in set order."""
    mg = min_group_of(round_info)
    return [p for p in persona_set.get("personas") or [] if may_show(p, mg)]


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def _open_persona_brief(ctx: _Ctx, persona: dict, audience: str, *, with_quotes: bool):
    """Cover, "at a glance" and "who is this" — how every persona brief begins."""
    persona = ctx.shown(persona)
    advices = ctx.advice(persona, audience)
    w = ctx.writer(f"kind_{audience}", persona)
    w.cover(ctx.L[f"kind_{audience}"], ctx.name(persona), ctx.label(persona), ctx.cover_lines(persona), ctx.note())
    w.heading(ctx.L["h_at_a_glance"])
    ctx.glance(w, persona, top_advice(advices, audience))
    w.heading(ctx.t("h_who", name=ctx.name(persona)))
    ctx.who(w, persona, with_quotes=with_quotes)
    return persona, by_section(advices), w


def communication_brief(
    persona_set: dict,
    persona: dict,
    round_info: dict,
    q,
    lang: str,
    rules: GuidanceRules | None = None,
):
    """The communication brief for one persona, as a python-docx Document."""
    ctx = _Ctx(persona_set, round_info, q, lang, rules)
    persona, sections, w = _open_persona_brief(ctx, persona, "communication", with_quotes=True)

    w.heading(ctx.L["h_drives"])
    ctx.drives_and_holds(w, persona)

    w.heading(ctx.L["h_key_messages"])
    rows = []
    for aspect in ASPECTS:
        for i, adv in enumerate(a for a in sections.get("key_messages", []) if a.aspect == aspect):
            rows.append(
                [
                    ctx.L[f"aspect_{aspect}"] if i == 0 else "",
                    [(adv.text, S["table_text"]), (adv.because, S["table_note"])],
                ]
            )
    w.table([ctx.L["col_theme"], ctx.L["col_message"]], rows, [3.6, 13.0])

    w.heading(ctx.L["h_tone"])
    ctx.statement(w, persona, "communication", "detail", "detail_statement")
    w.advice_list(sections.get("tone", []))

    w.heading(ctx.L["h_channels"])
    ctx.ranked(w, persona, "communication", "channels", "comm_channels", "col_channel", intro=True)
    ctx.ranked(w, persona, "communication", "messenger", "comm_messenger", "col_messenger")
    w.advice_list(sections.get("channels", []))

    w.heading(ctx.L["h_frequency"])
    ctx.ranked(w, persona, "communication", "frequency", "comm_frequency", "col_frequency")
    w.advice_list(sections.get("frequency", []))

    w.heading(ctx.L["h_involve"])
    ctx.statement(w, persona, "communication", "involvement", "involvement_statement")
    w.advice_list(sections.get("involve", []))

    w.heading(ctx.L["h_questions"])
    rows = [
        [
            [(a.text, S["table_text"])],
            [(a.answer or "", S["table_text"]), (a.because, S["table_note"])],
        ]
        for a in sections.get("questions", [])
    ]
    w.table([ctx.L["col_question"], ctx.L["col_answer"]], rows, [6.6, 10.0])

    w.heading(ctx.L["h_avoid"])
    w.advice_list(sections.get("avoid", []))

    w.heading(ctx.L["h_triggers"])
    ctx.situations(w, persona)
    w.advice_list(sections.get("triggers", []))

    w.heading(ctx.L["h_watch"])
    w.advice_list(sections.get("watch", []))

    w.heading(ctx.L["h_about"])
    ctx.about(w, persona)
    return w.doc


def training_brief(
    persona_set: dict,
    persona: dict,
    round_info: dict,
    q,
    lang: str,
    rules: GuidanceRules | None = None,
):
    """The training brief for one persona, as a python-docx Document."""
    ctx = _Ctx(persona_set, round_info, q, lang, rules)
    persona, sections, w = _open_persona_brief(ctx, persona, "training", with_quotes=False)

    w.heading(ctx.L["h_gaps"])
    ctx.gaps_table(w, persona)
    w.advice_list(sections.get("gaps", []))

    w.heading(ctx.L["h_format"])
    ctx.ranked(w, persona, "learning", "format", "learn_format", "col_format", intro=True)
    ctx.ranked(w, persona, "learning", "pace", "learn_pace", "col_pace")
    w.advice_list(sections.get("format", []) + sections.get("pace", []))

    w.heading(ctx.L["h_digital"])
    ctx.statement(w, persona, "learning", "digital", "digital_statement")
    w.advice_list(sections.get("digital", []))

    w.heading(ctx.L["h_support"])
    ctx.ranked(w, persona, "learning", "time", "learn_time", "col_time")
    w.advice_list(sections.get("support", []))

    w.heading(ctx.L["h_sequence"])
    rows = [
        [str(i), [(a.text, S["table_text"]), (a.because, S["table_note"])]]
        for i, a in enumerate(sections.get("sequence", []), start=1)
    ]
    w.table([ctx.L["col_step"], ctx.L["col_module"]], rows, [1.4, 15.2])

    w.heading(ctx.L["h_group"])
    ctx.context_table(w, persona)
    w.advice_list(sections.get("group", []))

    w.heading(ctx.L["h_evaluate"])
    w.advice_list(sections.get("evaluate", []))

    w.heading(ctx.L["h_about"])
    ctx.about(w, persona)
    return w.doc


def overview_brief(
    persona_set: dict, round_info: dict, q, lang: str, rules: GuidanceRules | None = None
):
    """The round overview: figures, personas side by side, method, caveats, next review."""
    from toolkit.briefs.charts import overview_chart

    ctx = _Ctx(persona_set, round_info, q, lang, rules)
    L = ctx.L
    shown = ctx.persona_set["personas"]
    w = ctx.writer("kind_overview", None)
    lines = [(L["cover_round"], ctx.round_title())]
    if ctx.questionnaire_title():
        lines.append((L["cover_questionnaire"], ctx.questionnaire_title()))
    if round_info.get("organisation"):
        lines.append((L["cover_organisation"], clean_text(round_info["organisation"])))
    lines.append((L["cover_period"], ctx.period()))
    lines.append((L["cover_made"], ctx.date(dt.date.today())))
    w.cover(L["kind_overview"], ctx.round_title(), L["overview_title"], lines, ctx.note())

    w.heading(L["h_figures"])
    w.table([L["col_figure"], L["col_value"]], ctx.round_figures(shown), [9.0, 7.6])

    w.heading(L["h_side_by_side"])
    if persona_set.get("no_distinct_personas") or not shown:
        w.para(L["no_distinct"], S["callout"])
    used = _int(persona_set.get("n_used"))
    rows = []
    for p in shown:
        rows.append(
            [
                ctx.name(p),
                ctx.label(p),
                ctx.count(p.get("size")),
                percent(p["size"] / used, lang) if used else L["unknown"],
                ctx.num(p.get("level")),
                ctx.stability(p),
                ctx.stands_out(p),
            ]
        )
    if rows:
        w.table(
            [
                L["col_persona"],
                L["col_label"],
                L["col_size"],
                L["col_share"],
                L["col_level"],
                L["col_stability"],
                L["col_stands_out"],
            ],
            rows,
            [2.4, 3.6, 1.5, 1.5, 1.4, 2.4, 3.8],
        )
        w.heading(L["h_side_advice"], 2)
        rows = []
        for p in shown:
            comm = top_advice(ctx.advice(p, "communication"), "communication")
            train = top_advice(ctx.advice(p, "training"), "training")
            rows.append(
                [
                    ctx.name(p),
                    [
                        (comm.text if comm else L["unknown"], S["table_text"]),
                        (comm.because if comm else "", S["table_note"]),
                    ],
                    ctx.top_option(p, "communication", "channels", "comm_channels"),
                    [
                        (train.text if train else L["unknown"], S["table_text"]),
                        (train.because if train else "", S["table_note"]),
                    ],
                ]
            )
        w.table(
            [L["col_persona"], L["col_key_advice"], L["col_channel_pref"], L["col_gap"]],
            rows,
            [2.4, 6.0, 2.6, 5.6],
        )

        w.heading(L["h_chart"])
        filtered = dict(persona_set, personas=shown)
        w.picture(
            overview_chart(filtered, q, lang, min_group=ctx.min_group),
            L["chart_overview"],
            L["chart_alt_overview"],
        )

    w.heading(L["h_method"])
    ctx.method(w)
    w.heading(L["h_left_out"], 2)
    ctx.left_out(w, shown)

    drift = (round_info.get("drift") or {}).get(lang)
    if drift:
        w.heading(L["h_drift"])
        w.para(L["drift_since"].format(round=clean_text(round_info.get("drift_since") or "")), S["small"])
        for text in drift:
            w.bullet(clean_text(text))

    w.heading(L["h_caveats"])
    for text in ctx.caveats(shown):
        w.bullet(text)

    w.heading(L["h_review"])
    w.para(ctx.review_text(), S["callout"])
    w.para(ctx.t("about_privacy", min_group=ctx.min_group, min_quote=ctx.min_quote), S["small"])
    return w.doc


def write_round_briefs(
    persona_set: dict,
    round_info: dict,
    q,
    out_dir,
    langs=("nl", "en"),
    rules: GuidanceRules | None = None,
) -> list[Path]:
    """Write the overview and every persona's communication and training brief per language.

    File names use the persona key and an ASCII form of the name, never anything else:
    ``overview-nl.docx``, ``communication-p1-sanne-nl.docx``, ``training-p1-sanne-nl.docx``.
    Returns the written paths, overview first.
    """
    rules = rules or default_guidance()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for lang in langs:
        _labels(lang)  # fail before writing anything
    paths: list[Path] = []
    shown = shown_personas(persona_set, round_info)
    for lang in langs:
        path = out_dir / f"overview-{lang}.docx"
        overview_brief(persona_set, round_info, q, lang, rules).save(str(path))
        paths.append(path)
        for persona in shown:
            stem = _file_stem(persona)
            for kind, make in (
                ("communication", communication_brief),
                ("training", training_brief),
            ):
                path = out_dir / f"{kind}-{stem}-{lang}.docx"
                make(persona_set, persona, round_info, q, lang, rules).save(str(path))
                paths.append(path)
    return paths


# ---------------------------------------------------------------------------------------------
# Document writer: the only code that adds paragraphs, tables and pictures
# ---------------------------------------------------------------------------------------------

_template_lock = threading.Lock()
_template_cache: dict[tuple, bytes] = {}


def _template_bytes(lang: str) -> bytes:
    """The template file's bytes (read once per change); built in memory if it is missing."""
    path = brief_template.template_path(lang)
    try:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = ("built", lang)
    with _template_lock:
        if key not in _template_cache:
            if key[0] == "built":
                buffer = io.BytesIO()
                brief_template.build_template(lang).save(buffer)
                data = buffer.getvalue()
            else:
                data = path.read_bytes()
            _template_cache[key] = data
        return _template_cache[key]


class _Writer:
    def __init__(self, lang: str, round_title: str, doc_title: str, subject: str):
        import docx

        self.doc = docx.Document(io.BytesIO(_template_bytes(lang)))
        self.lang = lang
        self._style_ids: dict[str, str] = {}
        self._fill_tokens(round_title, doc_title)
        props = self.doc.core_properties
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        props.title = doc_title
        props.subject = subject
        props.language = brief_template.LANGUAGES[lang]
        props.created = props.modified = now
        props.comments = ""
        props.keywords = "persona toolkit"

    def _fill_tokens(self, round_title: str, doc_title: str) -> None:
        tokens = {brief_template.ROUND_TOKEN: round_title, brief_template.TITLE_TOKEN: doc_title}
        for section in self.doc.sections:
            for part in (section.header, section.footer):
                for paragraph in part.paragraphs:
                    for run in paragraph.runs:
                        if "[[" in run.text:
                            text = run.text
                            for token, value in tokens.items():
                                text = text.replace(token, value)
                            run.text = text

    # -- primitives --------------------------------------------------------------------------
    # Style ids are resolved once per document and set directly: python-docx resolves a style
    # name on every assignment by scanning all styles, which made that most of the work.

    def _sid(self, name: str) -> str:
        sid = self._style_ids.get(name)
        if sid is None:
            sid = self._style_ids[name] = self.doc.styles[name].style_id
        return sid

    def _p(self, text: str, style: str, container=None):
        paragraph = (container if container is not None else self.doc).add_paragraph()
        paragraph._p.style = self._sid(style)
        if text:
            paragraph.add_run(text)
        return paragraph

    # -- blocks ------------------------------------------------------------------------------

    def cover(
        self, kicker: str, title: str, subtitle: str, lines: list[tuple[str, str]], note: str
    ) -> None:
        self.para(kicker, S["kicker"])
        self.para(title, "Title")
        if subtitle:
            self.para(subtitle, "Subtitle")
        for label, value in lines:
            self.rich([(f"{label}: ", S["figure_char"]), (value, None)], S["cover_meta"])
        self.para(note, S["confidential"])
        self.doc.add_page_break()

    def heading(self, text: str, level: int = 1) -> None:
        self._p(clean_text(text), f"Heading {level}")

    def para(self, text: str, style: str = "Normal", *, multi_line: bool = False):
        return self._p(clean_text(text, single_line=not multi_line), style)

    def quote(self, text: str) -> None:
        """Someone's own words; right-to-left text gets the RTL quote style and no Western
        quotation marks (they would land on the wrong side)."""
        text = clean_text(text)
        if _is_rtl(text):
            self._p(text, S["quote_rtl"])
        else:
            self._p(f"“{text}”", S["quote"])

    def rich(self, parts: Iterable[tuple[str, str | None]], style: str = "Normal"):
        paragraph = self._p("", style)
        for text, char_style in parts:
            run = paragraph.add_run(clean_text(text, strip=False))
            if char_style:
                run._r.style = self._sid(char_style)
        return paragraph

    def bullet(self, text: str) -> None:
        self._p(clean_text(text), "List Bullet")

    def advice_list(self, advices: list[Advice]) -> None:
        for advice in advices:
            self.bullet(advice.text)
            self.para(advice.because, S["because"])

    def table(self, headers: list[str], rows: list[list], widths_cm: list[float]) -> None:
        """A real Word table in the template's table style; a cell is a string or a list of
        (text, paragraph style) pairs. The header row repeats on every page.

        Built as WordprocessingML directly (lxml escapes the text): python-docx's cell API
        recomputes the table grid on every row access, which made tables the slowest part.
        """
        from docx.oxml.ns import qn
        from lxml import etree

        def el(parent, tag, **attrs):
            child = etree.SubElement(parent, qn(tag))
            for key, value in attrs.items():
                child.set(qn(f"w:{key}"), str(value))
            return child

        twips = [int(round(w / 2.54 * 1440)) for w in widths_cm]
        tbl = self.doc.element.body.makeelement(qn("w:tbl"), {})
        tbl_pr = el(tbl, "w:tblPr")
        el(tbl_pr, "w:tblStyle", val=self._sid(S["table"]))
        el(tbl_pr, "w:tblW", w=sum(twips), type="dxa")
        el(tbl_pr, "w:tblLayout", type="fixed")
        el(
            tbl_pr,
            "w:tblLook",
            val="0420",
            firstRow=1,
            lastRow=0,
            firstColumn=0,
            lastColumn=0,
            noHBand=0,
            noVBand=1,
        )
        grid = el(tbl, "w:tblGrid")
        for width in twips:
            el(grid, "w:gridCol", w=width)
        for r, values in enumerate([headers] + rows):
            tr = el(tbl, "w:tr")
            if r == 0:
                el(el(tr, "w:trPr"), "w:tblHeader")
            for c, value in enumerate(values):
                tc = el(tr, "w:tc")
                el(el(tc, "w:tcPr"), "w:tcW", w=twips[c], type="dxa")
                parts = (
                    value
                    if isinstance(value, list)
                    else [(value, S["table_heading"] if r == 0 else S["table_text"])]
                )
                for text, style in parts or [("", S["table_text"])]:
                    p = el(tc, "w:p")
                    el(el(p, "w:pPr"), "w:pStyle", val=self._sid(style))
                    text = clean_text(text)
                    if text:
                        t = el(el(p, "w:r"), "w:t")
                        t.text = text
                        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        self.doc.element.body.sectPr.addprevious(tbl)
        self._p("", S["small"])  # breathing room; Word merges adjacent tables

    def picture(self, png: bytes, caption: str, alt: str) -> None:
        from docx.shared import Cm

        paragraph = self._p("", S["figure"])
        run = paragraph.add_run()
        shape = run.add_picture(io.BytesIO(png), width=Cm(FIGURE_WIDTH_CM))
        shape._inline.docPr.set("descr", clean_text(alt))  # alt text for screen readers
        self._p(clean_text(caption), "Caption")


# ---------------------------------------------------------------------------------------------
# Content: what goes into the briefs
# ---------------------------------------------------------------------------------------------


def _labels(lang: str) -> dict[str, str]:
    if lang not in LABELS or lang not in brief_template.LANGUAGES:
        raise ValueError(f"briefs are available in {', '.join(LABELS)}, not '{lang}'")
    return LABELS[lang]


class _Ctx:
    """Everything one document needs: the set, the round, the language and the rules."""

    def __init__(
        self, persona_set: dict, round_info: dict, q, lang: str, rules: GuidanceRules | None
    ):
        self.L = _labels(lang)
        self.round_info = round_info
        self.q = q
        self.lang = lang
        self.rules = rules or default_guidance()
        self.min_group = min_group_of(round_info)
        self.min_quote = min_quote_of(self.min_group)
        # Everything below reads a copy trimmed by privacy.py: personas that may be shown,
        # with description categories and quotes this round's minimum allows (including
        # categories that the rest of the persona would reveal by subtraction).
        self.source = persona_set
        self.persona_set = privacy.exportable_persona_set(persona_set, self.min_group)
        self.overall = self.persona_set.get("overall") or {}
        self._advice_cache: dict[tuple, list[Advice]] = {}

    # -- basics ------------------------------------------------------------------------------

    def t(self, key: str, **values) -> str:
        return self.L[key].format(**values)

    def shown(self, persona: dict) -> dict:
        """The privacy-trimmed copy of ``persona``; refuses personas that may not be shown."""
        key = persona.get("key")
        for candidate in self.persona_set["personas"]:
            if candidate.get("key") == key:
                return candidate
        raise ValueError(
            f"persona '{clean_text(key)}' gets no brief: it is not presented or "
            f"has fewer than {self.min_group} members"
        )

    def writer(self, kind_key: str, persona: dict | None) -> _Writer:
        title = self.L[kind_key] + (f" · {self.name(persona)}" if persona else "")
        return _Writer(self.lang, self.round_title(), title, self.round_title())

    def advice(self, persona: dict, audience: str) -> list[Advice]:
        key = (persona.get("key"), id(persona), audience)
        if key not in self._advice_cache:
            self._advice_cache[key] = evaluate(
                self.rules,
                persona,
                self.lang,
                overall=self.overall,
                q=self.q,
                min_group=self.min_group,
                audience=audience,
            )
        return self._advice_cache[key]

    def name(self, persona: dict) -> str:
        return clean_text(persona.get("name")) or clean_text(persona.get("key"))

    def label(self, persona: dict) -> str:
        label = persona.get("label")
        if isinstance(label, Mapping):
            label = label.get(self.lang) or next(iter(label.values()), "")
        return clean_text(label)

    def round_title(self) -> str:
        return clean_text(self.round_info.get("title")) or self.L["unknown"]

    def questionnaire_title(self) -> str:
        title = self.round_info.get("questionnaire_title")
        if isinstance(title, Mapping):
            title = title.get(self.lang) or next(iter(title.values()), "")
        if not title and self.q is not None:
            title = (getattr(self.q, "title", {}) or {}).get(self.lang)
        return clean_text(title)

    def num(self, value, digits: int = 1) -> str:
        value = _float(value)
        return self.L["unknown"] if value is None else number(value, self.lang, digits)

    def count(self, n) -> str:
        """A head count, or "fewer than 5" when it is under the minimum group."""
        n = _int(n)
        if n is None:
            return self.L["unknown"]
        if n < self.min_group:
            return self.t("fewer_than", min_group=self.min_group)
        return str(n)

    def share_of_used(self, persona: dict) -> str:
        used = _int(self.persona_set.get("n_used"))
        share = persona.get("share")
        if used:
            share = persona["size"] / used
        return percent(share, self.lang) if _float(share) is not None else self.L["unknown"]

    def date(self, value) -> str:
        if value is None or value == "":
            return self.L["unknown"]
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            try:
                value = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()
            except ValueError:
                try:
                    value = dt.date.fromisoformat(str(value)[:10])
                except ValueError:
                    return clean_text(value)
        months = self.L["months"].split()
        return f"{value.day} {months[value.month - 1]} {value.year}"

    def period(self) -> str:
        opens, closes = self.round_info.get("opens_at"), self.round_info.get("closes_at")
        if not opens and not closes:
            return self.L["unknown"]
        return f"{self.date(opens)} – {self.date(closes)}"

    def stability(self, persona: dict) -> str:
        band = persona.get("stability_band") or ""
        band_text = self.L.get(f"band_{band}", clean_text(band))
        value = _float(persona.get("stability"))
        if value is None:
            return band_text or self.L["unknown"]
        return self.t("stability_value", band=band_text, value=number(value, self.lang, 2))

    def figure(self, mean, org, n) -> str:
        if _float(org) is None:
            return self.t("figure_single", mean=self.num(mean), n=self.count(n))
        return self.t("figure_pair", mean=self.num(mean), org=self.num(org), n=self.count(n))

    def org_mean(self, construct: str):
        return ((self.overall.get("profile") or {}).get(construct) or {}).get("mean")

    # -- cover and first page ----------------------------------------------------------------

    def cover_lines(self, persona: dict) -> list[tuple[str, str]]:
        L = self.L
        lines = [(L["cover_round"], self.round_title())]
        if self.round_info.get("organisation"):
            lines.append((L["cover_organisation"], clean_text(self.round_info["organisation"])))
        lines.append(
            (
                L["cover_group"],
                self.t(
                    "group_size",
                    size=self.count(persona.get("size")),
                    share=self.share_of_used(persona),
                ),
            )
        )
        lines.append((L["cover_stability"], self.stability(persona)))
        lines.append((L["cover_made"], self.date(dt.date.today())))
        return lines

    def note(self) -> str:
        return self.t("confidential_note", min_group=self.min_group)

    def glance(self, w: _Writer, persona: dict, top: Advice | None) -> None:
        band = self.L.get(f"band_{persona.get('stability_band')}", "")
        w.para(
            self.t(
                "glance_facts",
                size=self.count(persona.get("size")),
                share=self.share_of_used(persona),
                band=band,
            ),
            S["lead"],
        )
        if top is not None:
            w.rich([(self.L["top_advice"], S["figure_char"]), (top.text, None)], S["callout"])
            w.rich([(top.because, S["because_char"])], S["callout"])

    def who(self, w: _Writer, persona: dict, *, with_quotes: bool) -> None:
        w.para(self.narrative(persona), S["lead"], multi_line=True)
        from toolkit.briefs.charts import profile_chart

        w.picture(
            profile_chart(persona, self.overall, self.q, self.lang),
            self.t("chart_profile", name=self.name(persona)),
            self.t("chart_alt_profile", name=self.name(persona)),
        )
        if not with_quotes:
            return
        quotes = self.verbatim(persona, "quotes")[:3]
        if quotes:
            w.para(self.L["quote_intro"], "Normal")
            for quote in quotes:
                w.quote(quote)
        elif (persona.get("size") or 0) < self.min_quote:
            w.para(self.t("quotes_withheld", min_quote=self.min_quote), S["small"])

    def verbatim(self, persona: dict, key: str) -> list[str]:
        """Quotes or situations, only for groups of at least the quote minimum."""
        if not privacy.may_quote(_int(persona.get("size")) or 0, self.min_group):
            return []
        items = (persona.get("description") or {}).get(key) or []
        return [t for t in (clean_text(x) for x in items if isinstance(x, str)) if t]

    def narrative(self, persona: dict) -> str:
        own = persona.get("narrative")
        if isinstance(own, Mapping):
            own = own.get(self.lang)
        if isinstance(own, str) and own.strip():
            return clean_text(own, single_line=False)
        parts = [
            self.t(
                "narrative_intro",
                name=self.name(persona),
                size=self.count(persona.get("size")),
                share=self.share_of_used(persona),
            )
        ]
        phrases = []
        for entry in (persona.get("distinguishing") or [])[:3]:
            if (_int(entry.get("n")) or 0) < self.min_group:
                continue
            phrase = self.phrase(
                entry.get("construct"),
                entry.get("direction") == "high" or (_float(entry.get("diff")) or 0) > 0,
            )
            if phrase:
                phrases.append(
                    f"{phrase} ({self.figure(entry.get('mean'), entry.get('org_mean'), entry.get('n'))})"
                )
        if phrases:
            joined = (
                phrases[0]
                if len(phrases) == 1
                else (", ".join(phrases[:-1]) + f" {self.L['and']} " + phrases[-1])
            )
            parts.append(self.t("narrative_compare", phrases=joined))
        else:
            parts.append(self.L["narrative_flat"])
        if (
            _float(persona.get("level")) is not None
            and _float(self.overall.get("level")) is not None
        ):
            parts.append(
                self.t(
                    "narrative_level",
                    level=self.num(persona.get("level")),
                    org_level=self.num(self.overall.get("level")),
                )
            )
        return " ".join(parts)

    def phrase(self, construct: str | None, high: bool) -> str:
        if not construct:
            return ""
        c = (getattr(self.q, "constructs", {}) or {}).get(construct) if self.q is not None else None
        texts = (c.high if high else c.low) if c is not None else {}
        text = texts.get(self.lang) if texts else None
        if text:
            return text
        name = mid_sentence(construct_name(self.q, construct, self.lang))
        return f"{name} ↑" if high else f"{name} ↓"

    # -- drives and holds --------------------------------------------------------------------

    def drives_and_holds(self, w: _Writer, persona: dict) -> None:
        notable = float(self.rules.settings["notable_diff"])
        negative = self.rules.negative_constructs
        drives, holds = [], []
        profile = persona.get("profile") or {}
        for cid, entry in profile.items():
            mean, diff, n = (
                _float(entry.get("mean")),
                _float(entry.get("diff")),
                _int(entry.get("n")),
            )
            if mean is None or n is None or n < self.min_group:
                continue
            if diff is None and _float(self.org_mean(cid)) is not None:
                diff = mean - float(self.org_mean(cid))
            if diff is None or abs(diff) < notable:
                continue
            good = (diff > 0) != (cid in negative)
            line = (
                f"{self.phrase(cid, diff > 0)} — {construct_name(self.q, cid, self.lang)}: "
                f"{self.figure(mean, self.org_mean(cid) if self.org_mean(cid) is not None else mean - diff, n)}"
            )
            (drives if good else holds).append((abs(diff), line))
        # constructs by distance from the organisation, then ADKAR barriers by share
        drives = [line for _, line in sorted(drives, key=lambda x: -x[0])][:MAX_LINES]
        holds = [line for _, line in sorted(holds, key=lambda x: -x[0])][:MAX_LINES]
        barrier_share = float(self.rules.settings["barrier_share"])
        barriers = []
        for entry in self.adkar(persona):
            share = _float(entry.get("barrier_share"))
            if share is not None and share >= barrier_share:
                barriers.append(
                    (
                        share,
                        self.t(
                            "barrier_phrase",
                            stage=construct_name(self.q, entry["stage"], self.lang),
                            share=percent(share, self.lang),
                            n=self.count(entry.get("n")),
                        ),
                    )
                )
        holds += [line for _, line in sorted(barriers, key=lambda x: -x[0])]
        w.heading(self.L["h_drives_sub"], 2)
        if drives:
            for line in drives:
                w.bullet(line)
        else:
            best = max(
                (
                    (cid, e)
                    for cid, e in profile.items()
                    if _float(e.get("mean")) is not None
                    and (_int(e.get("n")) or 0) >= self.min_group
                    and cid not in negative
                ),
                key=lambda x: x[1]["mean"],
                default=None,
            )
            if best:
                w.para(
                    self.t(
                        "nothing_drives",
                        construct=construct_name(self.q, best[0], self.lang),
                        figure=self.figure(
                            best[1]["mean"], self.org_mean(best[0]), best[1].get("n")
                        ),
                    )
                )
        w.heading(self.L["h_holds_sub"], 2)
        if holds:
            for line in holds:
                w.bullet(line)
        else:
            w.para(self.L["nothing_holds"])

    def adkar(self, persona: dict) -> list[dict]:
        entries = [
            e
            for e in (persona.get("description") or {}).get("adkar") or []
            if isinstance(e, Mapping)
            and e.get("stage")
            and (_int(e.get("n")) or 0) >= self.min_group
        ]
        order = {s: i for i, s in enumerate(ADKAR_ORDER)}
        return sorted(entries, key=lambda e: order.get(e["stage"], len(order)))

    # -- data tables -------------------------------------------------------------------------

    def options(self, persona: dict, section: str, key: str) -> list[dict]:
        entries = ((persona.get("description") or {}).get(section) or {}).get(key) or []
        kept = [
            e
            for e in entries
            if isinstance(e, Mapping) and (_int(e.get("n")) or 0) >= self.min_group
        ]
        return sorted(kept, key=lambda e: (-(_int(e.get("n")) or 0), str(e.get("value"))))

    def option_text(self, role: str, value) -> str:
        return clean_text(option_label(self.q, role, str(value), self.lang))

    def ranked(
        self,
        w: _Writer,
        persona: dict,
        section: str,
        key: str,
        role: str,
        column: str,
        intro: bool = False,
    ) -> None:
        entries = self.options(persona, section, key)
        if intro and entries:
            w.para(self.L["ranked_intro"], S["small"])
        if not entries:
            w.para(f"{self.L[column]}: {self.t('no_data', min_group=self.min_group)}", S["small"])
            return
        rows = []
        for i, e in enumerate(entries, start=1):
            share = _float(e.get("share"))
            rows.append(
                [
                    str(i),
                    self.option_text(role, e.get("value")),
                    self.count(e.get("n")),
                    percent(share, self.lang) if share is not None else self.L["unknown"],
                ]
            )
        w.table(
            [self.L["col_rank"], self.L[column], self.L["col_people"], self.L["col_share"]],
            rows,
            [1.0, 10.0, 2.8, 2.8],
        )

    def top_option(self, persona: dict, section: str, key: str, role: str) -> str:
        entries = self.options(persona, section, key)
        return self.option_text(role, entries[0].get("value")) if entries else self.L["unknown"]

    def statement(self, w: _Writer, persona: dict, section: str, key: str, label_key: str) -> None:
        entry = ((persona.get("description") or {}).get(section) or {}).get(key)
        if (
            isinstance(entry, Mapping)
            and (_int(entry.get("n")) or 0) >= self.min_group
            and _float(entry.get("mean")) is not None
        ):
            figure = self.figure(entry.get("mean"), entry.get("org_mean"), entry.get("n"))
            w.para(self.t(label_key, figure=figure), S["lead"])
        else:
            w.para(self.t("no_data", min_group=self.min_group), S["small"])

    def gaps_table(self, w: _Writer, persona: dict) -> None:
        rows = []
        entry = (persona.get("profile") or {}).get("change_efficacy")
        if isinstance(entry, Mapping) and (_int(entry.get("n")) or 0) >= self.min_group:
            rows.append(
                (
                    -(1.0 if (_float(entry.get("diff")) or 0) < 0 else 0.0),
                    [
                        construct_name(self.q, "change_efficacy", self.lang),
                        self.num(entry.get("mean")),
                        self.num(self.org_mean("change_efficacy")),
                        self.L["unknown"],
                        self.count(entry.get("n")),
                    ],
                )
            )
        for e in self.adkar(persona):
            share = _float(e.get("barrier_share"))
            rows.append(
                (
                    -(share or 0.0),
                    [
                        construct_name(self.q, e["stage"], self.lang),
                        self.num(e.get("mean")),
                        self.num(e.get("org_mean")),
                        percent(share, self.lang) if share is not None else self.L["unknown"],
                        self.count(e.get("n")),
                    ],
                )
            )
        if not rows:
            w.para(self.t("no_data", min_group=self.min_group), S["small"])
            return
        rows.sort(key=lambda r: r[0])
        w.table(
            [
                self.L["col_stage"],
                self.L["col_score"],
                self.L["col_org"],
                self.L["col_barrier"],
                "n",
            ],
            [r[1] for r in rows],
            [6.0, 2.4, 3.0, 3.0, 2.2],
        )

    def context_table(self, w: _Writer, persona: dict) -> None:
        rows = []
        for key, role in (
            ("team", "ctx_team"),
            ("role", "ctx_role"),
            ("tenure", "ctx_tenure"),
            ("age", "ctx_age"),
        ):
            entries = self.options(persona, "context", key)
            for i, e in enumerate(entries):
                rows.append(
                    [
                        self.L[role] if i == 0 else "",
                        self.option_text(role, e.get("value")),
                        self.count(e.get("n")),
                    ]
                )
        if rows:
            w.para(self.t("context_intro", min_group=self.min_group), S["small"])
            w.table(
                [self.L["col_category"], self.L["col_group"], self.L["col_people"]],
                rows,
                [4.6, 9.0, 3.0],
            )

    def situations(self, w: _Writer, persona: dict) -> None:
        situations = self.verbatim(persona, "situations")[:3]
        if situations:
            w.heading(self.L["h_situations"], 2)
            for text in situations:
                w.quote(text)
            w.heading(self.L["h_advice"], 2)

    def about(self, w: _Writer, persona: dict) -> None:
        w.para(self.t("about_basis", n=self.count(persona.get("size")), round=self.round_title()))
        w.para(self.L["about_scale"])
        w.para(self.t("about_privacy", min_group=self.min_group, min_quote=self.min_quote))
        suppressed = (persona.get("description") or {}).get("suppressed") or []
        if suppressed:
            w.para(self.t("about_suppressed", count=len(suppressed)))
        if persona.get("stability_band") == "indicative":
            w.para(
                self.t("about_indicative", value=self.num(persona.get("stability"), 2)),
                S["callout"],
            )

    # -- overview ----------------------------------------------------------------------------

    def round_figures(self, shown: list[dict]) -> list[list[str]]:
        L, info = self.L, self.round_info
        invited, responses = _int(info.get("invited")), _int(info.get("responses"))
        rows = []
        if self.questionnaire_title():
            rows.append([L["fig_questionnaire"], self.questionnaire_title()])
        rows.append([L["fig_period"], self.period()])
        rows.append([L["fig_invited"], self.count(invited) if invited else L["unknown"]])
        rows.append([L["fig_responses"], self.count(responses)])
        rate = self.response_rate()
        rows.append([L["fig_rate"], percent(rate, self.lang) if rate is not None else L["unknown"]])
        rows.append([L["fig_used"], self.count(self.persona_set.get("n_used"))])
        rows.append([L["fig_level"], self.num(self.overall.get("level"))])
        rows.append([L["fig_personas"], str(len(shown))])
        rows.append([L["fig_min_group"], self.t("people", n=self.min_group)])
        return rows

    def response_rate(self) -> float | None:
        invited, responses = (
            _int(self.round_info.get("invited")),
            _int(self.round_info.get("responses")),
        )
        if invited and responses is not None:
            return responses / invited
        return None

    def stands_out(self, persona: dict) -> list[tuple[str, str]] | str:
        parts = []
        for entry in (persona.get("distinguishing") or [])[:3]:
            diff = _float(entry.get("diff"))
            if diff is None or (_int(entry.get("n")) or 0) < self.min_group:
                continue
            sign = "+" if diff > 0 else "−"
            parts.append(
                f"{construct_name(self.q, entry.get('construct'), self.lang)} {sign}{number(abs(diff), self.lang)}"
            )
        return [(p, S["table_text"]) for p in parts] if parts else self.L["unknown"]

    def method(self, w: _Writer) -> None:
        ps, L = self.persona_set, self.L
        requested = ps.get("k_requested")
        dims = ", ".join(
            mid_sentence(construct_name(self.q, c, self.lang)) for c in ps.get("dimensions") or []
        )
        w.para(
            self.t(
                "method_text",
                method=clean_text(ps.get("method")) or L["unknown"],
                criterion=clean_text(ps.get("criterion")) or L["unknown"],
                k=ps.get("k", L["unknown"]),
                requested=self.t("method_requested", k=requested) if requested else "",
                dimensions=dims or L["unknown"],
            )
        )
        quality = ps.get("quality") or {}
        bootstrap = quality.get("bootstrap")
        if bootstrap:
            w.para(self.t("method_stability", bootstrap=bootstrap))
        if ps.get("seed") is not None:
            w.para(self.t("method_seed", seed=ps.get("seed")), S["small"])
        scores = quality.get("k_scores") or {}
        if isinstance(scores, Mapping) and scores:
            rows = []
            for k, score in sorted(scores.items(), key=lambda kv: _int(kv[0]) or 0):
                chosen = L["chosen"] if str(k) == str(ps.get("k")) else ""
                rows.append([str(k), self.num(score, 1), chosen])
            w.table([L["col_k"], L["col_k_score"], L["col_chosen"]], rows, [6.0, 5.0, 5.6])
        if ps.get("no_distinct_personas"):
            w.para(L["no_distinct"], S["callout"])

    def left_out(self, w: _Writer, shown: list[dict]) -> None:
        L = self.L
        anything = False
        for reason, count in (self.persona_set.get("excluded") or {}).items():
            if not _int(count):
                continue
            anything = True
            reason_text = L.get(f"reason_{reason}", clean_text(reason).replace("_", " "))
            w.bullet(self.t("excluded_reason", count=self.count(count), reason=reason_text))
        shown_keys = {p.get("key") for p in shown}
        hidden = [p for p in self.source.get("personas") or [] if p.get("key") not in shown_keys]
        small = [p for p in hidden if (_int(p.get("size")) or 0) < self.min_group]
        unstable = [p for p in hidden if p not in small]
        if unstable:
            anything = True
            w.bullet(
                self.t(
                    "hidden_unstable",
                    groups=len(unstable),
                    people=self.count(sum(_int(p.get("size")) or 0 for p in unstable)),
                )
            )
        if small:
            anything = True
            w.bullet(self.t("hidden_small", groups=len(small), min_group=self.min_group))
        if not anything:
            w.para(L["none_left_out"])

    def caveats(self, shown: list[dict]) -> list[str]:
        L = self.L
        out = [L["caveat_tendencies"], L["caveat_snapshot"], L["caveat_individuals"]]
        rate = self.response_rate()
        if rate is not None and rate < 0.5:
            out.append(self.t("caveat_rate", rate=percent(rate, self.lang)))
        indicative = [self.name(p) for p in shown if p.get("stability_band") == "indicative"]
        if indicative:
            out.append(self.t("caveat_indicative", names=", ".join(indicative)))
        used = _int(self.persona_set.get("n_used"))
        if used and len(shown) < len(self.persona_set.get("personas") or []):
            covered = sum(p["size"] for p in shown) / used
            out.append(self.t("caveat_hidden", covered=percent(covered, self.lang)))
        if self.persona_set.get("no_distinct_personas"):
            out.append(L["no_distinct"])
        return out

    def review_text(self) -> str:
        due = self.round_info.get("review_due")
        if due:
            return self.t("review_due", date=self.date(due))
        closes = self.round_info.get("closes_at")
        if closes:
            try:
                closed = dt.date.fromisoformat(str(closes)[:10])
            except ValueError:
                return self.L["review_none"]
            month = closed.month + 6
            year = closed.year + (month - 1) // 12
            month = (month - 1) % 12 + 1
            suggested = dt.date(year, month, min(closed.day, 28))
            return self.t("review_suggest", date=self.date(suggested))
        return self.L["review_none"]


# ---------------------------------------------------------------------------------------------


def _file_stem(persona: dict) -> str:
    key = re.sub(r"[^A-Za-z0-9_-]+", "-", clean_text(persona.get("key"))).strip("-") or "persona"
    ascii_name = (
        unicodedata.normalize("NFKD", clean_text(persona.get("name")))
        .encode("ascii", "ignore")
        .decode()
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    return f"{key}-{slug}" if slug else key


def _is_rtl(text: str) -> bool:
    rtl = sum(1 for ch in text if unicodedata.bidirectional(ch) in ("R", "AL"))
    ltr = sum(1 for ch in text if unicodedata.bidirectional(ch) == "L")
    return rtl > ltr




def _int(value) -> int | None:
    f = _float(value)
    return None if f is None else int(round(f))
