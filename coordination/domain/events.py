"""Domain events, in the past tense. Each becomes one audit event in the same transaction."""

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Event:
    actor: str | None  # email, or None for the system's automatic steps

    @property
    def name(self) -> str:
        return type(self).__name__

    def payload(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("actor")
        return data


@dataclass(frozen=True)
class ActionOpened(Event):
    type: str
    country: str
    language: str
    reference: str
    details_sha256: str = ""  # of the title and beneficiaries, which the trail does not repeat


@dataclass(frozen=True)
class StageEntered(Event):
    stage: str
    status: str
    round: int = 1
    submitted_by: str | None = None


@dataclass(frozen=True)
class GateOpened(Event):
    """A gate awaits its decisions: after a submission, or a new round after its letters changed."""

    stage: str
    round: int
    submitted_by: str | None


@dataclass(frozen=True)
class LetterStarted(Event):
    letter: str
    cycle: int
    sha256: str  # of its first, empty version


@dataclass(frozen=True)
class LetterEdited(Event):
    letter: str
    field: str
    version: int
    sha256: str
    cycle: int = 1


@dataclass(frozen=True)
class SignersBound(Event):
    """The system kept with a letter going to its gate who signs it on that day: a new version
    (edited by no one; the actor is who submitted) whose sha256 covers the names, so that
    approvals bind them."""

    letter: str
    version: int
    sha256: str
    cycle: int
    on: str  # the day the holders were resolved for (ISO)
    signers: tuple[str, ...]  # "mandate: name", in the order of the blocks


@dataclass(frozen=True)
class StageSubmitted(Event):
    stage: str
    round: int


@dataclass(frozen=True)
class ApprovalGranted(Event):
    stage: str
    round: int
    organisation: str
    letters_sha256: str
    letters: dict[str, str] | None = None  # each letter's sha256 as the supervisor saw it
    comment: str | None = None


@dataclass(frozen=True)
class StageRejected(Event):
    stage: str
    round: int
    organisation: str
    comment: str
    letters_sha256: str = ""
    letters: dict[str, str] | None = None


@dataclass(frozen=True)
class ApprovalsVoided(Event):
    stage: str
    round: int
    reason: str
    approvers: tuple[str, ...]


@dataclass(frozen=True)
class GateMet(Event):
    stage: str
    round: int
    letters_sha256: str
    letters: tuple[str, ...] = ()  # approved by it


@dataclass(frozen=True)
class StageSkipped(Event):
    stage: str
    reason: str
    withdrawn: tuple[str, ...] = ()  # its letters, withdrawn


@dataclass(frozen=True)
class ReferenceAssigned(Event):
    kind: str
    reference: str


@dataclass(frozen=True)
class LettersDispatched(Event):
    stage: str
    letters: tuple[str, ...]
    recipients: int


@dataclass(frozen=True)
class DeadlineSet(Event):
    kind: str
    due_at: str
    organisation: str | None
    stage: str = ""
    round: int | None = None


@dataclass(frozen=True)
class DeadlineClosed(Event):
    kind: str
    status: str
    organisation: str | None = None


@dataclass(frozen=True)
class DeadlineExtended(Event):
    kind: str
    organisation: str | None
    previous_due_at: str
    due_at: str
    reason: str


@dataclass(frozen=True)
class DeadlineCancelled(Event):
    kind: str
    organisation: str | None
    due_at: str
    reason: str


@dataclass(frozen=True)
class ReplyRecorded(Event):
    stage: str
    received_on: str
    acknowledgement_only: bool


@dataclass(frozen=True)
class ActionClosed(Event):
    stage: str


# ---------------------------------------------------------------- the whole life of an action (issue 12)

@dataclass(frozen=True)
class ActionWithdrawn(Event):
    """Given up before any letter went out; `status_before` is where a reopening returns."""

    stage: str
    status_before: str
    reason: str
    status: str = "withdrawn"


@dataclass(frozen=True)
class ActionClosedByHand(Event):
    """Closed by a supervisor after dispatch, with its outcome."""

    stage: str
    status_before: str
    outcome: str
    reason: str
    status: str = "closed"


@dataclass(frozen=True)
class ActionReopened(Event):
    """Back from withdrawn or closed by hand, at the stage and status it had."""

    stage: str
    status: str
    reason: str
    was: str  # withdrawn, or closed


@dataclass(frozen=True)
class ActionLinked(Event):
    """A link to another action; it is recorded on both (`inverse` on the other's side)."""

    other: str  # the other action's JAM reference
    relation: str
    note: str | None = None
    inverse: bool = False


# ---------------------------------------------------------------- automatic steps that fail (issue 14, part 5)

@dataclass(frozen=True)
class AutomaticStepsFailed(Event):
    """The reconciler found the run of the automatic steps failed; it is run again at `retry_at`."""

    stage: str
    round: int
    reason: str  # the run's failure message (references, fields and kinds; no names or facts)
    rerun: int  # the number the coming rerun will have
    retry_at: str


@dataclass(frozen=True)
class AutomaticStepsRetried(Event):
    stage: str
    round: int
    rerun: int


@dataclass(frozen=True)
class AutomaticStepsStopped(Event):
    """The reruns are spent: the run is left failed until a person fixes the cause and advances it."""

    stage: str
    round: int
    reason: str
    reruns: int
    at: str


@dataclass(frozen=True)
class AutomaticStepsResumed(Event):
    """The count of failures is cleared: a run succeeded, or a person advanced or changed the action."""

    stage: str
    why: str
