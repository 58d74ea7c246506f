"""The forms of HR's round pages: a new round, uploads, derive, change facts, and buttons."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError


class RoundForm(FlaskForm):
    """A new round: questionnaire, title, language, anonymity, times (Amsterdam wall-clock),
    reminders, minimum group (5-100), answers needed (1-100 %), works council record, retention."""

    questionnaire = SelectField(_l("Questionnaire"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    language = SelectField(
        _l("Language"),
        choices=[SelectChoice("nl", _l("Dutch")), SelectChoice("en", _l("English")),
                 SelectChoice("participant", _l("Per participant"))],
    )
    mode = RadioField(
        _l("Anonymity"),
        choices=[SelectChoice("anonymous", _l("Anonymous: answers cannot be traced to a person")),
                 SelectChoice("identified", _l("Identified: answers are linked to the participant"))],
        default="anonymous",
    )
    opens_at = DateTimeLocalField(_l("Opens (Amsterdam time)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes (Amsterdam time)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    reminder_days = StringField(
        _l("Reminders, days after the invitation"), default="3, 5",
        validators=[Optional(), Regexp(r"^\s*\d{1,2}(\s*,\s*\d{1,2})*\s*$",
                                       message=_l("Enter whole numbers of days separated by commas, such as 3, 5."))],
    )
    min_group = IntegerField(_l("Minimum group size"), default=5, validators=[NumberRange(min=5, max=100)])
    min_answered = IntegerField(_l("Answers needed before a response can be sent (percentage of the closed questions)"),
                                validators=[Optional(), NumberRange(min=1, max=100)])
    works_council_date = DateField(_l("Works council approval date"), validators=[Optional()])
    works_council_ref = StringField(_l("Works council reference"), validators=[Optional(), Length(max=200)])
    retention_days = IntegerField(_l("Keep answers for (days)"), default=730,
                                  validators=[NumberRange(min=30, max=3650)])
    submit = SubmitField(_l("Create round"))

    def validate_closes_at(self, field):
        """Refuse a close time at or before the opening time."""
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The round must close after it opens."))

    def reminder_list(self) -> tuple[int, ...]:
        """The reminder days as sorted unique whole numbers, e.g. "5, 3" -> (3, 5)."""
        return tuple(sorted({int(p) for p in (self.reminder_days.data or "").split(",") if p.strip()}))


class UploadForm(FlaskForm):
    """An answer file (CSV, text or XLSX) to read and show in the column preview."""

    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])
    submit = SubmitField(_l("Import answers"))


class ParticipantUploadForm(FlaskForm):
    """A participant list (CSV, text or XLSX) to check and show before it is stored."""

    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])
    submit = SubmitField(_l("Check participants"))


class ButtonForm(FlaskForm):
    """A form with only its CSRF token, for buttons that change something."""


class DeriveForm(FlaskForm):
    """Derive personas: let the data choose the number (BIC), or force 1 to 6."""

    k = SelectField(
        _l("Number of personas"),
        choices=[SelectChoice("", _l("Let the data decide"))] + [SelectChoice(str(k), str(k)) for k in range(1, 7)],
        validators=[Optional()],
        default="",
    )
    submit = SubmitField(_l("Derive personas"))


class ChangeFactsForm(FlaskForm):
    """The four change facts the briefs draft their key messages from; one sentence each."""

    what = TextAreaField(_l("What changes"), validators=[Optional(), Length(max=600)],
                         description=_l("One sentence, e.g. ‘We will plan with one new system instead of three lists.’"))
    why = TextAreaField(_l("Why"), validators=[Optional(), Length(max=600)],
                        description=_l("One sentence, e.g. ‘So that customers get an appointment sooner.’"))
    when = TextAreaField(_l("When"), validators=[Optional(), Length(max=600)],
                         description=_l("E.g. ‘From 1 March; training in February.’"))
    unchanged = TextAreaField(_l("What stays the same"), validators=[Optional(), Length(max=600)],
                              description=_l("E.g. ‘Your team, your roster and your manager stay the same.’"))
    submit = SubmitField(_l("Save change facts"))
