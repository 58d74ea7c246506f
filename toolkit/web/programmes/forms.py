from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from toolkit.services.programmes import MAX_TEXT


class ProgrammeForm(FlaskForm):
    name = StringField(_l("Name of the change"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=MAX_TEXT)])
    submit = SubmitField(_l("Create programme"))


class AddRoundForm(FlaskForm):
    round_id = SelectField(_l("Round"), coerce=int, validators=[DataRequired()])
    kind = SelectField(
        _l("Kind of round"),
        choices=[SelectChoice("baseline", _l("Baseline")),
                 SelectChoice("pulse", _l("Pulse (short subset of items)")),
                 SelectChoice("follow-up", _l("Follow-up"))],
        default="follow-up",
    )
    submit = SubmitField(_l("Add round"))


class ReviewForm(FlaskForm):
    kept = TextAreaField(_l("What was kept, and on what evidence"), validators=[Optional(), Length(max=MAX_TEXT)])
    changed = TextAreaField(_l("What was changed"), validators=[Optional(), Length(max=MAX_TEXT)])
    why = TextAreaField(_l("Why"), validators=[DataRequired(), Length(max=MAX_TEXT)])
    submit = SubmitField(_l("Record review"))


class MajorChangeForm(FlaskForm):
    note = StringField(_l("What changed"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Register major change"))
