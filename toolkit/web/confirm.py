"""Confirmation pages for actions that cannot be undone (close a round, delete a participant's
data, remove someone's access, open a round): the GET of the action's URL names what will
happen, the POST does it. Plain HTML, no script, so no action is ever one click.
"""

from __future__ import annotations

from flask import render_template
from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the confirmation page's form that posts the action."""


def confirmation_page(*, title: str, lead: str, consequences: list[str], action: str, confirm_label: str,
                      back: str, danger: bool = True, hidden: dict[str, str] | None = None) -> str:
    """The confirmation page: ``title`` (the question), ``lead`` (what the action is about),
    ``consequences`` (one sentence each), a form posting to ``action`` with ``hidden`` fields and
    a button ``confirm_label`` (red when ``danger``), and a way ``back`` (URL) without acting."""
    return render_template("confirm.html", title=title, lead=lead, consequences=consequences, action=action,
                           confirm_label=confirm_label, back=back, danger=danger, hidden=hidden or {},
                           button=ConfirmForm())
