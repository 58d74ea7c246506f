"""The programme pages' forms: a new programme, a round added to it, a review, a major change."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from toolkit.services.programmes import MAX_TEXT


class ProgrammeForm(FlaskForm):
    """A new programme: a name (required, at most 200 characters) and a description (optional).

    The description holds at most MAX_TEXT (4000) characters.
    """

    name = StringField(_l("Name of the change"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=MAX_TEXT)])
    submit = SubmitField(_l("Create programme"))


class AddRoundForm(FlaskForm):
    """A round to add to a programme and its kind (baseline, pulse or follow-up, the default).

    The view fills `round_id`'s choices with the rounds not yet in a programme (round ids).
    """

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
    """A persona review: what was kept, what was changed, and why (required).

    Each field holds at most MAX_TEXT (4000) characters; that at least one of kept and changed
    is filled in is checked by the service, not here.
    """

    kept = TextAreaField(_l("What was kept, and on what evidence"), validators=[Optional(), Length(max=MAX_TEXT)])
    changed = TextAreaField(_l("What was changed"), validators=[Optional(), Length(max=MAX_TEXT)])
    why = TextAreaField(_l("Why"), validators=[DataRequired(), Length(max=MAX_TEXT)])
    submit = SubmitField(_l("Record review"))


class MajorChangeForm(FlaskForm):
    """A major change in the programme (reorganisation, a new system live), at most 500 characters."""

    note = StringField(_l("What changed"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Register major change"))
