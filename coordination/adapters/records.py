"""SQLModel records: the system of record's tables. Apart from the domain; see `repositories.py`."""

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Column, Field, SQLModel


class UTCDateTime(sa.types.TypeDecorator):
    """Aware UTC datetimes in Python, naive UTC in the database (same on SQLite and PostgreSQL)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; all times are UTC-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _time(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json() -> Any:
    return Field(default=None, sa_column=Column(sa.JSON(), nullable=False))


class UserRecord(SQLModel, table=True):
    __tablename__ = "users"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    name: str = Field(max_length=200)
    organisation: str = Field(max_length=10)
    role: str = Field(max_length=20)
    created_at: datetime = _time()
    disabled_at: datetime | None = _time(nullable=True)  # a disabled user can neither sign in nor act


class RecipientRecord(SQLModel, table=True):
    __tablename__ = "recipients"
    __table_args__ = (sa.UniqueConstraint("country", "kind", "email"),)
    id: int | None = Field(default=None, primary_key=True)
    country: str = Field(max_length=3, index=True)
    kind: str = Field(max_length=40)
    email: str = Field(max_length=320)
    name: str | None = Field(default=None, max_length=200)
    # who heads it ("minister", "ambassador"…) and the grammatical gender of the title ("f", "m"),
    # for the letters' form of address; both empty: the institution itself is addressed
    office: str | None = Field(default=None, max_length=40)
    gender: str | None = Field(default=None, max_length=1)
    created_at: datetime = _time()
    # removed from the address book: no longer offered or dispatched to; the outbox keeps its rows
    removed_at: datetime | None = _time(nullable=True)


class ActionRecord(SQLModel, table=True):
    __tablename__ = "joint_actions"
    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(max_length=40, index=True)
    country: str = Field(max_length=3)
    language: str = Field(max_length=2)
    title: str
    beneficiaries: list[str] = _json()
    opened_by: str = Field(max_length=320)
    opened_at: datetime = _time()
    stage: str = Field(max_length=40)
    status: str = Field(max_length=20, index=True)
    stage_entered_at: datetime = _time()
    round: int = 1
    submitted_by: str | None = Field(default=None, max_length=320)
    version: int = 0
    updated_at: datetime = _time()
    # withdrawn or closed by hand (issue 12): the outcome of a closure, the reason, the status a reopening returns to
    outcome: str | None = Field(default=None, max_length=40)
    closure_reason: str | None = None
    status_before: str | None = Field(default=None, max_length=20)
    # failed runs of the automatic steps (issue 14, part 5): reruns made, the latest failure's message,
    # when the next rerun may start, when the steps stopped (reruns spent) and the officer was told
    steps_reruns: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    steps_failure: str | None = None
    steps_retry_at: datetime | None = _time(nullable=True)
    steps_stopped_at: datetime | None = _time(nullable=True)
    steps_reported_at: datetime | None = _time(nullable=True)


class ActionLinkRecord(SQLModel, table=True):
    """One side of a link between two actions: each link is two rows, one per action, the
    other's `inverse` (for `follows_up`: the row of the action followed up)."""

    __tablename__ = "action_links"
    __table_args__ = (sa.UniqueConstraint("action_id", "other_id", "relation", "inverse"),)
    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="joint_actions.id", index=True)
    other_id: int = Field(foreign_key="joint_actions.id", index=True)
    relation: str = Field(max_length=40)
    inverse: bool = False
    note: str | None = None
    linked_by: str = Field(max_length=320)
    linked_at: datetime = _time()


class ReferenceRecord(SQLModel, table=True):
    __tablename__ = "action_references"
    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="joint_actions.id", index=True)
    kind: str = Field(max_length=20)
    value: str = Field(max_length=60, unique=True)
    assigned_at: datetime = _time()


class LetterRecord(SQLModel, table=True):
    __tablename__ = "letters"
    __table_args__ = (sa.UniqueConstraint("action_id", "name", "cycle"),)
    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="joint_actions.id", index=True)
    name: str = Field(max_length=60)
    stage: str = Field(max_length=40)
    cycle: int = 1
    language: str = Field(max_length=2)
    status: str = Field(max_length=20)
    dispatched_at: datetime | None = _time(nullable=True)


class LetterVersionRecord(SQLModel, table=True):
    __tablename__ = "letter_versions"
    __table_args__ = (sa.UniqueConstraint("letter_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    letter_id: int = Field(foreign_key="letters.id", index=True)
    version: int
    fields: dict[str, Any] = _json()
    sha256: str = Field(max_length=64)
    edited_by: str | None = Field(default=None, max_length=320)
    created_at: datetime = _time()
    # frozen at dispatch, never regenerated: what was approved is what is sent
    rendered_subject: str | None = None
    rendered_text: str | None = None
    rendered_html: str | None = None
    rendered_pdf_sha256: str | None = Field(default=None, max_length=64)  # the PDF made from rendered_html
    # the PDF itself, made once at dispatch: attached to every message and downloaded as it was sent
    # (None before migration 0011: made again from rendered_html, the same bytes)
    rendered_pdf: bytes | None = Field(default=None, sa_column=Column(sa.LargeBinary(), nullable=True))
    # who signs this version, resolved when it went to its gate (None: a draft, or a letter nobody signs)
    signers: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(sa.JSON(), nullable=True))


class ApprovalRecord(SQLModel, table=True):
    __tablename__ = "approvals"
    __table_args__ = (sa.UniqueConstraint("action_id", "stage", "round", "approver"),)
    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="joint_actions.id", index=True)
    stage: str = Field(max_length=40)
    round: int
    organisation: str = Field(max_length=10)
    approver: str = Field(max_length=320)
    decision: str = Field(max_length=10)
    comment: str | None = None
    letters_sha256: str = Field(max_length=64)
    decided_at: datetime = _time()
    void: bool = False


class DeadlineRecord(SQLModel, table=True):
    __tablename__ = "deadlines"
    __table_args__ = (sa.Index("ix_deadlines_status_due_at", "status", "due_at"),)
    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="joint_actions.id", index=True)
    kind: str = Field(max_length=20)
    stage: str = Field(max_length=40)
    organisation: str | None = Field(default=None, max_length=10)
    round: int | None = None
    due_at: datetime = _time()
    status: str = Field(max_length=20)
    created_at: datetime = _time()
    closed_at: datetime | None = _time(nullable=True)


class ReplyRecord(SQLModel, table=True):
    __tablename__ = "replies"
    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="joint_actions.id", index=True)
    stage: str = Field(max_length=40)
    received_on: date
    acknowledgement_only: bool = False
    recorded_by: str = Field(max_length=320)
    recorded_at: datetime = _time()


class OutboxRecord(SQLModel, table=True):
    """pending → sending (claimed by a sender) → sent | failed; a retry goes back to pending;
    pending → cancelled when its action is closed or withdrawn (no sender claims it again).

    Two kinds of message: a dispatched letter version to one of the State's recipients
    (kind "letter"), or one person's reminder digest (kind "digest"), whose subject and
    bodies are frozen here when the sweep writes it.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        sa.UniqueConstraint("letter_version_id", "recipient"),
        sa.Index("ix_outbox_status_id", "status", "id"),
        sa.Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="letter", max_length=10, sa_column_kwargs={"server_default": "letter"})
    action_id: int | None = Field(default=None, foreign_key="joint_actions.id", index=True)
    letter_version_id: int | None = Field(default=None, foreign_key="letter_versions.id")
    recipient: str = Field(max_length=320)
    recipient_kind: str = Field(max_length=40)
    message_id: str = Field(max_length=200, unique=True)
    subject: str | None = None  # digests only
    body_text: str | None = None
    body_html: str | None = None
    status: str = Field(default="pending", max_length=20)
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime = _time()
    # a failed letter is reported once to the action's officer, in their next reminder digest
    failure_reported_at: datetime | None = _time(nullable=True)
    next_attempt_at: datetime | None = _time(nullable=True)
    claimed_at: datetime | None = _time(nullable=True)
    sent_at: datetime | None = _time(nullable=True)


class ReminderRecord(SQLModel, table=True):
    """One reminder: a (deadline, due time, threshold, recipient), written at most once.

    The uniqueness constraint is what makes a second sweep, or one after a crash, send
    nothing twice; the due time is part of it so that an extended deadline reminds again.
    """

    __tablename__ = "reminders"
    __table_args__ = (sa.UniqueConstraint("deadline_id", "due_at", "threshold", "recipient"),)
    id: int | None = Field(default=None, primary_key=True)
    deadline_id: int = Field(foreign_key="deadlines.id")
    action_id: int = Field(foreign_key="joint_actions.id", index=True)
    due_at: datetime = _time()
    threshold: str = Field(max_length=40)
    recipient: str = Field(max_length=320)
    fires_at: datetime = _time()
    created_at: datetime = _time()
    outbox_id: int | None = Field(default=None, foreign_key="outbox.id", index=True)


class CounterRecord(SQLModel, table=True):
    __tablename__ = "counters"
    series: str = Field(primary_key=True, max_length=60)
    value: int = 0


class AuditHeadRecord(SQLModel, table=True):
    """The chain's head, one row: appending locks it, so the chain never forks."""

    __tablename__ = "audit_head"
    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(default="0" * 64, max_length=64)


class AuditEventRecord(SQLModel, table=True):
    __tablename__ = "audit_events"
    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    occurred_at: datetime = _time()
    actor: str = Field(max_length=320)
    organisation: str | None = Field(default=None, max_length=10)
    action_id: int | None = Field(default=None, index=True)
    subject: str | None = Field(default=None, max_length=320)
    event: str = Field(max_length=60)
    payload: dict[str, Any] = _json()
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


# ---------------------------------------------------------------- web app (issue 6)

class CredentialRecord(SQLModel, table=True):
    """A user's password (argon2 hash), interface language and calendar address generation."""

    __tablename__ = "credentials"
    user_id: int = Field(foreign_key="users.id", primary_key=True, sa_column_kwargs={"autoincrement": False})
    password_hash: str | None = Field(default=None, max_length=200)
    language: str | None = Field(default=None, max_length=2)
    # part of the secret calendar address: renewing it makes the old address stop working
    calendar_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    updated_at: datetime = _time()


class SessionRecord(SQLModel, table=True):
    """A signed-in session, kept on the server: the cookie holds a random token whose sha256 is `id`.

    A session ends at sign-out (for every copy of the cookie), when its user signs out
    everywhere, is given a new password, a new role or is disabled, after `expires_at`,
    or after the idle time-out since `last_seen_at`.
    """

    __tablename__ = "sessions"
    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True)
    created_at: datetime = _time()
    last_seen_at: datetime = _time()
    expires_at: datetime = _time()
    ended_at: datetime | None = _time(nullable=True)
    end_reason: str | None = Field(default=None, max_length=40)


class SignInFailureRecord(SQLModel, table=True):
    """Failed sign-ins counted per key: an account (known or not, by the email's hash), a
    client address, or a device; `blocked_until` throttles further attempts for that key."""

    __tablename__ = "sign_in_failures"
    key: str = Field(primary_key=True, max_length=100)
    failures: int = 0
    first_failed_at: datetime = _time()
    blocked_until: datetime | None = _time(nullable=True)


class LetterViewRecord(SQLModel, table=True):
    """A letter version a user has seen on the action page: the base of "what changed since"."""

    __tablename__ = "letter_views"
    __table_args__ = (sa.UniqueConstraint("user_id", "letter_version_id"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    letter_id: int = Field(foreign_key="letters.id", index=True)
    letter_version_id: int = Field(foreign_key="letter_versions.id")
    version: int
    seen_at: datetime = _time()


# ---------------------------------------------------------------- administration (issue 12, part 2)

class PasswordLinkRecord(SQLModel, table=True):
    """A one-time link to set a password, sent by an admin: only the sha256 of its random token
    is kept; it is spent by its use, or by a newer link for the same person, or lapses at `expires_at`."""

    __tablename__ = "password_links"
    id: int | None = Field(default=None, primary_key=True)
    token_sha256: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    created_by: str = Field(max_length=320)
    created_at: datetime = _time()
    expires_at: datetime = _time()
    used_at: datetime | None = _time(nullable=True)


# ---------------------------------------------------------------- mandates and their holders (issue 13, part 1)

class MandateRecord(SQLModel, table=True):
    """A mandate or office whose holder signs letters, seeded from the catalogue
    (coordination.domain.mandates.CATALOGUE); an admin corrects titles, resolution and source."""

    __tablename__ = "mandates"
    code: str = Field(primary_key=True, max_length=40)
    organisation: str = Field(max_length=10)
    titles: dict[str, Any] = _json()  # {"es": {"f": "Relatora Especial sobre …", "m": "Relator Especial sobre …"}, …}
    resolution: str | None = Field(default=None, max_length=40)
    source: str = Field(max_length=500)
    verified: bool = Field(default=False)
    updated_at: datetime = _time()


class MandateHolderRecord(SQLModel, table=True):
    """One person's term in a mandate: entered by an admin, never guessed."""

    __tablename__ = "mandate_holders"
    id: int | None = Field(default=None, primary_key=True)
    mandate: str = Field(foreign_key="mandates.code", index=True, max_length=40)
    name: str = Field(max_length=200)
    gender: str = Field(max_length=1)
    starts_on: date
    ends_on: date | None = None
    created_at: datetime = _time()
    updated_at: datetime = _time()
