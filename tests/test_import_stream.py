"""Streaming imports (issue 23): files read, checked and stored row by row in one transaction.

The command line has no size limit (only the cell and row checks); the web upload has its own,
set by MAX_UPLOAD_MB and named in the refusal. A problem after rows were already stored in
batches still leaves nothing behind, and a file wrong on every row lists the first problems and
counts the rest."""

from __future__ import annotations

import csv
import io

import pytest

from toolkit.core.problems import MAX_ERRORS_KEPT, MAX_FILE_BYTES, ImportProblem, Problems
from toolkit.core.tabular import UPLOAD, Limits, open_table, read_table
from toolkit.data.responses import IMPORT_BATCH
from toolkit.services import participants


def _participants_csv(path, n: int, *, note: str = "", bad_rows=(), delimiter=";"):
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(["email", "name", "team", "note"])
        for i in range(n):
            writer.writerow([f"person{i}" + ("" if i in bad_rows else "@example.org"), f"Person {i}", "IT", note])
    return path


def _count(database, table: str) -> int:
    return database.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_the_command_line_imports_a_file_over_the_web_limit_in_one_go(cli, database, tmp_path):
    round_id = int(cli("round", "create", "--questionnaire", "default", "--title", "R").output)
    path = _participants_csv(tmp_path / "big.csv", 2700, note="x" * 3990)  # 2,700 rows of 4 KB: over 10 MB
    assert path.stat().st_size > MAX_FILE_BYTES
    with pytest.raises(ImportProblem, match="larger than 10 MB, the limit for a file uploaded in the web app"):
        read_table(path.read_bytes(), path.name, UPLOAD)
    assert "Imported 2700 participants" in cli("participants", "import", path, "--round", round_id).output
    assert _count(database, "participants") == 2700
    emails = {r[0] for r in database.execute("SELECT email FROM participants")}
    assert "person2699@example.org" in emails and len(emails) == 2700
    hashes = {r[0] for r in database.execute("SELECT token_hash FROM participants")}
    assert len(hashes) == 2700 and None not in hashes  # every link works (tokens hash per id and salt)


def test_a_problem_after_stored_batches_leaves_nothing_and_problems_are_capped(cli, database, tmp_path):
    round_id = int(cli("round", "create", "--questionnaire", "default", "--title", "R").output)
    bad = set(range(2500, 2500 + MAX_ERRORS_KEPT + 40))  # after two and a half batches were stored
    path = _participants_csv(tmp_path / "people.csv", 2800, bad_rows=bad)
    result = cli("participants", "import", path, "--round", round_id, expect_ok=False)
    assert result.exit_code != 0
    assert f"nothing was imported ({len(bad)} problem(s))" in result.output
    assert "row 2502, column 'email': 'person2500' is not a valid e-mail address: it has no @" in result.output
    assert f"… and {len(bad) - 25} more" in result.output  # 25 printed, the rest counted
    assert _count(database, "participants") == 0


def test_a_response_problem_after_stored_batches_leaves_nothing(cli, database, tmp_path, answers_csv):
    round_id = int(cli("round", "create", "--questionnaire", "default", "--title", "R").output)
    rows = list(csv.reader(answers_csv.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    header, body = rows[0], rows[1:]
    path = tmp_path / "many.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(header)
        copies = (2 * IMPORT_BATCH) // len(body) + 2
        for copy in range(copies):
            for row in body:
                writer.writerow([f"{row[0]}-{copy}", *row[1:]])
        writer.writerow(["late", "IT", "9", *body[0][3:]])  # mot_int_1 out of range on the last row
    result = cli("responses", "import", path, "--round", round_id, expect_ok=False)
    last = copies * len(body) + 2
    assert f"row {last}, column 'mot_int_1': value '9' out of range" in result.output
    assert _count(database, "responses") == 0 and _count(database, "answers") == 0
    ok = cli("responses", "import", answers_csv, "--round", round_id)
    assert "Imported 120 responses" in ok.output and _count(database, "responses") == 120


def test_problems_keep_the_first_ones_and_count_the_rest():
    found = Problems(keep=3)
    found += [f"p{i}" for i in range(5)]
    found.append("p5")
    assert list(found) == ["p0", "p1", "p2"] and found.more == 3
    with pytest.raises(ImportProblem) as info:
        found.raise_if_any("f.csv")
    assert info.value.more == 3 and "(6 problem(s))" in str(info.value)


def test_a_stream_yields_rows_as_they_are_read_with_the_same_rules():
    data = "sep=;\r\nemail;team\r\n\r\na@example.org;IT\r\nb@example.org;HR;extra\r\nc@example.org;Sales\r\n"
    stream = open_table(io.BytesIO(data.encode("cp1252")), "list.csv")
    assert stream.headers == ["email", "team"]
    records = stream.records()
    assert next(records) == (3, {"email": "a@example.org", "team": "IT"})
    assert stream.skipped == 1 and not stream.problems
    assert list(records) == [(5, {"email": "c@example.org", "team": "Sales"})]
    assert [p.params["row"] for p in stream.problems] == [4]  # too many values, not yielded
    with pytest.raises(ImportProblem, match="row 4: too many values"):
        read_table(data.encode(), "list.csv", Limits(None, None))  # a file read whole: the same problem


def test_the_web_upload_limit_is_a_setting_named_in_dutch(app, client, database, tmp_path):
    from conftest import login, make_users

    from toolkit.core.questionnaire import get_questionnaire
    from toolkit.data.rounds import create_round

    app.config["MAX_UPLOAD_MB"] = 1
    round_id = create_round(database, get_questionnaire("default"), "R", mode="identified")
    login(client, make_users(database)["hr"][1])
    path = _participants_csv(tmp_path / "people.csv", 400, note="y" * 3000)  # 1.2 MB
    response = client.post(f"/rounds/{round_id}/participants?lang=nl",
                           data={"file": (path.open("rb"), "people.csv")}, content_type="multipart/form-data")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "het bestand is groter dan 1 MB, de grens voor een bestand dat je in de webapp uploadt" in text
    assert "opdrachtregel" in text and _count(database, "participants") == 0
    app.config["MAX_UPLOAD_MB"] = 2
    response = client.post(f"/rounds/{round_id}/participants",
                           data={"file": (path.open("rb"), "people.csv")}, content_type="multipart/form-data")
    assert response.status_code == 302  # to the preview
    assert participants.read_participants(path.read_bytes(), "people.csv", "nl", Limits(None, None))[0]["team"] == "IT"


@pytest.mark.parametrize("domain", ["example.org", "Example.ORG", "bücher.de", "xn--bcher-kva.de", "localhost",
                                    "ex_ample.org", "-example.org", "example..org", "a" * 250 + ".org"])
def test_addresses_normalise_as_email_validator_does_with_a_domain_seen_before(domain):
    from email_validator import EmailNotValidError, validate_email

    domains: dict[str, str] = {}
    for local in ("first", "Jan.de.Vries", "x" * 64, "x" * 65, "a..b", ".a", "a.", "o'brien", "jörg", "a+tag",
                  '"quoted@local"', "", "first"):
        raw = f"{local}@{domain}"
        try:
            expected = validate_email(raw, check_deliverability=False).normalized
        except EmailNotValidError:
            expected = None
        try:
            found = participants.normalised_email(raw, domains)
        except EmailNotValidError:
            found = None
        assert found == expected, raw


def test_a_plain_cell_is_cleaned_by_the_short_way_as_by_the_whole_rule():
    import random
    import unicodedata

    from toolkit.core.cleaning import cell_text, exportable_text

    rng = random.Random(1)
    alphabet = [chr(i) for i in range(0x250)] + ["\u2028", "\ufffe", "e\u0301", "\u00a0"]
    for _ in range(20_000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        assert cell_text(value) == exportable_text(unicodedata.normalize("NFC", value)).strip(), repr(value)
