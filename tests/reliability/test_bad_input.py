"""Bad input: every file in tests/data/bad/ is refused with a specific message and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"

# file -> (what reads it, fragments the message must contain besides the file name)
CASES = {
    "responses-empty.csv": ("responses", ["the file is empty"]),
    "responses-binary.csv": ("responses", ["not a text file"]),
    "responses-damaged-xlsx.xlsx": ("responses", ["damaged XLSX"]),
    "responses-utf16-without-bom.csv": ("responses", ["not a text file"]),
    "responses-neither-utf8-nor-cp1252.csv": ("responses", ["neither UTF-8 nor Windows-1252"]),
    # the shape of the file first: row 4 is one value ("r3,4,5,3") in a semicolon file
    "responses-mixed-delimiters.csv": ("responses", ["row 4: too few values (1 instead of 4"]),
    "responses-formula-cells.csv": ("responses", ["row 2, column 'rdy_app_1'", "row 3, column 'rdy_sup_1': value '@SUM(A1)'"]),
    "responses-formula-cells.xlsx": ("responses", ["row 2, column 'rdy_app_1': the formula =2+2 has no stored result",
                                                   "row 3, column 'rdy_sup_1'"]),
    "responses-duplicate-ids.csv": ("responses", ["row 4, column 'respondent_id': 'r1' also on row 2"]),
    "responses-out-of-range.csv": ("responses", ["row 3, column 'rdy_app_1': value '7' out of range", "1–5"]),
    "responses-labels-wrong-language.csv": ("responses", ["row 2, column 'rdy_app_1': value 'Stimme zu' unknown label"]),
    "responses-several-sheets.xlsx": ("responses", ["data on 2 sheets ('Antwoorden', 'Round 2')"]),
    # Made at test time: 20,000 good rows, then one bad. The command line has no size cap (a large
    # file is imported in batches); a problem on the last row still stores none of the batches before it.
    "responses-bad-after-20000-rows.csv": ("responses", ["row 20002, column 'rdy_app_1'", "out of range"]),
    "responses-short-rows.csv": ("responses", ["row 3: too few values (2 instead of 4",
                                               "row 5: too few values (3 instead of 4"]),
    # row 4 ends in two empty values beyond the header: harmless, not named
    "responses-long-rows.csv": ("responses", ["row 2: too many values (5 instead of 4", "(1 problem(s))"]),
    "responses-value-beyond-header.xlsx": ("responses", ["row 3: too many values (6 instead of 4"]),
    "participants-short-and-long-rows.csv": ("participants", ["row 2: too few values (2 instead of 3",
                                                              "row 3: too many values (4 instead of 3"]),
    "participants-duplicates-and-bad-values.csv": ("participants", [
        "row 4, column 'email': 'A@Example.org' is a duplicate of row 2",
        "row 5, column 'email': 'not-an-address' is not a valid e-mail address",
        "row 6, column 'language': unknown language 'fr'"]),
    "participants-no-email-column.csv": ("participants", ["no e-mail column"]),
    "participants-already-in-round.csv": ("participants", ["row 3, column 'email': 'b@example.org' is a duplicate"]),
    "questionnaire-empty.toml": ("questionnaire", ["missing 'id'"]),
    # issue 17: one precise message per mistake, no follow-on messages
    "questionnaire-quoted-boolean.toml": ("questionnaire", [
        "1 problem(s)", "item 'eff_2': 'reverse' must be true or false without quotes, got the text \"false\""]),
    "questionnaire-quoted-number.toml": ("questionnaire", [
        "1 problem(s)", "scale 'agree5': 'min' must be a whole number without quotes, got the text \"1\""]),
    "questionnaire-construct-lists-items.toml": ("questionnaire", [
        "1 problem(s)", "construct 'efficacy': unknown field 'items'"]),
    "questionnaire-languages-text.toml": ("questionnaire", [
        "1 problem(s)", "'languages' must be a list of texts such as [\"nl\", \"en\"], got the text \"en\""]),
    "questionnaire-toml-syntax.toml": ("questionnaire", ["not valid TOML", "line 7"]),
    "questionnaire-duplicate-item-id.toml": ("questionnaire", ["item 'eff_1': duplicate id"]),
    "questionnaire-unknown-construct.toml": ("questionnaire", ["item 'eff_2': unknown construct 'efficiency'"]),
    "questionnaire-unknown-scale.toml": ("questionnaire", ["item 'eff_2': unknown scale 'agree7'"]),
    "questionnaire-unknown-block.toml": ("questionnaire", ["item 'channel': unknown block 'motivation'"]),
    "questionnaire-missing-translation.toml": ("questionnaire", ["item 'eff_2': missing en translation"]),
    "questionnaire-scale-min-not-below-max.toml": ("questionnaire", ["scale 'agree5'", "min 5", "below max 1"]),
    "questionnaire-scale-label-count.toml": ("questionnaire", ["scale 'agree5': 3 en labels for 5 values"]),
    "questionnaire-construct-with-one-item.toml": ("questionnaire", ["construct 'efficacy': has 1 item"]),
    "questionnaire-unknown-item-type.toml": ("questionnaire", ["item 'channel': unknown type 'slider'"]),
    "questionnaire-choice-without-options.toml": ("questionnaire", ["item 'channel': a single item needs options"]),
}


def dump(db) -> list[str]:
    return list(db.conn.iterdump())


@pytest.fixture
def corpus(tmp_path) -> dict[str, Path]:
    files = {p.name: p for p in BAD.iterdir() if p.name != "README.md"}
    big = tmp_path / "responses-bad-after-20000-rows.csv"
    rows = [b"respondent_id,rdy_app_1,rdy_sup_1,rdy_eff_1"] + [b"r%07d,4,5,3" % i for i in range(20_000)]
    big.write_bytes(b"\r\n".join([*rows, b"rbad,9,5,3", b""]))
    files[big.name] = big
    return files


def test_every_bad_input_is_refused_with_a_specific_message_and_changes_nothing(cli, database, corpus, tmp_path,
                                                                                capsys):
    assert set(corpus) == set(CASES), "every file in tests/data/bad needs a case (and every case a file)"
    round_id = cli("round", "create", "--questionnaire", "pulse", "--title", "Bad input").output.strip()
    good = tmp_path / "good-participants.csv"
    good.write_text("email,name\r\na@example.org,A\r\nb@example.org,B\r\n", encoding="utf-8")
    cli("participants", "import", good, "--round", round_id)
    good_answers = good.with_name("good-answers.csv")
    good_answers.write_text("respondent_id,rdy_app_1,rdy_sup_1\r\nok1,4,5\r\nok2,2,3\r\n", encoding="utf-8")
    cli("responses", "import", good_answers, "--round", round_id)

    commands = {
        "responses": lambda path: ("responses", "import", path, "--round", round_id),
        "participants": lambda path: ("participants", "import", path, "--round", round_id),
        "questionnaire": lambda path: ("questionnaire", "validate", path),
    }
    refused = []
    for name, (kind, fragments) in sorted(CASES.items()):
        before = dump(database)
        result = cli(*commands[kind](corpus[name]), expect_ok=False)  # a traceback would raise here
        output = " ".join(result.output.split())
        problems = []
        if result.exit_code != 1:
            problems.append(f"exit code {result.exit_code}")
        if "Traceback" in result.output:
            problems.append("a traceback")
        if name not in output:
            problems.append("the message does not name the file")
        problems += [f"no '{f}'" for f in fragments if " ".join(f.split()) not in output]
        if dump(database) != before:
            problems.append("the database changed")
        if problems:
            pytest.fail(f"{name}: {'; '.join(problems)}\n{result.output}")
        refused.append(name)
    assert database.execute("SELECT count(*) FROM responses").fetchone()[0] == 2
    assert database.execute("SELECT count(*) FROM participants").fetchone()[0] == 2
    with capsys.disabled():
        print(f"\n{len(CASES)} bad inputs tried, {len(refused)} rejected cleanly")
