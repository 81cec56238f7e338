"""The joint action aggregate: every rule of stages, gates and letters lives here.

Methods check the rules, change state and record events (`action.events`); they read no
clock (`now` is an argument) and reach the outside only through the ports in `ports.py`.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from . import events as ev
from .bounds import check_deadline
from .countries import DEFAULT_LANGUAGE, normalise_country
from .deadlines import Deadline, due_at
from .errors import (
    CoordinationError,
    IncompleteLetters,
    InvalidInput,
    InvalidState,
    NotFound,
    NotPermitted,
    StaleLetters,
)
from .letters import Letter, Signers, canonical_json, changed_fields, letters_digest, plain_address, sha256_hex
from .mandates import signing_codes
from .ports import AddressCheck, BusinessCalendar, ReferenceNumbers, SignerDirectory
from .reminders import time_zone_of
from .stages import DEFINITIONS, ActionDefinition, StageDefinition
from .text import is_blank
from .vocabulary import (
    ENDED,
    ActionType,
    Command,
    DeadlineKind,
    DeadlineStatus,
    Decision,
    Language,
    LetterStatus,
    LinkRelation,
    Organisation,
    Outcome,
    Recipient,
    ReferenceKind,
    Role,
    StageKind,
    Status,
    User,
)


@dataclass(frozen=True)
class Ports:
    calendar: BusinessCalendar
    numbers: ReferenceNumbers
    # the application gives its email-validator check (adapters/addresses.py); the pure fallback is stricter
    # than any address a person needs, so that a forgotten port never lets a bad address through
    addresses: AddressCheck = plain_address
    # who holds each mandate on a day; without it (the domain's own tests) letters go to their gate unsigned
    signers: SignerDirectory | None = None


@dataclass(frozen=True)
class Reference:
    kind: ReferenceKind
    value: str
    assigned_at: datetime


@dataclass
class Approval:
    stage: str
    round: int
    organisation: Organisation
    approver: str
    decision: Decision
    comment: str | None
    letters_sha256: str
    decided_at: datetime
    void: bool = False
    id: int | None = None


@dataclass(frozen=True)
class Reply:
    stage: str
    received_on: date
    acknowledgement_only: bool
    recorded_by: str
    recorded_at: datetime
    id: int | None = None


@dataclass(frozen=True)
class Link:
    """A link to another action, as this action sees it: `inverse` when the other made it
    (for `follows_up`: the other follows this one up)."""

    other: str  # the other action's JAM reference
    relation: LinkRelation
    linked_by: str
    linked_at: datetime
    note: str | None = None
    inverse: bool = False
    id: int | None = None


# The reruns of a failed run of the automatic steps, each after a longer wait; after the last
# one fails, the steps stop until a person fixes the cause and advances the action.
RERUN_DELAYS: tuple[timedelta, ...] = tuple(timedelta(minutes=2**n) for n in range(6))  # 1, 2, 4 … 32 min
MAX_REASON = 500  # characters of a failure's message kept


@dataclass(frozen=True)
class StepFailures:
    """How the action's automatic steps have been failing: the reruns made so far, the latest
    failure's message, when the next rerun may start, and when they stopped (reruns spent)."""

    reruns: int = 0
    failure: str | None = None
    retry_at: datetime | None = None
    stopped_at: datetime | None = None

    @property
    def clear(self) -> bool:
        return self == StepFailures()


@dataclass(frozen=True)
class OutboxEntry:
    """One message to write: a letter version for one recipient."""

    letter: str
    cycle: int
    version: int
    recipient: str
    recipient_kind: str


def format_reference(kind: ReferenceKind, number: int, *, year: int, country: str) -> str:
    if kind is ReferenceKind.JAM:
        return f"JAM-{year}-{number:04d}"
    if kind is ReferenceKind.MC:
        return f"MC-{number}-{year % 100:02d}"
    if kind is ReferenceKind.UA:
        return f"UA {country} {number}/{year}"
    return f"Resolution {number}/{year}"


def reference_series(kind: ReferenceKind, *, year: int, country: str) -> str:
    """Numbering series: per year, and for urgent appeals per country and year."""
    return f"{kind.value}:{country}:{year}" if kind is ReferenceKind.UA else f"{kind.value}:{year}"


# Supervisors can do an officer's work too; four eyes then keeps them from deciding on it.
CASEWORK = (Role.OFFICER, Role.SUPERVISOR)
DECIDING = (Role.SUPERVISOR,)
# Letters are edited, and optional stages skipped, while a stage is drafted or awaits approval.
DRAFTING = (Status.IN_PROGRESS, Status.AWAITING_APPROVAL)


def _on_date(to: date | datetime, deadline: Deadline) -> datetime:
    """A datetime as given (it must carry its offset); a date at the deadline's local time of day."""
    if isinstance(to, datetime):
        if to.tzinfo is None:
            raise InvalidInput(f"give the time zone of {to.isoformat()} (e.g. +00:00), or a date", field="to",
                               value=to.isoformat())
        return to.astimezone(UTC)
    zone = time_zone_of(deadline)
    local = deadline.due_at.astimezone(zone)
    return datetime.combine(to, local.time(), tzinfo=zone).astimezone(UTC)


def details_sha256(title: str, beneficiaries: list[str]) -> str:
    """What the audit trail keeps of an action's title and beneficiaries: their hash, not the names."""
    return sha256_hex(canonical_json({"title": title, "beneficiaries": list(beneficiaries)}))


SHORT_HASH = 12  # hex characters of a sha256 that `action show` prints and a decision may name
_HEX = re.compile(rf"[0-9a-f]{{{SHORT_HASH},64}}")


def _require_role(user: User, roles: tuple[Role, ...], doing: str) -> None:
    if user.role not in roles:
        allowed = " and ".join(f"{r.value}s" for r in roles)
        raise NotPermitted(f"{user.describe()} cannot {doing}: only {allowed} can",
                           facts={"role": user.role.value, "allowed": [r.value for r in roles], "doing": doing})


def _which_letter(letters: list[Letter]) -> InvalidInput:
    """More than one letter could be meant: the person names one of them."""
    names = [letter.name for letter in letters]
    return InvalidInput(f"name the letter (one of: {', '.join(names)})", field="letter", choices=names)


@dataclass
class JointAction:
    type: ActionType
    country: str
    language: str
    title: str
    beneficiaries: list[str]
    opened_by: str
    opened_at: datetime
    stage: str
    status: Status
    stage_entered_at: datetime
    round: int = 1
    submitted_by: str | None = None
    references: list[Reference] = field(default_factory=list)
    letters: list[Letter] = field(default_factory=list)
    approvals: list[Approval] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    # ended by hand: withdrawn, or closed with an outcome; the reason, and the status a reopening returns to
    outcome: Outcome | None = None
    closure_reason: str | None = None
    status_before: Status | None = None
    steps: StepFailures = field(default_factory=StepFailures)  # failed runs of the automatic steps
    id: int | None = None
    events: list[ev.Event] = field(default_factory=list, repr=False, compare=False)

    # ----------------------------------------------------------------- reading

    @property
    def definition(self) -> ActionDefinition:
        return DEFINITIONS[self.type]

    @property
    def current_stage(self) -> StageDefinition:
        return self.definition.stage(self.stage)

    @property
    def reference(self) -> str:
        return self.reference_of(ReferenceKind.JAM) or ""

    def reference_of(self, kind: ReferenceKind) -> str | None:
        return next((r.value for r in reversed(self.references) if r.kind is kind), None)

    @property
    def current_letters(self) -> list[Letter]:
        """The latest cycle of each letter, in the order the stages declare them."""
        latest: dict[str, Letter] = {}
        for letter in self.letters:
            if letter.name not in latest or letter.cycle > latest[letter.name].cycle:
                latest[letter.name] = letter
        return list(latest.values())

    @property
    def pending_letters(self) -> list[Letter]:
        """Drafts not yet approved: the letters the next gate decides on."""
        return [letter for letter in self.current_letters if letter.status is LetterStatus.DRAFT]

    def letter(self, name: str) -> Letter:
        for letter in self.current_letters:
            if letter.name == name:
                return letter
        declared = [l.name for s in self.definition.stages for l in s.letters]
        if name in declared:
            raise InvalidState(f"{self.reference} has no letter {name!r} yet: its stage has not been reached",
                               field="letter", value=name, reference=self.reference, stage=self.stage, letter=name)
        raise NotFound(f"{self.type.value} has no letter {name!r} (letters: {', '.join(declared) or 'none'})",
                       field="letter", value=name, choices=declared, reference=self.reference)

    def round_decisions(self) -> list[Approval]:
        return [
            a for a in self.approvals if a.stage == self.stage and a.round == self.round and not a.void
        ]

    @property
    def ended_by_hand(self) -> bool:
        """Withdrawn, or closed by a supervisor: what a reopening can undo (not a last stage reached)."""
        return self.status is Status.WITHDRAWN or (self.status is Status.CLOSED and self.outcome is not None)

    @property
    def dispatched(self) -> bool:
        """Has any letter of the action gone out?"""
        return any(letter.dispatched_at is not None or letter.status is LetterStatus.DISPATCHED
                   for letter in self.letters)

    def open_deadline(self, kind: DeadlineKind) -> Deadline | None:
        return next((d for d in self.deadlines if d.kind is kind and d.is_open), None)

    def commands_for(self, user: User) -> frozenset[Command]:
        """What this person may ask of the action in its present state: the forms its page offers.
        A decision is offered only to whom the domain would let decide (`decision_refused`); the
        finer rules of casework (complete letters) and the letters as the decider saw them answer
        when the command is given, with the reason."""
        commands: set[Command] = set()
        stage = self.current_stage
        if user.role in CASEWORK:
            if self.status in DRAFTING and self.pending_letters:
                commands.add(Command.EDIT_LETTERS)
            if self.status is Status.IN_PROGRESS:
                commands.add(Command.SUBMIT)
            if stage.skip_to is not None and self.status in DRAFTING:
                commands.add(Command.SKIP)
            if stage.accepts_reply and self.status is Status.WAITING:
                commands.add(Command.RECORD_REPLY)
        if user.role in DECIDING and self.status is Status.AWAITING_APPROVAL and self.decision_refused(user) is None:
            commands |= {Command.APPROVE, Command.REJECT}
        for command, refused in ((Command.WITHDRAW, self.withdrawal_refused), (Command.CLOSE, self.closure_refused),
                                 (Command.REOPEN, self.reopening_refused)):
            if refused(user) is None:
                commands.add(command)
        if user.role in CASEWORK:
            commands.add(Command.LINK)
        return frozenset(commands)

    def decision_refused(self, user: User) -> CoordinationError | None:
        """Why this supervisor may not decide on the stage awaiting approval (already decided, four
        eyes, their organisation's part done or not theirs…), or None: they may, or there is no
        decision for them to take. The page shows the reason in place of the forms."""
        if user.role not in DECIDING or self.status is not Status.AWAITING_APPROVAL:
            return None
        try:
            self._check_decider(user)
        except CoordinationError as error:
            return error
        return None

    def deadlines_changeable_by(self, user: User) -> list[Deadline]:
        """The open deadlines this person may extend or cancel by hand (`extend_deadline`,
        `cancel_deadline`): caseworkers' — officers and supervisors — any open one."""
        return [d for d in self.deadlines if d.is_open] if user.role in CASEWORK else []

    def letters_editable_by(self, user: User) -> list[Letter]:
        """The letters this person may edit now: the drafts, for caseworkers while a stage is drafted
        or awaits approval."""
        return self.pending_letters if Command.EDIT_LETTERS in self.commands_for(user) else []

    # ----------------------------------------------------------------- opening

    @classmethod
    def open(
        cls,
        *,
        type: ActionType,
        country: str,
        title: str,
        officer: User,
        now: datetime,
        ports: Ports,
        language: str | None = None,
        beneficiaries: Iterable[str] = (),
    ) -> "JointAction":
        """Open a joint action at its first stage, with its JAM reference."""
        definition = DEFINITIONS[type]
        _require_role(officer, CASEWORK, "open joint actions")
        country = normalise_country(country)
        if is_blank(title):
            raise InvalidInput("a joint action needs a title", field="title", value=title)
        names = [b.strip() for b in beneficiaries]
        if any(is_blank(n) for n in names):
            raise InvalidInput("a beneficiary's name cannot be empty", field="beneficiaries")
        if language is None:
            language = DEFAULT_LANGUAGE[country]
            if language not in definition.languages:
                language = Language.EN.value
        elif language not in definition.languages:
            raise InvalidInput(
                f"{definition.title.lower()}s are written in {', '.join(definition.languages)}, not {language!r}",
                field="language", value=language, choices=definition.languages, facts={"action_type": type.value},
            )
        action = cls(
            type=type,
            country=country,
            language=language,
            title=title.strip(),
            beneficiaries=names,
            opened_by=officer.email,
            opened_at=now,
            stage=definition.first.name,
            status=Status.IN_PROGRESS,
            stage_entered_at=now,
        )
        jam = action._assign(ReferenceKind.JAM, now, ports, actor=officer.email, announce=False)
        action.events.append(ev.ActionOpened(officer.email, type.value, country, language, jam,
                                             details_sha256(action.title, action.beneficiaries)))
        action._enter(definition.first.name, now, ports, actor=officer.email)
        return action

    # ----------------------------------------------------------------- letters

    def edit_letter(
        self, user: User, *, field: str, value: str, now: datetime, ports: Ports, letter: str | None = None
    ) -> Letter:
        """Set one field of a draft letter: a new version; approvals given on the old one are void."""
        return self.edit_letter_fields(user, values={field: value}, now=now, ports=ports, letter=letter)

    def edit_letter_fields(
        self, user: User, *, values: Mapping[str, str], now: datetime, ports: Ports, letter: str | None = None
    ) -> Letter:
        """Set several fields of a draft letter at once: one new version with every changed value
        (none if nothing changed); approvals given on the old one are void."""
        _require_role(user, CASEWORK, "edit letters")
        if self.status not in DRAFTING:
            raise InvalidState(
                f"{self.reference} is {self.status.value} at stage {self.stage}: letters can be edited only "
                "while a stage is drafted or awaits approval", reference=self.reference, stage=self.stage,
                facts={"status": self.status.value},
            )
        target = self.letter_to_edit(letter)
        before = target.current
        at_gate = self.status is Status.AWAITING_APPROVAL  # what the approvers see is signed: bind the names
        version = target.set_fields(self.definition.letter(target.name), values, editor=user.email, now=now,
                                    check_address=ports.addresses,
                                    bind=(lambda fields: self._signers_of(target.name, fields, now, ports))
                                    if at_gate else None)
        if version is before:
            return target  # the same text again: nothing to record, no approval to void
        changed = ", ".join(changed_fields(before, version))
        self.events.append(ev.LetterEdited(user.email, target.name, changed, version.version, version.sha256,
                                           target.cycle))
        if self.status is Status.AWAITING_APPROVAL:
            self._void_round(f"letter {target.name!r} changed", now, ports, actor=user.email)
        return target

    def letter_to_show(self, name: str | None) -> Letter:
        """The named letter, or the current stage's (or the pending one, or the last one)."""
        if name is not None:
            return self.letter(name)
        current = self.current_letters
        own = [l for l in current if l.stage == self.stage] or self.pending_letters or current[-1:]
        if not own:
            raise InvalidInput(f"{self.reference} has no letters yet", reference=self.reference)
        if len(own) > 1:
            raise _which_letter(own)
        return own[0]

    def letter_to_edit(self, name: str | None) -> Letter:
        """The named letter, or the draft of the current stage (or the only draft)."""
        if name is not None:
            return self.letter(name)
        pending = self.pending_letters
        own = [l for l in pending if l.stage == self.stage] or pending
        if len(own) == 1:
            return own[0]
        if not own:
            raise InvalidState(f"{self.reference} has no draft letter at stage {self.stage}",
                               reference=self.reference, stage=self.stage)
        raise _which_letter(own)

    # ----------------------------------------------------------------- submitting

    def submit(self, user: User, *, now: datetime, ports: Ports) -> None:
        """Hand the officer's work step on: to the next stage, or to the gate's supervisors."""
        _require_role(user, CASEWORK, "submit stages")
        if self.status is not Status.IN_PROGRESS:
            raise InvalidState(
                f"{self.reference} is {self.status.value} at stage {self.stage}: only a work step in progress "
                "can be submitted", reference=self.reference, stage=self.stage, facts={"status": self.status.value},
            )
        missing = {
            letter.name: gaps
            for letter in self.pending_letters
            if (gaps := letter.missing_fields(self.definition.letter(letter.name)))
        }
        if missing:
            raise IncompleteLetters(missing, action_type=self.type.value, reference=self.reference, stage=self.stage)
        self._bind_signers(now, ports, actor=user.email)
        stage = self.current_stage
        self.submitted_by = user.email
        self.events.append(ev.StageSubmitted(user.email, stage.name, self.round))
        if stage.kind is StageKind.GATE:
            self._open_gate(now, ports, actor=user.email)
        else:
            self._finish_human_step(now, ports, actor=user.email)
            self._leave(now, ports, actor=user.email)

    def _signers_of(self, name: str, fields: Mapping[str, str | None], now: datetime, ports: Ports) -> Signers | None:
        """Who signs a letter with these fields on the day, as records; None when nobody signs it
        (a press release) or no directory is given. A vacant mandate refuses (InvalidState)."""
        codes = signing_codes(self.definition.letter(name).voice.value, fields.get("mandates"))
        if not codes or ports.signers is None:
            return None
        return tuple(s.as_record() for s in ports.signers(codes, now.date(), letter=name))

    def _bind_signers(self, now: datetime, ports: Ports, *, actor: str) -> None:
        """The letters going to their gate keep who signs them on this day: all are resolved first
        (a vacancy refuses the submission), then each whose signers changed gets a version made by
        the system (edited by no one; the audit row names who submitted)."""
        resolved = [(letter, self._signers_of(letter.name, letter.current.fields, now, ports))
                    for letter in self.pending_letters]
        for letter, signers in resolved:
            if signers is None:
                continue
            version = letter.bind_signers(signers, now=now)
            if version is not None:
                self.events.append(ev.SignersBound(actor, letter.name, version.version, version.sha256, letter.cycle,
                                                   now.date().isoformat(),
                                                   tuple(f"{s['mandate']}: {s['name']}" for s in signers)))

    # ----------------------------------------------------------------- gates

    def approve(
        self, user: User, *, now: datetime, ports: Ports, comment: str | None = None,
        seen: Iterable[str] | None = None,
    ) -> bool:
        """Record a supervisor's approval of the letters they saw; returns True when it met the gate.

        `seen` names the version (sha256, or its first 12 characters) of each letter at the
        gate as the supervisor saw it; if any letter changed since, the decision is refused.
        """
        self._check_decider(user)
        self._check_seen(seen)
        digest = letters_digest(self.pending_letters)
        comment = None if is_blank(comment) else (comment or "").strip()
        self.approvals.append(
            Approval(self.stage, self.round, user.organisation, user.email, Decision.APPROVED, comment, digest, now)
        )
        self.events.append(ev.ApprovalGranted(user.email, self.stage, self.round, user.organisation.value, digest,
                                              self._letter_hashes(), comment))
        if self._quorum_met(user.organisation):
            self._close_deadlines(DeadlineKind.APPROVAL_SLA, DeadlineStatus.MET, now, user.email, user.organisation)
        if all(self._quorum_met(org) for org in self.current_stage.quorum):
            self._gate_met(digest, now, ports, actor=user.email)
            return True
        return False

    def reject(self, user: User, *, comment: str, now: datetime, seen: Iterable[str] | None = None) -> None:
        """One rejection ends the round: back to the work step, with the comment."""
        if is_blank(comment):
            raise InvalidInput("a rejection needs a comment saying what must change", field="comment")
        self._check_decider(user)
        self._check_seen(seen)
        gate = self.current_stage
        digest = letters_digest(self.pending_letters)
        self.approvals.append(
            Approval(gate.name, self.round, user.organisation, user.email, Decision.REJECTED,
                     comment.strip(), digest, now)
        )
        self.events.append(ev.StageRejected(user.email, gate.name, self.round, user.organisation.value, comment.strip(),
                                            digest, self._letter_hashes()))
        self._void_approvals("rejected", actor=user.email)
        self._close_deadlines(DeadlineKind.APPROVAL_SLA, DeadlineStatus.CANCELLED, now, user.email)
        self.round += 1
        self.submitted_by = None
        self.stage = gate.work_step or gate.name
        self.status = Status.IN_PROGRESS
        self._entered(user.email)

    def _letter_hashes(self) -> dict[str, str]:
        return {letter.name: letter.current.sha256 for letter in self.pending_letters}

    def _check_seen(self, seen: Iterable[str] | None) -> None:
        """The versions a decider saw must be the gate's letters as they are now."""
        if seen is None:
            return
        pending = self.pending_letters
        current: set[str] = set()
        changed: dict[str, tuple[int | None, int, str]] = {}
        for given in seen:
            wanted = (given or "").strip().lower()
            if not _HEX.fullmatch(wanted):
                raise InvalidInput(f"a letter version seen is its sha256 or its first {SHORT_HASH} characters, "
                                   f"not {given!r}", field="seen", value=given)
            hits = [(letter, v) for letter in pending for v in letter.versions if v.sha256.startswith(wanted)]
            if not hits:
                raise InvalidInput(f"no letter at stage {self.stage} of {self.reference} has a version {wanted}",
                                   field="seen", value=wanted, reference=self.reference, stage=self.stage)
            if len({v.sha256 for _, v in hits}) > 1:
                raise InvalidInput(f"{wanted} names more than one letter version: give more of its sha256",
                                   field="seen", value=wanted)
            letter = hits[0][0]
            if letter.current.sha256 == hits[0][1].sha256:
                current.add(letter.name)
            else:
                seen_version = max(v.version for _, v in hits)
                changed[letter.name] = (seen_version, letter.current.version, letter.current.sha256)
        for letter in pending:
            if letter.name not in current and letter.name not in changed:
                if not changed:
                    raise InvalidInput(f"name the version seen of every letter at stage {self.stage}: "
                                       f"{letter.name} is missing", field="seen", reference=self.reference,
                                       stage=self.stage, letter=letter.name)
        if changed:
            raise StaleLetters(changed, reference=self.reference, stage=self.stage)

    def _check_decider(self, user: User) -> None:
        if self.status is not Status.AWAITING_APPROVAL:
            raise InvalidState(f"{self.reference} is {self.status.value} at stage {self.stage}, not awaiting approval",
                               reference=self.reference, stage=self.stage, facts={"status": self.status.value})
        _require_role(user, DECIDING, "decide on gates")
        ref, stage, org = self.reference, self.stage, user.organisation.value
        if user.email == self.submitted_by:
            raise NotPermitted(f"four eyes: {user.email} submitted stage {self.stage} and cannot decide on it",
                               reference=ref, stage=stage, organisation=org)
        for letter in self.pending_letters:
            if letter.last_editor == user.email:
                raise NotPermitted(f"four eyes: {user.email} last edited letter {letter.name!r} and cannot decide on it",
                                   letter=letter.name, reference=ref, stage=stage, organisation=org)
        decided = self.round_decisions()
        if any(a.approver == user.email for a in decided):
            raise NotPermitted(f"{user.email} has already decided on round {self.round} of stage {self.stage}",
                               facts={"round": self.round}, reference=ref, stage=stage, organisation=org)
        if user.organisation not in self.current_stage.quorum:
            raise NotPermitted(f"{user.organisation.label} does not decide on stage {self.stage}", reference=ref,
                               stage=stage, organisation=org)
        if self._quorum_met(user.organisation):
            others = [o.label for o in self.current_stage.quorum if not self._quorum_met(o)]
            raise NotPermitted(
                f"{user.organisation.label} has already approved round {self.round} of stage {self.stage}; "
                f"the decision now rests with {' and '.join(others)}", facts={"round": self.round}, reference=ref,
                stage=stage, organisation=org,
            )

    def _quorum_met(self, organisation: Organisation) -> bool:
        digest = letters_digest(self.pending_letters)
        approvals = [
            a for a in self.round_decisions()
            if a.organisation is organisation and a.decision is Decision.APPROVED and a.letters_sha256 == digest
        ]
        return len(approvals) >= self.current_stage.quorum.get(organisation, 0)

    def _open_gate(self, now: datetime, ports: Ports, *, actor: str | None) -> None:
        self.status = Status.AWAITING_APPROVAL
        self.events.append(ev.GateOpened(actor, self.stage, self.round, self.submitted_by))
        for organisation in self.current_stage.quorum:
            due = ports.calendar.add_business_days(organisation, now, self.definition.approval_sla_business_days)
            self._add_deadline(
                Deadline(DeadlineKind.APPROVAL_SLA, self.stage, due, now, organisation=organisation, round=self.round),
                actor=self.submitted_by,
            )

    def _gate_met(self, digest: str, now: datetime, ports: Ports, *, actor: str) -> None:
        approved = self.pending_letters
        self.events.append(ev.GateMet(actor, self.stage, self.round, digest, tuple(l.name for l in approved)))
        for letter in approved:
            letter.status = LetterStatus.APPROVED
        self._finish_human_step(now, ports, actor=actor)
        if self.current_stage.dispatch_after_gate:
            self.status = Status.READY
            self._entered(actor)
        else:
            self._leave(now, ports, actor=actor)

    def _void_round(self, reason: str, now: datetime, ports: Ports, *, actor: str) -> None:
        """Approvals given on letters that changed are void; the gate opens a new round."""
        if not self._void_approvals(reason, actor=actor):
            return
        self._close_deadlines(DeadlineKind.APPROVAL_SLA, DeadlineStatus.CANCELLED, now, actor)
        self.round += 1
        self._open_gate(now, ports, actor=actor)

    def _void_approvals(self, reason: str, *, actor: str) -> list[Approval]:
        voided = [a for a in self.round_decisions() if a.decision is Decision.APPROVED]
        for approval in voided:
            approval.void = True
        if voided:
            self.events.append(
                ev.ApprovalsVoided(actor, self.stage, self.round, reason, tuple(a.approver for a in voided))
            )
        return voided

    # ----------------------------------------------------------------- deadlines by hand

    def extend_deadline(
        self, user: User, *, kind: DeadlineKind, to: date | datetime, reason: str, now: datetime,
        organisation: Organisation | None = None,
    ) -> list[Deadline]:
        """Move open deadlines of a kind to a later time; a date keeps the local time of day."""
        deadlines = self._deadlines_by_hand(user, kind, reason, organisation, "extend")
        for deadline in deadlines:
            new_due = _on_date(to, deadline)
            if new_due <= deadline.due_at:
                raise InvalidInput(
                    f"{kind.value} of {self.reference} is due {deadline.due_at.isoformat()}; "
                    f"an extension must be later, not {new_due.isoformat()}",
                    field="to", value=new_due.isoformat(), reference=self.reference, facts={"kind": kind.value},
                )
            if new_due <= now:
                raise InvalidInput(f"an extension must end in the future, not {new_due.isoformat()}", field="to",
                                   value=new_due.isoformat())
            try:
                check_deadline("an extension", new_due, now)
            except InvalidInput as error:  # about the new date the person gave
                error.field = error.field or "to"
                raise
        for deadline in deadlines:
            previous, deadline.due_at = deadline.due_at, _on_date(to, deadline)
            self.events.append(ev.DeadlineExtended(
                user.email, kind.value, deadline.organisation.value if deadline.organisation else None,
                previous.isoformat(), deadline.due_at.isoformat(), reason.strip()))
        return deadlines

    def cancel_deadline(
        self, user: User, *, kind: DeadlineKind, reason: str, now: datetime, organisation: Organisation | None = None,
    ) -> list[Deadline]:
        """Cancel open deadlines of a kind: no more reminders, no automatic step when it passes."""
        deadlines = self._deadlines_by_hand(user, kind, reason, organisation, "cancel")
        for deadline in deadlines:
            self.events.append(ev.DeadlineCancelled(
                user.email, kind.value, deadline.organisation.value if deadline.organisation else None,
                deadline.due_at.isoformat(), reason.strip()))
            self._close(deadline, DeadlineStatus.CANCELLED, now, user.email)
        return deadlines

    def _deadlines_by_hand(
        self, user: User, kind: DeadlineKind, reason: str, organisation: Organisation | None, doing: str,
    ) -> list[Deadline]:
        _require_role(user, CASEWORK, f"{doing} deadlines")
        if is_blank(reason):
            raise InvalidInput(f"to {doing} a deadline, give the reason", field="reason")
        found = [d for d in self.deadlines
                 if d.kind is kind and d.is_open and organisation in (None, d.organisation)]
        if not found:
            whose = f" owed by {organisation.label}" if organisation else ""
            raise InvalidState(f"{self.reference} has no open {kind.value} deadline{whose}", reference=self.reference,
                               organisation=organisation.value if organisation else None, facts={"kind": kind.value})
        return found

    # ----------------------------------------------------------------- skipping and replies

    def skip(self, user: User, *, reason: str, now: datetime, ports: Ports) -> None:
        """Skip an optional stage, with the justification recorded."""
        if is_blank(reason):
            raise InvalidInput("skipping a stage needs a reason", field="reason")
        _require_role(user, CASEWORK, "skip stages")
        stage = self.current_stage
        if stage.skip_to is None:
            raise InvalidState(f"stage {stage.name} of a {self.definition.title.lower()} cannot be skipped",
                               reference=self.reference, stage=stage.name)
        if self.status not in DRAFTING:
            raise InvalidState(f"{self.reference} is {self.status.value}: stage {stage.name} can no longer be skipped",
                               reference=self.reference, stage=stage.name, facts={"status": self.status.value})
        withdrawn = [letter for letter in self.pending_letters if letter.stage == stage.name]
        for letter in withdrawn:
            letter.status = LetterStatus.WITHDRAWN
        self._void_approvals("stage skipped", actor=user.email)
        self._close_deadlines(DeadlineKind.APPROVAL_SLA, DeadlineStatus.CANCELLED, now, user.email)
        self.submitted_by = None
        self.events.append(ev.StageSkipped(user.email, stage.name, reason.strip(), tuple(l.name for l in withdrawn)))
        self._enter(stage.skip_to, now, ports, actor=user.email)

    def record_reply(
        self, user: User, *, received_on: date, acknowledgement_only: bool, now: datetime, ports: Ports
    ) -> None:
        """Record the State's reply: its deadline is met and the action moves on."""
        _require_role(user, CASEWORK, "record replies")
        stage = self.current_stage
        if not (stage.accepts_reply and self.status is Status.WAITING):
            raise InvalidState(f"{self.reference} is {self.status.value} at stage {self.stage}, not awaiting a reply",
                               reference=self.reference, stage=self.stage, facts={"status": self.status.value})
        if received_on > now.date():
            raise InvalidInput(f"a reply cannot be received in the future ({received_on.isoformat()})",
                               field="received_on", value=received_on.isoformat())
        if received_on < self.stage_entered_at.date():
            raise InvalidInput(
                f"a reply received on {received_on.isoformat()} predates the letter "
                f"sent on {self.stage_entered_at.date().isoformat()}",
                field="received_on", value=received_on.isoformat(),
            )
        self.replies.append(Reply(stage.name, received_on, acknowledgement_only, user.email, now))
        self.events.append(ev.ReplyRecorded(user.email, stage.name, received_on.isoformat(), acknowledgement_only))
        self._leave(now, ports, actor=user.email)

    # ----------------------------------------------------------------- withdrawing, closing, reopening, links

    def withdrawal_refused(self, user: User) -> CoordinationError | None:
        """Why this person may not withdraw the action now, or None. Before any letter went out,
        an officer of the lead organisation or a supervisor of either may withdraw it."""
        if self.status in ENDED:
            return InvalidState(f"{self.reference} is {self.status.value}: it cannot be withdrawn",
                                reference=self.reference, stage=self.stage, facts={"status": self.status.value})
        if self.dispatched:
            return InvalidState(f"letters of {self.reference} have been dispatched: it can no longer be withdrawn, "
                                "only closed by a supervisor", reference=self.reference, stage=self.stage,
                                facts={"status": self.status.value})
        lead = self.definition.lead
        if user.role is Role.SUPERVISOR or (user.role is Role.OFFICER and user.organisation is lead):
            return None
        return NotPermitted(f"{user.describe()} cannot withdraw {self.reference}: only officers of {lead.label}, "
                            "the lead organisation, and supervisors can", reference=self.reference,
                            organisation=user.organisation.value,
                            facts={"role": user.role.value, "lead": lead.value, "doing": "withdraw actions"})

    def closure_refused(self, user: User) -> CoordinationError | None:
        """Why this person may not close the action by hand now, or None: a supervisor may, once
        its letters went out."""
        if self.status in ENDED:
            return InvalidState(f"{self.reference} is {self.status.value}: it cannot be closed",
                                reference=self.reference, stage=self.stage, facts={"status": self.status.value})
        if not self.dispatched:
            return InvalidState(f"no letter of {self.reference} has been dispatched: it can be withdrawn, not closed",
                                reference=self.reference, stage=self.stage, facts={"status": self.status.value})
        try:
            _require_role(user, DECIDING, "close actions")
        except NotPermitted as error:
            return error
        return None

    def reopening_refused(self, user: User) -> CoordinationError | None:
        """Why this person may not reopen the action, or None: a supervisor may reopen one
        withdrawn or closed by hand (an action that reached its last stage stays closed)."""
        if not self.ended_by_hand or self.status_before is None:
            return InvalidState(f"{self.reference} is {self.status.value}: only an action withdrawn or closed by "
                                "hand can be reopened", reference=self.reference, stage=self.stage,
                                facts={"status": self.status.value})
        try:
            _require_role(user, DECIDING, "reopen actions")
        except NotPermitted as error:
            return error
        return None

    def withdraw(self, user: User, *, reason: str, now: datetime) -> None:
        """Give the action up before any letter went out: its deadlines are cancelled."""
        if is_blank(reason):
            raise InvalidInput("withdrawing an action needs a reason", field="reason")
        if (refused := self.withdrawal_refused(user)) is not None:
            raise refused
        self.events.append(ev.ActionWithdrawn(user.email, self.stage, self.status.value, reason.strip()))
        self._end(Status.WITHDRAWN, None, reason, now, actor=user.email)

    def close(self, user: User, *, outcome: Outcome, reason: str, now: datetime) -> None:
        """Close the action by hand after its letters went out, with its outcome: its deadlines are cancelled."""
        if is_blank(reason):
            raise InvalidInput("closing an action needs a reason", field="reason")
        if (refused := self.closure_refused(user)) is not None:
            raise refused
        self.events.append(ev.ActionClosedByHand(user.email, self.stage, self.status.value, outcome.value,
                                                 reason.strip()))
        self._end(Status.CLOSED, outcome, reason, now, actor=user.email)

    def _end(self, status: Status, outcome: Outcome | None, reason: str, now: datetime, *, actor: str) -> None:
        self.status_before, self.status = self.status, status
        self.outcome, self.closure_reason = outcome, reason.strip()
        for deadline in self.deadlines:
            if deadline.is_open:
                self._close(deadline, DeadlineStatus.CANCELLED, now, actor)

    def reopen(self, user: User, *, reason: str, now: datetime, ports: Ports) -> None:
        """Back to the stage and status the action had; the deadlines its withdrawal or closure
        cancelled are set again, counted from now."""
        if is_blank(reason):
            raise InvalidInput("reopening an action needs a reason", field="reason")
        if (refused := self.reopening_refused(user)) is not None:
            raise refused
        was, status = self.status, self.status_before or Status.IN_PROGRESS
        self.status, self.outcome, self.closure_reason, self.status_before = status, None, None, None
        self.events.append(ev.ActionReopened(user.email, self.stage, status.value, reason.strip(), was.value))
        stage = self.current_stage
        for rule in stage.deadlines:
            latest = next((d for d in reversed(self.deadlines) if d.kind is rule.kind and d.stage == stage.name), None)
            if latest is not None and latest.status is DeadlineStatus.CANCELLED:
                amount = self._field_value(rule.amount_field) if rule.amount_field else None
                due = due_at(rule, now, amount=int(amount) if amount else None, calendar=ports.calendar)
                self._add_deadline(Deadline(rule.kind, stage.name, due, now), actor=user.email)
        if status is Status.AWAITING_APPROVAL:
            for organisation in stage.quorum:
                if not self._quorum_met(organisation):
                    due = ports.calendar.add_business_days(organisation, now,
                                                           self.definition.approval_sla_business_days)
                    self._add_deadline(Deadline(DeadlineKind.APPROVAL_SLA, stage.name, due, now,
                                                organisation=organisation, round=self.round), actor=user.email)

    def link(self, user: User, other: "JointAction", *, relation: LinkRelation, now: datetime,
             note: str | None = None) -> Link:
        """Link this action to another (`follows_up`: this one follows the other up). The link is
        recorded on both, each with its event; an action is not linked to itself, nor twice the same way."""
        _require_role(user, CASEWORK, "link actions")
        if other.reference == self.reference:
            raise InvalidInput(f"{self.reference} cannot be linked to itself", field="other", value=other.reference,
                               reference=self.reference)
        if any(l.other == other.reference and l.relation is relation for l in self.links):
            raise InvalidState(f"{self.reference} and {other.reference} are already linked ({relation.value})",
                               field="other", value=other.reference, reference=self.reference,
                               facts={"relation": relation.value})
        note = None if is_blank(note) else (note or "").strip()
        link = Link(other.reference, relation, user.email, now, note)
        self.links.append(link)
        other.links.append(Link(self.reference, relation, user.email, now, note, inverse=True))
        self.events.append(ev.ActionLinked(user.email, other.reference, relation.value, note))
        other.events.append(ev.ActionLinked(user.email, self.reference, relation.value, note, inverse=True))
        return link

    # ----------------------------------------------------------------- automatic steps

    def automatic_steps_failed(self, reason: str, *, now: datetime) -> str:
        """The reconciler found the run of the automatic steps failed. A failure seen for the first
        time is given its wait (RERUN_DELAYS, growing with each rerun) or, once the reruns are spent,
        stops the steps; one whose wait is over is run again. Returns "waiting", "rerun" or "stopped"."""
        s, reason = self.steps, " ".join(reason.split())[:MAX_REASON] or "the run failed"
        if s.stopped_at is not None:
            return "stopped"
        if s.retry_at is None:  # a failure not seen before: the first, or that of the latest rerun
            if s.reruns >= len(RERUN_DELAYS):
                self.steps = StepFailures(s.reruns, reason, None, now)
                self.events.append(ev.AutomaticStepsStopped(None, self.stage, self.round, reason, s.reruns,
                                                            now.isoformat()))
                return "stopped"
            retry_at = now + RERUN_DELAYS[s.reruns]
            self.steps = StepFailures(s.reruns, reason, retry_at)
            self.events.append(ev.AutomaticStepsFailed(None, self.stage, self.round, reason, s.reruns + 1,
                                                       retry_at.isoformat()))
            return "waiting"
        if now < s.retry_at:
            return "waiting"
        self.steps = StepFailures(s.reruns + 1, s.failure)
        self.events.append(ev.AutomaticStepsRetried(None, self.stage, self.round, s.reruns + 1))
        return "rerun"

    def resume_automatic_steps(self, actor: str | None, why: str) -> None:
        """Clear the count of failed runs (a run succeeded; a person advanced or changed the action):
        the next failure is given the first, shortest wait again."""
        if not self.steps.clear:
            self.steps = StepFailures()
            self.events.append(ev.AutomaticStepsResumed(actor, self.stage, why))

    def advance(self, *, now: datetime, ports: Ports, address_book: list[Recipient]) -> list[OutboxEntry]:
        """Run the automatic steps (dispatch, passed deadlines) up to the next wait."""
        outbox: list[OutboxEntry] = []
        while True:
            passed = [d.kind for d in self.deadlines if d.is_open and d.due_at <= now]
            if not self.current_stage.has_automatic_steps(self.status, passed):
                break
            if self.status is Status.READY:
                outbox += self._dispatch(address_book, now)
                self._leave(now, ports, actor=None)
            else:
                self._leave(now, ports, actor=None, timed_out=True)
        return outbox

    def _dispatch(self, address_book: list[Recipient], now: datetime) -> list[OutboxEntry]:
        letters = [l for l in self.current_letters if l.status is LetterStatus.APPROVED]
        entries: list[OutboxEntry] = []
        missing: list[str] = []
        for letter in letters:
            spec = self.definition.letter(letter.name)
            seen: set[str] = set()
            for kind in spec.recipients:
                found = [r for r in address_book if r.country == self.country and r.kind is kind]
                if not found:
                    missing.append(kind.value)
                for r in found:
                    if r.email.lower() not in seen:
                        seen.add(r.email.lower())
                        entries.append(OutboxEntry(letter.name, letter.cycle, letter.current.version, r.email, kind.value))
            for ref in spec.to_fields:
                address = self._field_value(ref)
                if address and address.lower() not in seen:
                    seen.add(address.lower())
                    entries.append(OutboxEntry(letter.name, letter.cycle, letter.current.version, address, "requester"))
        if missing:
            kinds = sorted(set(missing))
            raise InvalidState(
                f"cannot dispatch {self.reference}: the address book has no {', '.join(kinds)} for {self.country}",
                field="recipients", choices=kinds, reference=self.reference, stage=self.stage,
                facts={"country": self.country},
            )
        for letter in letters:
            letter.status = LetterStatus.DISPATCHED
            letter.dispatched_at = now
        self.events.append(ev.LettersDispatched(None, self.stage, tuple(l.name for l in letters), len(entries)))
        return entries

    def _field_value(self, ref: str) -> str | None:
        letter_name, field_name = ref.split(".", 1)
        try:
            letter = self.letter(letter_name)
        except (InvalidState, NotFound):
            return None
        return letter.effective_fields(self.definition.letter(letter_name)).get(field_name)

    # ----------------------------------------------------------------- moving between stages

    def _finish_human_step(self, now: datetime, ports: Ports, *, actor: str | None) -> None:
        if self.current_stage.assigns is not None:
            self._assign(self.current_stage.assigns, now, ports, actor=actor)

    def _leave(self, now: datetime, ports: Ports, *, actor: str | None, timed_out: bool = False) -> None:
        stage = self.current_stage
        if stage.exit_deadline is not None:
            status = DeadlineStatus.LAPSED if timed_out and stage.accepts_reply else DeadlineStatus.MET
            self._close_deadlines(stage.exit_deadline, status, now, actor)
        if stage.branch is not None:
            value = self._field_value(stage.branch.field)
            next_stage = stage.branch.routes[value] if value is not None and value in stage.branch.routes else stage.next
        else:
            next_stage = stage.next
        if next_stage is None:
            raise InvalidState(f"stage {stage.name} has nowhere to go")  # a definition error
        self._enter(next_stage, now, ports, actor=actor)

    def _enter(self, name: str, now: datetime, ports: Ports, *, actor: str | None) -> None:
        stage = self.definition.stage(name)
        self.stage = name
        self.stage_entered_at = now
        if stage.kind is StageKind.GATE:
            # rounds count per gate, across rejections and later cycles of the same stage
            self.round = 1 + max((a.round for a in self.approvals if a.stage == name), default=0)
        if stage.kind is not StageKind.GATE or stage.drafts_letters:
            self.submitted_by = None  # a gate without drafts keeps the submitter of its work step
        for spec in stage.letters:
            cycle = 1 + max((l.cycle for l in self.letters if l.name == spec.name), default=0)
            letter = Letter.start(spec, stage=name, cycle=cycle, language=self.language, now=now)
            self.letters.append(letter)
            self.events.append(ev.LetterStarted(actor, letter.name, cycle, letter.current.sha256))
        for rule in stage.deadlines:
            amount = self._field_value(rule.amount_field) if rule.amount_field else None
            due = due_at(rule, now, amount=int(amount) if amount else None, calendar=ports.calendar)
            self._add_deadline(Deadline(rule.kind, name, due, now), actor=actor)
        if stage.kind is StageKind.TERMINAL:
            self.status = Status.CLOSED
            for deadline in self.deadlines:
                if deadline.is_open:
                    self._close(deadline, DeadlineStatus.CANCELLED, now, actor)
        elif stage.kind is StageKind.DISPATCH:
            self.status = Status.READY
        elif stage.kind is StageKind.WAIT:
            self.status = Status.WAITING
        elif stage.kind is StageKind.GATE and not stage.drafts_letters:
            self._open_gate(now, ports, actor=actor)
        else:
            self.status = Status.IN_PROGRESS
        self._entered(actor)
        if self.status is Status.CLOSED:
            self.events.append(ev.ActionClosed(actor, name))

    def _assign(self, kind: ReferenceKind, now: datetime, ports: Ports, *, actor: str | None, announce: bool = True) -> str:
        series = reference_series(kind, year=now.year, country=self.country)
        value = format_reference(kind, ports.numbers.next_number(series), year=now.year, country=self.country)
        self.references.append(Reference(kind, value, now))
        if announce:
            self.events.append(ev.ReferenceAssigned(actor, kind.value, value))
        return value

    def _entered(self, actor: str | None) -> None:
        self.events.append(ev.StageEntered(actor, self.stage, self.status.value, self.round, self.submitted_by))

    def _add_deadline(self, deadline: Deadline, *, actor: str | None) -> None:
        check_deadline(f"the {deadline.kind.value} deadline", deadline.due_at, deadline.created_at)
        self.deadlines.append(deadline)
        org = deadline.organisation.value if deadline.organisation else None
        self.events.append(ev.DeadlineSet(actor, deadline.kind.value, deadline.due_at.isoformat(), org,
                                          deadline.stage, deadline.round))

    def _close_deadlines(
        self, kind: DeadlineKind, status: DeadlineStatus, now: datetime, actor: str | None,
        organisation: Organisation | None = None,
    ) -> None:
        for deadline in self.deadlines:
            if deadline.kind is kind and deadline.is_open and organisation in (None, deadline.organisation):
                self._close(deadline, status, now, actor)

    def _close(self, deadline: Deadline, status: DeadlineStatus, now: datetime, actor: str | None) -> None:
        deadline.close(status, now)
        self.events.append(ev.DeadlineClosed(actor, deadline.kind.value, status.value,
                                             deadline.organisation.value if deadline.organisation else None))
