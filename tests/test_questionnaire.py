import json
import textwrap

import pytest

from toolkit.core.questionnaire import QuestionnaireError, get_questionnaire, load_questionnaire

GOOD = """
id = "mini"
version = "1"
languages = ["nl", "en"]
persona_dimensions = ["b"]
title.nl = "Mini"
title.en = "Mini"

[scales.agree5]
min = 1
max = 5
labels.nl = ["a", "b", "c", "d", "e"]
labels.en = ["a", "b", "c", "d", "e"]

[[blocks]]
id = "b"
title.nl = "Blok"
title.en = "Block"

[[constructs]]
id = "c1"
block = "b"
name.nl = "C een"
name.en = "C one"

[[items]]
id = "i1"
construct = "c1"
scale = "agree5"
text.nl = "Een"
text.en = "One"

[[items]]
id = "i2"
construct = "c1"
scale = "agree5"
reverse = true
text.nl = "Twee"
text.en = "Two"
"""


def write(tmp_path, text, name="q.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(tmp_path, text):
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(write(tmp_path, text))
    assert str(tmp_path / "q.toml") in str(info.value)  # every message names the file
    return info.value.problems


def test_minimal_file_loads_with_reverse_item(tmp_path):
    q = load_questionnaire(write(tmp_path, GOOD))
    assert q.items["i2"].reverse and not q.items["i1"].reverse
    assert q.constructs["c1"].items == ("i1", "i2")
    assert q.dimension_constructs() == ["c1"]


def test_default_questionnaire_has_every_block_and_both_languages(default_q):
    assert {b.id for b in default_q.blocks} == {"motivation", "readiness", "adkar", "communication", "learning", "context", "open"}
    for item in default_q.items.values():
        assert item.text["nl"].strip() and item.text["en"].strip()
    assert any(i.reverse for i in default_q.items.values())
    assert len(default_q.dimension_constructs()) == 11
    assert all(len(default_q.constructs[c].items) >= 2 for c in default_q.dimension_constructs())


def test_duplicate_item_id_is_named(tmp_path):
    text = GOOD + '\n[[items]]\nid = "i1"\nconstruct = "c1"\nscale = "agree5"\ntext.nl = "x"\ntext.en = "x"\n'
    assert "item 'i1': duplicate id" in problems_of(tmp_path, text)


def test_unknown_construct_is_named(tmp_path):
    text = GOOD + '\n[[items]]\nid = "i9"\nconstruct = "nope"\nscale = "agree5"\ntext.nl = "x"\ntext.en = "x"\n'
    assert "item 'i9': unknown construct 'nope'" in problems_of(tmp_path, text)


def test_missing_translation_is_named(tmp_path):
    text = GOOD.replace('text.en = "Two"\n', "")
    assert "item 'i2': missing en translation of 'text'" in problems_of(tmp_path, text)


def test_scale_out_of_range_is_named(tmp_path):
    text = GOOD.replace("min = 1\nmax = 5", "min = 5\nmax = 1")
    found = problems_of(tmp_path, text)
    assert any(p.startswith("scale 'agree5': scale out of range") for p in found)


def test_label_count_must_match_scale(tmp_path):
    text = GOOD.replace('labels.en = ["a", "b", "c", "d", "e"]', 'labels.en = ["a", "b"]')
    assert "scale 'agree5': 2 en labels for 5 values (1..5)" in problems_of(tmp_path, text)


def test_construct_with_one_item_is_named(tmp_path):
    text = GOOD.replace('id = "i2"\nconstruct = "c1"', 'id = "i2"\nblock = "b"\ntype = "text"')
    text = text.replace('scale = "agree5"\nreverse = true\n', "")
    found = problems_of(tmp_path, text)
    assert any(p.startswith("construct 'c1': has 1 item(s)") for p in found)


def test_every_problem_is_reported_at_once(tmp_path):
    text = GOOD.replace('text.en = "Two"\n', "").replace('construct = "c1"\nscale = "agree5"\ntext.nl = "Een"', 'construct = "zz"\nscale = "agree5"\ntext.nl = "Een"')
    found = problems_of(tmp_path, text)
    assert len(found) >= 3


def test_invalid_toml_names_file(tmp_path):
    found = problems_of(tmp_path, "id = \n")
    assert found[0].startswith("not valid TOML")


def test_cli_list_validate_show(cli, tmp_path):
    assert "default" in cli("questionnaire", "list").output
    assert "valid" in cli("questionnaire", "validate", "questionnaires/default.toml").output
    shown = json.loads(cli("questionnaire", "show", "default", "--format", "json").output)
    item = next(i for i in shown["items"] if i["id"] == "rdy_app_3")
    assert item["reverse"] is True and item["construct"] == "appropriateness"
    assert item["scale"] == {"id": "agree5", "min": 1, "max": 5, "labels": item["scale"]["labels"]}
    assert len(item["scale"]["labels"]["nl"]) == 5


def test_cli_validate_reports_problems(cli, tmp_path):
    bad = write(tmp_path, GOOD.replace('text.en = "Two"\n', ""), "bad.toml")
    result = cli("questionnaire", "validate", bad, expect_ok=False)
    assert result.exit_code == 1
    assert "bad.toml" in result.output and "missing en translation" in result.output


def test_unknown_questionnaire_lists_available():
    with pytest.raises(LookupError, match="available: .*default"):
        get_questionnaire("does-not-exist")


def test_na_labels_need_every_language(tmp_path):
    text = GOOD.replace('labels.en = ["a", "b", "c", "d", "e"]\n', 'labels.en = ["a", "b", "c", "d", "e"]\nna_labels.nl = ["n.v.t."]\n')
    assert "scale 'agree5': missing en translation of 'na_labels'" in problems_of(tmp_path, text)


def test_composite_may_not_reuse_a_construct_id(tmp_path):
    text = GOOD + '\n[composites]\nc1 = ["c1"]\n'
    assert "composite 'c1': has the same id as a construct; choose another name" in problems_of(tmp_path, text)


def test_unknown_construct_is_reported_once_without_a_block_complaint(tmp_path):
    text = GOOD + '\n[[items]]\nid = "i9"\nconstruct = "nope"\nscale = "agree5"\ntext.nl = "x"\ntext.en = "x"\n'
    found = problems_of(tmp_path, text)
    assert [p for p in found if p.startswith("item 'i9'")] == ["item 'i9': unknown construct 'nope'"]


def test_item_block_must_match_its_construct(tmp_path):
    text = GOOD.replace('[[items]]\nid = "i1"\n', '[[blocks]]\nid = "other"\ntitle.nl = "Ander"\ntitle.en = "Other"\n\n[[items]]\nid = "i1"\nblock = "other"\n')
    assert "item 'i1': block 'other' differs from the block of its construct 'c1' ('b')" in problems_of(tmp_path, text)


def test_empty_file_says_which_fields_are_missing(tmp_path):
    found = problems_of(tmp_path, "")
    assert "missing 'id' (a short name such as \"default\")" in found
    assert any("each language listed in 'languages'" in p for p in found)


# --- one precise message per mistake (issue 17) -----------------------------------------------


def _one(tmp_path, text):
    found = problems_of(tmp_path, text)
    assert len(found) == 1, found
    return found[0]


def test_a_quoted_boolean_is_one_precise_message_not_read_as_true(tmp_path):
    text = GOOD.replace("reverse = true", 'reverse = "false"')
    assert _one(tmp_path, text) == "item 'i2': 'reverse' must be true or false without quotes, got the text \"false\""
    text = GOOD.replace('id = "i1"\n', 'id = "i1"\nrequired = "true"\n')
    assert _one(tmp_path, text) == "item 'i1': 'required' must be true or false without quotes, got the text \"true\""
    text = GOOD.replace('block = "b"\nname.nl', 'block = "b"\nsingle_item = "false"\nname.nl')
    assert _one(tmp_path, text) == (
        "construct 'c1': 'single_item' must be true or false without quotes, got the text \"false\"")


def test_a_quoted_number_on_a_scale_is_one_message_not_one_per_item(tmp_path):
    items = "".join(
        f'\n[[items]]\nid = "x{i}"\nconstruct = "c1"\nscale = "agree5"\ntext.nl = "x"\ntext.en = "x"\n'
        for i in range(21)
    )
    text = GOOD.replace("min = 1\n", 'min = "1"\n') + items
    assert _one(tmp_path, text) == "scale 'agree5': 'min' must be a whole number without quotes, got the text \"1\""


def test_a_construct_listing_its_items_is_one_message_not_unknown_blocks(tmp_path):
    text = GOOD.replace('name.en = "C one"\n', 'name.en = "C one"\nitems = ["i1", "i2"]\n')
    text = text.replace('id = "i1"\nconstruct = "c1"\n', 'id = "i1"\n').replace('id = "i2"\nconstruct = "c1"\n', 'id = "i2"\n')
    message = _one(tmp_path, text)
    assert message.startswith("construct 'c1': unknown field 'items'; an item names its construct instead")
    assert "None" not in message


def test_languages_as_a_text_is_one_message_not_a_translation_per_letter(tmp_path):
    text = GOOD.replace('languages = ["nl", "en"]', 'languages = "en"')
    assert _one(tmp_path, text) == (
        "questionnaire: 'languages' must be a list of texts such as [\"nl\", \"en\"], got the text \"en\"")


def test_an_unknown_field_is_named_once(tmp_path):
    text = GOOD.replace('scale = "agree5"\nreverse = true', 'scale = "agree5"\nreversed = true')
    assert _one(tmp_path, text) == "item 'i2': unknown field 'reversed'"


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + textwrap.dedent(GOOD).encode("utf-8"))
    assert load_questionnaire(path).id == "mini"


def test_outcomes_are_declared_with_a_type_and_never_become_constructs(tmp_path):
    text = GOOD + (
        '\n[[outcomes]]\nid = "left_for_pay"\ntype = "yes_no"\nname.nl = "Weg om geld"\nname.en = "Left for pay"\n'
        '\n[[outcomes]]\nid = "separation"\ntype = "categorical"\ncategories = ["resigned", "dismissed"]\n'
        'name.nl = "Vertrek"\nname.en = "Separation"\n'
    )
    q = load_questionnaire(write(tmp_path, text))
    assert [(v.id, v.type) for v in q.outcomes.values()] == [("left_for_pay", "yes_no"), ("separation", "categorical")]
    assert q.outcomes["separation"].categories == ("resigned", "dismissed")
    assert q.dimension_constructs() == ["c1"]
    bad = GOOD + '\n[[outcomes]]\nid = "i1"\ntype = "count"\nname.nl = "x"\nname.en = "x"\n'
    assert _one(tmp_path, bad) == "outcome 'i1': 'i1' is already the name of an item or import column; choose another id"
    bad = GOOD + '\n[[outcomes]]\nid = "o1"\ntype = "count"\nname.nl = "x"\nname.en = "x"\n'
    assert _one(tmp_path, bad) == (
        "outcome 'o1': 'type' must be one of yes_no, categorical, numeric, got the text \"count\"")


# --- the library: product files, own files, broken files ----------------------------------------


def test_list_shows_a_broken_file_with_its_error_and_round_create_names_it(cli, database, instance):
    own = instance / "questionnaires"
    own.mkdir()
    (own / "exit.toml").write_text('id = "exit"\nlanguages = [\n', encoding="utf-8")
    (own / "typed.toml").write_text(textwrap.dedent(GOOD).replace('id = "mini"', 'id = "typed"').replace(
        "reverse = true", 'reverse = "yes"'), encoding="utf-8")
    listed = cli("questionnaire", "list").output
    assert "exit\tBROKEN (1 problem(s))\town" in listed and "not valid TOML" in listed
    assert "typed\tBROKEN (1 problem(s))" in listed and "'reverse' must be true or false" in listed
    result = cli("round", "create", "--questionnaire", "exit", "--title", "T", expect_ok=False)
    assert result.exit_code == 1 and "not valid TOML" in result.output and "unknown questionnaire" not in result.output


def test_questionnaire_add_checks_stores_a_copy_and_rounds_can_use_it(cli, database, instance, tmp_path):
    source = write(tmp_path, GOOD.replace('id = "mini"', 'id = "engagement"'), "mine.toml")
    output = cli("questionnaire", "add", source).output
    stored = instance / "questionnaires" / "engagement.toml"
    assert stored.read_bytes() == source.read_bytes() and f"as {stored}" in output
    assert "not asked (persona pages and briefs leave these out): ADKAR stages" in output
    assert "engagement\tv1\t2 items\town" in cli("questionnaire", "list").output
    assert cli("round", "create", "--questionnaire", "engagement", "--title", "Mine").output.strip().isdigit()

    changed = write(tmp_path, GOOD.replace('id = "mini"', 'id = "engagement"').replace('"One"', '"First"'), "v2.toml")
    refused = cli("questionnaire", "add", changed, expect_ok=False)
    assert refused.exit_code == 1 and "was added before" in refused.output
    assert stored.read_bytes() == source.read_bytes()
    assert "Replaced questionnaire 'engagement'" in cli("questionnaire", "add", changed, "--replace").output
    assert stored.read_bytes() == changed.read_bytes()


def test_questionnaire_add_refuses_broken_files_and_product_ids_storing_nothing(cli, database, instance, tmp_path):
    broken = write(tmp_path, GOOD.replace('id = "mini"', 'id = "mine"').replace("reverse = true", 'reverse = "no"'))
    result = cli("questionnaire", "add", broken, expect_ok=False)
    assert result.exit_code == 1 and "nothing was added" in result.output and "'reverse' must be true or false" in result.output
    clash = write(tmp_path, GOOD.replace('id = "mini"', 'id = "default"'), "clash.toml")
    result = cli("questionnaire", "add", clash, expect_ok=False)
    assert "id 'default' is the product's own questionnaire" in result.output
    assert not (instance / "questionnaires" / "mine.toml").exists()
    assert not (instance / "questionnaires" / "default.toml").exists()


def test_hr_upload_page_reports_every_problem_or_adds_the_file(client, database, instance, tmp_path):
    import io

    from conftest import login, make_users

    users = make_users(database)
    login(client, users["hr"][1])
    bad = textwrap.dedent(GOOD).replace('id = "mini"', 'id = "mine"').replace("min = 1\n", 'min = "1"\n')
    page = client.post("/questionnaires/", data={"file": (io.BytesIO(bad.encode()), "mine.toml")},
                       content_type="multipart/form-data")
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "Nothing was added" in html and "&#39;min&#39; must be a whole number without quotes" in html
    assert not (instance / "questionnaires" / "mine.toml").exists()

    good = textwrap.dedent(GOOD).replace('id = "mini"', 'id = "mine"')
    page = client.post("/questionnaires/", data={"file": (io.BytesIO(good.encode()), "mine.toml")},
                       content_type="multipart/form-data", follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "Questionnaire mine added" in html and "Not asked in this questionnaire" in html
    assert (instance / "questionnaires" / "mine.toml").read_text(encoding="utf-8") == good
    # the new-round form offers it by its title, with its id as the value (issue 20: no ids where a title belongs)
    assert '<option value="mine">Mini</option>' in client.get("/rounds/new").get_data(as_text=True)
