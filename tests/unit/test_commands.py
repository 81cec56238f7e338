"""What the action page offers a person is the domain's `commands_for`: a command it does not offer
is one the domain refuses."""

import copy
from datetime import timedelta

import pytest

from coordination.domain import ActionType, Command, CoordinationError, JointAction, LinkRelation, Outcome, Ports

from .support import (
    ADDRESS_BOOK,
    ADMIN,
    NOW,
    OFFICER,
    SUP_IACHR_2,
    SUP_OHCHR,
    approve_both,
    at_first_gate,
    make_ports,
    open_action,
)

PEOPLE = {"officer": OFFICER, "supervisor": SUP_OHCHR, "other_supervisor": SUP_IACHR_2, "admin": ADMIN}


def _states(type: ActionType) -> dict[str, tuple[JointAction, Ports]]:
    ports = make_ports()
    opened = open_action(ports, type)
    at_gate = at_first_gate(ports, type)
    ready = copy.deepcopy(at_gate)
    approve_both(ready, ports)
    waiting = copy.deepcopy(ready)
    waiting.advance(now=NOW, ports=ports, address_book=ADDRESS_BOOK)
    withdrawn = copy.deepcopy(at_gate)
    withdrawn.withdraw(SUP_OHCHR, reason="Paused.", now=NOW)
    closed = copy.deepcopy(waiting)
    closed.close(SUP_OHCHR, outcome=Outcome.OTHER, reason="Merged.", now=NOW)
    return {"opened": (opened, ports), "at_gate": (at_gate, ports), "ready": (ready, ports),
            "waiting": (waiting, ports), "withdrawn": (withdrawn, ports), "closed": (closed, ports)}


def _give(action: JointAction, command: Command, user, ports: Ports) -> None:  # type: ignore[no-untyped-def]
    now = NOW + timedelta(days=1)
    if command is Command.EDIT_LETTERS:
        name = next((l.name for l in action.pending_letters), None)
        spec = action.definition.letter(name) if name else None
        field = spec.fields[0].name if spec else "subject"
        action.edit_letter(user, field=field, value="Something else entirely.", now=now, ports=ports, letter=name)
    elif command is Command.SUBMIT:
        action.submit(user, now=now, ports=ports)
    elif command is Command.APPROVE:
        action.approve(user, now=now, ports=ports)
    elif command is Command.REJECT:
        action.reject(user, comment="Change it.", now=now)
    elif command is Command.SKIP:
        action.skip(user, reason="Handled elsewhere.", now=now, ports=ports)
    elif command is Command.RECORD_REPLY:
        action.record_reply(user, received_on=now.date(), acknowledgement_only=False, now=now, ports=ports)
    elif command is Command.WITHDRAW:
        action.withdraw(user, reason="Overtaken by events.", now=now)
    elif command is Command.CLOSE:
        action.close(user, outcome=Outcome.STATE_REPLIED, reason="Answered.", now=now)
    elif command is Command.REOPEN:
        action.reopen(user, reason="New facts.", now=now, ports=ports)
    elif command is Command.LINK:
        other = open_action(ports, ActionType.COUNTRY_COMMUNICATION, country="GTM")
        action.link(user, other, relation=LinkRelation.SAME_SITUATION, now=now)


@pytest.mark.parametrize("type", list(ActionType))
def test_a_command_the_page_does_not_offer_is_refused_by_the_domain(type):
    for action, ports in _states(type).values():
        for user in PEOPLE.values():
            offered = action.commands_for(user)
            for command in set(Command) - offered:
                with pytest.raises(CoordinationError):
                    _give(copy.deepcopy(action), command, user, ports)


def test_the_forms_offered_follow_role_and_state():
    states = _states(ActionType.PRECAUTIONARY_MEASURE)
    gate, _ = states["at_gate"]
    assert gate.commands_for(OFFICER) == {Command.EDIT_LETTERS, Command.SKIP, Command.LINK}  # IACHR leads
    assert gate.commands_for(SUP_OHCHR) == {Command.EDIT_LETTERS, Command.SKIP, Command.APPROVE, Command.REJECT,
                                            Command.WITHDRAW, Command.LINK}
    assert gate.commands_for(ADMIN) == set()
    assert [l.name for l in gate.letters_editable_by(OFFICER)] == [l.name for l in gate.pending_letters]
    assert gate.letters_editable_by(ADMIN) == []
    assert states["opened"][0].commands_for(OFFICER) == {Command.EDIT_LETTERS, Command.SUBMIT, Command.LINK}
    assert states["ready"][0].commands_for(SUP_OHCHR) == {Command.WITHDRAW, Command.LINK}
    assert states["waiting"][0].commands_for(OFFICER) == {Command.RECORD_REPLY, Command.LINK}
    assert states["waiting"][0].commands_for(SUP_OHCHR) == {Command.RECORD_REPLY, Command.CLOSE, Command.LINK}
    assert states["waiting"][0].commands_for(ADMIN) == set()
    assert states["withdrawn"][0].commands_for(OFFICER) == {Command.LINK}
    assert states["withdrawn"][0].commands_for(SUP_IACHR_2) == {Command.REOPEN, Command.LINK}
    assert states["closed"][0].commands_for(SUP_OHCHR) == {Command.REOPEN, Command.LINK}
