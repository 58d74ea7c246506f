"""Where the toolkit finds its own files and its instance folder.

The product's data folders (``questionnaires/``, ``templates/``) stay at the top of the
repository, where the product card puts them. In a checkout they are read from there; a built
wheel carries copies inside the package (``toolkit/_data/``), so the app also runs outside the
checkout. Compiled catalogues live in ``toolkit/translations/`` in both cases.

Pure module: no Flask, no database, nothing read at import time except ``__file__``.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent
_BUNDLED = PACKAGE / "_data"


def _data_dir(name: str) -> Path:
    """The folder ``name`` (questionnaires or templates): the checkout's, else the bundled copy."""
    in_checkout = CHECKOUT / name
    if in_checkout.is_dir() and (CHECKOUT / "setup.cfg").is_file():
        return in_checkout
    return _BUNDLED / name


QUESTIONNAIRES = _data_dir("questionnaires")
TEMPLATES = _data_dir("templates")
MAIL_TEMPLATES = TEMPLATES / "mail"
BRIEF_TEMPLATES = TEMPLATES / "briefs"
TRANSLATIONS = PACKAGE / "translations"
STATIC = PACKAGE / "web" / "static"


def instance_path() -> Path:
    """The instance folder: ``$PERSONA_TOOLKIT_INSTANCE``, else ``instance/`` beside the package.

    Returns an absolute path; the folder need not exist yet (``init-db`` creates it).
    """
    configured = os.environ.get("PERSONA_TOOLKIT_INSTANCE")
    if configured:
        return Path(configured).resolve()
    return (CHECKOUT / "instance").resolve()
