"""The persona card a change manager takes into a meeting: on the persona page, printed, and as
slides for the steering group; and the trainers' view of the modules each persona needs."""

from __future__ import annotations

import copy
import io
import re

import pytest
from brief_rounds import ROUND_INFO, demo_round
from conftest import login, make_round_with_responses, make_users

from toolkit.briefs.card import card_content
from toolkit.briefs.context import BriefContext
from toolkit.core.privacy import presentable_personas
from toolkit.data.persona_sets import current_persona_set
from toolkit.services.pipeline import derive_round


@pytest.fixture
def derived(database, default_q):
    """A round of 120 answers with derived personas, and an account per role (the change
    manager and the trainer are granted the round)."""
    from toolkit.data.access import grant_round

    users = make_users(database)
    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=120, seed=3)
    derive_round(database, round_id, bootstrap=5)
    for role in ("change_manager", "trainer"):
        grant_round(database, round_id, users[role][0])
    shown = presentable_personas(current_persona_set(database, round_id))
    assert len(shown) >= 2
    return {"users": users, "round_id": round_id, "shown": shown}


def test_persona_page_opens_with_the_card_and_folds_the_tables(client, derived):
    login(client, derived["users"]["change_manager"][1])
    persona = derived["shown"][0]
    page = client.get(f"/personas/{persona['id']}?lang=en").get_data(as_text=True)
    card = page.index('<article class="persona-card"')
    folded = page.index('<details class="figures">')
    assert card < folded < page.index('id="h-apart"') < page.index('id="h-profile"') < page.index("</details>")
    head = page[card:folded]
    assert f">{persona['name']}</h1>" in head and persona["label"]["en"] in head
    assert '<svg class="persona-visual"' in head and "<img" not in head  # drawn here, never a photo
    for heading in ("What drives them", "What holds them back", "Channel and messenger", "Do"):
        assert f">{heading}</h2>" in head
    assert "Key sentence:" in head
    assert re.search(r"(stable|indicative) \(\d\.\d\d+\)", head)
    assert "From 0.75 it is stable, from 0.60 indicative" in head  # what the figure means, where it is
    assert "z: the same difference in standard deviations" in page


def test_a_trainer_gets_the_card_without_communication_advice_but_with_how_to_teach(client, derived):
    login(client, derived["users"]["trainer"][1])
    page = client.get(f"/personas/{derived['shown'][0]['id']}?lang=en").get_data(as_text=True)
    head = page[page.index('<article class="persona-card"'):page.index('<details class="figures">')]
    assert "What drives them" in head and "How to teach them" in head
    assert "Key sentence:" not in head and ">Do</h2>" not in head
    assert "/training-modules" in page


def test_the_headline_quote_needs_a_group_of_ten():
    persona_set = demo_round()
    ctx = BriefContext(persona_set, ROUND_INFO, None, "en", None)
    big = next(p for p in persona_set["personas"] if (p["description"] or {}).get("quotes") and p["size"] >= 10)
    assert card_content(ctx, big).quotes
    small_set = copy.deepcopy(persona_set)
    small = next(p for p in small_set["personas"] if p["key"] == big["key"])
    small["size"] = 9  # large enough to show (5), too small to quote (10)
    ctx = BriefContext(small_set, ROUND_INFO, None, "en", None)
    content = card_content(ctx, small)
    assert content.quotes == () and "at least 10 people" in content.quote_note


def test_print_view_gives_every_card_a_page_and_one_card_on_request(client, derived):
    login(client, derived["users"]["change_manager"][1])
    url = f"/rounds/{derived['round_id']}/personas/cards"
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert page.count('class="card-page"') == len(derived["shown"])
    assert all(p["name"] in page for p in derived["shown"])
    one = client.get(f"{url}?persona={derived['shown'][1]['id']}").get_data(as_text=True)
    assert one.count('class="card-page"') == 1 and derived["shown"][1]["name"] in one
    assert client.get(f"{url}?persona=999999").status_code == 404


def test_slides_have_one_slide_per_persona_with_name_label_and_picture(client, derived):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    login(client, derived["users"]["change_manager"][1])
    response = client.get(f"/rounds/{derived['round_id']}/personas/cards.pptx?lang=nl")
    assert response.status_code == 200 and response.headers["Content-Disposition"].endswith(".pptx")
    deck = Presentation(io.BytesIO(response.data))
    shown = derived["shown"]
    assert len(deck.slides) == len(shown)
    for slide, persona in zip(deck.slides, shown, strict=True):
        text = "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
        assert slide.shapes.title.text == persona["name"]
        assert persona["label"]["nl"] in text
        assert "Drijfveren" in text and "Remmers" in text and "Doen" in text
        assert re.search(r"(stabiel|indicatief) \(\d,\d\d+\)", text)
        assert any(s.shape_type == MSO_SHAPE_TYPE.PICTURE for s in slide.shapes)
        assert "omdat" in slide.notes_slide.notes_text_frame.text  # each do's reason, in the notes
    login(client, derived["users"]["trainer"][1])
    assert client.get(f"/rounds/{derived['round_id']}/personas/cards.pptx").status_code == 403


def test_trainers_see_which_modules_each_persona_needs(client, derived):
    login(client, derived["users"]["trainer"][1])
    page = client.get(f"/rounds/{derived['round_id']}/training-modules?lang=en").get_data(as_text=True)
    assert all(p["name"] in page for p in derived["shown"])
    assert "What changes in your work" in page  # a standard module every persona gets
    assert "full module" in page or "short version" in page
    assert page.count('<tr><th scope="row">') == len(derived["shown"])
