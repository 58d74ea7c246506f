"""Persona Toolkit: questionnaire rounds, internal personas and Word briefs."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def instance_path() -> Path:
    return Path(os.environ.get("PERSONA_TOOLKIT_INSTANCE") or ROOT / "instance").resolve()


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(instance_path()),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "toolkit" / "static"),
    )
    app.config.from_mapping(
        SECRET_KEY=None,
        DATABASE=str(Path(app.instance_path) / "toolkit.db"),
        PUBLIC_BASE_URL="http://127.0.0.1:5000",
        TIMEZONE="Europe/Amsterdam",
        MAX_CONTENT_LENGTH=12 * 1024 * 1024,
        PERMANENT_SESSION_LIFETIME=8 * 3600,
        # The cookie is rewritten when the session changes (at most every 30 s for the idle
        # stamp), not on every request: signing a cookie per answer page is wasted work.
        SESSION_REFRESH_EACH_REQUEST=False,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE="nl",
        LANGUAGES=["nl", "en"],
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("PERSONA_TOOLKIT")
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        if app.debug or app.testing:
            app.config["SECRET_KEY"] = "dev"
        else:
            raise RuntimeError(
                f"SECRET_KEY is not set: add SECRET_KEY = '...' to {app.instance_path}/config.py "
                "('persona-toolkit init-db' writes one for you)"
            )

    from toolkit import db, web

    db.init_app(app)
    web.init_app(app)
    _add_commands(app)
    return app


def _add_commands(app: Flask) -> None:
    """The persona-toolkit commands, also under `flask --app toolkit …`."""
    from toolkit.cli import main

    for name, command in main.commands.items():
        if name not in app.cli.commands:
            app.cli.add_command(command, name)
