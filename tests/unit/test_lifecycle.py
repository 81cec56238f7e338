"""The domain's rules for the whole life of an action (issue 12, part 1): who may withdraw, close and
reopen, when, what each cancels and records, and how links are kept."""

import copy
from datetime import timedelta

import pytest

from coordination.domain import (
    ActionType,
    DeadlineStatus,
    InvalidInput,
    InvalidState,
    LinkRelation,
    NotPermitted,
    Outcome,
    Status,
)
from coordination.domain import events as ev

from .support import (
    ADDRESS_BOOK,
    ADMIN,
    NOW,
    OFFICER,
    OFFICER_IACHR,
    SUP_IACHR,
    SUP_OHCHR,
    approve_both,
    at_first_gate,
    make_ports,
    open_action,
)

LATER = NOW + timedelta(days=2)


def _dispatched(type: ActionType = ActionType.URGENT_APPEAL):  # type: ignore[no-untyped-def]
    ports = make_ports()
    action = at_first_gate(ports, type)
    approve_both(action, ports)
    action.advance(now=NOW, ports=ports, address_book=ADDRESS_BOOK)
    assert action.status is Status.WAITING
    return action, ports


def test_withdrawing_cancels_every_open_deadline_and_keeps_the_stage():
    ports = make_ports()
    action = at_first_gate(ports, ActionType.URGENT_APPEAL)  # OHCHR leads urgent appeals
    stage = action.stage
    action.events.clear()

    action.withdraw(OFFICER, reason="  The defender asked us not to act. ", now=LATER)

    assert (action.status, action.stage, action.status_before) == (Status.WITHDRAWN, stage, Status.AWAITING_APPROVAL)
    assert action.closure_reason == "The defender asked us not to act." and action.outcome is None
    assert {d.status for d in action.deadlines} == {DeadlineStatus.CANCELLED}
    assert all(d.closed_at == LATER for d in action.deadlines)
    assert isinstance(action.events[0], ev.ActionWithdrawn)
    assert [type(e).__name__ for e in action.events[1:]] == ["DeadlineClosed", "DeadlineClosed"]
    assert action.advance(now=LATER + timedelta(days=30), ports=ports, address_book=ADDRESS_BOOK) == []


@pytest.mark.parametrize("user, allowed", [
    (OFFICER, True), (OFFICER_IACHR, False), (SUP_OHCHR, True), (SUP_IACHR, True), (ADMIN, False)])
def test_an_officer_of_the_lead_organisation_or_any_supervisor_may_withdraw(user, allowed):
    action = at_first_gate(make_ports(), ActionType.URGENT_APPEAL)
    if allowed:
        action.withdraw(user, reason="No longer needed.", now=LATER)
        assert action.status is Status.WITHDRAWN
    else:
        with pytest.raises(NotPermitted):
            action.withdraw(user, reason="No longer needed.", now=LATER)


def test_the_lead_is_the_action_types_own():
    action = at_first_gate(make_ports(), ActionType.PRECAUTIONARY_MEASURE)  # IACHR leads
    with pytest.raises(NotPermitted, match="only officers of IACHR"):
        action.withdraw(OFFICER, reason="x", now=LATER)
    action.withdraw(OFFICER_IACHR, reason="x", now=LATER)


def test_a_ready_action_withdrawn_is_never_dispatched():
    ports = make_ports()
    action = at_first_gate(ports, ActionType.URGENT_APPEAL)
    approve_both(action, ports)
    assert action.status is Status.READY
    action.withdraw(SUP_IACHR, reason="Overtaken by events.", now=LATER)
    assert action.advance(now=LATER, ports=ports, address_book=ADDRESS_BOOK) == []
    assert action.status is Status.WITHDRAWN and not action.dispatched


def test_withdrawal_is_refused_after_dispatch_and_closure_before():
    action, _ = _dispatched()
    with pytest.raises(InvalidState, match="only closed by a supervisor"):
        action.withdraw(SUP_OHCHR, reason="x", now=LATER)
    gate = at_first_gate(make_ports(), ActionType.URGENT_APPEAL)
    with pytest.raises(InvalidState, match="withdrawn, not closed"):
        gate.close(SUP_OHCHR, outcome=Outcome.OTHER, reason="x", now=LATER)


def test_a_supervisor_closes_a_dispatched_action_with_its_outcome():
    action, _ = _dispatched()
    for user in (OFFICER, OFFICER_IACHR, ADMIN):
        with pytest.raises(NotPermitted):
            copy.deepcopy(action).close(user, outcome=Outcome.STATE_REPLIED, reason="x", now=LATER)
    action.events.clear()

    action.close(SUP_IACHR, outcome=Outcome.STATE_REPLIED, reason="The State answered.", now=LATER)

    assert (action.status, action.outcome, action.status_before) == (Status.CLOSED, Outcome.STATE_REPLIED,
                                                                     Status.WAITING)
    assert not [d for d in action.deadlines if d.is_open]
    closed = action.events[0]
    assert isinstance(closed, ev.ActionClosedByHand)
    assert (closed.outcome, closed.reason, closed.status) == ("state_replied", "The State answered.", "closed")


@pytest.mark.parametrize("doing", ["withdraw", "close", "reopen"])
def test_a_reason_is_required(doing):
    action, ports = _dispatched() if doing == "close" else (at_first_gate(make_ports(), ActionType.URGENT_APPEAL),
                                                            None)
    if doing == "reopen":
        action.withdraw(OFFICER, reason="x", now=LATER)
    with pytest.raises(InvalidInput, match="needs a reason") as refused:
        if doing == "withdraw":
            action.withdraw(OFFICER, reason=" \n", now=LATER)
        elif doing == "close":
            action.close(SUP_OHCHR, outcome=Outcome.OTHER, reason="", now=LATER)
        else:
            action.reopen(SUP_OHCHR, reason="  ", now=LATER, ports=make_ports())
    assert refused.value.field == "reason"


def test_an_ended_action_is_not_ended_again_and_reopening_needs_one_ended_by_hand():
    action = at_first_gate(make_ports(), ActionType.URGENT_APPEAL)
    with pytest.raises(InvalidState, match="only an action withdrawn or closed by hand"):
        action.reopen(SUP_OHCHR, reason="x", now=LATER, ports=make_ports())
    action.withdraw(OFFICER, reason="x", now=LATER)
    with pytest.raises(InvalidState, match="is withdrawn"):
        action.withdraw(SUP_OHCHR, reason="again", now=LATER)
    with pytest.raises(NotPermitted, match="only supervisors"):
        action.reopen(OFFICER, reason="x", now=LATER, ports=make_ports())


def test_reopening_returns_to_the_status_it_had_and_sets_its_deadlines_again():
    ports = make_ports()
    action = at_first_gate(ports, ActionType.URGENT_APPEAL)
    action.withdraw(OFFICER, reason="Paused.", now=NOW)

    action.reopen(SUP_OHCHR, reason="Resumed.", now=LATER, ports=ports)

    assert (action.status, action.status_before, action.closure_reason) == (Status.AWAITING_APPROVAL, None, None)
    open_ = [d for d in action.deadlines if d.is_open]
    assert len(open_) == 2 and all(d.created_at == LATER for d in open_)
    assert any(isinstance(e, ev.ActionReopened) and e.was == "withdrawn" for e in action.events)
    assert action.approve(SUP_OHCHR, now=LATER, ports=ports) is False  # the gate works again


def test_a_closed_action_reopens_waiting_for_the_reply_with_a_fresh_deadline():
    action, ports = _dispatched()
    action.close(SUP_OHCHR, outcome=Outcome.OTHER, reason="Merged.", now=LATER)
    action.reopen(SUP_IACHR, reason="Not merged.", now=LATER, ports=ports)
    assert action.status is Status.WAITING and action.outcome is None
    reset = [d for d in action.deadlines if d.is_open]
    assert reset and {d.created_at for d in reset} == {LATER}
    assert {d.kind for d in reset} == {d.kind for d in action.deadlines if d.stage == action.stage}


def test_an_action_closed_at_its_last_stage_stays_closed():
    action, _ = _dispatched()
    action.status = Status.CLOSED  # as its terminal stage leaves it: no outcome, no status before
    with pytest.raises(InvalidState):
        action.reopen(SUP_OHCHR, reason="x", now=LATER, ports=make_ports())


def test_a_link_is_kept_on_both_actions_never_to_itself_nor_twice():
    ports = make_ports()
    measure = open_action(ports, ActionType.PRECAUTIONARY_MEASURE, country="MEX")
    appeal = open_action(ports, ActionType.URGENT_APPEAL)

    appeal.link(OFFICER, measure, relation=LinkRelation.FOLLOWS_UP, note=" Same defender. ", now=LATER)

    assert [(l.other, l.relation, l.inverse, l.note) for l in appeal.links] == [
        (measure.reference, LinkRelation.FOLLOWS_UP, False, "Same defender.")]
    assert [(l.other, l.inverse) for l in measure.links] == [(appeal.reference, True)]
    assert isinstance(appeal.events[-1], ev.ActionLinked) and measure.events[-1].inverse is True
    with pytest.raises(InvalidState, match="already linked"):
        measure.link(SUP_IACHR, appeal, relation=LinkRelation.FOLLOWS_UP, now=LATER)
    with pytest.raises(InvalidInput, match="itself"):
        appeal.link(OFFICER, appeal, relation=LinkRelation.SAME_DEFENDER, now=LATER)
    with pytest.raises(NotPermitted):
        appeal.link(ADMIN, measure, relation=LinkRelation.SAME_DEFENDER, now=LATER)
    measure.link(OFFICER_IACHR, appeal, relation=LinkRelation.SAME_DEFENDER, now=LATER)  # another relation
    assert len(appeal.links) == len(measure.links) == 2
