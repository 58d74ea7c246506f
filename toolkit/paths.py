"""Where the toolkit finds its own files and its instance folder.

The product's data folders (``questionnaires/``, ``templates/``) stay at the top of the
repository, where the product card puts them. In a checkout they are read from there; a built
wheel carries copies inside the package (``toolkit/_data/``), so the app also runs outside the
checkout. Compiled catalogues live in ``toolkit/translations/`` in both cases (a checkout compiles
them with ``make translations``; the wheel build compiles them, see ``toolkit/_build.py``).

Pure module: no Flask, no database, nothing read at import time except ``__file__``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent
# Running from the repository (plain or editable install), not from an installed wheel.
IN_CHECKOUT = (CHECKOUT / "setup.cfg").is_file() and (CHECKOUT / "questionnaires").is_dir()
_BUNDLED = PACKAGE / "_data"


def _data_dir(name: str) -> Path:
    """The folder ``name`` (questionnaires or templates): the checkout's, else the bundled copy."""
    return CHECKOUT / name if IN_CHECKOUT else _BUNDLED / name


QUESTIONNAIRES = _data_dir("questionnaires")
TEMPLATES = _data_dir("templates")
MAIL_TEMPLATES = TEMPLATES / "mail"
BRIEF_TEMPLATES = TEMPLATES / "briefs"
TRANSLATIONS = PACKAGE / "translations"
STATIC = PACKAGE / "web" / "static"


def instance_path() -> Path:
    """The instance folder: ``$PERSONA_TOOLKIT_INSTANCE``, else a default.

    The default is ``instance/`` in a checkout and ``<sys.prefix>/var/persona-toolkit-instance``
    for an installed wheel (Flask's place for an installed app's instance folder), never a folder
    inside site-packages. Returns an absolute path; the folder need not exist yet (``init-db``
    creates it).
    """
    configured = os.environ.get("PERSONA_TOOLKIT_INSTANCE")
    if configured:
        return Path(configured).resolve()
    if IN_CHECKOUT:
        return (CHECKOUT / "instance").resolve()
    return (Path(sys.prefix) / "var" / "persona-toolkit-instance").resolve()
