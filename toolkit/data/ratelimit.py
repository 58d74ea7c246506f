"""Fixed-window counters in SQLite, shared by every worker process (login failures, wrong links).

A counter is a row (key, window_start, count): the first event after a window ran out starts a
new window. Reading a counter (:func:`peek`) costs one primary-key lookup and writes nothing, so
refusing an address that is over its limit is as cheap as a page can be.

Login failures are counted three ways (:func:`login_refusal`, :func:`record_login_failure`),
so that guessing is limited without letting anyone lock a colleague out:
- per account and address: LOGIN_PAIR_LIMIT failures, then that address may not try that account;
- per address: LOGIN_ADDRESS_LIMIT failures over all accounts (password spraying), then that
  address may not try any account;
- per account over all addresses: past LOGIN_ACCOUNT_LIMIT, addresses that already failed on the
  account may not try it again; an address with no failure still may, so the owner logs in from
  their own address while the account is under attack.
Only failures count; a correct password never adds to a counter, and it clears its own
(account, address) counter.
"""

from __future__ import annotations

import random
import time

import sqlite_utils

from toolkit.data.db import transaction

LOGIN_WINDOW = 15 * 60  # seconds
LOGIN_PAIR_LIMIT = 10
LOGIN_ADDRESS_LIMIT = 50
LOGIN_ACCOUNT_LIMIT = 30
PRUNE_AFTER = 24 * 3600  # counters idle this long are deleted now and then


def hit(db: sqlite_utils.Database, key: str, limit: int, window_seconds: float, now: float | None = None) -> bool:
    """Count one event for ``key``; False once more than ``limit`` events fall in the window."""
    with transaction(db):
        return _count(db, key, window_seconds, time.time() if now is None else now) <= limit


def _count(db: sqlite_utils.Database, key: str, window_seconds: float, now: float) -> int:
    """Add one event to ``key`` inside the caller's transaction; the count in the window after it."""
    row = db.execute("SELECT window_start, count FROM rate_limits WHERE key = ?", [key]).fetchone()
    if row is None or now - row[0] >= window_seconds:
        db.execute("INSERT OR REPLACE INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)", [key, now])
        if random.random() < 1 / 256:  # noqa: S311 - housekeeping, not security
            db.execute("DELETE FROM rate_limits WHERE window_start < ?", [now - PRUNE_AFTER])
        return 1
    db.execute("UPDATE rate_limits SET count = count + 1 WHERE key = ?", [key])
    return row[1] + 1


def peek(db: sqlite_utils.Database, key: str, window_seconds: float, now: float | None = None) -> tuple[int, float]:
    """(events counted for ``key`` in its current window, seconds until that window ends); (0, 0) if none."""
    now = time.time() if now is None else now
    row = db.execute("SELECT window_start, count FROM rate_limits WHERE key = ?", [key]).fetchone()
    if row is None or now - row[0] >= window_seconds:
        return 0, 0.0
    return row[1], row[0] + window_seconds - now


def reset(db: sqlite_utils.Database, key: str) -> None:
    """Forget the counter ``key``."""
    db.execute("DELETE FROM rate_limits WHERE key = ?", [key])


def _login_keys(email: str, address: str) -> dict[str, str]:
    email = email.strip().lower()
    return {"pair": f"login-fail:{address}:{email}", "address": f"login-fail:{address}",
            "account": f"login-fail-account:{email}"}


def login_refusal(db: sqlite_utils.Database, email: str, address: str, now: float | None = None) -> float | None:
    """Seconds to wait when ``address`` may not try to log in to ``email`` now, else None.

    ``email`` as typed (compared lower-case), ``address`` the client's address (str). See the
    module docstring for the three limits.
    """
    keys = _login_keys(email, address)
    pair, pair_left = peek(db, keys["pair"], LOGIN_WINDOW, now)
    if pair >= LOGIN_PAIR_LIMIT:
        return pair_left
    spread, spread_left = peek(db, keys["address"], LOGIN_WINDOW, now)
    if spread >= LOGIN_ADDRESS_LIMIT:
        return spread_left
    account, account_left = peek(db, keys["account"], LOGIN_WINDOW, now)
    if account >= LOGIN_ACCOUNT_LIMIT and pair > 0:
        return min(account_left, pair_left)
    return None


def record_login_failure(db: sqlite_utils.Database, email: str, address: str, now: float | None = None) -> None:
    """Count one wrong password for ``email`` from ``address`` on all three counters."""
    now = time.time() if now is None else now
    with transaction(db):
        for key in _login_keys(email, address).values():
            _count(db, key, LOGIN_WINDOW, now)


def record_login_success(db: sqlite_utils.Database, email: str, address: str) -> None:
    """A correct password from ``address``: its own (account, address) counter starts again."""
    reset(db, _login_keys(email, address)["pair"])
