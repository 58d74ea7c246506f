"""The persona page speaks in the questionnaire's words, not in option codes."""

from conftest import login, make_round_with_responses, make_users

from toolkit.core.privacy import presentable_personas
from toolkit.data.persona_sets import current_persona_set
from toolkit.services.pipeline import derive_round


def test_persona_page_shows_option_labels_in_the_readers_language(client, database, default_q):
    users = make_users(database)
    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=120, seed=3)
    derive_round(database, round_id, bootstrap=5)
    persona = presentable_personas(current_persona_set(database, round_id))[0]
    login(client, users["hr"][1])
    channel = persona["description"]["communication"]["channels"][0]["value"]
    labels = {o.value: o.label for o in default_q.items_with_role("comm_channels")[0].options}

    english = client.get(f"/personas/{persona['id']}?lang=en").get_data(as_text=True)
    assert f"Channel: {labels[channel]['en']}" in english
    assert "Learning preferences" in english
    dutch = client.get(f"/personas/{persona['id']}?lang=nl").get_data(as_text=True)
    assert labels[channel]["nl"] in dutch
    assert f": {channel} —" not in english
