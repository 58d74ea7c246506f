"""One database connection per request (flaskr's get_db), reused per worker thread."""

from __future__ import annotations

import sqlite3

import sqlite_utils
from flask import current_app, g

from toolkit.data.db import drop_thread_connection, thread_connection


def get_db() -> sqlite_utils.Database:
    """This request's connection to the instance database (opened once per thread, WAL mode)."""
    if "db" not in g:
        g.db = thread_connection(current_app.config["DATABASE"])
    return g.db


def close_db(exc=None) -> None:
    """End of request: the connection goes back clean, or is closed after a database error."""
    db = g.pop("db", None)
    if db is None:
        return
    if isinstance(exc, sqlite3.Error):
        drop_thread_connection()
        return
    try:
        if db.conn.in_transaction:  # a view that forgot to finish must not hold the write lock
            db.conn.execute("ROLLBACK")
    except sqlite3.Error:
        drop_thread_connection()


def init_app(app) -> None:
    """Close (or roll back) the request's connection when the app context ends."""
    app.teardown_appcontext(close_db)
