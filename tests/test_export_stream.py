"""Streamed answer exports (issue 23): the same bytes as the in-memory export they replaced, written
as the rows are read.

The oracle below is the export as it was before streaming (every row gathered, the participants
in a dict, the whole file built in memory), kept here in short to compare with."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from toolkit.data.db import transaction
from toolkit.data.responses import insert_response, raw_answers, usable_responses
from toolkit.data.rounds import create_round, get_round
from toolkit.services import exports
from toolkit.services.participants import import_participants


def _oracle_identified(db, round_, q):
    """The identified export's (headers, rows) as the in-memory version built them."""
    responses = usable_responses(db, round_["id"])
    people = {p["id"]: p for p in db.query(
        "SELECT id, email, name, team, language, attributes FROM participants WHERE round_id = ?", [round_["id"]])}
    answers = raw_answers(db, round_["id"])
    item_ids = [iid for block in q.blocks for iid in block.items]
    keys: list[str] = []
    for r in responses:
        for key in json.loads(people.get(r["participant_id"], {}).get("attributes") or "{}"):
            if key not in keys:
                keys.append(key)
    headers = ["response_id", "submitted_on", "respondent_id", *exports.PARTICIPANT_COLUMNS, *keys, *item_ids]
    rows = []
    for r in responses:
        p = people.get(r["participant_id"], {})
        attributes = json.loads(p.get("attributes") or "{}")
        mine = answers.get(r["id"], {})
        row = [r["id"], r["submitted_on"], r["external_id"] or "", p.get("email") or "", p.get("name") or "",
               p.get("team") or r["team"] or "", p.get("language") or "", *[attributes.get(k, "") for k in keys],
               *[exports._cell(q.items[i], mine[i]) if i in mine else "" for i in item_ids]]
        rows.append([exports.escape_cell(v) for v in row])
    return headers, rows


def _oracle_csv(headers, rows) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([exports.escape_cell(h) for h in headers])
    writer.writerows([exports.escape_cell(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@pytest.fixture
def mixed_round(database, default_q):
    """An identified round: participants with different attributes, a response without a
    participant, multi choices, open answers with formulas and control characters."""
    round_id = create_round(database, default_q, "Mixed", mode="identified")
    people = [{"row": n + 2, "email": f"p{n}@example.org", "name": f"=Name {n}", "team": ("IT", "")[n % 2],
               "language": "nl", "attributes": ({"site": "@A", "grade": str(n)} if n % 3 else {"band": "B"})}
              for n in range(7)]
    import_participants(database, round_id, people, "k")
    ids = [r[0] for r in database.execute("SELECT id FROM participants WHERE round_id = ? ORDER BY id", [round_id])]
    multi = next(i for i in default_q.items.values() if i.type == "multi")
    text = next(i.id for i in default_q.items.values() if i.type == "text")
    with transaction(database):
        for n, pid in enumerate(ids):
            insert_response(database, default_q, round_id, {
                "mot_int_1": 1 + n % 5, multi.id: [o.value for o in multi.options[: 1 + n % 3]],
                text: ("=cmd|' /C calc'!A0", "Te snel\x0bvoor ons", "gewoon")[n % 3]},
                participant_id=pid if n != 3 else None, context={"team": "Sales"}, external_id=f"E{n}")
    return get_round(database, round_id)


def test_streamed_csv_and_xlsx_are_the_bytes_of_the_in_memory_export(database, default_q, mixed_round):
    headers, rows = exports.answer_rows(database, mixed_round, default_q)
    expected_headers, expected_rows = _oracle_identified(database, mixed_round, default_q)
    assert headers == expected_headers and "band" in headers and "grade" in headers
    assert b"".join(exports.csv_chunks(headers, rows)) == _oracle_csv(expected_headers, expected_rows)
    assert exports.answer_table(database, mixed_round, default_q) == (expected_headers, expected_rows)
    _headers, rows = exports.answer_rows(database, mixed_round, default_q)
    streamed = b"".join(exports.xlsx_chunks(headers, rows))
    assert streamed == exports.to_xlsx(expected_headers, expected_rows)
    assert zipfile.ZipFile(io.BytesIO(streamed)).testzip() is None


def test_the_csv_is_written_before_all_rows_are_read():
    read = []

    def rows():
        for n in range(3 * exports.ROWS_PER_CHUNK):
            read.append(n)
            yield [n, f"text {n}"]

    chunks = exports.csv_chunks(["a", "b"], rows())
    first = next(chunks)
    assert first.startswith(b"\xef\xbb\xbfa;b\r\n0;text 0\r\n")
    assert len(read) <= exports.ROWS_PER_CHUNK + 1  # one block read, not the whole round
    assert first + b"".join(chunks) == exports.to_csv(["a", "b"], [[n, f"text {n}"] for n in range(len(read))])


def test_the_download_streams_the_same_bytes_and_is_audited(app, database, default_q, mixed_round):
    from conftest import login, make_users

    client = app.test_client()
    login(client, make_users(database)["hr"][1])
    response = client.get(f"/rounds/{mixed_round['id']}/answers.csv")
    assert response.status_code == 200 and response.is_streamed
    headers, rows = _oracle_identified(database, mixed_round, default_q)
    assert response.get_data() == _oracle_csv(headers, rows)
    xlsx = client.get(f"/rounds/{mixed_round['id']}/answers.xlsx")
    assert xlsx.get_data() == exports.to_xlsx(headers, rows)
    logged = [r[0] for r in database.execute("SELECT detail FROM audit WHERE action = 'export'")]
    assert logged == ["answers.csv, 7 rows", "answers.xlsx, 7 rows"]


def test_an_anonymous_export_keeps_its_rows_and_their_order_by_content(database, default_q):
    from toolkit.core.privacy import protect_answer_export

    round_id = create_round(database, default_q, "Anon")
    text = next(i.id for i in default_q.items.values() if i.type == "text")
    with transaction(database):
        for n in range(12):
            insert_response(database, default_q, round_id, {"mot_int_1": 1 + n % 4, "mot_int_2": 5 - n % 3,
                                                            text: ("b", "a", "", "=x", "ab")[n % 5]})
    round_ = get_round(database, round_id)
    responses = usable_responses(database, round_id)
    answers = raw_answers(database, round_id)
    item_ids = [iid for block in default_q.blocks for iid in block.items]
    batch = [[exports.escape_cell(v) for v in exports._answer_cells(default_q, item_ids, answers.get(r["id"], {}))]
             for r in responses]
    expected = sorted(protect_answer_export(item_ids, batch, default_q, round_), key=lambda r: [str(c) for c in r])
    assert exports.answer_table(database, round_, default_q) == (item_ids, expected)
    headers, rows = exports.answer_rows(database, round_, default_q)
    assert b"".join(exports.csv_chunks(headers, rows)) == _oracle_csv(item_ids, expected)
