"""WTForms classes generated from a questionnaire block, one class per block and language."""

from __future__ import annotations

import threading

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectMultipleField, TextAreaField, widgets
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from toolkit.core.questionnaire import Item, Questionnaire

MAX_TEXT = 4000
FIELD_PREFIX = "q_"


class ChoiceField(RadioField):
    """Radio buttons whose posted value is checked against a set built once per questionnaire.

    WTForms' own check rebuilds and compares every choice on every request; same rule, same
    message.
    """

    def __init__(self, label=None, validators=None, *, accepted: frozenset, **kwargs):
        """As RadioField, with ``accepted``: the values (as posted) that count as a valid choice."""
        super().__init__(label, validators, **kwargs)
        self.accepted = accepted

    def pre_validate(self, form):
        """Refuse a posted value that is not one of ``accepted`` ("Not a valid choice.")."""
        if not self.process_errors and self.data not in self.accepted:
            raise ValidationError(self.gettext("Not a valid choice."))


class MultiCheckboxField(SelectMultipleField):
    """A multiple-choice question drawn as checkboxes, one per option."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class PageForm(FlaskForm):
    """One survey page: a field per item, named ``q_<item id>`` (built per questionnaire page)."""

    class Meta:
        """Survey pages check their CSRF token in the view; translations per request."""

        # The survey views check the CSRF token themselves, so that an expired token keeps
        # the answers instead of discarding them (see survey.views).
        csrf = False

        def get_translations(self, form):
            """The request's Flask-Babel catalogue for WTForms' own messages."""
            # Flask-Babel keeps the loaded catalogue for the request; Flask-WTF's default loads
            # it from disk for every message of every field, the main cost of a page submit.
            from flask_babel import get_translations

            return get_translations()

    def item_fields(self):
        """The page's question fields, in questionnaire order (not the CSRF or hidden fields)."""
        return [f for f in self if f.name.startswith(FIELD_PREFIX)]


def field_name(item_id: str) -> str:
    """The form field name of an item: "q_" + its id."""
    return FIELD_PREFIX + item_id


def _field_for(q: Questionnaire, item: Item, lang: str):
    required = InputRequired(message=_l("Please answer this question.")) if item.required else Optional()
    label = item.text.get(lang) or next(iter(item.text.values()))
    if item.type == "likert":
        scale = q.scales[item.scale]
        labels = scale.labels.get(lang) or next(iter(scale.labels.values()))
        return ChoiceField(label, choices=[SelectChoice(v, labels[v - scale.min]) for v in scale.values()],
                           coerce=int, validators=[required], accepted=frozenset(scale.values()))
    choices = [SelectChoice(o.value, o.label.get(lang) or next(iter(o.label.values()))) for o in item.options]
    if item.type == "single":
        return ChoiceField(label, choices=choices, validators=[required], accepted=frozenset(o.value for o in item.options))
    if item.type == "multi":
        return MultiCheckboxField(label, choices=choices, validators=[required])
    return TextAreaField(label, validators=[required, Length(max=MAX_TEXT)])


_classes: dict[tuple[str, str, str], type[PageForm]] = {}


def page_form_class(q: Questionnaire, block_id: str, lang: str) -> type[PageForm]:
    """A form class with one field per item of the block (field name: q_<item id>)."""
    key = (q.file_hash, block_id, lang)
    if key not in _classes:
        attrs = {field_name(iid): _field_for(q, q.items[iid], lang) for iid in q.block(block_id).items}
        _classes[key] = type(f"PageForm_{block_id}_{lang}", (PageForm,), attrs)
    return _classes[key]


_kept = threading.local()


def posted_form(q: Questionnaire, block_id: str, lang: str, formdata) -> PageForm:
    """The page's form filled from a POST.

    Building the fields was the largest single cost of storing a page, so each thread keeps one
    instance per page and locale and fills it again with `Form.process` — the documented way
    to re-process a form: every field's data comes from the new formdata (or its default), and
    answers_from_form validates every field, which sets its errors anew.
    """
    cls = page_form_class(q, block_id, lang)
    forms = _kept.__dict__.setdefault("forms", {})
    key = (cls, str(get_locale()))  # field messages are bound to the locale's catalogue
    form = forms.get(key)
    if form is None:
        if len(forms) >= 64:
            forms.clear()
        form = forms[key] = cls(formdata=formdata)
    else:
        form.process(formdata)
    return form


def answers_from_form(q: Questionnaire, form: PageForm, block_id: str) -> tuple[dict, set[str]]:
    """(valid answers on this page, item ids left empty) — each field checked on its own."""
    answers, empty = {}, set()
    for iid in q.block(block_id).items:
        field = form[field_name(iid)]
        if not field.validate(form):
            if field.data in (None, "", []):
                empty.add(iid)
            continue
        value = field.data
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", []):
            empty.add(iid)
        else:
            answers[iid] = list(value) if isinstance(value, list | tuple) else value
    return answers, empty


def form_data(q: Questionnaire, block_id: str, answers: dict) -> dict:
    """The stored ``answers`` (item id -> value) of one page as form data (field name -> value)."""
    return {field_name(iid): answers[iid] for iid in q.block(block_id).items if iid in answers}
