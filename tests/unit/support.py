"""Builders for the unit tests of the pure domain: people, an address book, filled letters.

Everything runs on the fakes (`WeekdayCalendar`, `FakeNumbers`) and a fixed `NOW`;
no database, no clock.
"""

from datetime import UTC, datetime

from coordination.adapters.fakes import FakeNumbers, WeekdayCalendar
from coordination.domain import (
    ActionType,
    DeadlineKind,
    JointAction,
    Organisation,
    Ports,
    Recipient,
    RecipientKind,
    Role,
    Status,
    User,
)
from coordination.domain.deadlines import Deadline

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
FRIDAY = datetime(2026, 11, 6, 9, 0, tzinfo=UTC)

OFFICER = User("olivia.officer@ohchr.test", "Olivia Officer", Organisation.OHCHR, Role.OFFICER)
OFFICER_IACHR = User("ivo.officer@iachr.test", "Ivo Officer", Organisation.IACHR, Role.OFFICER)
SUP_OHCHR = User("sam.supervisor@ohchr.test", "Sam Supervisor", Organisation.OHCHR, Role.SUPERVISOR)
SUP_OHCHR_2 = User("sara.supervisor@ohchr.test", "Sara Supervisor", Organisation.OHCHR, Role.SUPERVISOR)
SUP_IACHR = User("ines.supervisor@iachr.test", "Ines Supervisor", Organisation.IACHR, Role.SUPERVISOR)
SUP_IACHR_2 = User("ian.supervisor@iachr.test", "Ian Supervisor", Organisation.IACHR, Role.SUPERVISOR)
ADMIN = User("ada.admin@ohchr.test", "Ada Admin", Organisation.OHCHR, Role.ADMIN)


MISSION_GENEVA = "mission@hnd-geneva.test"
FOREIGN_MINISTRY = "cancilleria@hnd.test"
OAS_MISSION = "oea@hnd.test"
REQUESTER = "requester@ngo.test"

ADDRESS_BOOK = [
    Recipient("HND", RecipientKind.PERMANENT_MISSION_GENEVA, MISSION_GENEVA),
    Recipient("HND", RecipientKind.FOREIGN_MINISTRY, FOREIGN_MINISTRY),
    Recipient("HND", RecipientKind.OAS_MISSION, OAS_MISSION),
    # Another State's addresses: a letter to Honduras must never reach them.
    Recipient("GTM", RecipientKind.PERMANENT_MISSION_GENEVA, "ginebra@gtm.test"),
    Recipient("GTM", RecipientKind.FOREIGN_MINISTRY, "minex@gtm.test"),
    Recipient("GTM", RecipientKind.OAS_MISSION, "oea@gtm.test"),
]

LETTERS: dict[str, dict[str, str]] = {
    "urgent_appeal": {
        "mandates": "defenders",
        "subject": "threats against a defender",
        "facts": "The defender was threatened.",
        "concerns": "We are concerned.",
        "questions": "First question?\nSecond question?",
        "interim_measures": "Protect the defender.",
    },
    "acknowledgement": {
        "requester_name": "Requester Org",
        "requester_email": REQUESTER,
        "request_summary": "A journalist is under threat.",
    },
    "request_for_information": {
        "facts": "Surveillance and threats.",
        "information_requested": "Protection measures in place.",
    },
    "resolution": {
        "decision": "grant",
        "facts": "Surveillance and threats.",
        "seriousness": "Serious.",
        "urgency": "Urgent.",
        "irreparable_harm": "Irreparable.",
    },
    "communication": {
        "mandates": "defenders,environment",
        "subject": "attacks on defenders",
        "situation": "A pattern of attacks.",
        "concerns": "Impunity.",
        "requests": "Investigate.\nProtect.",
    },
    "press_release": {"headline": "Joint statement", "body": "The two organisations are concerned."},
}


def make_ports() -> Ports:
    return Ports(WeekdayCalendar(), FakeNumbers())


def open_action(ports: Ports, type: ActionType, *, country: str = "HND", now: datetime = NOW,
                officer: User = OFFICER, **kwargs) -> JointAction:
    return JointAction.open(type=type, country=country, title="Threats against a defender", officer=officer,
                            now=now, ports=ports, beneficiaries=["Beneficiary One"], **kwargs)


def fill(action: JointAction, ports: Ports, letter: str, *, editor: User = OFFICER, now: datetime = NOW,
         **overrides: str) -> None:
    """Set every field of LETTERS[letter] (and `overrides`), one edit each."""
    for field, value in {**LETTERS[letter], **overrides}.items():
        action.edit_letter(editor, field=field, value=value, now=now, ports=ports, letter=letter)


def at_first_gate(ports: Ports, type: ActionType, *, editor: User = OFFICER, submitter: User = OFFICER,
                  now: datetime = NOW, **overrides: str) -> JointAction:
    """Open an action in Honduras and draft and submit its work steps up to its first gate."""
    action = open_action(ports, type, now=now)
    if type is ActionType.URGENT_APPEAL:
        action.submit(submitter, now=now, ports=ports)  # intake
        fill(action, ports, "urgent_appeal", editor=editor, now=now, **overrides)
    elif type is ActionType.PRECAUTIONARY_MEASURE:
        fill(action, ports, "acknowledgement", editor=editor, now=now)
        action.submit(submitter, now=now, ports=ports)  # registration
        fill(action, ports, "request_for_information", editor=editor, now=now, **overrides)
    else:
        fill(action, ports, "communication", editor=editor, now=now, **overrides)
    action.submit(submitter, now=now, ports=ports)
    assert action.status is Status.AWAITING_APPROVAL
    return action


def approve_both(action: JointAction, ports: Ports, *, now: datetime = NOW) -> None:
    assert action.approve(SUP_OHCHR, now=now, ports=ports) is False
    assert action.approve(SUP_IACHR, now=now, ports=ports) is True


def deadlines_of(action: JointAction, kind: DeadlineKind) -> list[Deadline]:
    return [d for d in action.deadlines if d.kind is kind]
