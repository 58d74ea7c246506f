"""The admin pages' forms: accounts, roles, round access, privacy records and the audit filter.

Labels are lazy msgids, translated when a page renders; every form but the audit filter carries
a CSRF token.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from toolkit.core.roles import ROLES

ROLE_LABELS = [SelectChoice(role.id, _l(role.label)) for role in ROLES.values()]


class UserForm(FlaskForm):
    """A new staff account: e-mail (at most 254 characters), name (at most 120), role, language.

    The password is not asked for: the view makes one up and shows it once.
    """

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Role"), choices=ROLE_LABELS)
    language = SelectField(_l("Language"), choices=[SelectChoice("nl", _l("Dutch")), SelectChoice("en", _l("English"))])
    submit = SubmitField(_l("Create account"))


class RoleForm(FlaskForm):
    """Another role for an existing account (one of `toolkit.core.roles.ROLES`)."""

    role = SelectField(_l("Role"), choices=ROLE_LABELS)
    submit = SubmitField(_l("Change role"))


class ButtonForm(FlaskForm):
    """A form that is only a button (and its CSRF token)."""

    submit = SubmitField(_l("Confirm"))


class GrantForm(FlaskForm):
    """Give one person access to a round; the view fills `user_id`'s choices (account ids)."""

    user_id = SelectField(_l("Person"), coerce=int)
    submit = SubmitField(_l("Give access"))


class PrivacyForm(FlaskForm):
    """A round's privacy record: the works council's approval and how long answers are kept.

    `works_council_date` and `works_council_ref` (at most 200 characters) are optional;
    `retention_days` is required, in days after the round closes, between 1 and 3650.
    """

    works_council_date = DateField(_l("Date of the works council's approval"), validators=[Optional()])
    works_council_ref = StringField(_l("Reference (letter, minutes or decision number)"),
                                    validators=[Optional(), Length(max=200)])
    retention_days = IntegerField(_l("Keep answers and participant data for this many days after the round closes"),
                                  validators=[InputRequired(), NumberRange(min=1, max=3650)])
    privacy_contact = StringField(_l("Privacy contact for respondents (name, e-mail address or both)"),
                                  validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Save"))


class AuditFilterForm(FlaskForm):
    """Filter the audit log by object ("round 3", at most 100 characters) and by action.

    Read from the query string; an empty field does not filter.
    """

    class Meta:
        """No CSRF token: the form is sent with GET and changes nothing."""

        csrf = False  # a GET filter changes nothing

    object = StringField(_l("Object (for example round 3)"), validators=[Optional(), Length(max=100)])
    action = SelectField(_l("Action"), choices=[
        SelectChoice("", _l("any")), SelectChoice("view", _l("viewed")), SelectChoice("export", _l("exported")),
        SelectChoice("download", _l("downloaded")), SelectChoice("edit", _l("edited")),
        SelectChoice("delete", _l("deleted")), SelectChoice("create", _l("created")),
        SelectChoice("login", _l("logged in")),
    ], validators=[Optional()])
