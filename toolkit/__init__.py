"""Persona Toolkit: questionnaire rounds, internal personas and Word briefs.

Importing the package loads nothing else: ``toolkit.core`` stays free of Flask and of the
database. `create_app` builds the web app (``flask --app toolkit`` finds it here).
"""

from __future__ import annotations

from toolkit.paths import instance_path


def create_app(test_config: dict | None = None):
    """The configured Flask app (see `toolkit.web.app.create_app`) with every persona-toolkit
    command also under ``flask --app toolkit``."""
    from toolkit.cli import main
    from toolkit.web.app import create_app as factory

    app = factory(test_config)
    for name, command in main.commands.items():
        app.cli.commands.setdefault(name, command)
    return app


__all__ = ["create_app", "instance_path"]
