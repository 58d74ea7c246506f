"""The `persona-toolkit` command line: one module per noun, each adding its commands here.

Every command works on the instance folder named by PERSONA_TOOLKIT_INSTANCE (default:
instance/ in the checkout); `persona-toolkit COMMAND --help` describes each one.
"""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from toolkit.cli import (
    briefs,
    demo,
    instance,
    participants,
    personas,
    programmes,
    questionnaire,
    responses,
    reviews,
    rounds,
    scheduler,
    serve,
    users,
)
from toolkit.cli.common import cli_app

MODULES = (instance, questionnaire, rounds, participants, responses, personas, briefs, users, programmes,
           reviews, scheduler, demo, serve)


@click.group(cls=FlaskGroup, create_app=cli_app, add_default_commands=False, add_version_option=False)
def main():
    """Persona Toolkit: questionnaire rounds, internal personas and Word briefs.

    Every command works on the instance folder named by PERSONA_TOOLKIT_INSTANCE
    (default: instance/ in the checkout).
    """


for _module in MODULES:
    for _command in _module.COMMANDS:
        main.add_command(_command)

__all__ = ["main"]
