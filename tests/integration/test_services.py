"""Services on real databases (SQLite and PostgreSQL): walks, gates, refusals, audit."""

import pytest
import sqlalchemy as sa

from coordination.domain import CoordinationError, NotPermitted

from ..conftest import count_rows
from ..helpers import ADMIN, OFFICER, SUP_IACHR, SUP_OHCHR, SUP_OHCHR_2, fill, open_at_gate, seed


@pytest.fixture
def seeded(app):
    seed(app)
    return app


def _outbox(app, ref):
    return app.services.get_action(ref)["outbox"]


def test_urgent_appeal_walks_from_open_to_dispatch_with_one_outbox_row_per_recipient(seeded):
    ref = open_at_gate(seeded, "urgent-appeal")
    seeded.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    action, met = seeded.services.approve_stage(reference=ref, supervisor=SUP_IACHR)
    assert met and action.status.value == "ready" and action.stage == "dispatch"
    assert [r.value for r in action.references] == [ref, "UA HND 1/2026"]

    result = seeded.services.advance_action(reference="UA HND 1/2026")
    view = seeded.services.get_action(ref)
    assert (view["stage"], view["status"]) == ("awaiting_reply", "waiting")
    assert [(o["letter"], o["recipient"]) for o in view["outbox"]] == [("urgent_appeal", "mission@hnd-geneva.test")]
    assert result.messages == 1
    assert {d["kind"]: d["status"] for d in view["deadlines"] if d["kind"] != "approval_sla"} == {
        "state_reply": "open", "publication": "open"}
    assert view["letters"][0]["status"] == "dispatched"


def test_precautionary_measure_dispatches_acknowledgement_and_request_after_its_gate(seeded):
    ref = open_at_gate(seeded, "precautionary-measure")
    assert "MC-1-26" in seeded.services.get_action(ref)["references"]
    seeded.services.approve_stage(reference="MC-1-26", supervisor=SUP_IACHR)
    seeded.services.approve_stage(reference="MC-1-26", supervisor=SUP_OHCHR)
    seeded.services.advance_action(reference=ref)
    view = seeded.services.get_action(ref)
    assert (view["stage"], view["status"]) == ("awaiting_state_reply", "waiting")
    assert sorted((o["letter"], o["recipient"]) for o in view["outbox"]) == [
        ("acknowledgement", "requester@ngo.test"),
        ("request_for_information", "oea@mex.test"),
        ("request_for_information", "sre@mex.test"),
    ]
    state_reply = next(d for d in view["deadlines"] if d["kind"] == "state_reply")
    assert state_reply["due_at"].startswith("2026-11-07T09:00")  # 5 calendar days after dispatch


def test_country_communication_goes_to_the_ministry_and_both_missions(seeded):
    ref = open_at_gate(seeded, "country-communication")
    seeded.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    seeded.services.approve_stage(reference=ref, supervisor=SUP_IACHR)
    seeded.services.advance_action(reference=ref)
    assert sorted(o["recipient_kind"] for o in _outbox(seeded, ref)) == [
        "foreign-ministry", "oas-mission", "permanent-mission-geneva"]


def test_advancing_twice_writes_no_second_outbox_row(seeded):
    ref = open_at_gate(seeded, "urgent-appeal")
    seeded.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    seeded.services.approve_stage(reference=ref, supervisor=SUP_IACHR)
    seeded.services.advance_action(reference=ref)
    before = count_rows(seeded)
    again = seeded.services.advance_action(reference=ref)
    assert again.messages == 0 and count_rows(seeded) == before


def test_dispatch_without_a_recipient_in_the_address_book_is_refused_and_writes_nothing(app):
    seed(app)
    app.services.open_action(type="urgent-appeal", country="PER", title="t", officer=OFFICER)
    app.services.submit_stage(reference="JAM-2026-0001", officer=OFFICER)
    fill(app, "JAM-2026-0001", "urgent_appeal")
    app.services.submit_stage(reference="JAM-2026-0001", officer=OFFICER)
    app.services.approve_stage(reference="JAM-2026-0001", supervisor=SUP_OHCHR)
    app.services.approve_stage(reference="JAM-2026-0001", supervisor=SUP_IACHR)
    before = count_rows(app)
    with pytest.raises(CoordinationError, match="permanent-mission-geneva for PER"):
        app.services.advance_action(reference="JAM-2026-0001")
    assert count_rows(app) == before
    assert app.services.get_action("JAM-2026-0001")["status"] == "ready"


def test_a_refused_decision_writes_nothing_not_even_an_audit_event(seeded):
    ref = open_at_gate(seeded, "urgent-appeal")
    before = count_rows(seeded)
    with pytest.raises(NotPermitted, match="only supervisors"):
        seeded.services.approve_stage(reference=ref, supervisor=OFFICER)
    assert count_rows(seeded) == before
    seeded.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    after_one = count_rows(seeded)
    assert after_one["approvals"] == before["approvals"] + 1
    with pytest.raises(NotPermitted, match="IACHR"):
        seeded.services.approve_stage(reference=ref, supervisor=SUP_OHCHR_2)
    assert count_rows(seeded) == after_one


def test_a_refused_open_gives_no_reference_number_away(seeded):
    seeded.services.open_action(type="urgent-appeal", country="HND", title="first", officer=OFFICER)
    with pytest.raises(CoordinationError):
        seeded.services.open_action(type="urgent-appeal", country="XYZ", title="bad", officer=OFFICER)
    with pytest.raises(CoordinationError):
        seeded.services.open_action(type="urgent-appeal", country="HND", title="bad", officer=ADMIN)
    second = seeded.services.open_action(type="urgent-appeal", country="HND", title="second", officer=OFFICER)
    assert second.reference == "JAM-2026-0002"


def test_rejection_returns_to_drafting_and_round_two_is_approved(seeded, clock):
    ref = open_at_gate(seeded, "urgent-appeal")
    seeded.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    action = seeded.services.reject_stage(reference=ref, supervisor=SUP_IACHR, comment="Add the date of the threat.")
    assert (action.stage, action.status.value, action.round) == ("drafting", "in_progress", 2)
    seeded.services.edit_letter(reference=ref, field="facts", value="On 1 November the defender was threatened.",
                         editor=OFFICER)
    seeded.services.submit_stage(reference=ref, officer=OFFICER)
    seeded.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    action, met = seeded.services.approve_stage(reference=ref, supervisor=SUP_IACHR)
    assert met
    approvals = seeded.services.get_action(ref)["approvals"]
    assert [(a["round"], a["organisation"], a["decision"], a["void"]) for a in approvals] == [
        (1, "ohchr", "approved", True),
        (1, "iachr", "rejected", False),
        (2, "ohchr", "approved", False),
        (2, "iachr", "approved", False),
    ]
    assert approvals[1]["comment"] == "Add the date of the threat."


def test_an_edit_after_approval_voids_it_and_the_gate_must_be_met_again(seeded):
    ref = open_at_gate(seeded, "urgent-appeal")
    seeded.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    seeded.services.edit_letter(reference=ref, field="concerns", value="We are gravely concerned.",
                         editor="ivo.officer@iachr.test")
    view = seeded.services.get_action(ref)
    assert view["status"] == "awaiting_approval" and view["round"] == 2
    assert view["approvals"][0]["void"] is True
    _, met = seeded.services.approve_stage(reference=ref, supervisor=SUP_IACHR)
    assert not met  # the OHCHR approval was given on the old text
    _, met = seeded.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    assert met
    approvals = [a for a in seeded.services.get_action(ref)["approvals"] if not a["void"]]
    assert len({a["letters_sha256"] for a in approvals}) == 1


def test_audit_verify_names_the_first_modified_event(seeded):
    open_at_gate(seeded, "urgent-appeal")
    assert seeded.services.verify_audit().findings == []
    with seeded.engine.begin() as connection:
        connection.execute(sa.text("UPDATE audit_events SET actor = 'mallory@x.test' WHERE id = 9"))
    result = seeded.services.verify_audit()
    assert result.findings[0].startswith("audit event #9 ") and "keyed hash" in result.findings[0]


def test_audit_verify_notices_a_removed_event(seeded):
    open_at_gate(seeded, "urgent-appeal")
    with seeded.engine.begin() as connection:
        total = connection.execute(sa.text("SELECT COUNT(*) FROM audit_events")).scalar_one()
        connection.execute(sa.text("DELETE FROM audit_events WHERE id = :last"), {"last": total})
    assert any("removed from the end" in f for f in seeded.services.verify_audit().findings)
    with seeded.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM audit_events WHERE id = 3"))
    assert "audit event #3 is missing" in seeded.services.verify_audit().findings


def test_every_transition_is_audited_in_its_own_transaction(seeded):
    ref = open_at_gate(seeded, "urgent-appeal")
    history = seeded.services.get_action(ref)["history"]
    events = [e["event"] for e in history]
    assert events[:2] == ["ActionOpened", "StageEntered"]
    assert events.count("LetterEdited") == 6
    assert history[-1]["event"] == "StageEntered" and history[-1]["details"]["status"] == "awaiting_approval"
    assert all(e["actor"] == OFFICER for e in history)


def test_four_eyes_keeps_a_supervisor_from_deciding_on_a_letter_they_last_edited(seeded):
    ref = open_at_gate(seeded, "urgent-appeal")
    seeded.services.edit_letter(reference=ref, field="subject", value="threats", editor=SUP_OHCHR)
    before = count_rows(seeded)
    with pytest.raises(NotPermitted, match="four eyes: sam.supervisor@ohchr.test last edited letter 'urgent_appeal'"):
        seeded.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    assert count_rows(seeded) == before
    _, met = seeded.services.approve_stage(reference=ref, supervisor=SUP_OHCHR_2)
    assert not met


def test_four_eyes_keeps_a_supervisor_from_deciding_on_a_stage_they_submitted(seeded):
    action = seeded.services.open_action(type="country-communication", country="GTM", title="t", officer=OFFICER)
    fill(seeded, action.reference, "communication")
    seeded.services.submit_stage(reference=action.reference, officer=SUP_IACHR)
    with pytest.raises(NotPermitted, match="four eyes: ines.supervisor@iachr.test submitted"):
        seeded.services.approve_stage(reference=action.reference, supervisor=SUP_IACHR)
