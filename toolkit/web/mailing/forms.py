"""Forms of the mail pages: HR's wording of an invitation or reminder."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField


class MailTextForm(FlaskForm):
    """Subject and body with placeholders; checked by `toolkit.mail.texts.problems` in the view.

    Two buttons: ``preview`` shows the posted text without storing it, ``save`` stores it.
    """

    subject = StringField(_l("Subject"))
    body = TextAreaField(_l("Text"))
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save this text"))
