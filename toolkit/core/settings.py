"""Checking the settings an instance starts with, so a bad value stops start-up with its name.

A typo in ``instance/config.py`` or a ``PERSONA_TOOLKIT_*`` variable used to be accepted and
fail later, as a 500 on the first page that used it. :func:`problems` looks at every setting
the toolkit reads and returns one sentence per bad value, naming the setting, the value it got
and what is allowed; :func:`check` raises them together as a :class:`SettingsError`.

Pure: takes a mapping (Flask's config is one), returns data; no Flask, no files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, MutableMapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MIN_SECRET_KEY = 32
MEGABYTE = 1024 * 1024
LANGUAGES = ("nl", "en")


class SettingsError(ValueError):
    """One or more settings have values the toolkit cannot run with; ``problems`` lists them."""

    def __init__(self, problems: list[str], source: str = ""):
        """``problems``: one sentence per setting (name, value, what is allowed); ``source``: the config file."""
        self.problems = problems
        where = f" (in {source} or as PERSONA_TOOLKIT_<NAME> environment variables)" if source else ""
        super().__init__("the settings cannot be used" + where + ":\n" + "\n".join(f"  - {p}" for p in problems))


def _number(value, *, integer: bool) -> float | int | None:
    """``value`` as a number (int when ``integer``), or None when it is not one (bools are not)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip()) if not integer else int(value.strip())
        except ValueError:
            return None
    if isinstance(value, int) or (isinstance(value, float) and not integer):
        return value
    if isinstance(value, float) and integer and value.is_integer():
        return int(value)
    return None


def _in_range(name: str, low: float, high: float | None, *, integer: bool, unit: str = "") -> Callable:
    """A rule: the setting is a number from ``low`` to ``high`` (no upper bound when None)."""
    kind = "a whole number" if integer else "a number"
    allowed = f"{kind} from {low} to {high}{unit}" if high is not None else f"{kind} of at least {low}{unit}"

    def rule(config: MutableMapping) -> str | None:
        value = config.get(name)
        number = _number(value, integer=integer)
        if number is None or number < low or (high is not None and number > high):
            return f"{name} = {value!r} is not allowed: use {allowed}"
        config[name] = number  # "587" from a file becomes 587 for the code that uses it
        return None

    return rule


def _positive_minutes(name: str, high: float) -> Callable:
    """A rule: minutes above zero and at most ``high``."""

    def rule(config: MutableMapping) -> str | None:
        value = config.get(name)
        number = _number(value, integer=False)
        if number is None or not 0 < number <= high:
            return f"{name} = {value!r} is not allowed: use a number of minutes above 0 and at most {high:g}"
        return None

    return rule


def _secret_key(config: Mapping) -> str | None:
    value = config.get("SECRET_KEY")
    if config.get("TESTING") or config.get("DEBUG"):
        return None
    if not isinstance(value, str | bytes) or len(value) < MIN_SECRET_KEY:
        length = len(value) if isinstance(value, str | bytes) else 0
        return (f"SECRET_KEY has {length} characters: use a random text of at least {MIN_SECRET_KEY} characters "
                "(python3 -c 'import secrets; print(secrets.token_hex(32))' makes one)")
    return None


def _timezone(config: Mapping) -> str | None:
    value = config.get("TIMEZONE")
    try:
        if not isinstance(value, str) or not value:
            raise ZoneInfoNotFoundError(value)
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"TIMEZONE = {value!r} is not a known time zone: use an IANA name such as 'Europe/Amsterdam'"
    return None


def _public_base_url(config: Mapping) -> str | None:
    value = config.get("PUBLIC_BASE_URL")
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        return (f"PUBLIC_BASE_URL = {value!r} is not allowed: use the address people reach the toolkit at, "
                "starting with https:// or http://, such as 'https://personas.example.org'")
    return None


def _session_lifetime(config: Mapping) -> str | None:
    value = config.get("PERMANENT_SESSION_LIFETIME")
    seconds = value.total_seconds() if isinstance(value, dt.timedelta) else _number(value, integer=False)
    if seconds is None or not 60 <= seconds <= 7 * 24 * 3600:
        return (f"PERMANENT_SESSION_LIFETIME = {value!r} is not allowed: use a number of seconds "
                "from 60 to 604800 (one week)")
    return None


def _mail_flags(config: Mapping) -> str | None:
    bad = [name for name in ("MAIL_USE_TLS", "MAIL_USE_SSL") if not isinstance(config.get(name, False), bool | None)]
    if bad:
        return f"{bad[0]} = {config.get(bad[0])!r} is not allowed: use True or False"
    if config.get("MAIL_USE_TLS") and config.get("MAIL_USE_SSL"):
        return "MAIL_USE_TLS and MAIL_USE_SSL are both True: use one of them (TLS for port 587, SSL for port 465)"
    return None


def _languages(config: Mapping) -> str | None:
    value = config.get("BABEL_DEFAULT_LOCALE")
    if value not in LANGUAGES:
        return f"BABEL_DEFAULT_LOCALE = {value!r} is not allowed: use one of {', '.join(LANGUAGES)}"
    return None


def _optional(name: str, rule: Callable) -> Callable:
    """``rule`` only when the setting is present and not None (settings with a built-in default)."""

    def check(config: MutableMapping) -> str | None:
        return rule(config) if config.get(name) is not None else None

    return check


RULES: tuple[Callable, ...] = (
    _secret_key,
    _timezone,
    _public_base_url,
    _session_lifetime,
    _languages,
    _optional("MAX_CONTENT_LENGTH", _in_range("MAX_CONTENT_LENGTH", MEGABYTE, 200 * MEGABYTE, integer=True,
                                               unit=" bytes (1 MB to 200 MB)")),
    _in_range("MAX_UPLOAD_MB", 1, 190, integer=True, unit=" MB (1 to 190; the command line has no limit)"),
    _optional("SESSION_IDLE_MINUTES", _positive_minutes("SESSION_IDLE_MINUTES", 8 * 60)),
    _optional("MAIL_PORT", _in_range("MAIL_PORT", 1, 65535, integer=True)),
    _optional("MAIL_TIMEOUT", _in_range("MAIL_TIMEOUT", 1, 600, integer=False, unit=" seconds")),
    _mail_flags,
    _in_range("TRUSTED_PROXIES", 0, 5, integer=True, unit=" (the number of reverse proxies in front of the app)"),
    _optional("MIN_FREE_MB", _in_range("MIN_FREE_MB", 0, None, integer=True, unit=" MB")),
    _in_range("TOKEN_GUESS_LIMIT", 1, 10_000, integer=True, unit=" wrong links per address"),
    _in_range("TOKEN_GUESS_WINDOW", 10, 24 * 3600, integer=False, unit=" seconds"),
    _in_range("JOB_TIMEOUT_MINUTES", 1, 24 * 60, integer=False, unit=" minutes"),
    _in_range("JOB_WORKERS", 1, 8, integer=True, unit=" background jobs at a time"),
)


def problems(config: MutableMapping) -> list[str]:
    """One sentence per setting in ``config`` that the toolkit cannot run with (empty: all good).

    Numbers given as text ("587") are converted in place, so later code sees the number.
    """
    return [found for rule in RULES if (found := rule(config))]


def check(config: MutableMapping, source: str = "") -> None:
    """Raise SettingsError listing every bad setting; ``source`` names the config file for the message."""
    found = problems(config)
    if found:
        raise SettingsError(found, source)
