"""The application factory: configuration, then each part of the web app attached in turn."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from toolkit import paths
from toolkit.core import settings
from toolkit.web import audit, database, errors, extensions, i18n, security
from toolkit.web.admin.views import bp as admin_bp
from toolkit.web.auth.views import bp as auth_bp
from toolkit.web.authz import can, role_label
from toolkit.web.mailing.views import bp as mailing_bp
from toolkit.web.notes.views import bp as notes_bp
from toolkit.web.personas.cards import bp as cards_bp
from toolkit.web.personas.checks import bp as persona_checks_bp
from toolkit.web.personas.sets import bp as persona_sets_bp
from toolkit.web.personas.views import bp as personas_bp
from toolkit.web.preview.views import bp as preview_bp
from toolkit.web.programmes.views import bp as programmes_bp
from toolkit.web.questionnaires.views import bp as questionnaires_bp
from toolkit.web.rounds.imports import bp as imports_bp
from toolkit.web.rounds.views import bp as rounds_bp
from toolkit.web.survey.views import bp as survey_bp

OWNER_ONLY_UMASK = 0o077
BLUEPRINTS = (admin_bp, auth_bp, rounds_bp, imports_bp, personas_bp, cards_bp, persona_sets_bp, survey_bp,
              programmes_bp, questionnaires_bp, mailing_bp, preview_bp)
BLUEPRINTS += (notes_bp,)
BLUEPRINTS += (persona_checks_bp,)


def create_app(test_config: dict | None = None) -> Flask:
    """A configured Flask app for the instance folder (see `toolkit.paths.instance_path`).

    Settings come from the defaults below, then ``INSTANCE/config.py``, then
    ``PERSONA_TOOLKIT_*`` environment variables, then ``test_config``.
    Raises RuntimeError when SECRET_KEY is missing outside debug and testing, and
    `toolkit.core.settings.SettingsError` naming every setting with a value it cannot run with.

    Sets the process umask to 077: whatever the web app or a command writes (the database, its
    -wal and -shm, backups, briefs, zips) is the owner's only.
    """
    os.umask(OWNER_ONLY_UMASK)
    app = Flask(
        "toolkit",
        instance_path=str(paths.instance_path()),
        instance_relative_config=True,
        template_folder=str(paths.TEMPLATES),
        static_folder=str(paths.STATIC),
    )
    app.config.from_mapping(_default_config(app.instance_path))
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
    settings.check(app.config, source=str(Path(app.instance_path) / "config.py"))
    if app.config["MAX_CONTENT_LENGTH"] is None:  # the upload limit, with room for the form around the file
        app.config["MAX_CONTENT_LENGTH"] = (app.config["MAX_UPLOAD_MB"] + 2) * 1024 * 1024

    database.init_app(app)
    extensions.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    audit.init_app(app)
    errors.init_app(app)
    app.jinja_env.globals.update(can=can, role_label=role_label)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    return app


def _default_config(instance_path: str) -> dict:
    """The settings every instance starts from; config.py, the environment and tests override them.

    Sizes in bytes, durations in seconds unless the name says minutes.
    """
    return dict(
        SECRET_KEY=None,
        DATABASE=str(Path(instance_path) / "toolkit.db"),
        PUBLIC_BASE_URL="http://127.0.0.1:5000",
        TIMEZONE="Europe/Amsterdam",
        MAX_UPLOAD_MB=10,  # the largest file the web app takes; the command line imports any size
        MAX_CONTENT_LENGTH=None,  # None: MAX_UPLOAD_MB and 2 MB for the form around the file
        PERMANENT_SESSION_LIFETIME=8 * 3600,
        # The cookie is rewritten when the session changes (at most every 30 s for the idle
        # stamp), not on every request: signing a cookie per answer page is wasted work.
        SESSION_REFRESH_EACH_REQUEST=False,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE="nl",
        LANGUAGES=["nl", "en"],
        SESSION_IDLE_MINUTES=60,
        TRUSTED_PROXIES=0,  # reverse proxies in front of the app whose X-Forwarded-For is believed
        TOKEN_GUESS_LIMIT=20,  # wrong personal links per address and window, then 429
        TOKEN_GUESS_WINDOW=15 * 60,
        JOB_TIMEOUT_MINUTES=30,  # a derive or zip job running longer is stopped and shown as failed
        JOB_WORKERS=2,  # jobs the scheduler process runs at the same time
        PRIVACY_CONTACT="",  # whom respondents may ask about privacy; a round may name its own
    )
