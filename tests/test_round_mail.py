"""HR sees undelivered e-mail on the round page and can send it again."""

from conftest import login, make_users
from test_mail import SmtpSink, settings_for
from test_outbox import T0, make_round, queue_invitations

from toolkit.mail import outbox


def test_round_page_shows_a_refused_invitation_and_retry_queues_it_again(client, database, default_q):
    users = make_users(database)
    round_id = make_round(database, default_q, participants=[("gone@example.org", "en"), ("ok@example.org", "en")])
    queue_invitations(database, round_id)
    with SmtpSink(reject_rcpt=["gone@example.org"]) as sink:
        assert outbox.deliver_due(database, settings_for(sink), T0, "test") == {"failed": 1, "sent": 1}
    [failure] = outbox.failures_for_round(database, round_id)

    login(client, users["hr"][1])
    page = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert "1 sent, 1 failed" in page  # parts that are 0 are left out
    assert "gone@example.org" in page and "check the address" in page and "550" in page

    response = client.post(f"/rounds/{round_id}/mail/{failure['id']}/retry")
    assert response.status_code == 302
    assert outbox.failures_for_round(database, round_id) == []
    assert outbox.status_counts(database, round_id)["pending"] == 1


def test_retry_of_another_rounds_message_is_not_found(client, database, default_q):
    users = make_users(database)
    first = make_round(database, default_q, participants=[("a@example.org", "en")])
    second = make_round(database, default_q, participants=[("b@example.org", "en")])
    queue_invitations(database, first)
    message_id = database.execute("SELECT id FROM outbox WHERE round_id = ?", [first]).fetchone()[0]
    login(client, users["hr"][1])
    assert client.post(f"/rounds/{second}/mail/{message_id}/retry").status_code == 404
