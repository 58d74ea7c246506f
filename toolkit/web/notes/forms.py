"""The form for one field note."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from toolkit.core.field_notes import MAX_PEOPLE, MAX_TEXT, MAX_THEME


class NoteForm(FlaskForm):
    """A note: kind of conversation, its date, how many people took part (1-200), what was heard
    (at most 1500 characters), an optional theme (80) and tags (comma separated). The personas
    it belongs to come as checkboxes named ``personas`` (ids of the round's current set)."""

    kind = RadioField(
        _l("Kind of conversation"),
        choices=[SelectChoice("interview", _l("Interview")), SelectChoice("focus_group", _l("Focus group")),
                 SelectChoice("frontline", _l("Frontline colleagues' observations")),
                 SelectChoice("other", _l("Other conversation"))],
        default="interview", validators=[InputRequired()],
    )
    held_on = DateField(_l("Date of the conversation"), validators=[DataRequired()])
    people = IntegerField(_l("Number of people who took part"), default=1,
                          validators=[InputRequired(), NumberRange(min=1, max=MAX_PEOPLE)])
    text = TextAreaField(_l("What you heard"), validators=[DataRequired(), Length(max=MAX_TEXT)],
                         render_kw={"rows": 6, "maxlength": MAX_TEXT})
    theme = StringField(_l("Theme (optional)"), validators=[Optional(), Length(max=MAX_THEME)])
    tags = StringField(_l("Tags (optional, separated by commas)"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Save note"))
