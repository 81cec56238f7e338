"""What the use cases need from outside, as protocols: the unit of work and its repositories,
the clock, the letter renderer, the flow-run scheduler, the mailer, the password hasher and
the signer of calendar addresses.

The services depend on these and on the domain only. The adapters implement them
(`coordination/adapters`), and the composition root (`coordination/bootstrap.py`) builds the
adapters and hands each use case the ones its signature names. Tests hand fakes instead
(`tests/unit/fakes.py`).
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from email.message import EmailMessage
from types import TracebackType
from typing import Any, Protocol, Self

from coordination.domain import JointAction, Organisation, Recipient, RecipientKind, Role, Status, User
from coordination.domain.deadlines import Deadline
from coordination.domain.letters import Letter
from coordination.domain.mandates import Holder, Mandate
from coordination.domain.mandates import Signer as LetterSigner
from coordination.domain.ports import AddressCheck
from coordination.domain.vocabulary import Gender, Office


def deployment_name(flow: str) -> str:
    """The Prefect deployment of a flow: each flow is deployed once, under its own name."""
    return f"{flow}/{flow}"


Clock = Callable[[], datetime]
"""The time now, in UTC (a fixed or moving clock in tests)."""


@dataclass(frozen=True)
class RunRequest:
    """A flow run an action calls for: its automatic steps (dispatch, deadlines) are due."""

    action_id: int
    reference: str
    action_type: str
    stage: str
    round: int
    ready: bool = True  # automatic steps are pending (False: just opened, the run only looks)

    @property
    def idempotency_key(self) -> str:
        return f"{self.action_id}:{self.stage}:{self.round}"

    @property
    def run_name(self) -> str:
        return f"{self.reference} {self.stage}"

    @property
    def deployment(self) -> str:
        """The Prefect deployment of the action's type: its flow and deployment share the type's name."""
        return deployment_name(self.action_type)

    @classmethod
    def for_action(cls, action: JointAction, *, opened: bool = False) -> "RunRequest | None":
        """The run an action calls for after a change: one when it was just opened (the run looks
        and stops) or when it is ready for automatic steps; else none."""
        ready = action.status is Status.READY
        if not (opened or ready) or action.id is None:
            return None
        return cls(action.id, action.reference, action.type.value, action.stage, action.round, ready=ready)


class Scheduler(Protocol):
    """Starts flow runs (Prefect's deployments under `coordination serve`)."""

    def request(self, run: RunRequest) -> bool:
        """Ask for the run; True if it was taken, False if it is left to the reconciler."""
        ...


class Rendered(Protocol):
    subject: str
    text: str
    language: str


class Renderer(Protocol):
    """Letters out of their templates, in the State's language (or another one asked for).
    `signers`: who signs, in the order of the blocks (a version's bound signers, or for a draft
    those resolved on the day, a vacancy as a Signer without a name)."""

    def render(
        self, action: JointAction, letter: Letter, *, on: Any, fmt: str = "txt", language: str | None = None,
        recipients: Any = (), created: datetime | None = None, signers: Sequence[LetterSigner] = (),
    ) -> Rendered: ...

    def pdf(self, html: str) -> bytes: ...


class Mailer(Protocol):
    """An SMTP connection held for a batch of messages."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None,
    ) -> None: ...

    async def send(self, message: EmailMessage, *, sender: str, recipients: list[str]) -> None:
        """Send `message` to exactly `recipients` (the envelope)."""
        ...


class TransientDeliveryError(Exception):
    """The server is unreachable, dropped us, or answered 4xx: try again later."""


class UnreachableServer(TransientDeliveryError):
    """No connection to the server: nothing in this batch can go now."""


class PermanentDeliveryError(Exception):
    """The server refused the message for good (5xx): retrying will not help."""


class PasswordHasher(Protocol):
    """Slow, salted password hashes (argon2id): hashing and verifying cost the same for everyone."""

    def hash(self, password: str) -> str: ...

    def verify(self, hashed: str | None, password: str) -> bool:
        """Whether `password` is the one `hashed` was made of; no hash (no such account) costs one
        verification all the same, and is False."""
        ...

    def needs_rehash(self, hashed: str) -> bool:
        """Whether `hashed` was made with other parameters than the current ones."""
        ...


class Signer(Protocol):
    """Signs with the web app's secret key (COORDINATION_SECRET_KEY, or the data directory's key file)."""

    def sign(self, message: str) -> str:
        """HMAC-SHA256 of `message` under the key, as hex."""
        ...


# ---------------------------------------------------------------- people: users, passwords, sessions

class Users(Protocol):
    """The people who can sign in and act."""

    def get(self, email: str) -> User | None: ...

    def require(self, email: str, *, active: bool = True) -> User:
        """The user of this email (NotFound); a disabled one is refused (NotPermitted) unless `active` is False."""
        ...

    def by_id(self, user_id: int) -> User | None: ...

    def lock(self, email: str) -> User:
        """The user of this email, their row locked until the transaction ends (NotFound if none)."""
        ...

    def add(self, user: User, *, now: datetime) -> User: ...

    def all(self) -> list[User]: ...

    def disabled(self) -> set[str]:
        """The emails of the disabled users."""
        ...

    def active_emails(self) -> set[str]:
        """The emails of the users who are not disabled."""
        ...

    def with_role(self, organisation: Organisation, role: Role) -> list[User]:
        """The enabled users of this organisation and role."""
        ...

    def set_disabled(self, user_id: int, disabled_at: datetime | None) -> None: ...

    def set_role(self, user_id: int, role: Role) -> None: ...

    def set_organisation(self, user_id: int, organisation: Organisation) -> None: ...

    def last_sign_ins(self) -> dict[str, datetime]:
        """Each user's latest sign-in (by email), for those who ever signed in."""
        ...


class Recipients(Protocol):
    """The address book of State recipients."""

    def add(self, recipient: Recipient, *, now: datetime) -> Recipient:
        """Conflict if this country already has this address for this kind of recipient."""
        ...

    def for_country(self, country: str) -> list[Recipient]:
        """This State's recipients in the address book (removed ones left out)."""
        ...

    def listing(self, country: str | None = None) -> list[Recipient]:
        """The address book, or one State's part of it (removed recipients left out)."""
        ...

    def find(self, country: str, kind: RecipientKind, email: str) -> Recipient:
        """The recipient of this key, locked (NotFound if none or removed)."""
        ...

    def update(self, recipient_id: int, *, kind: RecipientKind, email: str, name: str | None,
               office: Office | None = None, gender: Gender | None = None) -> Recipient:
        """Conflict if the new key is another recipient's. `office` and `gender` replace the stored
        ones (both None: the institution is addressed)."""
        ...

    def remove(self, recipient_id: int, *, now: datetime) -> None:
        """Out of the address book; its row is kept (past dispatches name it)."""
        ...


@dataclass(frozen=True)
class PasswordLink:
    """A password-set link as stored (its token's hash only)."""

    id: int
    user_id: int
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


class PasswordLinks(Protocol):
    def add(self, *, token_sha256: str, user_id: int, created_by: str, now: datetime, expires_at: datetime) -> int:
        """A new link; earlier unspent links of the person are spent."""
        ...

    def get(self, token_sha256: str, *, for_update: bool = False) -> PasswordLink | None: ...

    def spend(self, link_id: int, *, now: datetime) -> None: ...

    def spend_all(self, user_id: int, *, now: datetime) -> int: ...


class Mandates(Protocol):
    """The mandates whose holders sign letters (seeded from the catalogue, corrected by an admin)."""

    def all(self) -> list[Mandate]: ...

    def get(self, code: str, *, for_update: bool = False) -> Mandate:
        """The mandate, or InvalidInput naming the known codes."""
        ...

    def update(self, mandate: Mandate, *, now: datetime) -> None: ...


class Holders(Protocol):
    """The holders' terms of the mandates."""

    def all(self, mandate: str | None = None, *, for_update: bool = False) -> list[Holder]: ...

    def add(self, holder: Holder, *, now: datetime) -> Holder: ...

    def end(self, holder_id: int, on: date, *, now: datetime) -> Holder: ...


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str


class PasswordLinkMail(Protocol):
    """The mail that carries a password-set link, in text and HTML."""

    def __call__(self, *, name: str, link: str, expires_at: datetime, by: str, language: str | None = None) -> Mail: ...


@dataclass(frozen=True)
class Credential:
    """A user's password hash, interface language and calendar address generation."""

    user_id: int
    password_hash: str | None
    language: str | None
    calendar_generation: int


class Credentials(Protocol):
    def get(self, user_id: int) -> Credential | None: ...

    def set_password(self, user_id: int, password_hash: str, *, now: datetime) -> None: ...

    def rehash(self, user_id: int, password_hash: str) -> None:
        """The same password under the current parameters (not a change: `updated_at` stays)."""
        ...

    def set_language(self, user_id: int, language: str, *, now: datetime) -> None: ...

    def renew_calendar(self, user_id: int, *, now: datetime) -> int:
        """The next calendar address generation of this user (their row locked); returns it."""
        ...

    def calendar_generations(self) -> list[tuple[str, int]]:
        """(email, calendar address generation) of every enabled user."""
        ...


@dataclass(frozen=True)
class SessionRow:
    """A signed-in session, as stored under its token's hash."""

    user_id: int
    last_seen_at: datetime
    expires_at: datetime
    ended_at: datetime | None


class Sessions(Protocol):
    def get(self, key: str) -> SessionRow | None: ...

    def open(self, key: str, *, user_id: int, now: datetime, expires_at: datetime, forget_before: datetime) -> None:
        """A new session under `key`; the user's sessions that expired before `forget_before` are deleted."""
        ...

    def touch(self, key: str, *, now: datetime) -> None:
        """The session was used now (if it has not ended)."""
        ...

    def end(self, key: str, *, now: datetime, reason: str) -> None:
        """End the session (if it has not ended)."""
        ...

    def end_all(self, user_id: int, *, now: datetime, reason: str) -> int:
        """End every open session of this user; returns how many."""
        ...


class SignInFailures(Protocol):
    """Failed sign-ins counted per key (an account's, a client's)."""

    def blocked_until(self, keys: list[str]) -> datetime | None:
        """The latest time any of these keys is blocked until, if any."""
        ...

    def count(self, key: str, *, now: datetime, forget_before: datetime) -> int:
        """One more failure for this key (concurrent ones all count), its count started again when its
        first failure is before `forget_before`; returns the count."""
        ...

    def block(self, key: str, *, until: datetime) -> None: ...

    def clear(self, keys: list[str]) -> None: ...


@dataclass(frozen=True)
class ActionRow:
    """An action as lists show it: its JAM reference and where it stands, not its letters."""

    id: int
    reference: str
    type: str
    country: str
    title: str
    stage: str
    status: str
    updated_at: datetime | None = None
    outcome: str | None = None  # of an action closed by hand


@dataclass(frozen=True)
class GateRow:
    """A gate that waits on an organisation's approval, due at `due_at`."""

    action: ActionRow
    due_at: datetime


class InboxQueries(Protocol):
    """What the inbox lists."""

    def gates_awaiting(self, organisation: Organisation) -> list[GateRow]:
        """Gates whose approval deadline for this organisation is still open, soonest first."""
        ...

    def open_actions(self, *, opened_by: str | None = None) -> list[ActionRow]:
        """Actions not ended (closed or withdrawn), oldest first; only those `opened_by` opened if given."""
        ...


class LetterViews(Protocol):
    """The letter versions each person has seen on the action page."""

    def seen(self, *, user_id: int, letter_ids: Sequence[int]) -> dict[int, set[int]]:
        """The versions of each of these letters the user has seen, by letter id."""
        ...

    def record(self, *, user_id: int, action_id: int, version_ids: Sequence[int], now: datetime) -> int:
        """Remember these versions (those of the action's letters; others are ignored) as seen;
        returns how many were not seen before."""
        ...


@dataclass(frozen=True)
class DueAction:
    """An action with automatic steps due: ready, or waiting with an open deadline due (its kind)."""

    id: int
    reference: str
    type: str
    stage: str
    status: str
    round: int
    due_kind: str | None


class Actions(Protocol):
    """Joint actions, whole: the aggregate and its references, letters, approvals, deadlines, replies."""

    def find_id(self, reference: str) -> int:
        """The id of the action a person names by reference (NotFound)."""
        ...

    def get(self, reference: str, *, for_update: bool = False) -> JointAction: ...

    def get_by_id(self, action_id: int, *, for_update: bool = False) -> JointAction: ...

    def with_automatic_steps_due(self, *, now: datetime) -> list[DueAction]: ...

    def stopped_unreported(self) -> list["StoppedSteps"]: ...

    def take_stops_to_report(self, ids: list[int], *, now: datetime) -> set[int]: ...

    def save(self, action: JointAction, *, now: datetime, by: User | None = None) -> None:
        """Write the action (its new rows get their ids now); the commit audits its events as `by`'s."""
        ...


@dataclass(frozen=True)
class Rendition:
    """A dispatched letter version as it was sent, frozen."""

    subject: str
    text: str
    html: str
    pdf_sha256: str | None = None  # of the PDF made from `html` (PDF/A, reproducible); None before issue 13


class Outbox(Protocol):
    """Messages to send, one row per (letter version, recipient), and the letters' frozen renditions."""

    def add(self, *, action_id: int, letter_version_id: int, recipient: str, recipient_kind: str,
            message_id: str, now: datetime) -> None: ...

    def add_digest(self, *, recipient: str, subject: str, text: str, html: str, message_id: str,
                   now: datetime) -> int: ...

    def for_action(self, action_id: int) -> list["OutboxEntry"]: ...

    def cancel_for_action(self, action_id: int, *, now: datetime) -> list[str]:
        """Cancel the action's letters not yet sent (never claimed again); returns their Message-IDs."""
        ...

    def listing(self, *, status: str | None = None) -> list["OutboxEntry"]: ...

    def reclaim_stale(self, *, now: datetime, stale_before: datetime) -> dict[int, int]: ...

    def claim(self, *, now: datetime, limit: int, deferred: bool = False) -> list[int]: ...

    def release(self, ids: list[int], *, claimed_at: datetime) -> int: ...

    def batch(self, ids: list[int]) -> list["OutboxMessage"]: ...

    def attempts(self, outbox_id: int) -> int: ...

    def record(self, outbox_id: int, *, status: str, now: datetime, error: str | None = None,
               next_attempt_at: datetime | None = None) -> object: ...

    def unreported_failures(self) -> list["FailedLetter"]: ...

    def take_failures_to_report(self, ids: list[int], *, now: datetime) -> set[int]: ...

    def settle(self, outbox_id: int, *, status: str, now: datetime, error: str | None) -> None: ...

    def freeze_rendering(self, letter_version_id: int, *, subject: str, text: str, html: str,
                         pdf: bytes | None = None) -> None: ...

    def frozen_pdfs(self, letter_version_ids: Iterable[int]) -> dict[int, bytes]: ...

    def pdf_sha256s(self, letter_version_ids: Iterable[int]) -> dict[int, str]: ...

    def rendition(self, letter_version_id: int) -> Rendition | None: ...


class Numbers(Protocol):
    def next_number(self, series: str) -> int: ...


class AuditTrail(Protocol):
    """The hash-chained audit trail of this transaction."""

    def append(self, *, now: datetime, actor: str, event: str, payload: dict[str, Any],
               organisation: str | None = None, action_id: int | None = None, subject: str | None = None) -> object:
        ...

    def append_many(self, events: list[dict[str, Any]]) -> list[Any]: ...

    def history(self, action_id: int) -> list["AuditEntry"]: ...

    def head(self) -> Any: ...

    def verify_chain(self) -> Any: ...

    def replay(self) -> Any: ...


class UnitOfWork(Protocol):
    """One transaction: its repositories share it, and nothing is kept unless committed.

    `commit()` writes one audit event per domain event of the actions saved in it, commits,
    and returns the flow runs those actions now call for (the caller hands them to the
    `Scheduler`)."""

    actions: Actions
    users: Users
    credentials: Credentials
    sessions: Sessions
    sign_in_failures: SignInFailures
    recipients: Recipients
    password_links: PasswordLinks
    mandates: Mandates
    holders: Holders
    outbox: Outbox
    deadlines: Any
    numbers: Numbers
    audit: AuditTrail
    inbox: InboxQueries
    letter_views: LetterViews
    queries: "Queries"

    def __enter__(self) -> Self: ...

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None,
    ) -> None: ...

    def commit(self) -> list[RunRequest]: ...


class UnitsOfWork(Protocol):
    """Opens a unit of work (`read_only=True`: one that cannot commit)."""

    def __call__(self, *, read_only: bool = False) -> UnitOfWork: ...


# ---------------------------------------------------------------- delivery, reminders, maintenance, read models

MailerFactory = Callable[[], Mailer | None]
"""A mailer for the configured SMTP server (a new connection each batch), or None when none is configured."""

Migrate = Callable[[], tuple[str | None, str]]
"""Upgrade the database's schema to head; returns the revisions before and after."""


class CheckedAddresses(AddressCheck, Protocol):
    """The domain's address check, and the reason a stored address would be refused today (None: it passes)."""

    def problem(self, value: str) -> str | None: ...


class Seal(Protocol):
    """The audit key's signature of the chain's head, kept outside the database."""

    def checkpoint(self, count: int, digest: str) -> str:
        """Sign the head (`count` events, the last one's `digest`), append it to the checkpoints; returns the line."""
        ...


@dataclass(frozen=True)
class OutboxMessage:
    """An outbox row to send, with what its message is built from: a digest's own text, or the
    letter version frozen at dispatch (the letter fields are None for a digest, or when the
    letter version is gone)."""

    id: int
    kind: str  # "letter" or "digest"
    action_id: int | None
    recipient: str
    message_id: str
    attempts: int
    last_error: str | None
    created_at: datetime
    subject: str | None  # a digest's subject, text and HTML
    body_text: str | None
    body_html: str | None
    reference: str | None  # the action's JAM reference
    letter: str | None  # the letter's name
    letter_version_id: int | None
    version: int | None
    dispatched_at: datetime | None
    rendered_subject: str | None
    rendered_text: str | None
    rendered_html: str | None
    language: str | None = None  # the letter's (en/es/fr/pt); None for a digest
    references: tuple[str, ...] = ()  # the action's JAM, MC and UA references, for a letter's covering words


@dataclass(frozen=True)
class OutboxEntry:
    """An outbox row as it is listed: its state, and the letter it carries (None for a digest)."""

    id: int
    kind: str
    action_id: int | None
    letter_version_id: int | None
    reference: str | None
    letter: str | None
    version: int | None
    recipient: str
    recipient_kind: str
    message_id: str
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    sent_at: datetime | None


@dataclass(frozen=True)
class FailedLetter:
    """A letter that failed for good and was not yet reported to its action's officer."""

    id: int  # the outbox row
    action_id: int
    message_id: str
    recipient_kind: str
    last_error: str | None
    reference: str
    letter: str
    version: int
    officer: str


@dataclass(frozen=True)
class AuditEntry:
    """One event of the audit trail, as an action's history shows it."""

    id: int
    occurred_at: datetime
    actor: str
    organisation: str | None
    action_id: int | None
    subject: str | None
    event: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class DeadlineRow:
    """An open deadline with what reminders and listings need of its action."""

    deadline: Deadline
    action_id: int
    reference: str
    action_type: str
    country: str
    stage: str
    round: int
    opened_by: str
    submitted_by: str | None


@dataclass(frozen=True)
class DigestItem:
    reference: str
    action_type: str
    country: str
    stage: str
    kind: str
    organisation: str | None
    due_at: datetime
    status: str  # "due in 3 days", "overdue by 2 days (escalation 1)"
    escalation: bool
    link: str
    request: bool = False  # the request to decide on a gate, sent when it opens
    threshold: str = ""  # "request", "before-3d", "on-the-day", "escalation-2": `status` in another language
    late_days: int = 0  # whole days past the due time, for an escalation


@dataclass(frozen=True)
class DigestFailure:
    """A letter that could not be delivered, reported once to the action's officer."""

    reference: str
    letter: str
    version: int
    recipient_kind: str  # the address is left out: the action's page shows it
    error: str
    link: str


@dataclass(frozen=True)
class StoppedSteps:
    """An action whose automatic steps stopped after failing, not yet reported to its officer."""

    action_id: int
    reference: str
    stage: str
    failure: str | None
    stopped_at: datetime
    officer: str


@dataclass(frozen=True)
class DigestStopped:
    """An action whose automatic steps stopped, as its officer's digest names it."""

    reference: str
    stage: str
    error: str
    stopped_at: datetime
    link: str


@dataclass(frozen=True)
class Digest:
    subject: str
    text: str
    html: str


class DigestRenderer(Protocol):
    """One person's reminder digest, in text and HTML (due times in `zone`)."""

    def __call__(
        self, *, name: str, zone: tzinfo, items: list[DigestItem], reason: str,
        failures: list[DigestFailure] | None = None, language: str | None = None,
        stopped: list[DigestStopped] | None = None,
    ) -> Digest: ...


@dataclass(frozen=True)
class FeedEvent:
    """A deadline in a calendar feed, with an alarm `alarm_before` it."""

    uid: str
    stamp: datetime
    start: datetime
    end: datetime
    summary: str
    description: str
    url: str
    alarm: str
    alarm_before: timedelta


class CalendarWriter(Protocol):
    """A calendar feed (iCalendar) of these events."""

    def __call__(self, *, name: str, events: list[FeedEvent]) -> bytes: ...


@dataclass(frozen=True)
class StateReplyOwed:
    """A State's reply deadline that is not cancelled, for the overview's reply rates."""

    country: str
    status: str
    due_at: datetime
    created_at: datetime
    action_id: int
    stage: str


@dataclass(frozen=True)
class FirstDispatch:
    """An action's type, when it was opened and when its first letter was dispatched (None: not yet)."""

    type: str
    opened_at: datetime
    first: datetime | None


@dataclass(frozen=True)
class LetterFieldValues:
    """The current fields of a letter, for the doctor."""

    reference: str
    action_type: str
    letter: str
    cycle: int
    fields: dict[str, Any]


@dataclass(frozen=True)
class StoredAddress:
    """An address in a row of the address book, the users or the outbox."""

    id: int
    email: str
    kind: str | None = None  # the recipient's, or the outbox row's ("letter", "digest")
    country: str | None = None
    status: str | None = None  # an outbox row's
    reference: str | None = None  # an outbox letter's action


@dataclass(frozen=True)
class ActionFilters:
    """What a search of the actions asks for; None (or "") is no filter. `text` matches a reference
    (any of the action's), the State (its ISO code or its name), a beneficiary, the title or a
    value of one of its letters' current fields, case-insensitively, as typed (no wildcards)."""

    status: str | None = None
    type: str | None = None
    stage: str | None = None
    country: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class ReportAction:
    """One action opened in the report's year, narrow: where it stands and its dates, never its
    title, beneficiaries or facts."""

    type: str
    country: str
    status: str
    outcome: str | None  # how a closed action ended, where that is recorded
    opened_at: datetime
    first_dispatch: datetime | None  # its first letter dispatched to the State
    first_reply: date | None  # the State's first reply recorded


@dataclass(frozen=True)
class ReportDecision:
    """One decision taken at a gate of an action opened in the report's year: when the gate
    opened for that organisation (its approval deadline was set) and when it decided."""

    type: str
    country: str
    organisation: str
    gate_opened_at: datetime
    decided_at: datetime


class Queries(Protocol):
    """Read models: figures and stored values that no aggregate holds, read in SQL."""

    def search_actions(self, filters: ActionFilters, *, offset: int, limit: int,
                       ) -> tuple[int, list[tuple[ActionRow, list[str]]]]:
        """How many actions match, and a page of them (oldest first) with their references."""
        ...

    def report_actions(self, start: datetime, end: datetime) -> Iterable[ReportAction]:
        """The actions opened in [start, end), narrow rows."""
        ...

    def report_decisions(self, start: datetime, end: datetime) -> Iterable[ReportDecision]:
        """The decisions at the gates of the actions opened in [start, end)."""
        ...

    def open_by_stage(self) -> list[tuple[str, str, int]]: ...

    def open_by_country(self) -> list[tuple[str, int]]: ...

    def ended(self) -> list[tuple[str, str | None, int]]:
        """(status, outcome, actions) of the withdrawn and closed ones."""
        ...

    def overdue_by_kind(self, now: datetime) -> list[tuple[str, int]]: ...

    def state_replies_owed(self) -> list[StateReplyOwed]: ...

    def replies_received(self) -> dict[tuple[int, str], date]: ...

    def first_dispatches(self) -> list[FirstDispatch]: ...

    def current_letter_fields(self, letters: Iterable[str]) -> list[LetterFieldValues]: ...

    def recipient_addresses(self) -> list[StoredAddress]: ...

    def user_addresses(self) -> list[StoredAddress]: ...

    def queued_addresses(self) -> list[StoredAddress]: ...
