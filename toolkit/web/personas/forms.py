from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import Length


class PersonaEditForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=60)])
    narrative = TextAreaField(_l("Narrative"), validators=[Length(max=4000)])
    submit = SubmitField(_l("Save"))
