"""What core, jobs and the audit log hand to a person, said in the reader's language (issue 20)."""

from __future__ import annotations

from toolkit.core.messages import N_, Message, MessageError
from toolkit.core.personas.derive import STABILITY, TRYING
from toolkit.jobs.scheduler import NO_WORKS_COUNCIL_RECORD


def test_a_stored_progress_message_is_translated_where_it_is_shown(app):
    from toolkit.web.i18n import translate

    stored = Message(TRYING, {"k": 4, "max": 6}).to_json()
    with app.test_request_context("/?lang=nl"):
        assert translate(stored) == "Indeling in 4 groepen proberen (hoogstens 6)"
        assert translate(Message(STABILITY, {"done": 11, "total": 100})) == \
            "Stabiliteit controleren: steekproef 11 van 100"
        assert translate(Message(NO_WORKS_COUNCIL_RECORD)).startswith("Niet geopend: het besluit van de ondernemingsraad")
        assert translate("3/10") == "3/10"  # older plain text stays as it was
    with app.test_request_context("/?lang=en"):
        assert translate(stored) == "Trying 4 groups (at most 6)"


def test_a_message_error_reads_in_english_and_keeps_its_key():
    error = MessageError(N_("This round has no personas yet."))
    assert isinstance(error, ValueError) and str(error) == "This round has no personas yet."
    assert Message.from_json(error.message.to_json()) == error.message
    assert Message.from_json("not opened: old text") is None


def test_the_audit_log_speaks_dutch_and_filters_on_a_dutch_object(app):
    from toolkit.web.admin import audit_text

    with app.test_request_context("/?lang=nl"):
        assert audit_text.action_text("view") == "bekeken"
        assert audit_text.action_text("derive") == "persona’s afgeleid"
        assert audit_text.object_text("round 3") == "ronde 3"
        assert audit_text.object_text("participant 7 of round 2") == "deelnemer 7 van ronde 2"
        assert audit_text.detail_text("was closed") == "was gesloten"
        assert audit_text.detail_text("12 participants") == "12 deelnemers"
        assert audit_text.detail_text("role trainer -> change_manager").startswith("rol trainer → ")
        assert "change_manager" not in audit_text.detail_text("role trainer -> change_manager")
        assert str(audit_text.detail_text("rounds.detail /rounds/3")) == "<code>/rounds/3</code>"
        assert audit_text.stored_object("ronde 3") == "round 3"
        assert audit_text.stored_object("round 3") == "round 3"
