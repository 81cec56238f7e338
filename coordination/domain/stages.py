"""Stage definitions, declared as data: one `ActionDefinition` per action type.

Adding an action type means adding a definition here and its templates; the rules in
`model.py` read these declarations and have no per-type code paths.

A stage's kind (DESIGN.md) decides the statuses it passes through:

    work      in_progress ──submit──▶ next stage
    gate      [in_progress ──submit──▶] awaiting_approval ──met──▶ [ready ──dispatch──▶] next
              (the bracketed steps exist when the gate drafts its own letters / dispatches them)
    dispatch  ready ──advance (freeze letters, write outbox)──▶ next
    wait      waiting ──reply recorded, or its deadline passes──▶ next
    terminal  closed
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from .vocabulary import (
    LETTER_LANGUAGES,
    ActionType,
    DeadlineKind,
    Language,
    Organisation,
    RecipientKind,
    ReferenceKind,
    StageKind,
    Status,
)

ALL_LANGUAGES = LETTER_LANGUAGES
UN_LANGUAGES = (Language.EN.value, Language.ES.value, Language.FR.value)  # the UN's, among the letters' languages


class FieldKind(StrEnum):
    TEXT = "text"
    EMAIL = "email"
    CHOICE = "choice"
    INTEGER = "integer"
    MANDATES = "mandates"  # a selection of mandate codes (domain/mandates.py), kept as "defenders,assembly"


class Voice(StrEnum):
    """Who speaks in a letter, which decides its signature blocks.

    joint  "we": the selected mandate holders and the IACHR's signer (urgent appeal, communication)
    iachr  the Commission or its Executive Secretariat: the IACHR's signer only (precautionary measures)
    press  the third person, unsigned (a press release)
    """

    JOINT = "joint"
    IACHR = "iachr"
    PRESS = "press"


@dataclass(frozen=True)
class FieldDefinition:
    name: str
    label: str
    required: bool = True
    kind: FieldKind = FieldKind.TEXT
    choices: tuple[str, ...] = ()
    default: str | None = None


@dataclass(frozen=True)
class LetterDefinition:
    name: str
    title: str
    fields: tuple[FieldDefinition, ...]
    # State recipients from the address book, by kind; `to_fields` names "letter.field"
    # references holding further addresses (the requester, the representatives).
    recipients: tuple[RecipientKind, ...] = ()
    to_fields: tuple[str, ...] = ()
    voice: Voice = Voice.IACHR

    def field(self, name: str) -> FieldDefinition | None:
        return next((f for f in self.fields if f.name == name), None)


class DayCount(StrEnum):
    BUSINESS_DAYS = "business_days"
    CALENDAR_DAYS = "calendar_days"
    MONTHS = "months"


@dataclass(frozen=True)
class DeadlineRule:
    kind: DeadlineKind
    amount: int
    unit: DayCount
    # "letter.field" whose value, when set, replaces `amount` (editable per action).
    amount_field: str | None = None


@dataclass(frozen=True)
class Branch:
    """Choose the next stage from the value of a letter field."""

    field: str  # "letter.field"
    routes: Mapping[str, str]


@dataclass(frozen=True)
class StageDefinition:
    name: str
    kind: StageKind
    next: str | None = None
    letters: tuple[LetterDefinition, ...] = ()
    # gates: where a rejection sends the action back to (None: the gate's own work step)
    work_step: str | None = None
    dispatch_after_gate: bool = False
    quorum: Mapping[Organisation, int] = field(
        default_factory=lambda: MappingProxyType({Organisation.OHCHR: 1, Organisation.IACHR: 1})
    )
    deadlines: tuple[DeadlineRule, ...] = ()  # created when the stage is entered
    exit_deadline: DeadlineKind | None = None  # wait stages: passing it moves on
    accepts_reply: bool = False
    assigns: ReferenceKind | None = None  # when the stage's human step completes
    skip_to: str | None = None  # skippable, with a recorded reason
    branch: Branch | None = None

    @property
    def drafts_letters(self) -> bool:
        return bool(self.letters)

    def has_automatic_steps(self, status: Status, passed: Iterable[DeadlineKind] = ()) -> bool:
        """Ready for a dispatch, or waiting on a deadline that has passed."""
        if status is Status.READY:
            return True
        return status is Status.WAITING and self.exit_deadline is not None and self.exit_deadline in set(passed)


@dataclass(frozen=True)
class ActionDefinition:
    type: ActionType
    title: str
    lead: Organisation
    stages: tuple[StageDefinition, ...]
    languages: tuple[str, ...] = ALL_LANGUAGES
    approval_sla_business_days: int = 5

    @property
    def first(self) -> StageDefinition:
        return self.stages[0]

    def stage(self, name: str) -> StageDefinition:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(f"{self.type} has no stage {name!r}")

    def letter(self, name: str) -> LetterDefinition:
        for stage in self.stages:
            for letter in stage.letters:
                if letter.name == name:
                    return letter
        raise KeyError(f"{self.type} has no letter {name!r}")


def _text(name: str, label: str, required: bool = True) -> FieldDefinition:
    return FieldDefinition(name, label, required)


_STATE = (RecipientKind.FOREIGN_MINISTRY, RecipientKind.OAS_MISSION)

PRECAUTIONARY_MEASURE = ActionDefinition(
    type=ActionType.PRECAUTIONARY_MEASURE,
    title="Precautionary measure",
    lead=Organisation.IACHR,
    approval_sla_business_days=5,
    stages=(
        StageDefinition(
            "registration",
            StageKind.WORK,
            next="information_request",
            assigns=ReferenceKind.MC,
            letters=(
                LetterDefinition(
                    "acknowledgement",
                    "Acknowledgement of receipt to the requester",
                    fields=(
                        _text("requester_name", "Name of the requester"),
                        FieldDefinition("requester_email", "Email of the requester", kind=FieldKind.EMAIL),
                        _text("request_summary", "Summary of the request"),
                    ),
                    to_fields=("acknowledgement.requester_email",),
                ),
            ),
        ),
        StageDefinition(
            "information_request",
            StageKind.GATE,
            next="awaiting_state_reply",
            dispatch_after_gate=True,
            skip_to="evaluation",
            letters=(
                LetterDefinition(
                    "request_for_information",
                    "Request for information to the State (Article 25)",
                    fields=(
                        _text("facts", "Facts reported by the requester"),
                        _text("information_requested", "Information requested from the State"),
                        FieldDefinition(
                            "reply_within_days",
                            "Days the State has to reply",
                            required=False,
                            kind=FieldKind.INTEGER,
                            default="5",
                        ),
                    ),
                    recipients=_STATE,
                ),
            ),
        ),
        StageDefinition(
            "awaiting_state_reply",
            StageKind.WAIT,
            next="evaluation",
            accepts_reply=True,
            exit_deadline=DeadlineKind.STATE_REPLY,
            deadlines=(
                DeadlineRule(
                    DeadlineKind.STATE_REPLY,
                    5,
                    DayCount.CALENDAR_DAYS,
                    amount_field="request_for_information.reply_within_days",
                ),
            ),
        ),
        StageDefinition(
            "evaluation",
            StageKind.GATE,
            next="notification",
            assigns=ReferenceKind.RESOLUTION,
            letters=(
                LetterDefinition(
                    "resolution",
                    "Resolution granting or dismissing the precautionary measure",
                    fields=(
                        FieldDefinition(
                            "decision", "Decision", kind=FieldKind.CHOICE, choices=("grant", "dismiss")
                        ),
                        _text("facts", "Summary of the facts"),
                        _text("state_information", "Information provided by the State", required=False),
                        _text("seriousness", "Analysis of seriousness"),
                        _text("urgency", "Analysis of urgency"),
                        _text("irreparable_harm", "Analysis of irreparable harm"),
                        _text("measures_requested", "Measures requested of the State", required=False),
                    ),
                    recipients=_STATE,
                    to_fields=("acknowledgement.requester_email",),
                ),
            ),
        ),
        StageDefinition(
            "notification",
            StageKind.DISPATCH,
            branch=Branch("resolution.decision", {"grant": "follow_up", "dismiss": "closed"}),
        ),
        StageDefinition(
            "follow_up",
            StageKind.GATE,
            dispatch_after_gate=True,
            assigns=ReferenceKind.RESOLUTION,
            deadlines=(DeadlineRule(DeadlineKind.REVIEW, 6, DayCount.MONTHS),),
            exit_deadline=DeadlineKind.REVIEW,
            branch=Branch(
                "review_resolution.outcome",
                {"extend": "follow_up", "modify": "follow_up", "lift": "closed"},
            ),
            letters=(
                LetterDefinition(
                    "review_resolution",
                    "Follow-up resolution extending, modifying or lifting the measure",
                    fields=(
                        FieldDefinition(
                            "outcome", "Outcome", kind=FieldKind.CHOICE, choices=("extend", "modify", "lift")
                        ),
                        _text("assessment", "Assessment of the current risk"),
                        _text("measures_requested", "Measures requested of the State", required=False),
                    ),
                    recipients=_STATE,
                    to_fields=("acknowledgement.requester_email",),
                ),
            ),
        ),
        StageDefinition("closed", StageKind.TERMINAL),
    ),
)

URGENT_APPEAL = ActionDefinition(
    type=ActionType.URGENT_APPEAL,
    title="Urgent appeal",
    lead=Organisation.OHCHR,
    languages=UN_LANGUAGES,
    approval_sla_business_days=2,
    stages=(
        StageDefinition("intake", StageKind.WORK, next="drafting"),
        StageDefinition(
            "drafting",
            StageKind.WORK,
            next="joint_approval",
            letters=(
                LetterDefinition(
                    "urgent_appeal",
                    "Urgent appeal to the Government",
                    fields=(
                        FieldDefinition("mandates", "Mandates of the signatories", kind=FieldKind.MANDATES),
                        _text("subject", "Subject"),
                        _text("facts", "Information received"),
                        _text("concerns", "Concerns"),
                        _text("questions", "Questions to the Government (one per line)"),
                        _text("interim_measures", "Interim measures requested"),
                        _text("legal_annex", "Reference to international human rights law", required=False),
                    ),
                    recipients=(RecipientKind.PERMANENT_MISSION_GENEVA,),
                    voice=Voice.JOINT,
                ),
            ),
        ),
        StageDefinition(
            "joint_approval", StageKind.GATE, next="dispatch", work_step="drafting", assigns=ReferenceKind.UA
        ),
        StageDefinition("dispatch", StageKind.DISPATCH, next="awaiting_reply"),
        StageDefinition(
            "awaiting_reply",
            StageKind.WAIT,
            next="publication",
            accepts_reply=True,
            exit_deadline=DeadlineKind.STATE_REPLY,
            deadlines=(
                DeadlineRule(DeadlineKind.STATE_REPLY, 60, DayCount.CALENDAR_DAYS),
                DeadlineRule(DeadlineKind.PUBLICATION, 60, DayCount.CALENDAR_DAYS),
            ),
        ),
        StageDefinition(
            "publication", StageKind.WAIT, next="closed", exit_deadline=DeadlineKind.PUBLICATION
        ),
        StageDefinition("closed", StageKind.TERMINAL),
    ),
)

COUNTRY_COMMUNICATION = ActionDefinition(
    type=ActionType.COUNTRY_COMMUNICATION,
    title="Country communication",
    lead=Organisation.IACHR,  # co-owned; the lead only orders the signatures
    approval_sla_business_days=5,
    stages=(
        StageDefinition(
            "drafting",
            StageKind.WORK,
            next="joint_approval",
            letters=(
                LetterDefinition(
                    "communication",
                    "Joint communication to the State",
                    fields=(
                        FieldDefinition("mandates", "Mandates of the signatories", kind=FieldKind.MANDATES),
                        _text("subject", "Subject"),
                        _text("situation", "Situation of concern"),
                        _text("concerns", "Concerns"),
                        _text("requests", "Requests to the State (one per line)"),
                    ),
                    recipients=(
                        RecipientKind.FOREIGN_MINISTRY,
                        RecipientKind.OAS_MISSION,
                        RecipientKind.PERMANENT_MISSION_GENEVA,
                    ),
                    voice=Voice.JOINT,
                ),
            ),
        ),
        StageDefinition("joint_approval", StageKind.GATE, next="dispatch", work_step="drafting"),
        StageDefinition("dispatch", StageKind.DISPATCH, next="awaiting_reply"),
        StageDefinition(
            "awaiting_reply",
            StageKind.WAIT,
            next="press_release",
            accepts_reply=True,
            exit_deadline=DeadlineKind.STATE_REPLY,
            deadlines=(DeadlineRule(DeadlineKind.STATE_REPLY, 60, DayCount.CALENDAR_DAYS),),
        ),
        StageDefinition(
            "press_release",
            StageKind.GATE,
            next="closed",
            skip_to="closed",
            letters=(
                LetterDefinition(
                    "press_release",
                    "Joint press release (published, not sent)",
                    fields=(_text("headline", "Headline"), _text("body", "Text of the press release")),
                    voice=Voice.PRESS,
                ),
            ),
        ),
        StageDefinition("closed", StageKind.TERMINAL),
    ),
)

DEFINITIONS: Mapping[ActionType, ActionDefinition] = MappingProxyType(
    {d.type: d for d in (PRECAUTIONARY_MEASURE, URGENT_APPEAL, COUNTRY_COMMUNICATION)}
)


def letter_voice(name: str) -> Voice | None:
    """The voice of a letter, by its name (letter names are unique across the action types);
    None for a name no definition has."""
    for definition in DEFINITIONS.values():
        for stage in definition.stages:
            for letter in stage.letters:
                if letter.name == name:
                    return letter.voice
    return None
