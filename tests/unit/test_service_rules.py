"""The use cases' rules, on a fake unit of work and fake ports: what is written, audited and
scheduled, and that a refused request writes nothing. The same use cases run on the real
adapters in tests/integration."""

import inspect

import pytest

from coordination.adapters.fakes import FixedClock, WeekdayCalendar
from coordination.config import Settings
from coordination.domain import ActionType, InvalidInput, InvalidState, NotPermitted, Status
from coordination.domain.model import plain_address
from coordination.services import actions

from .fakes import FakeRenderer, FakeScheduler, FakeUnitsOfWork, Store
from .support import ADDRESS_BOOK, LETTERS, MISSION_GENEVA, NOW, OFFICER, SUP_IACHR, SUP_OHCHR


@pytest.fixture
def ports():
    store = Store(recipients=list(ADDRESS_BOOK))
    for user in (OFFICER, SUP_OHCHR, SUP_IACHR):
        store.users[user.email] = user
    scheduler = FakeScheduler()
    return {
        "uow": FakeUnitsOfWork(store), "clock": FixedClock(NOW), "scheduler": scheduler,
        "calendar": WeekdayCalendar(), "addresses": plain_address, "settings": Settings(max_field_chars=500),
    }


def call(use_case, ports, *args, **kwargs):
    """A use case with the ports its signature names, as the composition root gives them."""
    wanted = {n: ports[n] for n in inspect.signature(use_case).parameters if n in ports}
    return use_case(*args, **wanted, **kwargs)


def store(ports) -> Store:
    return ports["uow"].store


def _at_gate(ports) -> str:
    action = call(actions.open_action, ports, type="urgent-appeal", country="HND", title="Threats",
                  officer=OFFICER.email, beneficiaries=["Beneficiary One"])
    ref = action.reference
    call(actions.submit_stage, ports, reference=ref, officer=OFFICER.email)  # intake
    for field, value in LETTERS["urgent_appeal"].items():
        call(actions.edit_letter, ports, reference=ref, field=field, value=value, editor=OFFICER.email)
    call(actions.submit_stage, ports, reference=ref, officer=OFFICER.email)
    return ref


def test_opening_commits_the_action_audits_its_events_and_asks_for_a_run_that_only_looks(ports):
    action = call(actions.open_action, ports, type="urgent-appeal", country="HND", title="Threats",
                  officer=OFFICER.email)

    assert action.reference == "JAM-2026-0001" and store(ports).commits == 1
    assert [e["event"] for e in store(ports).audit][:1] == ["ActionOpened"]
    assert all(e["by"] == OFFICER.email for e in store(ports).audit)
    [run] = ports["scheduler"].requested
    assert (run.action_id, run.reference, run.ready) == (action.id, "JAM-2026-0001", False)


@pytest.mark.parametrize("bad", [
    {"type": "appeal"},  # not an action type
    {"title": "x" * 501},  # over the bound
    {"title": "a\x00b"},  # a control character
    {"beneficiaries": ["ok", "y" * 501]},
    {"country": "XXX"},  # the domain's refusal
])
def test_bad_input_to_open_is_refused_and_writes_nothing(ports, bad):
    fields = {"type": "urgent-appeal", "country": "HND", "title": "Threats", "officer": OFFICER.email} | bad
    with pytest.raises(InvalidInput):
        call(actions.open_action, ports, **fields)
    assert store(ports).commits == 0 and store(ports).actions == {} and store(ports).audit == []
    assert ports["scheduler"].requested == [] and dict(store(ports).numbers.issued) == {}


def test_the_gate_is_met_by_both_organisations_and_only_then_a_run_is_asked_to_dispatch(ports):
    ref = _at_gate(ports)
    before = len(ports["scheduler"].requested)

    first = call(actions.approve_stage, ports, reference=ref, supervisor=SUP_OHCHR.email)
    assert not first.gate_met and len(ports["scheduler"].requested) == before
    second = call(actions.approve_stage, ports, reference=ref, supervisor=SUP_IACHR.email, comment="Fine.")

    assert second.gate_met and second.action.status is Status.READY
    assert second.assigned == ("UA HND 1/2026",) and not first.assigned  # the type's own reference, at the gate
    run = ports["scheduler"].requested[-1]
    assert run.ready and run.reference == ref and run.stage == second.action.stage


def test_a_refused_decision_writes_nothing(ports):
    ref = _at_gate(ports)
    commits, audit = store(ports).commits, list(store(ports).audit)

    with pytest.raises(NotPermitted):
        call(actions.approve_stage, ports, reference=ref, supervisor=OFFICER.email)
    with pytest.raises(InvalidInput, match="has a version"):  # a letter the supervisor cannot have seen
        call(actions.approve_stage, ports, reference=ref, supervisor=SUP_OHCHR.email, seen=["0" * 64])
    with pytest.raises(InvalidInput):
        call(actions.reject_stage, ports, reference=ref, supervisor=SUP_OHCHR.email, comment="  ")

    assert store(ports).commits == commits and store(ports).audit == audit
    assert call(_status, ports, ref) is Status.AWAITING_APPROVAL


def _status(reference, *, uow):
    with uow(read_only=True) as tx:
        return tx.actions.get(reference).status


def test_a_letter_form_with_one_bad_field_writes_none_of_its_fields(ports):
    action = call(actions.open_action, ports, type="urgent-appeal", country="HND", title="Threats",
                  officer=OFFICER.email)
    call(actions.submit_stage, ports, reference=action.reference, officer=OFFICER.email)
    commits = store(ports).commits

    with pytest.raises(InvalidInput):
        call(actions.edit_letter_fields, ports, reference=action.reference, letter="urgent_appeal",
             values={"subject": "fine", "facts": "z" * 501}, editor=OFFICER.email)

    assert store(ports).commits == commits
    edited = call(actions.edit_letter_fields, ports, reference=action.reference, letter="urgent_appeal",
                  values={"subject": "fine", "facts": "Facts."}, editor=OFFICER.email)
    assert edited.letter.current.fields["subject"] == "fine" and edited.letter.current.version == 2  # one per save
    assert edited.voided == ()  # not at the gate: no approval to void


def test_automatic_steps_refuse_an_action_of_another_type_before_writing(ports):
    ref = _at_gate(ports)
    call(actions.approve_stage, ports, reference=ref, supervisor=SUP_OHCHR.email)
    call(actions.approve_stage, ports, reference=ref, supervisor=SUP_IACHR.email)
    action_id = call(actions.resolve, ports, ref)
    commits = store(ports).commits

    with pytest.raises(InvalidState, match="not a precautionary-measure"):
        call(actions.run_automatic_steps, ports | {"renderer": FakeRenderer()}, action_id,
             expected_type=ActionType.PRECAUTIONARY_MEASURE)
    assert store(ports).commits == commits and store(ports).outbox == []


def test_dispatch_queues_the_states_addresses_freezes_the_letter_once_and_is_safe_to_run_again(ports):
    ref = _at_gate(ports)
    call(actions.approve_stage, ports, reference=ref, supervisor=SUP_OHCHR.email)
    call(actions.approve_stage, ports, reference=ref, supervisor=SUP_IACHR.email)
    with_renderer = ports | {"renderer": FakeRenderer()}

    first = call(actions.advance_action, with_renderer, reference=ref)
    again = call(actions.advance_action, with_renderer, reference=ref)

    recipients = sorted(row["recipient"] for row in store(ports).outbox)
    assert first.messages == len(recipients) > 0 and again.messages == 0
    assert MISSION_GENEVA in recipients and not any(r.endswith("gtm.test") for r in recipients)
    assert len(store(ports).renditions) == 1
    queued = [e for e in store(ports).audit if e["event"] == "DispatchQueued"]
    assert len(queued) == 1 and len(queued[0]["payload"]["messages"]) == len(recipients)
    assert first.action.status is Status.WAITING


def test_an_edit_at_the_gate_says_whose_approval_it_voided(ports):
    ref = _at_gate(ports)
    call(actions.approve_stage, ports, reference=ref, supervisor=SUP_OHCHR.email)

    edited = call(actions.edit_letter, ports, reference=ref, letter="urgent_appeal", field="concerns",
                  value="New concerns.", editor=OFFICER.email)
    again = call(actions.edit_letter, ports, reference=ref, letter="urgent_appeal", field="concerns",
                 value="Newer concerns.", editor=OFFICER.email)

    assert edited.voided == (SUP_OHCHR.email,) and again.voided == ()  # voided once
    assert [e["event"] for e in store(ports).audit].count("ApprovalsVoided") == 1


# ---------------------------------------------------------------- the whole life of an action (issue 12)


def test_a_withdrawal_is_committed_and_audited_and_asks_for_no_run(ports):
    from coordination.services import lifecycle

    ref = _at_gate(ports)
    commits, runs = store(ports).commits, len(ports["scheduler"].requested)

    action = call(lifecycle.withdraw_action, ports, reference=ref, as_=OFFICER.email, reason="Paused.")

    assert action.status is Status.WITHDRAWN and store(ports).commits == commits + 1
    assert len(ports["scheduler"].requested) == runs
    assert "ActionWithdrawn" in [e["event"] for e in store(ports).audit]
    assert call(_status, ports, ref) is Status.WITHDRAWN


def test_a_closure_cancels_the_unsent_letters_and_audits_their_message_ids(ports):
    from coordination.services import lifecycle

    ref = _at_gate(ports)
    call(actions.approve_stage, ports, reference=ref, supervisor=SUP_OHCHR.email)
    call(actions.approve_stage, ports, reference=ref, supervisor=SUP_IACHR.email)
    call(actions.run_automatic_steps, ports | {"renderer": FakeRenderer()}, call(actions.resolve, ports, ref))
    queued = [row["message_id"] for row in store(ports).outbox]
    assert queued

    call(lifecycle.close_action, ports, reference=ref, as_=SUP_IACHR.email, outcome="state_replied", reason="Done.")

    assert {row["status"] for row in store(ports).outbox} == {"cancelled"}
    [cancelled] = [e for e in store(ports).audit if e["event"] == "OutboxCancelled"]
    assert cancelled["payload"]["message_ids"] == queued


def test_refused_lifecycle_requests_write_nothing(ports):
    from coordination.services import lifecycle

    ref = _at_gate(ports)
    commits, audit = store(ports).commits, list(store(ports).audit)

    with pytest.raises(InvalidState):
        call(lifecycle.close_action, ports, reference=ref, as_=SUP_OHCHR.email, outcome="other", reason="x")
    with pytest.raises(InvalidInput):
        call(lifecycle.close_action, ports, reference=ref, as_=SUP_OHCHR.email, outcome="won", reason="x")
    with pytest.raises(InvalidInput):
        call(lifecycle.withdraw_action, ports, reference=ref, as_=OFFICER.email, reason="r" * 501)
    with pytest.raises(InvalidState):
        call(lifecycle.reopen_action, ports, reference=ref, as_=SUP_OHCHR.email, reason="x")
    with pytest.raises(InvalidInput):
        call(lifecycle.link_actions, ports, reference=ref, other=ref, relation="same_defender", as_=OFFICER.email)

    assert store(ports).commits == commits and store(ports).audit == audit
    assert call(_status, ports, ref) is Status.AWAITING_APPROVAL
