"""E-mail: building messages (nl/en, plain text + HTML) and handing them to an SMTP server.

No Flask here: the scheduler calls this with the app's config mapping, so it works the same in a
test, under cron or in the long-running `persona-toolkit scheduler` process.

Settings follow the Flask-Mail names (MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS, MAIL_USE_SSL,
MAIL_USERNAME, MAIL_PASSWORD, MAIL_DEFAULT_SENDER); links are built from PUBLIC_BASE_URL.

Sending is split around the moment the message is handed over, so the outbox can tell a failure
that certainly did not deliver (refused connection, 4xx/5xx on MAIL, RCPT or DATA: retry or
fail) from one where the server may have taken the message (connection lost while it was
accepting the data: never re-sent blindly).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formataddr, formatdate, parseaddr

from toolkit.mail.render import DEFAULT_BASE_URL, Rendered, language_for


@dataclass(frozen=True)
class MailSettings:
    """Where and how to send mail, read once from the app's config (Flask-Mail names).

    `port` is a TCP port; `timeout` is in seconds for each network step; `sender` is an address
    or "Name <address>"; `public_base_url` has no trailing slash; `timezone` is an IANA name
    ("Europe/Amsterdam") used to show dates in the reader's clock.
    """

    server: str = "localhost"
    port: int = 25
    use_tls: bool = False
    use_ssl: bool = False
    username: str | None = None
    password: str | None = None
    sender: str = "persona-toolkit@localhost"
    timeout: float = 30.0
    public_base_url: str = DEFAULT_BASE_URL
    timezone: str = "Europe/Amsterdam"

    @classmethod
    def from_config(cls, config: Mapping) -> MailSettings:
        """Settings from a config mapping (Flask's `app.config` or a plain dict).

        Missing or empty keys take the defaults above; MAIL_PORT defaults to 465 with
        MAIL_USE_SSL and 25 otherwise; MAIL_DEFAULT_SENDER may be a string or a
        (name, address) pair. Raises ValueError when MAIL_PORT or MAIL_TIMEOUT is not a number.
        """
        sender = config.get("MAIL_DEFAULT_SENDER") or cls.sender
        if isinstance(sender, tuple | list):  # Flask-Mail also accepts (name, address)
            sender = formataddr(tuple(sender))
        return cls(
            server=config.get("MAIL_SERVER") or cls.server,
            port=int(config.get("MAIL_PORT") or (465 if config.get("MAIL_USE_SSL") else 25)),
            use_tls=bool(config.get("MAIL_USE_TLS")),
            use_ssl=bool(config.get("MAIL_USE_SSL")),
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            sender=sender,
            timeout=float(config.get("MAIL_TIMEOUT") or cls.timeout),
            public_base_url=str(config.get("PUBLIC_BASE_URL") or cls.public_base_url).rstrip("/"),
            timezone=config.get("TIMEZONE") or cls.timezone,
        )

    @property
    def sender_address(self) -> str:
        """The bare address of `sender` ("hr@example.org" from "HR <hr@example.org>")."""
        return parseaddr(self.sender)[1] or self.sender


def build_message(settings: MailSettings, *, to: str, rendered: Rendered, message_id: str | None = None,
                  lang: str = "nl", now: dt.datetime | None = None) -> EmailMessage:
    """One e-mail to `to`: the rendered plain text with the HTML as an alternative part.

    `message_id` ("<id@domain>") defaults to one derived from the text, so the same text gets the
    same id; `lang` ("nl" or "en", anything else means "nl") sets Content-Language; `now` (aware
    datetime, default the current time) sets the Date header. Marked Auto-Submitted so that
    out-of-office replies stay away. Nothing is sent here.
    """
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["From"] = settings.sender
    msg["To"] = to
    msg["Subject"] = rendered.subject
    msg["Date"] = formatdate((now or dt.datetime.now(dt.UTC)).timestamp(), usegmt=True)
    # Automated mail: no out-of-office replies, and a stable id so a receiving system can
    # recognise the same outbox row should it ever arrive twice.
    msg["Auto-Submitted"] = "auto-generated"
    msg["Message-ID"] = message_id or f"<{hashlib.sha256(rendered.text.encode()).hexdigest()[:24]}@{_domain(settings)}>"
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    msg["Content-Language"] = language_for(lang)  # after the parts: set_content moves Content-* headers
    return msg


def outbox_message_id(settings: MailSettings, outbox_id: int, kind: str) -> str:
    """The Message-ID for outbox row `outbox_id` ("<outbox-12.reminder:1@domain>").

    Stable per row, so a receiving system can recognise a message that arrives twice; the
    domain is the sender's.
    """
    return f"<outbox-{outbox_id}.{kind}@{_domain(settings)}>"


def _domain(settings: MailSettings) -> str:
    return settings.sender_address.rpartition("@")[2] or "localhost"


class MailError(Exception):
    """Sending failed; `detail` is what the server or the network said."""

    def __init__(self, detail: str, code: int | None = None):
        """`detail`: the server's or network's words; `code`: the SMTP reply code, if any."""
        super().__init__(detail)
        self.detail = detail
        self.code = code


class TemporaryFailure(MailError):
    """Not delivered, worth trying again later (4xx, refused connection, timeout)."""


class ConnectFailure(TemporaryFailure):
    """The mail server could not be reached at all (refused, unknown host, timeout)."""


class PermanentFailure(MailError):
    """Not delivered and trying again will not help (5xx)."""


class UncertainDelivery(MailError):
    """The connection broke while the server was accepting the message: it may have arrived."""


def _reply_text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _failure(code: int, reply: bytes | str, step: str) -> MailError:
    detail = f"{code} {_reply_text(reply)} (at {step})".strip()
    return (PermanentFailure if 500 <= code < 600 else TemporaryFailure)(detail, code)


class SmtpSession:
    """One SMTP connection reused for a batch; opened on the first message."""

    def __init__(self, settings: MailSettings):
        """Remember `settings`; no connection is made until the first `send`."""
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSession:
        """The session itself; leaving the `with` block closes the connection."""
        return self

    def __exit__(self, *_exc) -> None:
        """Close the connection, also when the block raised (the exception is not swallowed)."""
        self.close()

    def close(self) -> None:
        """Say QUIT and drop the connection, if one is open; never raises for network errors."""
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        where = f"{s.server}:{s.port}"
        try:
            if s.use_ssl:
                smtp = smtplib.SMTP_SSL(s.server, s.port, timeout=s.timeout, context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(s.server, s.port, timeout=s.timeout)
            smtp.ehlo()
            if s.use_tls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise PermanentFailure(f"login to {where} as {s.username} refused: {exc.smtp_code} "
                                   f"{_reply_text(exc.smtp_error)}", exc.smtp_code) from exc
        except smtplib.SMTPResponseException as exc:
            failure = _failure(exc.smtp_code, exc.smtp_error, f"connecting to {where}")
            if isinstance(failure, TemporaryFailure):  # e.g. 421 busy: the whole batch waits
                failure = ConnectFailure(failure.detail, failure.code)
            raise failure from exc
        except (smtplib.SMTPException, OSError) as exc:  # refused, unknown host, timeout, TLS
            raise ConnectFailure(f"cannot connect to mail server {where}: {exc}") from exc
        return smtp

    def send(self, msg: EmailMessage, on_handed: Callable[[], None] | None = None) -> None:
        """Send one message; `on_handed` runs just before the data goes to the server.

        Connects on first use. The envelope sender is the settings' address, the recipient the
        address in the message's To header. Raises ConnectFailure when the server cannot be
        reached or turns the connection away with a 4xx, PermanentFailure for a refused login
        or any 5xx, TemporaryFailure for another 4xx or a connection lost before the data was
        handed over, and UncertainDelivery when the connection broke while the server was
        accepting the data (the message may have arrived: do not send it again blindly).
        """
        if self.smtp is None:
            self.smtp = self._connect()
        smtp = self.smtp
        sender = self.settings.sender_address
        recipient = parseaddr(str(msg["To"]))[1]
        try:
            code, reply = smtp.mail(sender)
            if code != 250:
                self._reset()
                raise _failure(code, reply, "MAIL FROM")
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                self._reset()
                raise _failure(code, reply, f"RCPT TO {recipient}")
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.smtp = None
            raise TemporaryFailure(f"connection to mail server lost before sending: {exc}") from exc
        if on_handed is not None:
            on_handed()
        try:
            code, reply = smtp.data(msg.as_bytes())
        except smtplib.SMTPDataError as exc:  # DATA itself refused: the message was not sent
            self._reset()
            raise _failure(exc.smtp_code, exc.smtp_error, "DATA") from exc
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.smtp = None
            raise UncertainDelivery(f"connection to mail server lost while it was accepting the message: {exc}") from exc
        if code != 250:  # a definite answer: the server did not take it
            self._reset()
            raise _failure(code, reply, "end of DATA")

    def _reset(self) -> None:
        try:
            self.smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()
            self.smtp = None


def send_one(settings: MailSettings, msg: EmailMessage) -> None:
    """Send a single message on its own connection (for an admin test mail)."""
    with SmtpSession(settings) as session:
        session.send(msg)
