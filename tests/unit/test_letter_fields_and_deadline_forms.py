"""Several letter fields in one version (a form saved once), and which open deadlines a person may
extend or cancel by hand (the deadline forms of the action page)."""

import pytest

from coordination.domain import ActionType, InvalidInput, NotPermitted
from coordination.domain import events as ev

from .support import ADMIN, NOW, OFFICER, SUP_IACHR, SUP_OHCHR, approve_both, at_first_gate, make_ports, open_action


def _drafting():  # type: ignore[no-untyped-def]
    ports = make_ports()
    action = open_action(ports, ActionType.URGENT_APPEAL)
    action.submit(OFFICER, now=NOW, ports=ports)  # intake → drafting
    action.events.clear()
    return action, ports


def test_several_fields_make_one_version_whose_hash_and_event_name_them():
    action, ports = _drafting()
    letter = action.edit_letter_fields(OFFICER, values={"subject": "threats", "facts": "Facts."}, now=NOW,
                                       ports=ports)
    assert letter.current.version == 2 and letter.current.edited_by == OFFICER.email
    assert letter.current.fields["subject"] == "threats" and letter.current.fields["facts"] == "Facts."
    [edited] = [e for e in action.events if isinstance(e, ev.LetterEdited)]
    assert edited.field == "subject, facts" and edited.sha256 == letter.current.sha256 and edited.version == 2
    again = action.edit_letter_fields(OFFICER, values={"subject": "threats"}, now=NOW, ports=ports)
    assert again.current.version == 2 and len(action.events) == 1  # no change: no version, no event


def test_a_refused_field_sets_none_of_the_others():
    action, ports = _drafting()
    with pytest.raises(InvalidInput) as refused:
        action.edit_letter_fields(OFFICER, values={"subject": "threats", "facts": "   "}, now=NOW, ports=ports)
    assert refused.value.field == "facts" and refused.value.letter == "urgent_appeal"
    assert action.letter("urgent_appeal").current.version == 1 and action.events == []


def test_an_edit_at_the_gate_voids_the_approvals_once():
    ports = make_ports()
    action = at_first_gate(ports, ActionType.URGENT_APPEAL)
    action.approve(SUP_OHCHR, now=NOW, ports=ports)
    action.events.clear()
    action.edit_letter_fields(OFFICER, values={"subject": "new", "facts": "New facts."}, now=NOW, ports=ports)
    assert [type(e) for e in action.events].count(ev.ApprovalsVoided) == 1
    assert [type(e) for e in action.events].count(ev.LetterEdited) == 1


def test_officers_and_supervisors_may_change_every_open_deadline_and_administrators_none():
    ports = make_ports()
    action = at_first_gate(ports, ActionType.URGENT_APPEAL)
    open_ones = [d for d in action.deadlines if d.is_open]
    assert open_ones and action.deadlines_changeable_by(OFFICER) == open_ones
    assert action.deadlines_changeable_by(SUP_IACHR) == open_ones
    assert action.deadlines_changeable_by(ADMIN) == []
    with pytest.raises(NotPermitted):
        action.cancel_deadline(ADMIN, kind=open_ones[0].kind, reason="R", now=NOW)
    approve_both(action, ports)
    assert all(d.is_open for d in action.deadlines_changeable_by(OFFICER))
