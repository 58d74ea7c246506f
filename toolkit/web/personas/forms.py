"""The form for editing a persona by hand."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import Length


class PersonaEditForm(FlaskForm):
    """A persona's name (at most 60 characters) and narrative (at most 4000), both optional.

    An empty field goes back to what the derivation produced (the derived name; no narrative).
    """

    name = StringField(_l("Name"), validators=[Length(max=60)])
    narrative = TextAreaField(_l("Narrative"), validators=[Length(max=4000)])
    submit = SubmitField(_l("Save"))
