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
RECIPIENTS = [  # (State, kind, address, who heads it, the grammatical gender of the title)
    ("HND", "permanent-mission-geneva", "mission.honduras@geneva.demo", "ambassador", "f"),
    ("MEX", "foreign-ministry", "cancilleria@sre.mexico.demo", None, None),
    ("MEX", "oas-mission", "mision.oea@mexico.demo", "charge-d-affaires", "m"),
    ("GTM", "foreign-ministry", "cancilleria@minex.guatemala.demo", "minister", "m"),
    ("GTM", "oas-mission", "mision.oea@guatemala.demo", None, None),
    ("GTM", "permanent-mission-geneva", "mision.ginebra@guatemala.demo", None, None),
]
OFFICER, OFFICER_2, OHCHR, IACHR = (u[0] for u in USERS)
DEMO_BENEFICIARY = "Jorge Ejemplo"  # a fictional name, in the language of the demo's States

# Letter texts in the language of the demo's States (all Spanish-speaking), as an officer would
# type them after each template's fixed sentence: a letter in Spanish reads Spanish throughout.
LETTERS = {
    "urgent-appeal": [
        ("urgent_appeal", {
            "mandates": "defenders",
            "subject": "las amenazas contra un defensor del derecho a la tierra",
            "facts": "El defensor recibió amenazas de muerte tras una reunión pública en su comunidad.",
            "concerns": "Las amenazas parecerían estar vinculadas con su labor de defensa de los derechos humanos.",
            "questions": "Sírvase proporcionar información sobre las medidas adoptadas para proteger al defensor.\n"
                         "Sírvase indicar si se ha abierto una investigación sobre las amenazas.",
            "interim_measures": "En particular, exhortamos a las autoridades a proteger sin demora su vida.",
        }),
    ],
    "precautionary-measure": [
        ("acknowledgement", {
            "requester_name": "Centro de Derechos (demo)",
            "requester_email": "peticiones@centro.demo",
            "request_summary": "Un periodista ha recibido amenazas de muerte tras publicar una investigación.",
        }),
        ("request_for_information", {
            "facts": "El periodista denuncia vigilancia y amenazas tras la publicación de una investigación.",
            "information_requested": "Las medidas de protección adoptadas y el avance de la investigación.",
        }),
    ],
    "country-communication": [
        ("communication", {
            "mandates": "defenders,environment",
            "subject": "las agresiones contra personas defensoras de derechos humanos",
            "situation": "Se ha informado de un patrón de agresiones contra personas defensoras del medio ambiente.",
            "concerns": "Estas agresiones no parecerían estar siendo investigadas.",
            "requests": "Adopte una política de protección de las personas defensoras.\nInvestigue las agresiones.",
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
    for country, kind, email, office, gender in RECIPIENTS:
        try:
            app.services.add_recipient(country=country, kind=kind, email=email, office=office, gender=gender)
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
                                      title=f"Demo {action_type.replace('-', ' ')}", beneficiaries=[DEMO_BENEFICIARY])
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
                                  title="Demo urgent appeal awaiting approval", beneficiaries=[DEMO_BENEFICIARY])
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
