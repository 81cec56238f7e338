"""Approval gates: dual approval, four eyes, one decision per supervisor and round, rejection, voiding."""

import pytest

from coordination.domain import (
    ActionType,
    DeadlineKind,
    DeadlineStatus,
    Decision,
    InvalidInput,
    InvalidState,
    LetterStatus,
    NotPermitted,
    Organisation,
    ReferenceKind,
    Status,
)
from coordination.domain.letters import letters_digest

from .support import (
    ADMIN,
    NOW,
    OFFICER,
    OFFICER_IACHR,
    SUP_IACHR,
    SUP_IACHR_2,
    SUP_OHCHR,
    SUP_OHCHR_2,
    at_first_gate,
    deadlines_of,
    fill,
    open_action,
)

UA, PM, CC = ActionType.URGENT_APPEAL, ActionType.PRECAUTIONARY_MEASURE, ActionType.COUNTRY_COMMUNICATION


@pytest.fixture
def appeal(ports):
    """An urgent appeal drafted and submitted by OFFICER, awaiting joint approval."""
    return at_first_gate(ports, UA)


def snapshot(action) -> tuple:
    """What a refused decision must leave untouched."""
    return (action.stage, action.status, action.round, len(action.events),
            [(a.approver, a.decision, a.void) for a in action.approvals],
            [(d.kind, d.organisation, d.status) for d in action.deadlines])


def refused(action, decide, error=NotPermitted, match: str | None = None) -> str:
    """Run a decision that must be refused with exactly `error`, changing nothing; return the message."""
    before = snapshot(action)
    approvals = list(action.approvals)
    with pytest.raises(error, match=match) as raised:
        decide()
    assert type(raised.value) is error
    assert action.approvals == approvals
    assert snapshot(action) == before
    return str(raised.value)


# ---------------------------------------------------------------- dual approval


def test_gate_stays_open_until_both_organisations_approve(appeal, ports):
    assert appeal.approve(SUP_OHCHR, now=NOW, ports=ports) is False
    assert (appeal.stage, appeal.status) == ("joint_approval", Status.AWAITING_APPROVAL)
    assert appeal.letter("urgent_appeal").status is LetterStatus.DRAFT

    assert appeal.approve(SUP_IACHR, now=NOW, ports=ports) is True
    assert (appeal.stage, appeal.status) == ("dispatch", Status.READY)
    assert appeal.letter("urgent_appeal").status is LetterStatus.APPROVED
    assert [e.name for e in appeal.events].count("GateMet") == 1


def test_gate_is_met_whichever_organisation_approves_first(appeal, ports):
    assert appeal.approve(SUP_IACHR, now=NOW, ports=ports) is False
    assert appeal.approve(SUP_OHCHR, now=NOW, ports=ports) is True
    assert appeal.reference_of(ReferenceKind.UA) == "UA HND 1/2026"


def test_an_approval_meets_only_its_own_organisations_approval_sla(appeal, ports):
    appeal.approve(SUP_IACHR, now=NOW, ports=ports)
    statuses = {d.organisation: d.status for d in deadlines_of(appeal, DeadlineKind.APPROVAL_SLA)}
    assert statuses == {Organisation.IACHR: DeadlineStatus.MET, Organisation.OHCHR: DeadlineStatus.OPEN}


def test_approvals_record_the_digest_of_the_pending_letters(ports):
    action = at_first_gate(ports, PM)  # the gate decides the acknowledgement and the request together
    digest = letters_digest(action.pending_letters)
    assert digest != letters_digest([action.letter("request_for_information")])
    action.approve(SUP_OHCHR, now=NOW, ports=ports)
    action.approve(SUP_IACHR, now=NOW, ports=ports)
    assert [(a.organisation, a.decision, a.letters_sha256, a.round) for a in action.approvals] == [
        (Organisation.OHCHR, Decision.APPROVED, digest, 1),
        (Organisation.IACHR, Decision.APPROVED, digest, 1),
    ]


# ---------------------------------------------------------------- who may decide


def test_four_eyes_the_submitter_cannot_decide_on_the_stage(ports):
    # Supervisors may do casework; OFFICER drafts, the IACHR supervisor submits.
    action = at_first_gate(ports, UA, editor=OFFICER, submitter=SUP_IACHR)
    message = refused(action, lambda: action.approve(SUP_IACHR, now=NOW, ports=ports), match="four eyes")
    assert "submitted" in message
    refused(action, lambda: action.reject(SUP_IACHR, comment="No.", now=NOW), match="four eyes")
    assert action.approve(SUP_IACHR_2, now=NOW, ports=ports) is False  # a colleague can


def test_four_eyes_the_last_editor_of_a_letter_in_the_gate_cannot_decide(appeal, ports):
    appeal.edit_letter(SUP_OHCHR, field="legal_annex", value="ICCPR, art. 19.", now=NOW, ports=ports)
    message = refused(appeal, lambda: appeal.approve(SUP_OHCHR, now=NOW, ports=ports), match="four eyes")
    assert "last edited" in message and "urgent_appeal" in message
    refused(appeal, lambda: appeal.reject(SUP_OHCHR, comment="No.", now=NOW), match="four eyes")


def test_four_eyes_covers_every_letter_in_the_gate(ports):
    # The IACHR supervisor wrote the acknowledgement at registration; the gate decides it too.
    action = open_action(ports, PM)
    fill(action, ports, "acknowledgement", editor=SUP_IACHR)
    action.submit(OFFICER, now=NOW, ports=ports)
    fill(action, ports, "request_for_information", editor=OFFICER)
    action.submit(OFFICER, now=NOW, ports=ports)
    message = refused(action, lambda: action.approve(SUP_IACHR, now=NOW, ports=ports))
    assert "acknowledgement" in message


@pytest.mark.parametrize("user", [OFFICER_IACHR, ADMIN], ids=["officer", "admin"])
def test_only_supervisors_can_decide_on_a_gate(appeal, ports, user):
    refused(appeal, lambda: appeal.approve(user, now=NOW, ports=ports))
    refused(appeal, lambda: appeal.reject(user, comment="No.", now=NOW))


def test_a_second_supervisor_of_an_organisation_whose_quorum_is_met_is_refused(appeal, ports):
    appeal.approve(SUP_OHCHR, now=NOW, ports=ports)
    message = refused(appeal, lambda: appeal.approve(SUP_OHCHR_2, now=NOW, ports=ports))
    assert "IACHR" in message
    refused(appeal, lambda: appeal.reject(SUP_OHCHR_2, comment="Too late.", now=NOW))
    assert appeal.approve(SUP_IACHR_2, now=NOW, ports=ports) is True


def test_the_same_supervisor_cannot_decide_twice_in_a_round(appeal, ports):
    appeal.approve(SUP_OHCHR, now=NOW, ports=ports)
    refused(appeal, lambda: appeal.approve(SUP_OHCHR, now=NOW, ports=ports), match="already decided")
    refused(appeal, lambda: appeal.reject(SUP_OHCHR, comment="Changed my mind.", now=NOW),
            match="already decided")


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_deciding_when_not_awaiting_approval_raises_invalid_state(ports, decision):
    def decide(action):
        if decision == "approve":
            return lambda: action.approve(SUP_OHCHR, now=NOW, ports=ports)
        return lambda: action.reject(SUP_OHCHR, comment="No.", now=NOW)

    drafting = open_action(ports, UA)
    drafting.submit(OFFICER, now=NOW, ports=ports)
    refused(drafting, decide(drafting), InvalidState)

    met = at_first_gate(ports, UA)
    met.approve(SUP_OHCHR_2, now=NOW, ports=ports)
    met.approve(SUP_IACHR, now=NOW, ports=ports)
    assert met.status is Status.READY
    refused(met, decide(met), InvalidState)


# ---------------------------------------------------------------- rejection


@pytest.mark.parametrize("comment", ["", "   "])
def test_a_rejection_needs_a_comment(appeal, comment):
    refused(appeal, lambda: appeal.reject(SUP_IACHR, comment=comment, now=NOW), InvalidInput)


def test_a_rejection_returns_the_urgent_appeal_to_drafting_and_voids_the_rounds_approvals(appeal, ports):
    appeal.approve(SUP_OHCHR, now=NOW, ports=ports)
    appeal.reject(SUP_IACHR, comment="  Name the mandates.  ", now=NOW)

    assert (appeal.stage, appeal.status) == ("drafting", Status.IN_PROGRESS)
    assert [(a.approver, a.decision, a.comment, a.void) for a in appeal.approvals] == [
        (SUP_OHCHR.email, Decision.APPROVED, None, True),
        (SUP_IACHR.email, Decision.REJECTED, "Name the mandates.", False),
    ]
    assert appeal.letter("urgent_appeal").status is LetterStatus.DRAFT
    assert {d.organisation: d.status for d in deadlines_of(appeal, DeadlineKind.APPROVAL_SLA)} == {
        Organisation.OHCHR: DeadlineStatus.MET, Organisation.IACHR: DeadlineStatus.CANCELLED,
    }
    assert appeal.reference_of(ReferenceKind.UA) is None


def test_resubmission_after_a_rejection_opens_round_two_where_the_previous_approvers_decide_again(appeal, ports):
    appeal.approve(SUP_OHCHR, now=NOW, ports=ports)
    appeal.reject(SUP_IACHR, comment="Name the mandates.", now=NOW)
    appeal.edit_letter(OFFICER, field="mandates", value="defenders,assembly", now=NOW, ports=ports)
    appeal.submit(OFFICER, now=NOW, ports=ports)

    assert (appeal.stage, appeal.status, appeal.round) == ("joint_approval", Status.AWAITING_APPROVAL, 2)
    open_slas = [d for d in deadlines_of(appeal, DeadlineKind.APPROVAL_SLA) if d.is_open]
    assert sorted((d.organisation, d.round) for d in open_slas) == [(Organisation.IACHR, 2), (Organisation.OHCHR, 2)]
    assert appeal.round_decisions() == []

    assert appeal.approve(SUP_OHCHR, now=NOW, ports=ports) is False  # its round-1 approval does not count
    assert appeal.approve(SUP_IACHR, now=NOW, ports=ports) is True  # the rejecter decides again
    assert [a.round for a in appeal.approvals if not a.void and a.decision is Decision.APPROVED] == [2, 2]
    assert appeal.reference_of(ReferenceKind.UA) == "UA HND 1/2026"


def test_a_rejection_of_a_gate_that_drafts_its_own_letter_returns_to_that_stage_in_progress(ports):
    action = at_first_gate(ports, PM)
    action.reject(SUP_OHCHR, comment="Ask about the police escort.", now=NOW)
    assert (action.stage, action.status, action.round) == ("information_request", Status.IN_PROGRESS, 2)
    action.submit(OFFICER, now=NOW, ports=ports)
    assert (action.status, action.round) == (Status.AWAITING_APPROVAL, 2)
    action.approve(SUP_OHCHR, now=NOW, ports=ports)
    assert action.approve(SUP_IACHR, now=NOW, ports=ports) is True


# ---------------------------------------------------------------- letters changing under a gate


def test_editing_a_letter_after_one_approval_voids_it_and_the_gate_needs_both_organisations_again(appeal, ports):
    first_digest = letters_digest(appeal.pending_letters)
    appeal.approve(SUP_OHCHR, now=NOW, ports=ports)
    assert appeal.approvals[0].letters_sha256 == first_digest

    appeal.edit_letter(OFFICER, field="concerns", value="We are gravely concerned.", now=NOW, ports=ports)
    assert appeal.approvals[0].void is True
    assert (appeal.status, appeal.round) == (Status.AWAITING_APPROVAL, 2)
    new_digest = letters_digest(appeal.pending_letters)
    assert new_digest != first_digest
    slas = deadlines_of(appeal, DeadlineKind.APPROVAL_SLA)
    assert sorted((d.organisation, d.round, d.status) for d in slas if d.round == 2) == [
        (Organisation.IACHR, 2, DeadlineStatus.OPEN), (Organisation.OHCHR, 2, DeadlineStatus.OPEN),
    ]
    assert any(e.name == "ApprovalsVoided" and e.approvers == (SUP_OHCHR.email,) for e in appeal.events)

    assert appeal.approve(SUP_IACHR, now=NOW, ports=ports) is False  # IACHR alone is not enough
    assert appeal.status is Status.AWAITING_APPROVAL
    assert appeal.approve(SUP_OHCHR, now=NOW, ports=ports) is True  # OHCHR must approve the new text
    assert [a.letters_sha256 for a in appeal.approvals if not a.void] == [new_digest, new_digest]


def test_editing_a_letter_before_any_approval_keeps_the_round(appeal, ports):
    appeal.edit_letter(OFFICER, field="concerns", value="We are gravely concerned.", now=NOW, ports=ports)
    assert (appeal.status, appeal.round) == (Status.AWAITING_APPROVAL, 1)
    assert all(d.is_open for d in deadlines_of(appeal, DeadlineKind.APPROVAL_SLA))


# ---------------------------------------------------------------- decisions bound to the versions seen

def test_an_approval_names_the_versions_seen_and_is_refused_when_a_letter_changed_since(appeal, ports):
    from coordination.domain import StaleLetters

    seen = appeal.letter("urgent_appeal").current.sha256
    appeal.edit_letter(OFFICER_IACHR, field="concerns", value="Changed while the supervisor read.", now=NOW,
                       ports=ports)
    before = snapshot(appeal)
    with pytest.raises(StaleLetters) as refused:
        appeal.approve(SUP_OHCHR, now=NOW, ports=ports, seen=[seen[:12]])
    assert refused.value.changed == {"urgent_appeal": (7, 8, appeal.letter("urgent_appeal").current.sha256)}
    assert snapshot(appeal) == before


def test_a_short_hash_that_names_two_versions_of_a_letter_is_refused_as_ambiguous(appeal, ports):
    """An officer who made two texts share a 12-character prefix cannot swap one for the other."""
    import dataclasses

    letter = appeal.letter("urgent_appeal")
    prefix = letter.current.sha256[:12]
    older = letter.versions[-2]
    letter.versions[-2] = dataclasses.replace(older, sha256=prefix + "0" * 52)  # a collision on 48 bits
    with pytest.raises(InvalidInput, match="more than one letter version"):
        appeal.approve(SUP_OHCHR, now=NOW, ports=ports, seen=[prefix])
    assert appeal.approve(SUP_OHCHR, now=NOW, ports=ports, seen=[letter.current.sha256]) is False
