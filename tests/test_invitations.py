"""HR's mail page: the invitation and reminder texts per round and language, the preview, a test
message to oneself delivered by the scheduler to a real SMTP server (aiosmtpd), "send now"
(still exactly once per participant), and one person's link in identified rounds."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from conftest import login, make_users
from test_mail import SmtpSink, settings_for
from test_outbox import make_round, people

from toolkit.data import mail_texts
from toolkit.data.db import iso, utcnow
from toolkit.data.rounds import save_change_facts
from toolkit.jobs.scheduler import dispatch
from toolkit.mail import render

SECRET = "test-secret"  # conftest's app


@pytest.fixture
def hr(client, database):
    users = make_users(database)
    login(client, users["hr"][1])
    return users


def draft_round(db, q, **kwargs) -> int:
    """A round that opens next month: a scheduler pass sends nothing for it but HR's tests."""
    later = utcnow() + dt.timedelta(days=30)
    return make_round(db, q, opens_at=later, closes_at=later + dt.timedelta(days=14), **kwargs)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_the_preview_shows_each_language_as_participants_get_it(client, database, default_q, hr):
    round_id = draft_round(database, default_q, language="participant")
    save_change_facts(database, round_id, {"what": "We plan with one system.", "why": "Customers wait less."})
    overview = page(client, f"/rounds/{round_id}/mail")
    assert f"/rounds/{round_id}/mail/invitation/nl" in overview and f"/rounds/{round_id}/mail/reminder/en" in overview
    english = page(client, f"/rounds/{round_id}/mail/invitation/en")
    preview = english[english.index('id="preview"'):]
    assert render.anonymity_sentence("en", True, 5) in preview
    assert "We plan with one system." in preview and "about 15 minutes" in preview
    assert f'href="http://127.0.0.1:5000/rounds/{round_id}/questionnaire/en"' in preview
    dutch = page(client, f"/rounds/{round_id}/mail/invitation/nl")
    assert render.anonymity_sentence("nl", True, 5) in dutch[dutch.index('id="preview"'):]
    assert "{sluitdatum}" in dutch  # the Dutch text names its placeholders in Dutch


def test_a_text_without_its_required_parts_is_refused_with_a_clear_message(client, database, default_q, hr):
    round_id = draft_round(database, default_q)
    url = f"/rounds/{round_id}/mail/invitation/nl"
    response = client.post(url, data={"subject": "Doe mee", "body": "Beste {naam}, vul hem in voor {sluitdatum}.",
                                      "save": "1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Niet opgeslagen" in html or "Not saved" in html
    assert "{link}, {anonimiteit}" in html  # what is missing, in the text's own names
    assert mail_texts.stored_text(database, round_id, "invitation", "nl") is None

    own = "Hoi {naam},\n\n{anonimiteit}\n\nJe link: {link}\n\nTot {sluitdatum}."
    preview = client.post(url, data={"subject": "Doe mee: {titel}", "body": own, "preview": "1"})
    assert preview.status_code == 200 and "Hoi Hr," in preview.get_data(as_text=True)
    assert mail_texts.stored_text(database, round_id, "invitation", "nl") is None  # a preview stores nothing
    assert client.post(url, data={"subject": "Doe mee: {titel}", "body": own, "save": "1"}).status_code == 302
    assert mail_texts.stored_text(database, round_id, "invitation", "nl") == ("Doe mee: {titel}", own)
    assert "Doe mee: Nieuwe werkwijze &lt;IT&gt;" in page(client, url)
    client.post(f"{url}/reset")
    assert mail_texts.stored_text(database, round_id, "invitation", "nl") is None


def test_a_test_message_is_queued_and_the_scheduler_delivers_it_to_a_real_smtp_server(
        client, cli, database, default_q, hr, monkeypatch):
    round_id = draft_round(database, default_q, participants=people(3))
    mail_texts.save_text(database, round_id, "invitation", "nl", "Doe mee: {titel}",
                         "Hoi {naam},\n\n{anonimiteit}\n\n{link}\n\nTot {sluitdatum}.")
    response = client.post(f"/rounds/{round_id}/mail/invitation/nl/test", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "queued for hr@test.example" in html
    tests = html[html.index('id="tests"'):]
    assert "queued: the scheduler sends it" in tests
    assert database.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0] == 1

    with SmtpSink() as sink:
        for name, value in (("MAIL_SERVER", "127.0.0.1"), ("MAIL_PORT", str(sink.port)),
                            ("PUBLIC_BASE_URL", "https://toolkit.example.org")):
            monkeypatch.setenv(f"PERSONA_TOOLKIT_{name}", value)
        result = cli("scheduler", "--once")  # the scheduler process, one pass
    assert "mail 1 sent" in result.output
    [(recipients, message)] = sink.messages
    assert recipients == ["hr@test.example"] and message["Subject"] == "Doe mee: Nieuwe werkwijze <IT>"
    text = message.get_body(("plain",)).get_content()
    assert text.startswith("Testbericht: zo zien deelnemers deze tekst.")
    assert "Hoi Hr," in text and render.anonymity_sentence("nl", True, 5) in text
    assert f"https://toolkit.example.org/rounds/{round_id}/questionnaire/nl" in text
    assert "sent at" in page(client, f"/rounds/{round_id}/mail")
    # a test is nobody's invitation: participants are untouched and the round's counts leave it out
    assert database.execute("SELECT count(*) FROM participants WHERE invited_at IS NOT NULL").fetchone()[0] == 0
    assert 'id="mail-counts">No messages yet.' in page(client, f"/rounds/{round_id}")


def test_send_now_queues_each_invitation_once_and_the_scheduler_sends_each_once(client, database, default_q, hr):
    round_id = make_round(database, default_q, participants=people(3), opens_at=utcnow() - dt.timedelta(hours=1),
                          closes_at=utcnow() + dt.timedelta(days=9))
    database.execute("UPDATE rounds SET status = 'open' WHERE id = ?", [round_id])
    for _ in range(2):
        assert client.post(f"/rounds/{round_id}/mail/send-now").status_code == 302
    kinds = database.execute("SELECT participant_id, kind FROM outbox ORDER BY participant_id").fetchall()
    assert [k for _p, k in kinds] == ["invitation"] * 3 and len({p for p, _k in kinds}) == 3
    with SmtpSink() as sink:
        config = settings_for(sink, SECRET_KEY=SECRET)
        dispatch(database, config, utcnow())
        client.post(f"/rounds/{round_id}/mail/send-now")
        dispatch(database, config, utcnow() + dt.timedelta(minutes=1))
    assert sink.recipients() == [e for e, _ in people(3)]
    html = client.post(f"/rounds/{round_id}/mail/send-now", follow_redirects=True).get_data(as_text=True)
    assert "every participant already has their invitation" in html
    assert "3 sent" in page(client, f"/rounds/{round_id}/mail")


def test_a_round_opened_by_hand_shows_when_it_opened_and_its_invitations_go_out(
        client, database, default_q, hr):
    round_id = make_round(database, default_q, participants=people(2), opens_at=None, closes_at=None)
    confirm = page(client, f"/rounds/{round_id}/open")
    assert "2 participants" in confirm and f'action="/rounds/{round_id}/open"' in confirm
    before = utcnow()
    assert client.post(f"/rounds/{round_id}/open").status_code == 302
    opened = dt.datetime.fromisoformat(database.execute("SELECT opens_at FROM rounds WHERE id = ?",
                                                        [round_id]).fetchone()[0])
    assert before <= opened <= utcnow()
    facts = page(client, f"/rounds/{round_id}?lang=nl")  # 24-hour clock
    opens = re.search(r"<dt>Opent</dt><dd>([^<]*)</dd>", facts).group(1)
    assert opened.astimezone(ZoneInfo("Europe/Amsterdam")).strftime("%H:%M") in opens, opens
    with SmtpSink() as sink:
        dispatch(database, settings_for(sink, SECRET_KEY=SECRET), utcnow())
    assert sink.recipients() == [e for e, _ in people(2)]


def test_a_round_left_open_without_an_opening_time_still_sends_its_invitations(database, default_q):
    # Rounds opened by hand before the fix had no opens_at; their invitations were never queued.
    round_id = make_round(database, default_q, participants=people(2), opens_at=None, closes_at=None)
    database.execute("UPDATE rounds SET status = 'open' WHERE id = ?", [round_id])
    with SmtpSink() as sink:
        report = dispatch(database, settings_for(sink, SECRET_KEY=SECRET), utcnow())
    assert report.queued["invitation"] == 2 and len(sink.messages) == 2


def test_participants_get_the_welcome_facts_in_their_invitation(database, default_q):
    round_id = make_round(database, default_q, participants=people(1, "en"), opens_at=utcnow() - dt.timedelta(minutes=5),
                          closes_at=utcnow() + dt.timedelta(days=9), language="participant")
    database.execute("UPDATE rounds SET privacy_contact = 'Mira, privacy@example.org' WHERE id = ?", [round_id])
    save_change_facts(database, round_id, {"what": "We plan with one system.", "why": "Customers wait less."})
    with SmtpSink() as sink:
        dispatch(database, settings_for(sink, SECRET_KEY=SECRET), utcnow())
    [(_to, message)] = sink.messages
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    for expected in ("We plan with one system.\nCustomers wait less.", render.anonymity_sentence("en", True, 5),
                     "It takes about 15 minutes.", "Contact Mira, privacy@example.org.", "/s/"):
        assert expected in text, expected


def test_hr_can_copy_or_resend_one_persons_link_in_an_identified_round_only(client, database, default_q, hr):
    from toolkit.services.participants import import_participants

    round_id = make_round(database, default_q, opens_at=utcnow() - dt.timedelta(hours=1),
                          closes_at=utcnow() + dt.timedelta(days=9))
    database.execute("UPDATE rounds SET status = 'open', mode = 'identified' WHERE id = ?", [round_id])
    import_participants(database, round_id, [{"row": 2, "email": "anne@example.org", "name": "Anne", "team": "IT",
                                              "language": "nl", "attributes": {}}], SECRET)
    pid = database.execute("SELECT id FROM participants").fetchone()[0]
    listing = page(client, f"/admin/rounds/{round_id}/participants?q=anne")
    assert f"/rounds/{round_id}/participants/{pid}/link" in listing
    shown = client.post(f"/rounds/{round_id}/participants/{pid}/link").get_data(as_text=True)
    link = re.search(r'id="personal-link" readonly value="([^"]+)"', shown).group(1)
    assert client.get(link.replace("http://127.0.0.1:5000", "")).status_code == 303  # it is Anne's working link
    assert client.post(f"/rounds/{round_id}/participants/{pid}/resend").status_code == 302
    assert database.execute("SELECT kind FROM outbox WHERE participant_id = ?", [pid]).fetchone()[0].startswith("resend:")
    actions = {a for (a,) in database.execute("SELECT action FROM audit")}
    assert {"view link", "resend"} <= actions
    with SmtpSink() as sink:
        dispatch(database, settings_for(sink, SECRET_KEY=SECRET), utcnow() + dt.timedelta(seconds=1))
    assert sorted(m["To"] for _r, m in sink.messages) == ["anne@example.org", "anne@example.org"]  # invite + resend

    database.execute("UPDATE rounds SET mode = 'anonymous' WHERE id = ?", [round_id])
    assert client.post(f"/rounds/{round_id}/participants/{pid}/link").status_code == 404
    assert client.post(f"/rounds/{round_id}/participants/{pid}/resend").status_code == 404
    assert "/link" not in page(client, f"/admin/rounds/{round_id}/participants?q=anne")


def test_mail_counts_use_the_right_number_in_dutch(client, database, default_q, hr):
    round_id = make_round(database, default_q, participants=people(4))
    ids = [p for (p,) in database.execute("SELECT id FROM participants ORDER BY id")]
    now = iso(utcnow())
    for pid, status, attempts in zip(ids, ("sent", "pending", "pending", "failed"), (1, 0, 1, 8), strict=True):
        database.execute("INSERT INTO outbox (round_id, participant_id, recipient, kind, due_at, status, attempts) "
                         "VALUES (?, ?, 'x@example.org', 'invitation', ?, ?, ?)", [round_id, pid, now, status, attempts])
    html = page(client, f"/rounds/{round_id}?lang=nl")
    counts = re.search(r'id="mail-counts">([^<]*)<', html).group(1).strip()
    assert counts == "1 verstuurd, 1 wacht, 1 wordt opnieuw geprobeerd, 1 mislukt"
