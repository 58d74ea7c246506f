"""Synthetic open answers with planted themes: two personas that write about different things.

Persona "p1" (the shop floor) writes about a course for the new checkout system and about parking;
persona "p2" (the care team) about workload and the new roster. Each planted theme has a known
number of writers, so a test can check the counts found; the parking theme has fewer writers
than the minimum group of 5 and must not be shown. Answers are varied sentences, not copies.
"""

from __future__ import annotations

PLANTED = {
    # theme -> persona -> how many of its members write about it
    "course": {"p1": 9},
    "parking": {"p1": 4, "p2": 2},  # 6 in all: a theme, but under 5 in each persona
    "workload": {"p2": 8},
    "till_live": {"p1": 7},  # situation
    "roster_change": {"p2": 6},  # situation
}
SIZE = 12  # members per persona

TEXTS = {
    "nl": {
        "course": [
            "Een goede cursus over het nieuwe kassasysteem.",
            "Eerst een cursus kassasysteem, dan pas starten.",
            "Een praktische cursus met het kassasysteem in de winkel.",
            "Een cursus waarin we het kassasysteem zelf proberen.",
            "Cursus over het kassasysteem met een vaste trainer.",
            "Korte cursus kassasysteem voor het hele filiaal.",
            "Een extra cursus voor het kassasysteem.",
            "Een cursus met oefenopdrachten op het kassasysteem.",
            "Meer uitleg in een cursus over het kassasysteem.",
        ],
        "parking": [
            "Of ik mijn auto nog kan parkeren bij het pand.",
            "Parkeren wordt lastig met de verbouwing.",
            "Dat er geen parkeerplek meer is om te parkeren.",
            "Waar moet ik straks parkeren?",
            "Parkeren bij het pand wordt duur.",
            "Dat parkeren bij de winkel verdwijnt.",
        ],
        "workload": [
            "De werkdruk met het nieuwe rooster.",
            "Dat de werkdruk stijgt door het rooster.",
            "Nog meer werkdruk en een krap rooster.",
            "Het rooster verhoogt de werkdruk op de afdeling.",
            "Werkdruk, omdat het rooster te vol zit.",
            "Een rooster dat de werkdruk niet verlaagt.",
            "Dat de werkdruk blijft en het rooster steeds wisselt.",
            "Hoge werkdruk door een onrustig rooster.",
        ],
        "till_live": [
            "Wanneer het kassasysteem live gaat, wil ik hulp op de vloer, zodat klanten niet wachten.",
            "Als het kassasysteem live gaat wil ik een vraagbaak, zodat ik door kan.",
            "Wanneer het kassasysteem live gaat, wil ik weten wie ik kan bellen.",
            "Als het kassasysteem live gaat, wil ik extra collega's zodat het rustig blijft.",
            "Wanneer het nieuwe kassasysteem live gaat, wil ik vooraf oefenen.",
            "Zodra het kassasysteem live gaat, wil ik een spiekbriefje bij de kassa.",
            "Wanneer het kassasysteem live gaat wil ik dat de storingen snel opgelost worden.",
        ],
        "roster_change": [
            "Als het rooster verandert, wil ik het een maand vooraf weten, zodat ik kan plannen.",
            "Wanneer het rooster verandert wil ik inspraak, zodat mijn gezin rekening kan houden.",
            "Als het rooster weer verandert, wil ik dat mijn vaste dagen blijven.",
            "Wanneer mijn rooster verandert, wil ik een gesprek met mijn leidinggevende.",
            "Als het rooster verandert wil ik ruilen met collega's, zodat het past.",
            "Wanneer het rooster plotseling verandert, wil ik een duidelijke reden horen.",
        ],
    },
    "en": {
        "course": [
            "A good course on the new checkout system.",
            "A course on the checkout system first, then the start.",
            "A hands-on course with the checkout system in the shop.",
            "A course where we try the checkout system ourselves.",
            "A course on the checkout system with one trainer.",
            "A short course on the checkout system for the whole branch.",
            "An extra course for the checkout system.",
            "A course with exercises on the checkout system.",
            "More explanation in a course on the checkout system.",
        ],
        "parking": [
            "Whether I can still park my car near the building.",
            "Parking gets hard with the building works.",
            "That there is no space left to park.",
            "Where do I park from now on?",
            "Parking at the building gets expensive.",
            "That parking near the shop disappears.",
        ],
        "workload": [
            "The workload with the new roster.",
            "That the workload rises because of the roster.",
            "Even more workload and a tight roster.",
            "The roster raises the workload in our ward.",
            "Workload, because the roster is too full.",
            "A roster that does not lower the workload.",
            "That the workload stays and the roster keeps shifting.",
            "High workload from a restless roster.",
        ],
        "till_live": [
            "When the checkout system goes live, I want help on the floor, so that customers don't wait.",
            "When the checkout system goes live I want someone to ask, so that I can carry on.",
            "When the checkout system goes live, I want to know whom to call.",
            "When the checkout system goes live, I want extra colleagues so that it stays calm.",
            "When the new checkout system goes live, I want to practise beforehand.",
            "Once the checkout system goes live, I want a cheat sheet at the till.",
            "When the checkout system goes live I want faults fixed quickly.",
        ],
        "roster_change": [
            "When the roster changes, I want to know a month ahead, so that I can plan.",
            "When the roster changes I want a say, so that my family can adjust.",
            "When the roster changes again, I want to keep my fixed days.",
            "When my roster changes, I want a talk with my manager.",
            "When the roster changes I want to swap with colleagues, so that it fits.",
            "When the roster suddenly changes, I want to hear a clear reason.",
        ],
    },
}
# Answers nobody groups: one-offs that share no theme words.
OTHER = {
    "nl": ["Geen idee.", "Niets bijzonders.", "Koffie in de kantine."],
    "en": ["No idea.", "Nothing special.", "Coffee in the canteen."],
}
ITEM = {"course": "open_help", "parking": "open_worry", "workload": "open_worry",
        "till_live": "open_situation", "roster_change": "open_situation"}


def planted_answers(lang: str) -> tuple[dict[str, dict], dict[str, list[str]]]:
    """(answers_by_response, members_by_persona) for two personas of ``SIZE`` members in
    ``lang`` ("nl" or "en"): each planted theme written by the first members of its persona
    who had not answered that question yet, a few one-off answers by others. Response ids are opaque ("r07"), as stored."""
    members = {"p1": [f"r{i:02d}" for i in range(SIZE)], "p2": [f"r{i:02d}" for i in range(SIZE, 2 * SIZE)]}
    answers: dict[str, dict] = {rid: {} for rids in members.values() for rid in rids}
    for theme, counts in PLANTED.items():
        writers = [  # the first members who have not answered that question yet
            rid for persona, count in counts.items()
            for rid in [r for r in members[persona] if ITEM[theme] not in answers[r]][:count]
        ]
        for rid, text in zip(writers, TEXTS[lang][theme], strict=True):
            answers[rid][ITEM[theme]] = text
    for rid, text in zip(members["p2"][-3:], OTHER[lang], strict=True):
        answers[rid].setdefault("open_help", text)
    return answers, members
