from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class RoundForm(FlaskForm):
    questionnaire = SelectField(_l("Questionnaire"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    language = SelectField(
        _l("Language"), choices=[("nl", _l("Dutch")), ("en", _l("English")), ("participant", _l("Per participant"))]
    )
    mode = RadioField(
        _l("Answers"),
        choices=[("anonymous", _l("Anonymous: answers cannot be traced to a person")),
                 ("identified", _l("Identified: answers are linked to the participant"))],
        default="anonymous",
    )
    min_group = IntegerField(_l("Minimum group size"), default=5, validators=[NumberRange(min=5, max=100)])
    submit = SubmitField(_l("Create round"))


class UploadForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])
    submit = SubmitField(_l("Import answers"))


class DeriveForm(FlaskForm):
    k = SelectField(
        _l("Number of personas"),
        choices=[("", _l("Let the data decide"))] + [(str(k), str(k)) for k in range(1, 7)],
        validators=[Optional()],
        default="",
    )
    submit = SubmitField(_l("Derive personas"))
