"""Test data: users, recipients and letters that walk each action type to its first dispatch."""

from coordination.bootstrap import App
from coordination.fictional import FICTIONAL_HOLDERS

OFFICER = "olivia.officer@ohchr.test"
OFFICER_IACHR = "ivo.officer@iachr.test"
SUP_OHCHR = "sam.supervisor@ohchr.test"
SUP_OHCHR_2 = "sara.supervisor@ohchr.test"
SUP_IACHR = "ines.supervisor@iachr.test"
SUP_IACHR_2 = "ian.supervisor@iachr.test"
ADMIN = "ada.admin@ohchr.test"

USERS = [
    (OFFICER, "Olivia Officer", "ohchr", "officer"),
    (OFFICER_IACHR, "Ivo Officer", "iachr", "officer"),
    (SUP_OHCHR, "Sam Supervisor", "ohchr", "supervisor"),
    (SUP_OHCHR_2, "Sara Supervisor", "ohchr", "supervisor"),
    (SUP_IACHR, "Ines Supervisor", "iachr", "supervisor"),
    (SUP_IACHR_2, "Ian Supervisor", "iachr", "supervisor"),
    (ADMIN, "Ada Admin", "ohchr", "admin"),
]

RECIPIENTS = [
    ("HND", "permanent-mission-geneva", "mission@hnd-geneva.test"),
    ("HND", "foreign-ministry", "cancilleria@hnd.test"),
    ("HND", "oas-mission", "oea@hnd.test"),
    ("MEX", "foreign-ministry", "sre@mex.test"),
    ("MEX", "oas-mission", "oea@mex.test"),
    ("GTM", "foreign-ministry", "minex@gtm.test"),
    ("GTM", "oas-mission", "oea@gtm.test"),
    ("GTM", "permanent-mission-geneva", "ginebra@gtm.test"),
]

LETTERS = {
    "urgent_appeal": {
        "mandates": "defenders",
        "subject": "threats against a defender",
        "facts": "FACTS-SECRET-7731 the defender was threatened.",
        "concerns": "We are concerned.",
        "questions": "First question?\nSecond question?",
        "interim_measures": "Protect the defender.",
    },
    "acknowledgement": {
        "requester_name": "Requester Org",
        "requester_email": "requester@ngo.test",
        "request_summary": "A journalist is under threat.",
    },
    "request_for_information": {"facts": "Surveillance and threats.", "information_requested": "Protection measures."},
    "communication": {
        "mandates": "defenders,environment",
        "subject": "attacks on defenders",
        "situation": "A pattern of attacks.",
        "concerns": "Impunity.",
        "requests": "Investigate.\nProtect.",
    },
}

FIRST_GATE_LETTERS = {
    "urgent-appeal": ("HND", ["urgent_appeal"]),
    "precautionary-measure": ("MEX", ["acknowledgement", "request_for_information"]),
    "country-communication": ("GTM", ["communication"]),
}


def seed_holders(app: App) -> None:
    """The fictional holders of every mandate (coordination/fictional.py), entered as an admin
    would: letters reach their gates only when each mandate they name has a holder on the day."""
    for h in FICTIONAL_HOLDERS:
        app.services.set_signatory(mandate=h.mandate, name=h.name, gender=h.gender.value, starts_on=h.starts_on,
                                   ends_on=h.ends_on)


def seed(app: App) -> None:
    """Users, the address book and (unless the `app` fixture entered them) the holders of the mandates."""
    if not app.services.list_signatories():
        seed_holders(app)
    for email, name, org, role in USERS:
        app.services.add_user(email=email, name=name, organisation=org, role=role)
    for country, kind, email in RECIPIENTS:
        app.services.add_recipient(country=country, kind=kind, email=email)


def fill(app: App, reference: str, letter: str, editor: str = OFFICER, values: dict[str, str] | None = None) -> None:
    for field, value in {**LETTERS[letter], **(values or {})}.items():
        app.services.edit_letter(reference=reference, letter=letter, field=field, value=value, editor=editor)


def open_at_gate(
    app: App, action_type: str, *, beneficiaries: list[str] | None = None, language: str | None = None,
    letters: dict[str, dict[str, str]] | None = None,
) -> str:
    """Open an action and draft and submit its work steps up to its first gate; returns the JAM reference."""
    country, names = FIRST_GATE_LETTERS[action_type]
    action = app.services.open_action(type=action_type, country=country, title="Test action", officer=OFFICER,
                                  beneficiaries=beneficiaries or ["Beneficiary One"], language=language)
    ref = action.reference
    for letter in names:
        while action.status.value == "in_progress" and letter not in {l.name for l in action.pending_letters}:
            action = app.services.submit_stage(reference=ref, officer=OFFICER)
        fill(app, ref, letter, values=(letters or {}).get(letter))
    action = app.services.submit_stage(reference=ref, officer=OFFICER)
    assert action.status.value == "awaiting_approval", action.status
    return ref


def dispatched(app: App, action_type: str, **kwargs) -> str:  # type: ignore[no-untyped-def]
    """An action past its first gate and dispatch: its letters are in the outbox."""
    ref = open_at_gate(app, action_type, **kwargs)
    app.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    app.services.approve_stage(reference=ref, supervisor=SUP_IACHR)
    app.services.advance_action(reference=ref)
    return ref
