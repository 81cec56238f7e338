"""The words of the domain: organisations, roles, action types, statuses, languages, formats.

Each is spelled here once; the command line, the web app, the renderer and the services read
them from here (an action type's own letter languages are in its definition, `stages.py`).
"""

from dataclasses import dataclass
from enum import StrEnum


class Organisation(StrEnum):
    OHCHR = "ohchr"
    IACHR = "iachr"

    @property
    def label(self) -> str:
        return self.value.upper()


class Role(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class ActionType(StrEnum):
    PRECAUTIONARY_MEASURE = "precautionary-measure"
    URGENT_APPEAL = "urgent-appeal"
    COUNTRY_COMMUNICATION = "country-communication"


class Language(StrEnum):
    """A language letters are written in (ISO 639-1)."""

    EN = "en"
    ES = "es"
    FR = "fr"
    PT = "pt"


LETTER_LANGUAGES: tuple[str, ...] = tuple(language.value for language in Language)
# The web app's interface languages: each has a catalog in coordination/web/i18n.py.
INTERFACE_LANGUAGES: tuple[str, ...] = (Language.EN.value, Language.ES.value)
DEFAULT_INTERFACE_LANGUAGE: str = Language.EN.value


class LetterFormat(StrEnum):
    """What a letter is rendered as: text and HTML from its templates, PDF from the HTML."""

    TXT = "txt"
    HTML = "html"
    PDF = "pdf"


TEMPLATE_FORMATS: tuple[str, ...] = (LetterFormat.TXT.value, LetterFormat.HTML.value)


class StageKind(StrEnum):
    WORK = "work"
    GATE = "gate"
    DISPATCH = "dispatch"
    WAIT = "wait"
    TERMINAL = "terminal"


class Status(StrEnum):
    IN_PROGRESS = "in_progress"  # an officer's work step
    AWAITING_APPROVAL = "awaiting_approval"  # at a gate
    READY = "ready"  # automatic steps pending
    WAITING = "waiting"  # for an outside party or a date
    CLOSED = "closed"  # at its last stage, or closed by hand with an outcome
    WITHDRAWN = "withdrawn"  # given up before any letter went out


# An ended action: nothing automatic happens to it, it is not counted open, it can only be reopened.
ENDED: frozenset[Status] = frozenset({Status.CLOSED, Status.WITHDRAWN})


class Outcome(StrEnum):
    """Why a supervisor closed an action by hand, after its letters went out."""

    STATE_REPLIED = "state_replied"
    MEASURE_LIFTED = "measure_lifted"
    SITUATION_RESOLVED = "situation_resolved"
    OTHER = "other"


def shown_status(status: str, outcome: str | None) -> str:
    """A status as lists show it: "closed (state_replied)" for an action closed by hand."""
    return f"{status} ({outcome})" if outcome else status


class LinkRelation(StrEnum):
    """How two actions are related; a link is shown on both actions' pages."""

    SAME_DEFENDER = "same_defender"
    SAME_SITUATION = "same_situation"
    FOLLOWS_UP = "follows_up"  # e.g. an urgent appeal following a precautionary measure


class Decision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class LetterStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    DISPATCHED = "dispatched"
    WITHDRAWN = "withdrawn"  # its stage was skipped


class Command(StrEnum):
    """What a person may ask of a joint action (the forms of its page)."""

    EDIT_LETTERS = "edit_letters"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    SKIP = "skip"
    RECORD_REPLY = "record_reply"
    WITHDRAW = "withdraw"
    CLOSE = "close"
    REOPEN = "reopen"
    LINK = "link"


class DeadlineKind(StrEnum):
    APPROVAL_SLA = "approval_sla"
    STATE_REPLY = "state_reply"
    PUBLICATION = "publication"
    REVIEW = "review"


class DeadlineStatus(StrEnum):
    OPEN = "open"
    MET = "met"
    LAPSED = "lapsed"
    CANCELLED = "cancelled"


class RecipientKind(StrEnum):
    PERMANENT_MISSION_GENEVA = "permanent-mission-geneva"
    OAS_MISSION = "oas-mission"
    FOREIGN_MINISTRY = "foreign-ministry"


class Office(StrEnum):
    """Who heads the recipient, for the letter's form of address (domain/forms_of_address.py)."""
    MINISTER = "minister"  # of foreign affairs
    AMBASSADOR = "ambassador"
    PERMANENT_REPRESENTATIVE = "permanent-representative"
    CHARGE_D_AFFAIRES = "charge-d-affaires"


class Gender(StrEnum):
    """The grammatical gender of a title, which its words agree with: an office holder's in the
    address book ("la señora Ministra", "Madame l'Ambassadrice"), a mandate holder's ("Relatora
    Especial", "Rapporteur spécial")."""
    F = "f"
    M = "m"
    FEMININE = "f"  # the same members, by their full names
    MASCULINE = "m"


class ReferenceKind(StrEnum):
    JAM = "jam"
    MC = "mc"
    UA = "ua"
    RESOLUTION = "resolution"


@dataclass(frozen=True)
class User:
    email: str
    name: str
    organisation: Organisation
    role: Role
    id: int | None = None
    disabled: bool = False  # can neither sign in nor act, and is sent no reminders

    def describe(self) -> str:
        return f"{self.email} ({self.organisation.label} {self.role.value}{', disabled' if self.disabled else ''})"


@dataclass(frozen=True)
class Recipient:
    country: str
    kind: RecipientKind
    email: str
    name: str | None = None
    id: int | None = None
    # who heads it, and the grammatical gender of their title; neither: the institution is addressed
    office: Office | None = None
    gender: Gender | None = None
