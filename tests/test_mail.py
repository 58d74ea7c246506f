"""Building e-mails (nl/en, plain text + HTML) and sending them to a real SMTP server (aiosmtpd).

SmtpSink is also used by test_outbox.py and test_scheduler.py.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
import time

import pytest

from toolkit.mail import render, smtp


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    """A real SMTP server on localhost that records what it accepts.

    data_replies: replies for successive DATA commands ("451 ..." / "550 ..."); after the list
    runs out every message is accepted. reject_rcpt: addresses answered with 550 at RCPT.
    stall_at: the n-th accepted message (1-based) is recorded, then its 250 reply waits until
    `release` is set — so a test can kill the client while the server is taking the message.
    """

    def __init__(self, data_replies=(), reject_rcpt=(), stall_at=None, auth=None):
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.data_replies = list(data_replies)
        self.reject_rcpt = {a.lower() for a in reject_rcpt}
        self.data_attempts = 0
        self.rcpt_attempts = 0
        self.stall_at = stall_at
        self.stalled = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.port = free_port()
        kwargs = {}
        if auth:
            kwargs.update(authenticator=auth, auth_require_tls=False)
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **kwargs)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpt_attempts += 1
        if address.lower() in self.reject_rcpt:
            return f"550 5.1.1 <{address}>: recipient address rejected: no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_attempts += 1
            if self.data_replies:
                return self.data_replies.pop(0)
            msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append((list(envelope.rcpt_tos), msg))
            count = len(self.messages)
        if self.stall_at is not None and count == self.stall_at:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        return sorted(r for rcpts, _ in self.messages for r in rcpts)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.controller.stop()


def settings_for(sink: SmtpSink | None = None, **extra) -> dict:
    config = {
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": sink.port if sink else free_port(), "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False, "MAIL_USERNAME": None, "MAIL_PASSWORD": None,
        "MAIL_DEFAULT_SENDER": ("HR Persona Toolkit", "hr@example.org"), "MAIL_TIMEOUT": 5,
        "PUBLIC_BASE_URL": "https://toolkit.example.org/", "TIMEZONE": "Europe/Amsterdam", "SECRET_KEY": "s3cret",
    }
    config.update(extra)
    return config


CONTEXT = {"name": "Anne <de Vries>", "round_title": "Reorganisatie <Finance> & IT",
           "link": "https://toolkit.example.org/s/abc?x=1&y=2", "closes_at": "30 maart 2026, 09:00 CEST",
           "round_url": "https://toolkit.example.org/rounds/1", "responses": 42, "review_due": "1 april 2027"}


@pytest.mark.parametrize("kind", render.KINDS)
@pytest.mark.parametrize("lang", render.LANGUAGES)
def test_every_kind_renders_subject_text_and_html_in_both_languages(kind, lang):
    rendered = render.render(kind, lang, CONTEXT)
    assert "Reorganisatie <Finance> & IT" in rendered.subject
    assert "Reorganisatie <Finance> & IT" in rendered.text
    assert "Reorganisatie &lt;Finance&gt; &amp; IT" in rendered.html  # escaped in HTML, plain in text
    assert f'<html lang="{lang}">' in rendered.html
    assert "{{" not in rendered.text and "{%" not in rendered.html


def test_dutch_and_english_messages_differ_and_carry_the_personal_link():
    nl = render.render("invitation", "nl", CONTEXT)
    en = render.render("invitation", "en", CONTEXT)
    assert nl.subject.startswith("Uitnodiging") and en.subject.startswith("Invitation")
    assert "Beste Anne <de Vries>" in nl.text and "Dear Anne <de Vries>" in en.text
    assert CONTEXT["link"] in nl.text
    assert 'href="https://toolkit.example.org/s/abc?x=1&amp;y=2"' in nl.html


def test_unknown_language_falls_back_to_dutch_and_unknown_kind_is_refused():
    assert render.render("reminder", "de", CONTEXT).subject.startswith("Herinnering")
    with pytest.raises(ValueError, match="unknown message kind 'birthday'"):
        render.render("birthday", "nl", CONTEXT)


def test_message_has_plain_and_html_alternatives_and_stable_outbox_message_id():
    settings = smtp.MailSettings.from_config(settings_for())
    rendered = render.render("invitation", "en", CONTEXT)
    msg = smtp.build_message(settings, to="anne@example.org", rendered=rendered, lang="en",
                             message_id=smtp.outbox_message_id(settings, 17, "invitation"))
    assert msg["From"] == "HR Persona Toolkit <hr@example.org>"
    assert msg["Message-ID"] == "<outbox-17.invitation@example.org>"
    assert msg["Content-Language"] == "en"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]


def test_local_times_are_shown_in_amsterdam_time_in_the_readers_language():
    # 07:00 UTC on 30 March 2026 is 09:00 summer time; on 27 March it was 08:00 winter time + 1 h.
    assert render.local_datetime("2026-03-30T07:00:00+00:00", "nl", "Europe/Amsterdam") == "30 maart 2026, 09:00 CEST"
    assert render.local_datetime("2026-03-27T08:00:00+00:00", "en", "Europe/Amsterdam") == "27 March 2026, 09:00 CET"


def test_settings_follow_flask_mail_names_and_strip_the_base_url():
    settings = smtp.MailSettings.from_config(settings_for(MAIL_PORT=2525, MAIL_USE_TLS=True, MAIL_USERNAME="u"))
    assert (settings.port, settings.use_tls, settings.username) == (2525, True, "u")
    assert settings.sender_address == "hr@example.org"
    assert settings.public_base_url == "https://toolkit.example.org"


def test_personal_link_is_built_from_the_public_base_url_and_is_stable():
    participant = {"id": 5, "round_id": 2, "email": "anne@example.org", "token_salt": "x", "token_hash": None}
    config = settings_for()
    first = render.participant_link(config, participant)
    assert first.startswith("https://toolkit.example.org/")
    assert first == render.participant_link(config, participant)  # rebuilt for a reminder, never stored
    assert first != render.participant_link(dict(config, SECRET_KEY="other"), participant)


def test_message_reaches_a_real_smtp_server_with_both_parts():
    with SmtpSink() as sink:
        settings = smtp.MailSettings.from_config(settings_for(sink))
        msg = smtp.build_message(settings, to="anne@example.org", rendered=render.render("invitation", "nl", CONTEXT))
        smtp.send_one(settings, msg)
    [(rcpts, received)] = sink.messages
    assert rcpts == ["anne@example.org"]
    assert received["Subject"] == "Uitnodiging: Reorganisatie <Finance> & IT"
    assert CONTEXT["link"] in received.get_body(("plain",)).get_content()
    assert "Reorganisatie &lt;Finance&gt;" in received.get_body(("html",)).get_content()


def test_login_uses_the_configured_user_and_password():
    from aiosmtpd.smtp import AuthResult

    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"pw", handled=False)

    with SmtpSink(auth=authenticator) as sink:
        good = smtp.MailSettings.from_config(settings_for(sink, MAIL_USERNAME="mailer", MAIL_PASSWORD="pw"))
        smtp.send_one(good, smtp.build_message(good, to="a@example.org", rendered=render.render("reminder", "en", CONTEXT)))
        bad = smtp.MailSettings.from_config(settings_for(sink, MAIL_USERNAME="mailer", MAIL_PASSWORD="wrong"))
        with pytest.raises(smtp.PermanentFailure, match="login to 127.0.0.1:.* as mailer refused: 535"):
            smtp.send_one(bad, smtp.build_message(bad, to="a@example.org", rendered=render.render("reminder", "en", CONTEXT)))
    assert seen[0] == (b"mailer", b"pw")
    assert len(sink.messages) == 1


def test_failures_are_classified_temporary_permanent_or_unreachable():
    rendered = render.render("reminder", "en", CONTEXT)
    with SmtpSink(data_replies=["451 4.3.0 try again later"], reject_rcpt=["gone@example.org"]) as sink:
        settings = smtp.MailSettings.from_config(settings_for(sink))
        with smtp.SmtpSession(settings) as session:
            with pytest.raises(smtp.TemporaryFailure, match="451 4.3.0 try again later"):
                session.send(smtp.build_message(settings, to="a@example.org", rendered=rendered))
            with pytest.raises(smtp.PermanentFailure, match="550 5.1.1"):
                session.send(smtp.build_message(settings, to="gone@example.org", rendered=rendered))
            session.send(smtp.build_message(settings, to="a@example.org", rendered=rendered))  # same connection
    assert sink.recipients() == ["a@example.org"]
    nobody = smtp.MailSettings.from_config(settings_for(None, MAIL_TIMEOUT=2))
    started = time.monotonic()
    with pytest.raises(smtp.ConnectFailure, match="cannot connect to mail server 127.0.0.1"):
        smtp.send_one(nobody, smtp.build_message(nobody, to="a@example.org", rendered=rendered))
    assert time.monotonic() - started < 2
