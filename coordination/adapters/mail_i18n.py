"""The words of the mails to staff (digests, requests to decide, password links) in the reader's
interface language: English text is the key of each catalog, as in the web's (`web/i18n.py`,
which adapters may not import; the domain's words here are spelled as the web spells them).
A language without a catalog (fr, pt until the interface has them) reads English."""

from collections.abc import Callable

from markupsafe import Markup

from coordination.words import DOMAIN_ES

ES: dict[str, str] = {
    **DOMAIN_ES,
    # more of the domain's words: reminders' kinds and stages
    "decision on the gate": "decisión sobre la aprobación", "State's reply": "respuesta del Estado",
    "review of the measure": "revisión de la medida",
    # statuses of a reminder
    "your decision is requested": "se solicita su decisión", "due today": "vence hoy",
    "due in {n} days": "vence en {n} días", "due in 1 day": "vence en 1 día",
    "overdue by less than a day (escalation {e})": "vencido hace menos de un día (escalamiento {e})",
    "overdue by 1 day (escalation {e})": "vencido hace 1 día (escalamiento {e})",
    "overdue by {n} days (escalation {e})": "vencido hace {n} días (escalamiento {e})",
    # the digest
    "[coordination] ": "[coordinación] ", "letters not delivered": "cartas no entregadas",
    "letter not delivered": "carta no entregada", "decisions requested": "decisiones solicitadas",
    "decision requested": "decisión solicitada", "deadline reminders": "recordatorios de plazos",
    "deadline reminder": "recordatorio de plazo", "overdue": "vencidos", "1 overdue": "1 vencido",
    "Dear {name},": "Hola, {name}:",
    "{n} letters of your joint actions could not be delivered:":
        "{n} cartas de sus acciones conjuntas no se pudieron entregar:",
    "{n} letter of your joint actions could not be delivered:": "{n} carta de sus acciones conjuntas no se pudo entregar:",
    "{letter} v{version} to the {recipient} failed: {error}": "{letter} v{version} a {recipient} falló: {error}",
    "{n} deadlines of the joint actions need your attention": "{n} plazos de las acciones conjuntas requieren su atención",
    "{n} deadline of the joint actions needs your attention": "{n} plazo de las acciones conjuntas requiere su atención",
    "{n} overdue": "{n} vencidos", "{n} overdue, one": "{n} vencido",
    "Times are {zone} time.": "Las horas son de {zone}.",
    "stage {stage}": "etapa {stage}", "{kind} by {org}": "{kind} de {org}", "due": "vence el",
    "Geneva": "Ginebra", "Washington DC": "Washington D. C.",
    "An officer or a supervisor can extend or cancel a deadline, with a reason, on the action's page under Deadlines: "
    "follow its link above.":
        "Una persona oficial o supervisora puede prorrogar o cancelar un plazo, con un motivo, en la página de la acción, "
        "en Plazos: siga su enlace.",
    "coordination, the joint actions of OHCHR and the IACHR": "coordinación, las acciones conjuntas de la CIDH y el ACNUDH",
    "You receive this as the officer of these joint actions, or as a supervisor whose decision is awaited; "
    "overdue deadlines are escalated to the supervisors of both organisations until they are met.":
        "Recibe este mensaje como oficial de estas acciones conjuntas, o como persona supervisora cuya decisión se espera; "
        "los plazos vencidos se escalan a las personas supervisoras de ambas organizaciones hasta que se cumplen.",
    # part: automatic steps that stopped (issue 14, part 5)
    "actions stopped": "acciones detenidas", "action stopped": "acción detenida",
    "The automatic steps of {n} of your joint actions stopped after failing:":
        "Los pasos automáticos de {n} de sus acciones conjuntas se detuvieron tras fallar:",
    "since {when}": "desde el {when}",
    "Fix the cause (for instance the address book), then advance the action again: coordination action advance REFERENCE.":
        "Corrija la causa (por ejemplo, la libreta de direcciones) y vuelva a avanzar la acción: "
        "coordination action advance REFERENCIA.",
    # the password link
    "[coordination] Set your password": "[coordinación] Elija su contraseña",
    "Set your password": "Elija su contraseña",
    "An administrator of the joint actions of OHCHR and the IACHR invites you to set your password.":
        "Una persona administradora de las acciones conjuntas de la CIDH y el ACNUDH le invita a elegir su contraseña.",
    "Open this link and choose one (at least 12 characters):": "Abra este enlace y elija una (al menos 12 caracteres):",
    "The link works once, until {expires}. If you did not expect it, ignore this message:":
        "El enlace sirve una sola vez, hasta el {expires}. Si no lo esperaba, ignore este mensaje:",
    "nothing changes until the link is used.": "nada cambia mientras no se use el enlace.",
}

# English keys that only exist to tell singular from plural in another language
EN = {"{n} overdue, one": "{n} overdue"}

CATALOGS: dict[str, dict[str, str]] = {"en": EN, "es": ES}


def mail_language(language: str | None) -> str:
    """The reader's language if the mails have it, else English."""
    return language if language in CATALOGS else "en"


def translator(language: str | None) -> Callable[[str], str]:
    catalog = CATALOGS[mail_language(language)]
    return lambda text: catalog.get(text, text)


def markup(t: Callable[[str], str]) -> Callable[[str], Markup]:
    """The catalog's text as safe HTML (it is ours); what `.format` puts into it is escaped."""
    return lambda text: Markup(t(text))


def word(t: Callable[[str], str], code: str) -> str:
    """A code of the domain ("joint_approval", "urgent-appeal", "ohchr") as the reader's word."""
    if code in ("ohchr", "iachr"):
        return t(code.upper())
    return t(code.replace("_", " ").replace("-", " "))
