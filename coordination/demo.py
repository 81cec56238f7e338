"""`coordination demo`: sample users (with passwords for the web app), one action of each type
walked through its first gate, and one urgent appeal left at its gate for the supervisors."""

import os
import secrets
from collections.abc import Callable

from .adapters.keys import private_dir
from .bootstrap import App
from .domain import Conflict, InvalidInput
from .fictional import FICTIONAL_HOLDERS

USERS = [
    ("ana.officer@ohchr.demo", "Ana Officer", "ohchr", "officer"),
    ("ines.officer@iachr.demo", "Inés Officer", "iachr", "officer"),
    ("olga.supervisor@ohchr.demo", "Olga Supervisor", "ohchr", "supervisor"),
    ("ivan.supervisor@iachr.demo", "Iván Supervisor", "iachr", "supervisor"),
]
RECIPIENTS = [
    ("HND", "permanent-mission-geneva", "mission.honduras@geneva.demo"),
    ("MEX", "foreign-ministry", "cancilleria@sre.mexico.demo"),
    ("MEX", "oas-mission", "mision.oea@mexico.demo"),
    ("GTM", "foreign-ministry", "cancilleria@minex.guatemala.demo"),
    ("GTM", "oas-mission", "mision.oea@guatemala.demo"),
    ("GTM", "permanent-mission-geneva", "mision.ginebra@guatemala.demo"),
]
OFFICER, OFFICER_2, OHCHR, IACHR = (u[0] for u in USERS)

LETTERS = {
    "urgent-appeal": [
        ("urgent_appeal", {
            "mandates": "defenders",
            "subject": "threats against a land rights defender",
            "facts": "The defender received death threats after a public meeting on land rights.",
            "concerns": "We are concerned that the threats are linked to the defender's work.",
            "questions": "Please provide information on the measures taken to protect the defender.\n"
                         "Please indicate whether an investigation has been opened.",
            "interim_measures": "We urge the Government to adopt measures to protect the defender's life.",
        }),
    ],
    "precautionary-measure": [
        ("acknowledgement", {
            "requester_name": "Centro de Derechos (demo)",
            "requester_email": "peticiones@centro.demo",
            "request_summary": "Request for precautionary measures for a journalist under threat.",
        }),
        ("request_for_information", {
            "facts": "The journalist reports surveillance and threats after publishing an investigation.",
            "information_requested": "Measures adopted to protect the journalist and progress of any investigation.",
        }),
    ],
    "country-communication": [
        ("communication", {
            "mandates": "defenders,environment",
            "subject": "attacks on human rights defenders",
            "situation": "A pattern of attacks against defenders of the environment.",
            "concerns": "The attacks appear to go uninvestigated.",
            "requests": "Adopt a protection policy for defenders.\nInvestigate the attacks.",
        }),
    ],
}


def run_demo(app: App, say: Callable[[str], None]) -> list[str]:
    """Run the demo; returns the JAM references it created."""
    before, after = app.services.initialise_database()
    if before != after:
        say(f"Database migrated to revision {after}.")
    passwords = []
    for email, name, org, role in USERS:
        try:
            app.services.add_user(email=email, name=name, organisation=org, role=role)
        except Conflict:
            say(f"User {email} already exists (its password is unchanged).")
            continue
        password = secrets.token_urlsafe(12)  # a demo account never has a known password (16 characters)
        app.services.set_password(email=email, password=password)
        passwords.append((email, password))
        say(f"Added user {email} ({org.upper()} {role}).")
    if passwords:
        _keep_passwords(app, passwords, say)
    for country, kind, email in RECIPIENTS:
        try:
            app.services.add_recipient(country=country, kind=kind, email=email)
        except Conflict:
            pass
    for h in FICTIONAL_HOLDERS:  # fictional people (real holders are entered by an admin, never shipped)
        try:
            app.services.set_signatory(mandate=h.mandate, name=h.name, gender=h.gender.value, starts_on=h.starts_on,
                                       ends_on=h.ends_on)
        except InvalidInput:
            pass  # entered by an earlier run
    references = []
    for action_type, country in (("urgent-appeal", "HND"), ("precautionary-measure", "MEX"),
                                 ("country-communication", "GTM")):
        action = app.services.open_action(type=action_type, country=country, officer=OFFICER,
                                      title=f"Demo {action_type.replace('-', ' ')}", beneficiaries=["Demo Defender"])
        ref = action.reference
        references.append(ref)
        say(f"\n{ref}: opened a {action_type} for {country} ({action.language}), stage {action.stage}.")
        for letter, fields in LETTERS[action_type]:
            while action.status.value == "in_progress" and not any(l.name == letter for l in action.pending_letters):
                action = app.services.submit_stage(reference=ref, officer=OFFICER)
                say(f"{ref}: {OFFICER} submitted; now at {action.stage} ({action.status.value}).")
            for field, value in fields.items():
                app.services.edit_letter(reference=ref, letter=letter, field=field, value=value, editor=OFFICER)
            say(f"{ref}: drafted letter {letter} ({len(fields)} fields).")
        action = app.services.submit_stage(reference=ref, officer=OFFICER)
        say(f"{ref}: {OFFICER} submitted; now at {action.stage} ({action.status.value}).")
        for supervisor in (OHCHR, IACHR):
            action, met = app.services.approve_stage(reference=ref, supervisor=supervisor)
            say(f"{ref}: {supervisor} approved" + ("; gate met." if met else "; waiting for the other organisation."))
        result = app.services.advance_action(reference=ref)
        action = result.action
        say(f"{ref}: advanced to {action.stage} ({action.status.value}); {result.messages} message(s) in the outbox; "
            f"references: {', '.join(r.value for r in action.references)}.")
    references.append(_left_at_the_gate(app, say))
    say("\nDone. Try: coordination action list   |   coordination action show " + references[0])
    say(f"Web app: {app.settings.base_url} — sign in as a demo supervisor to decide on {references[-1]}.")
    return references


def _left_at_the_gate(app: App, say: Callable[[str], None]) -> str:
    """One more urgent appeal, submitted and left for the supervisors of both organisations."""
    action = app.services.open_action(type="urgent-appeal", country="HND", officer=OFFICER,
                                  title="Demo urgent appeal awaiting approval", beneficiaries=["Demo Defender"])
    ref = action.reference
    action = app.services.submit_stage(reference=ref, officer=OFFICER)
    letter, fields = LETTERS["urgent-appeal"][0]
    for field, value in fields.items():
        app.services.edit_letter(reference=ref, letter=letter, field=field, value=value, editor=OFFICER)
    action = app.services.submit_stage(reference=ref, officer=OFFICER)
    say(f"\n{ref}: an urgent appeal drafted and submitted; now at {action.stage} ({action.status.value}), "
        "awaiting a decision by OHCHR and by the IACHR.")
    return ref


def _keep_passwords(app: App, passwords: list[tuple[str, str]], say: Callable[[str], None]) -> None:
    """Keep the new demo accounts' passwords in a file only the owner can read, and say where:
    the console (and any log of it) names the accounts, never their passwords."""
    path = app.settings.data_dir / "demo-passwords.txt"
    private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "a") as file:
        file.writelines(f"{email} {password}\n" for email, password in passwords)
    say(f"Demo sign-in: {', '.join(email for email, _ in passwords)}; their passwords are in {path} "
        "(readable by you only).")
