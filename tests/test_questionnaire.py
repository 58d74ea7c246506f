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
