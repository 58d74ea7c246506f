"""Outcome columns at import (issues 17 and 19 together): one mapping use `outcome:<name>[:<type>]`,
one storage (typed values in response_values), the same on the command line, in a saved
mapping and with --outcome; a cell that does not fit its type is one problem with its place."""

from __future__ import annotations

import json

import pytest
from exit_survey import INSTRUMENT, exit_rows, write_csv

from toolkit.core.intake import ImportProblem, parse_responses, read_table
from toolkit.core.mapping import check, choose, propose, variable_id
from toolkit.core.questionnaire import load_questionnaire
from toolkit.core.variables import parse_declaration

OUTCOME_COLUMNS = ("reason_manager", "reason_pay", "separation", "rehire", "absence_days")


@pytest.fixture
def exit_q():
    return load_questionnaire(INSTRUMENT)


@pytest.fixture
def exit_round(cli):
    cli("questionnaire", "add", INSTRUMENT)
    return lambda title: int(cli("round", "create", "--questionnaire", "exit-survey", "--title", title).output)


def stored_values(database, round_id: int) -> dict[str, dict[str, str]]:
    """respondent id -> variable -> stored text, for one round."""
    found: dict[str, dict[str, str]] = {}
    for external, variable, value in database.execute(
            "SELECT r.external_id, v.variable, v.value FROM response_values v JOIN responses r ON r.id = v.response_id "
            "WHERE r.round_id = ?", [round_id]):
        found.setdefault(external, {})[variable] = value
    return found


def expected_values(rows, rehire=True, absence=True) -> dict[str, dict[str, str]]:
    expected = {}
    for r in rows:
        values = {"reason_manager": r["reason_manager"], "reason_pay": r["reason_pay"], "separation": r["separation"]}
        if rehire:
            values["rehire"] = {"ja": "yes", "nee": "no"}[r["rehire"]]
        if absence:
            values["absence_days"] = repr(float(r["absence_days"]))
        expected[r["respondent_id"]] = values
    return expected


def test_declared_outcomes_are_proposed_and_untyped_uses_take_the_declaration(exit_q):
    mapping = propose(exit_q, ["respondent_id", "pay_1", "Reason Manager", "separation", "rehire"])
    assert [(c.use, c.how) for c in mapping.columns] == [
        ("respondent_id", "name"), ("item:pay_1", "id"), ("outcome:reason_manager", "name"),
        ("outcome:separation", "name"), ("ignore", "none")]
    table = read_table(b"respondent_id,pay_1,Reason Manager,separation\nX1,4,JA,Retired\nX2,2,,resigned\n", "a.csv")
    parsed = parse_responses(exit_q, table)
    assert [r.values for r in parsed.responses] == [{"reason_manager": "yes", "separation": "retired"},
                                                     {"separation": "resigned"}]
    assert parsed.outcomes() == ["reason_manager (yes_no)", "separation (categorical)"]
    assert parsed.variables == []  # both declared in the questionnaire: nothing new for the round
    assert variable_id("3. Left within a year?") == "left_within_a_year" and variable_id("2025 bonus") == "v_2025_bonus"


def test_outcome_uses_are_checked_against_names_types_and_the_declaration(exit_q):
    headers = ["respondent_id", "pay_1", "reason_manager", "Left?", "days", "rehire", "again"]
    uses = {"respondent_id": "respondent_id", "pay_1": "item:pay_1", "reason_manager": "outcome:reason_manager:numeric",
            "Left?": "outcome:Left?", "days": "outcome:days:number", "rehire": "outcome:rehire:yes_no",
            "again": "outcome:rehire"}
    with pytest.raises(ImportProblem) as caught:
        choose(exit_q, headers, uses)
    assert caught.value.problems == [
        "column 'reason_manager': questionnaire 'exit-survey' declares outcome 'reason_manager' as yes_no, not numeric",
        "column 'Left?': 'Left?' cannot name an outcome; start with a letter, then use letters, digits and _ "
        "(at most 40), as in outcome:left",
        "column 'days': unknown outcome type 'number'; expected yes_no, categorical or numeric",
        "columns 'rehire' and 'again' are both used as outcome:rehire; keep one",
    ]
    assert check(exit_q, choose(exit_q, headers[:2], {"respondent_id": "respondent_id", "pay_1": "item:pay_1"})) == []


def test_a_bad_cell_for_a_numeric_or_yes_no_outcome_is_one_problem_with_row_and_column(exit_q, cli, exit_round,
                                                                                        database, tmp_path):
    rows = exit_rows(30, seed=3)
    rows[4]["absence_days"] = "about a week"
    rows[9]["rehire"] = "maybe"
    extra = (parse_declaration("rehire:yes_no"), parse_declaration("absence_days:numeric"))
    path = write_csv(tmp_path / "export.csv", rows)
    with pytest.raises(ImportProblem) as caught:
        parse_responses(exit_q, read_table(path.read_bytes(), "export.csv"), extra=extra)
    assert caught.value.problems == [
        "row 6, column 'absence_days': value 'about a week' expected a number such as 12 or 3.5",
        "row 11, column 'rehire': value 'maybe' expected yes or no (also ja/nee, 1/0, true/false)",
    ]
    nl = {"expected a number such as 12 or 3.5": "verwacht een getal, zoals 12 of 3,5",
          "row %(row)d, column '%(column)s': value '%(value)s' %(reason)s":
              "rij %(row)d, kolom '%(column)s': waarde '%(value)s' %(reason)s"}
    assert caught.value.problems[0].translated(lambda m: nl.get(m, m)) == (
        "rij 6, kolom 'absence_days': waarde 'about a week' verwacht een getal, zoals 12 of 3,5")

    round_id = exit_round("Bad cell")
    result = cli("responses", "import", path, "--round", round_id, "--outcome", "rehire:yes_no",
                 "--outcome", "absence_days:numeric", expect_ok=False)
    assert result.exit_code == 1 and "(2 problem(s))" in result.output
    assert "row 6, column 'absence_days': value 'about a week' expected a number" in result.output
    assert database.execute("SELECT count(*) FROM responses").fetchone()[0] == 0
    assert database.execute("SELECT count(*) FROM round_variables").fetchone()[0] == 0


def test_a_saved_mapping_with_typed_outcomes_is_reused_on_the_command_line(cli, exit_round, database, tmp_path):
    rows = exit_rows(40, seed=8)
    path, mapping_file = write_csv(tmp_path / "export.csv", rows), tmp_path / "exit-mapping.json"
    first = exit_round("First wave")
    cli("responses", "map", path, "--round", first, "--outcome", "rehire:yes_no", "--outcome", "absence_days:numeric",
        "--out", mapping_file)
    written = {c["column"]: c["use"] for c in json.loads(mapping_file.read_text(encoding="utf-8"))["columns"]}
    assert [written[c] for c in OUTCOME_COLUMNS] == [
        "outcome:reason_manager:yes_no", "outcome:reason_pay:yes_no", "outcome:separation:categorical",
        "outcome:rehire:yes_no", "outcome:absence_days:numeric"]
    assert written["team"] == "context:team" and written["pay_1"] == "item:pay_1"

    for round_id in (first, exit_round("Second wave")):  # the same file, nothing but the mapping
        result = cli("responses", "import", path, "--round", round_id, "--mapping", mapping_file)
        assert result.output.splitlines()[0] == (
            f"Imported 40 responses into round {round_id}, with outcome column(s) reason_manager (yes_no), "
            "reason_pay (yes_no), separation (categorical), rehire (yes_no), absence_days (numeric).")
        assert stored_values(database, round_id) == expected_values(rows)
        assert dict(database.execute("SELECT id, type FROM round_variables WHERE round_id = ?", [round_id])) == {
            "rehire": "yes_no", "absence_days": "numeric"}


def test_outcome_on_the_command_line_overrides_the_mapping(cli, exit_round, database, tmp_path):
    rows = exit_rows(40, seed=9)
    path, mapping_file = write_csv(tmp_path / "export.csv", rows), tmp_path / "m.json"
    round_id = exit_round("Override")
    cli("responses", "map", path, "--round", round_id, "--out", mapping_file)
    mapping = json.loads(mapping_file.read_text(encoding="utf-8"))
    uses = {c["column"]: c["use"] for c in mapping["columns"]}
    assert uses["rehire"] == "ignore" and uses["absence_days"] == "ignore"  # not declared: not recognised
    for column in mapping["columns"]:
        if column["column"] == "absence_days":
            column["use"] = "outcome:absence_days:categorical"
    mapping_file.write_text(json.dumps(mapping), encoding="utf-8")

    result = cli("responses", "import", path, "--round", round_id, "--mapping", mapping_file,
                 "--outcome", "absence_days:numeric", "--outcome", "rehire:yes_no")
    assert "rehire (yes_no), absence_days (numeric)." in result.output
    assert stored_values(database, round_id) == expected_values(rows)

    # the round now knows absence_days as a number: a later import cannot make it categories
    again = write_csv(tmp_path / "later.csv", [{**r, "respondent_id": "L" + r["respondent_id"]} for r in rows])
    refused = cli("responses", "import", again, "--round", round_id, "--mapping", mapping_file, expect_ok=False)
    assert refused.exit_code == 1 and ("outcome 'absence_days' was imported into this round before as numeric; "
                                       "it cannot become categorical") in " ".join(refused.output.split())
    assert database.execute("SELECT count(*) FROM responses WHERE round_id = ?", [round_id]).fetchone()[0] == 40


def test_unknown_columns_and_bad_declarations_say_how_to_keep_an_outcome(cli, exit_round, database, tmp_path):
    path = write_csv(tmp_path / "export.csv", exit_rows(20, seed=4))
    round_id = exit_round("Strict")
    result = cli("responses", "import", path, "--round", round_id, expect_ok=False)
    text = " ".join(result.output.split())
    assert "row 1, column 'rehire': unknown column" in text and "--outcome ID:TYPE" in text
    missing = cli("responses", "import", path, "--round", round_id, "--outcome", "rehire:yes_no",
                  "--outcome", "absence_days:numeric", "--outcome", "bonus:numeric", expect_ok=False)
    assert "--outcome 'bonus': the file has no column 'bonus'" in missing.output
    item = cli("responses", "import", path, "--round", round_id, "--outcome", "pay_1:numeric", expect_ok=False)
    assert "--outcome 'pay_1': already an item or column of questionnaire 'exit-survey'" in item.output
    badtype = cli("responses", "import", path, "--round", round_id, "--outcome", "rehire:boolean", expect_ok=False)
    assert badtype.exit_code == 2 and "unknown type 'boolean'" in badtype.output
    assert database.execute("SELECT count(*) FROM responses").fetchone()[0] == 0
