"""Answer files as form tools export them: columns headed with the question text, the tool's own
columns beside them. Matched in the web preview, confirmed by HR, saved as a mapping and used
again on the command line; every stored value checked cell by cell."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import login, make_users
from workbooks import simple_workbook

from toolkit.core.intake import ImportProblem, parse_responses, read_table
from toolkit.core.mapping import normalise, propose, read_mapping
from toolkit.data.rounds import create_round

EN = {  # item id -> the question as Microsoft Forms shows it (numbered, as Forms numbers them)
    "rdy_app_1": "1. I find the reasons for this change convincing.",
    "rdy_sup_1": "2. Senior leadership is visibly behind this change",  # full stop dropped
    "com_channels": "3. Which channels do you prefer for hearing about this change? (choose all that apply)",
    "com_messenger": "4.  WHO would you most like to hear about this change from?",  # case and spaces
    "open_worry": "5. Is there anything about this change that worries you? If so, what?",
}
MS_FORMS_ROWS = [
    ["ID", "Start time", "Completion time", "Email", "Name", *EN.values(), "Department", "Left within a year"],
    [1, ("date", 46087.375), ("date", 46087.39), "anonymous", "", "Agree", "Strongly agree",
     "Email;Printed (poster, letter or leaflet);", "My line manager", "Too fast\x0bfor my team", "Sales", "no"],
    [2, ("date", 46087.4), ("date", 46087.41), "anonymous", "", "Disagree", "Neutral", "Intranet;", "HR", "",
     "Finance", "yes"],
    [3, ("date", 46087.5), ("date", 46087.5), "anonymous", None, None, None, None, None, None, None, None],  # no answers
    [],  # an empty row
    [5, ("date", 46088.1), ("date", 46088.2), "anonymous", "", "5", "4", "Chat (e.g. Teams or Slack)", "HR", "", "Sales",
     "no"],
]
EXPECTED = {  # respondent id -> stored answers (as stored), team and the kept outcome
    "1": {"rdy_app_1": "4", "rdy_sup_1": "5", "com_channels": '["email", "printed"]', "com_messenger": "manager",
          "open_worry": "Too fast\nfor my team", "team": "Sales", "outcome": "no"},
    "2": {"rdy_app_1": "2", "rdy_sup_1": "3", "com_channels": '["intranet"]', "com_messenger": "hr", "team": "Finance",
          "outcome": "yes"},
    "5": {"rdy_app_1": "5", "rdy_sup_1": "4", "com_channels": '["chat"]', "com_messenger": "hr", "team": "Sales",
          "outcome": "no"},
}


def ms_forms_xlsx() -> bytes:
    return simple_workbook(MS_FORMS_ROWS)


def google_forms_csv() -> bytes:
    """Google Forms, Dutch form: Tijdstempel, e-mail, the questions in Dutch, checkboxes joined by ", "."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["Tijdstempel", "E-mailadres", "De redenen voor deze verandering overtuigen mij.",
                     "Via welke kanalen hoor je het liefst over deze verandering? (meerdere antwoorden mogelijk)",
                     "Hoe leer je een nieuwe manier van werken het liefst? (meerdere antwoorden mogelijk)"])
    writer.writerow(["2026/03/05 9:14:02 AM CET", "a@example.org", "Eens", "E-mail, Teamoverleg",
                     "Al doende, tijdens het werk, E-learning"])
    writer.writerow(["2026/03/05 9:20:41 AM CET", "b@example.org", "Helemaal oneens", "Intranet", ""])
    return out.getvalue().encode("utf-8")


def stored(db, round_id) -> dict[str, dict]:
    """Each response's answers, team and its value of the outcome left_within_a_year (typed, in
    response_values); outcomes never land in the attributes."""
    found = {}
    for rid, external, team, attributes in db.execute(
            "SELECT id, external_id, team, attributes FROM responses WHERE round_id = ?", [round_id]):
        values = dict(db.execute("SELECT item_id, value FROM answers WHERE response_id = ?", [rid]).fetchall())
        assert json.loads(attributes) == {}
        outcome = db.execute("SELECT value FROM response_values WHERE response_id = ? AND variable = ?",
                             [rid, "left_within_a_year"]).fetchone()
        found[external] = {**values, "team": team, **({"outcome": outcome[0]} if outcome else {})}
    return found


def test_question_texts_match_in_any_language_despite_numbering_case_and_punctuation(default_q):
    headers = ["ID", "Start time", *EN.values(), "Department", "Favourite colour",
               "Q7) De top van de organisatie staat zichtbaar achter deze verandering"]
    mapping = propose(default_q, headers)
    assert [(c.column, c.use, c.how) for c in mapping.columns] == [
        ("ID", "respondent_id", "name"), ("Start time", "ignore", "form"),
        (EN["rdy_app_1"], "item:rdy_app_1", "text"), (EN["rdy_sup_1"], "item:rdy_sup_1", "text"),
        (EN["com_channels"], "item:com_channels", "text"), (EN["com_messenger"], "item:com_messenger", "text"),
        (EN["open_worry"], "item:open_worry", "text"), ("Department", "context:team", "name"),
        ("Favourite colour", "ignore", "none"),
        ("Q7) De top van de organisatie staat zichtbaar achter deze verandering", "ignore", "none"),  # taken above
    ]
    assert normalise("3)  Vraag: ‘Waarom?’") == "vraag waarom"


def test_multi_choice_cells_are_split_by_known_labels_not_by_commas(default_q):
    table = read_table(google_forms_csv(), "Formulierreacties.csv")
    parsed = parse_responses(default_q, table, propose(default_q, table.headers))
    assert [r.answers for r in parsed.responses] == [
        {"rdy_app_1": 4, "com_channels": ["email", "team_meeting"], "lrn_format": ["on_the_job", "elearning"]},
        {"rdy_app_1": 1, "com_channels": ["intranet"]},
    ]


def test_command_line_refuses_unknown_columns_without_a_mapping(cli, database, tmp_path):
    round_id = cli("round", "create", "--questionnaire", "default", "--title", "Forms").output.strip()
    path = tmp_path / "forms.xlsx"
    path.write_bytes(ms_forms_xlsx())
    result = cli("responses", "import", path, "--round", round_id, expect_ok=False)
    assert result.exit_code == 1
    assert "row 1, column 'Left within a year': unknown column" in result.output
    assert "write a mapping with `responses map`" in " ".join(result.output.split())
    assert database.execute("SELECT count(*) FROM responses").fetchone()[0] == 0


def hr_client(app, database):
    users = make_users(database)
    client = app.test_client()
    login(client, users["hr"][1])
    return client


def upload(client, round_id, data, name):
    response = client.post(f"/rounds/{round_id}/responses", data={"file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def test_microsoft_forms_export_through_the_web_preview_then_the_saved_mapping_on_the_command_line(
        app, database, default_q, cli, tmp_path):
    client = hr_client(app, database)
    round_id = create_round(database, default_q, "Forms export")
    preview_url = upload(client, round_id, ms_forms_xlsx(), "Verandering 2026(1-5).xlsx")
    page = client.get(preview_url).get_data(as_text=True)
    assert "Check the columns" in page and "Verandering 2026(1-5).xlsx has 4 rows with values." in page
    assert "1 empty row is skipped." in page and "matched by question text" in page
    assert "1 column was not recognised" in page  # Left within a year
    for kind, label in (("yes_no", "yes/no"), ("categorical", "categories"), ("numeric", "number")):
        assert f'<option value="outcome:left_within_a_year:{kind}">Keep as outcome: {label}</option>' in page
    uses = {f"use-{i}": use for i, use in enumerate(
        ["respondent_id", "ignore", "ignore", "ignore", "ignore", "item:rdy_app_1", "item:rdy_sup_1", "item:com_channels",
         "item:com_messenger", "item:open_worry", "context:team", "outcome:left_within_a_year:yes_no"])}
    saved = client.post(preview_url, data={**uses, "action": "download"})
    assert saved.status_code == 200 and saved.mimetype == "application/json"
    mapping_json = saved.get_data(as_text=True)
    assert json.loads(mapping_json)["columns"][11] == {"column": "Left within a year",
                                                       "use": "outcome:left_within_a_year:yes_no"}

    done = client.post(preview_url, data={**uses, "action": "import"})
    assert done.status_code == 302
    flashed = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert ("Imported 3 responses. 1 empty row was skipped. 1 row without any answer was skipped (row 4). "
            "Kept as an outcome: left_within_a_year.") in flashed
    assert stored(database, round_id) == EXPECTED
    assert database.execute("SELECT id, type FROM round_variables WHERE round_id = ?", [round_id]).fetchall() == [
        ("left_within_a_year", "yes_no")]
    assert client.get(preview_url).status_code == 404  # the upload is gone once imported

    # The same mapping, saved, on the command line for the next export of the same form.
    mapping_file, export = tmp_path / "forms-mapping.json", tmp_path / "forms.xlsx"
    mapping_file.write_text(mapping_json, encoding="utf-8")
    export.write_bytes(ms_forms_xlsx())
    second = int(cli("round", "create", "--questionnaire", "default", "--title", "Next wave").output)
    result = cli("responses", "import", export, "--round", second, "--mapping", mapping_file)
    assert f"Imported 3 responses into round {second}, with outcome column(s) left_within_a_year (yes_no)." in result.output
    assert "Skipped 1 empty row(s) (5) and 1 row(s) without any answer (4)." in result.output
    assert stored(database, second) == EXPECTED


def test_google_forms_csv_with_a_mapping_written_by_the_command_line(cli, database, tmp_path):
    round_id = cli("round", "create", "--questionnaire", "default", "--title", "Google").output.strip()
    export, mapping_file = tmp_path / "Formulierreacties 1.csv", tmp_path / "google.json"
    export.write_bytes(google_forms_csv())
    cli("responses", "map", export, "--round", round_id, "--out", mapping_file)
    written = json.loads(mapping_file.read_text(encoding="utf-8"))
    assert [c["use"] for c in written["columns"]] == ["ignore", "ignore", "item:rdy_app_1", "item:com_channels",
                                                      "item:lrn_format"]
    assert "Imported 2 responses" in cli("responses", "import", export, "--round", round_id,
                                         "--mapping", mapping_file).output
    values = sorted(sorted(dict(database.execute("SELECT item_id, value FROM answers WHERE response_id = ?",
                                                 [rid]).fetchall()).items())
                    for (rid,) in database.execute("SELECT id FROM responses WHERE round_id = ?", [round_id]))
    assert values == [
        [("com_channels", '["email", "team_meeting"]'), ("lrn_format", '["on_the_job", "elearning"]'),
         ("rdy_app_1", "4")],
        [("com_channels", '["intranet"]'), ("rdy_app_1", "1")],
    ]


def test_a_saved_mapping_must_fit_the_file_and_the_questionnaire(default_q):
    headers = ["ID", "1. I find the reasons for this change convincing."]
    good = propose(default_q, headers).to_json()
    assert read_mapping(default_q, [h.upper() for h in headers], good, "m.json").items() == {
        "1. I FIND THE REASONS FOR THIS CHANGE CONVINCING.": "rdy_app_1"}
    with pytest.raises(ImportProblem) as caught:
        read_mapping(default_q, ["ID", "Other"], good.replace("rdy_app_1", "no_such_item"), "m.json")
    assert caught.value.problems == [
        "the mapping names column '1. I find the reasons for this change convincing.', which the file does not have",
        "column 'Other' has no use in the mapping; add it (use 'ignore' to leave it out)",
        "no column holds answers to an item of questionnaire 'default'",
    ]
    with pytest.raises(ImportProblem) as caught:
        read_mapping(default_q, headers, good.replace("rdy_app_1", "no_such_item"), "m.json")
    assert caught.value.problems == [
        "column '1. I find the reasons for this change convincing.': questionnaire 'default' has no item 'no_such_item'"]
    with pytest.raises(ImportProblem, match="this is not an answer mapping"):
        read_mapping(default_q, headers, "{}", "m.json")


def test_preview_keeps_the_choices_and_names_what_is_wrong(app, database, default_q):
    client = hr_client(app, database)
    round_id = create_round(database, default_q, "Wrong choice")
    preview_url = upload(client, round_id, google_forms_csv(), "google.csv")
    uses = {"use-0": "ignore", "use-1": "ignore", "use-2": "item:rdy_app_1", "use-3": "item:rdy_app_1",
            "use-4": "item:lrn_format"}
    response = client.post(preview_url + "?lang=nl", data={**uses, "action": "import"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "kolommen &#39;De redenen voor deze verandering overtuigen mij.&#39; en &#39;Via welke kanalen" in page
    assert page.count('value="item:rdy_app_1" selected') == 2  # what HR chose is still chosen
    assert database.execute("SELECT count(*) FROM responses").fetchone()[0] == 0


def test_answer_template_downloads_carry_item_ids_and_texts_and_import_back(app, database, default_q, cli, tmp_path):
    import openpyxl

    client = hr_client(app, database)
    round_id = create_round(database, default_q, "Template")
    page = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert f"/rounds/{round_id}/answer-template.xlsx" in page and f"/rounds/{round_id}/answer-template.csv" in page
    csv_file = client.get(f"/rounds/{round_id}/answer-template.csv?lang=nl")
    assert csv_file.status_code == 200
    lines = csv_file.get_data().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("respondent_id;team;mot_int_1;") and len(lines) == 2
    assert lines[1].startswith(";;Ik doe mijn werk met plezier")
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/rounds/{round_id}/answer-template.xlsx?lang=en").get_data()))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("respondent_id", "team", "mot_int_1") and rows[1][2].startswith("I put effort into")
    # Filled in below the question texts, the template imports as it is.
    filled = tmp_path / "template.csv"
    filled.write_text("\n".join([*lines, "p1;Sales;" + ";".join("4" if i.startswith("mot_") else ""
                                                                   for i in lines[0].split(";")[2:])]),
                      encoding="utf-8")
    result = cli("responses", "import", filled, "--round", round_id)
    assert "Imported 1 responses" in result.output and "Skipped 1 row(s) of question texts (2)." in result.output
