"""Repositories: load and save domain objects through SQLModel records."""

import dataclasses
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from coordination.domain import (
    ActionType,
    Approval,
    Conflict,
    DeadlineKind,
    DeadlineStatus,
    Decision,
    JointAction,
    LetterStatus,
    Link,
    LinkRelation,
    NotFound,
    NotPermitted,
    Organisation,
    Outcome,
    Recipient,
    RecipientKind,
    Reference,
    ReferenceKind,
    Reply,
    Role,
    Status,
    User,
)
from coordination.domain.deadlines import Deadline
from coordination.domain.letters import Letter, LetterVersion
from coordination.domain.model import StepFailures
from coordination.domain.vocabulary import Gender, Office
from coordination.services.ports import (
    DeadlineRow,
    DueAction,
    FailedLetter,
    OutboxEntry,
    OutboxMessage,
    Rendition,
    StoppedSteps,
)

from .records import (
    ActionLinkRecord,
    ActionRecord,
    ApprovalRecord,
    CounterRecord,
    DeadlineRecord,
    LetterRecord,
    LetterVersionRecord,
    OutboxRecord,
    RecipientRecord,
    ReferenceRecord,
    ReminderRecord,
    ReplyRecord,
    UserRecord,
)


def _insert(session: Session):  # type: ignore[no-untyped-def]
    """The dialect's INSERT (… ON CONFLICT); the dialect's module is imported here, when first used."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


class SqlReferenceNumbers:
    """Gap-free numbers: the counter row is incremented in the caller's transaction and
    locked until it commits, so a rolled-back request gives its number back."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def next_number(self, series: str) -> int:
        insert = _insert(self.session)
        self.session.execute(insert(CounterRecord).values(series=series, value=0).on_conflict_do_nothing())
        return self.session.execute(
            sa.update(CounterRecord)
            .where(CounterRecord.series == series)
            .values(value=CounterRecord.value + 1)
            .returning(CounterRecord.value)
        ).scalar_one()


class UserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, email: str) -> User | None:
        record = self.session.exec(select(UserRecord).where(UserRecord.email == email.strip().lower())).first()
        return None if record is None else _user(record)

    def require(self, email: str, *, active: bool = True) -> User:
        """The user of this email; a disabled one is refused unless `active` is False (an admin's use)."""
        user = self.get(email)
        if user is None:
            raise NotFound(f"unknown user {email!r}", field="user", value=email)
        if active and user.disabled:
            raise NotPermitted(f"user {user.email} is disabled", field="user", value=user.email,
                               facts={"disabled": True})
        return user

    def by_id(self, user_id: int) -> User | None:
        record = self.session.get(UserRecord, user_id)
        return None if record is None else _user(record)

    def lock(self, email: str) -> User:
        """The user of this email, their row locked until the transaction ends (an admin changing it)."""
        record = self.session.exec(select(UserRecord).where(UserRecord.email == (email or "").strip().lower())
                                   .with_for_update()).first()
        if record is None:
            raise NotFound(f"unknown user {email!r}", field="user", value=email)
        return _user(record)

    def set_disabled(self, user_id: int, disabled_at: datetime | None) -> None:
        record = self.session.get(UserRecord, user_id)
        record.disabled_at = disabled_at
        self.session.add(record)

    def set_role(self, user_id: int, role: Role) -> None:
        record = self.session.get(UserRecord, user_id)
        record.role = role.value
        self.session.add(record)

    def set_organisation(self, user_id: int, organisation: Organisation) -> None:
        record = self.session.get(UserRecord, user_id)
        record.organisation = organisation.value
        self.session.add(record)

    def last_sign_ins(self) -> dict[str, datetime]:
        """Each user's latest sign-in (the newest session opened), for the admin's list."""
        from .records import SessionRecord

        query = (select(UserRecord.email, sa.func.max(SessionRecord.created_at))
                 .join(SessionRecord, SessionRecord.user_id == UserRecord.id).group_by(UserRecord.email))
        return {email: when for email, when in self.session.exec(query) if when is not None}

    def disabled(self) -> set[str]:
        """The emails of the disabled users."""
        return set(self.session.exec(select(UserRecord.email).where(UserRecord.disabled_at.is_not(None))))

    def add(self, user: User, *, now: datetime) -> User:
        if self.get(user.email) is not None:
            raise Conflict(f"user {user.email} already exists")
        record = UserRecord(email=user.email, name=user.name, organisation=user.organisation.value,
                            role=user.role.value, created_at=now)
        self.session.add(record)
        self.session.flush()
        return _user(record)

    def all(self) -> list[User]:
        return [_user(r) for r in self.session.exec(select(UserRecord).order_by(UserRecord.organisation, UserRecord.email))]

    def active_emails(self) -> set[str]:
        """The users who are not disabled."""
        return set(self.session.exec(select(UserRecord.email).where(UserRecord.disabled_at.is_(None))))

    def with_role(self, organisation: Organisation, role: Role) -> list[User]:
        query = select(UserRecord).where(UserRecord.organisation == organisation.value, UserRecord.role == role.value,
                                         UserRecord.disabled_at.is_(None))
        return [_user(r) for r in self.session.exec(query)]


def _user(r: UserRecord) -> User:
    return User(r.email, r.name, Organisation(r.organisation), Role(r.role), r.id, r.disabled_at is not None)


class RecipientRepository:
    """The address book. A removed recipient keeps its row (`removed_at`): the outbox rows of
    past dispatches keep their addresses, and adding it again brings the row back."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _record(self, country: str, kind: str, email: str) -> RecipientRecord | None:
        return self.session.exec(select(RecipientRecord).where(
            RecipientRecord.country == country, RecipientRecord.kind == kind,
            RecipientRecord.email == email)).first()

    def add(self, recipient: Recipient, *, now: datetime) -> Recipient:
        record = self._record(recipient.country, recipient.kind.value, recipient.email)
        if record is not None and record.removed_at is None:
            raise Conflict(f"{recipient.email} is already the {recipient.kind.value} of {recipient.country}")
        if record is None:
            record = RecipientRecord(country=recipient.country, kind=recipient.kind.value, email=recipient.email,
                                     name=recipient.name, created_at=now)
        else:  # removed before: back in the address book
            record.removed_at, record.name, record.created_at = None, recipient.name, now
        record.office = recipient.office.value if recipient.office else None
        record.gender = recipient.gender.value if recipient.gender else None
        self.session.add(record)
        self.session.flush()
        return dataclasses.replace(recipient, id=record.id)

    def for_country(self, country: str) -> list[Recipient]:
        return self.listing(country)

    def listing(self, country: str | None = None) -> list[Recipient]:
        """The address book (removed recipients left out), by country, then as added."""
        query = select(RecipientRecord).where(RecipientRecord.removed_at.is_(None))
        if country is not None:
            query = query.where(RecipientRecord.country == country)
        return [_recipient(r) for r in self.session.exec(query.order_by(RecipientRecord.country, RecipientRecord.id))]

    def find(self, country: str, kind: RecipientKind, email: str) -> Recipient:
        """The recipient of this key, its row locked (NotFound if none, or removed)."""
        record = self.session.exec(select(RecipientRecord).where(
            RecipientRecord.country == country, RecipientRecord.kind == kind.value, RecipientRecord.email == email,
            RecipientRecord.removed_at.is_(None)).with_for_update()).first()
        if record is None:
            raise NotFound(f"no {kind.value} {email} of {country} in the address book", field="recipient",
                           value=email, facts={"country": country, "kind": kind.value})
        return _recipient(record)

    def update(self, recipient_id: int, *, kind: RecipientKind, email: str, name: str | None,
               office: Office | None = None, gender: Gender | None = None) -> Recipient:
        record = self.session.get(RecipientRecord, recipient_id)
        other = self._record(record.country, kind.value, email)
        if other is not None and other.id != recipient_id:
            raise Conflict(f"{email} is already the {kind.value} of {record.country}"
                           + (" (removed: add it again instead)" if other.removed_at is not None else ""))
        record.kind, record.email, record.name = kind.value, email, name
        record.office, record.gender = (office.value if office else None), (gender.value if gender else None)
        self.session.add(record)
        self.session.flush()
        return _recipient(record)

    def remove(self, recipient_id: int, *, now: datetime) -> None:
        record = self.session.get(RecipientRecord, recipient_id)
        record.removed_at = now
        self.session.add(record)


def _recipient(r: RecipientRecord) -> Recipient:
    return Recipient(r.country, RecipientKind(r.kind), r.email, r.name, r.id,
                     Office(r.office) if r.office else None, Gender(r.gender) if r.gender else None)


@dataclasses.dataclass
class Saved:
    action: JointAction
    by: User | None
    now: datetime
    opened: bool


class ActionRepository:
    """Joint actions, whole: the action row and its references, letters, approvals, deadlines, replies."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.saved: list[Saved] = []  # what the unit of work's commit audits and schedules

    def find_id(self, reference: str) -> int:
        """The id of the action a person names by reference: its JAM reference or its type's own
        (any case, spaces squeezed). A number alone is not a reference: ids are the flows', not people's."""
        ref = " ".join((reference or "").split())
        if not ref or len(ref) > 200 or any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in ref):
            raise NotFound(f"unknown joint action {(reference or '')[:200]!r}",  # never a query the database refuses
                           field="reference", value=(reference or "")[:200])
        found = self.session.exec(
            select(ReferenceRecord.action_id).where(sa.func.upper(ReferenceRecord.value) == ref.upper())
        ).first()
        if found is None:
            raise NotFound(f"unknown joint action {reference!r}", field="reference", value=reference)
        return found

    def get(self, reference: str, *, for_update: bool = False) -> JointAction:
        """The action a person names by reference, whole."""
        return self.get_by_id(self.find_id(reference), for_update=for_update)

    def get_by_id(self, action_id: int, *, for_update: bool = False) -> JointAction:
        """The action with this id (as the flows carry it), whole."""
        query = select(ActionRecord).where(ActionRecord.id == action_id)
        if for_update:
            query = query.with_for_update()
        record = self.session.exec(query).first()
        if record is None:
            raise NotFound(f"unknown joint action #{action_id}")
        return self._to_domain(record)

    def with_automatic_steps_due(self, *, now: datetime) -> list[DueAction]:
        """Ready actions, and waiting ones with an open deadline already due (kind given), whose
        automatic steps have not stopped after failing (a person advances those)."""
        jam = (select(ReferenceRecord.action_id, ReferenceRecord.value)
               .where(ReferenceRecord.kind == ReferenceKind.JAM.value).subquery())
        ready = (select(ActionRecord, jam.c.value, sa.null())
                 .join(jam, jam.c.action_id == ActionRecord.id)
                 .where(ActionRecord.status == Status.READY.value, ActionRecord.steps_stopped_at.is_(None)))
        waiting = (select(ActionRecord, jam.c.value, DeadlineRecord.kind)
                   .join(jam, jam.c.action_id == ActionRecord.id)
                   .join(DeadlineRecord, DeadlineRecord.action_id == ActionRecord.id)
                   .where(ActionRecord.status == Status.WAITING.value,
                          DeadlineRecord.status == DeadlineStatus.OPEN.value, DeadlineRecord.due_at <= now,
                          ActionRecord.steps_stopped_at.is_(None)))
        return [DueAction(r.id, reference, r.type, r.stage, r.status, r.round, kind)
                for query in (ready, waiting) for r, reference, kind in self.session.exec(query)]

    def stopped_unreported(self) -> list[StoppedSteps]:
        """Actions whose automatic steps stopped and whose officer was not told yet, oldest stop first."""
        query = (select(ActionRecord, ReferenceRecord.value)
                 .join(ReferenceRecord, sa.and_(ReferenceRecord.action_id == ActionRecord.id,
                                                ReferenceRecord.kind == ReferenceKind.JAM.value))
                 .where(ActionRecord.steps_stopped_at.is_not(None), ActionRecord.steps_reported_at.is_(None))
                 .order_by(ActionRecord.steps_stopped_at, ActionRecord.id))
        return [StoppedSteps(r.id, reference, r.stage, r.steps_failure, r.steps_stopped_at, r.opened_by)
                for r, reference in self.session.exec(query)]

    def take_stops_to_report(self, ids: list[int], *, now: datetime) -> set[int]:
        """Mark these stops reported; returns those this call marked (a concurrent sweep may have won)."""
        if not ids:
            return set()
        table = ActionRecord.__table__
        statement = (sa.update(table).where(table.c.id.in_(ids), table.c.steps_reported_at.is_(None),
                                            table.c.steps_stopped_at.is_not(None))
                     .values(steps_reported_at=now).returning(table.c.id))
        return set(self.session.execute(statement).scalars())

    def _children(self, model, action_id: int, order=None) -> Sequence:  # type: ignore[no-untyped-def]
        return list(self.session.exec(select(model).where(model.action_id == action_id).order_by(order or model.id)))

    def _to_domain(self, r: ActionRecord) -> JointAction:
        letters = []
        letter_records = self._children(LetterRecord, r.id)
        versions: dict[int, list[LetterVersion]] = {}
        if letter_records:
            query = (select(LetterVersionRecord)
                     .where(LetterVersionRecord.letter_id.in_([l.id for l in letter_records]))
                     .order_by(LetterVersionRecord.letter_id, LetterVersionRecord.version))
            for v in self.session.exec(query):
                versions.setdefault(v.letter_id, []).append(
                    LetterVersion(v.version, dict(v.fields), v.sha256, v.edited_by, v.created_at, v.id,
                                  tuple(v.signers) if v.signers is not None else None))
        for l in letter_records:
            letters.append(Letter(l.name, l.stage, l.cycle, l.language, LetterStatus(l.status),
                                  versions.get(l.id, []), l.dispatched_at, l.id))
        return JointAction(
            type=ActionType(r.type), country=r.country, language=r.language, title=r.title,
            beneficiaries=list(r.beneficiaries), opened_by=r.opened_by, opened_at=r.opened_at, stage=r.stage,
            status=Status(r.status), stage_entered_at=r.stage_entered_at, round=r.round,
            submitted_by=r.submitted_by, id=r.id,
            references=[Reference(ReferenceKind(x.kind), x.value, x.assigned_at)
                        for x in self._children(ReferenceRecord, r.id)],
            letters=letters,
            approvals=[Approval(a.stage, a.round, Organisation(a.organisation), a.approver, Decision(a.decision),
                                a.comment, a.letters_sha256, a.decided_at, a.void, a.id)
                       for a in self._children(ApprovalRecord, r.id)],
            deadlines=[_deadline(d) for d in self._children(DeadlineRecord, r.id)],
            replies=[Reply(x.stage, x.received_on, x.acknowledgement_only, x.recorded_by, x.recorded_at, x.id)
                     for x in self._children(ReplyRecord, r.id)],
            links=self._links(r.id),
            outcome=Outcome(r.outcome) if r.outcome else None, closure_reason=r.closure_reason,
            status_before=Status(r.status_before) if r.status_before else None,
            steps=StepFailures(r.steps_reruns or 0, r.steps_failure, r.steps_retry_at, r.steps_stopped_at),
        )

    def _links(self, action_id: int) -> list[Link]:
        """The action's links, each with the other action's JAM reference."""
        query = (select(ActionLinkRecord, ReferenceRecord.value)
                 .join(ReferenceRecord, sa.and_(ReferenceRecord.action_id == ActionLinkRecord.other_id,
                                                ReferenceRecord.kind == ReferenceKind.JAM.value))
                 .where(ActionLinkRecord.action_id == action_id).order_by(ActionLinkRecord.id))
        return [Link(other, LinkRelation(x.relation), x.linked_by, x.linked_at, x.note, x.inverse, x.id)
                for x, other in self.session.exec(query)]

    def save(self, action: JointAction, *, now: datetime, by: User | None = None) -> None:
        """Write the action and its children: new rows inserted, changed rows updated.

        `by`: the person whose request changed it (None: the system's automatic steps). The
        unit of work's commit writes the action's events to the audit trail as theirs."""
        if by is not None:  # a person's decision or edit gives the failing automatic steps a fresh start
            action.resume_automatic_steps(by.email, "changed by hand")
        if not any(s.action is action for s in self.saved):
            self.saved.append(Saved(action, by, now, opened=action.id is None))
        record = self.session.get(ActionRecord, action.id) if action.id is not None else ActionRecord()
        for name in ("type", "country", "language", "stage", "status"):
            setattr(record, name, getattr(action, name).__str__())
        record.title, record.beneficiaries = action.title, list(action.beneficiaries)
        record.opened_by, record.opened_at = action.opened_by, action.opened_at
        record.stage_entered_at, record.round, record.submitted_by = action.stage_entered_at, action.round, action.submitted_by
        record.version, record.updated_at = (record.version or 0) + 1, now
        record.outcome = action.outcome.value if action.outcome else None
        record.closure_reason = action.closure_reason
        record.status_before = action.status_before.value if action.status_before else None
        steps = action.steps
        if steps.stopped_at is None or steps.stopped_at != record.steps_stopped_at:
            record.steps_reported_at = None  # a new stop is reported to the officer again
        record.steps_reruns, record.steps_failure = steps.reruns, steps.failure
        record.steps_retry_at, record.steps_stopped_at = steps.retry_at, steps.stopped_at
        self.session.add(record)
        self.session.flush()
        action.id = record.id

        known = set(self.session.exec(select(ReferenceRecord.value).where(ReferenceRecord.action_id == record.id)))
        for ref in action.references:
            if ref.value not in known:
                self.session.add(ReferenceRecord(action_id=record.id, kind=ref.kind.value, value=ref.value,
                                                 assigned_at=ref.assigned_at))
        for letter in action.letters:
            self._save_letter(record.id, letter)
        action.approvals[:] = self._upsert(record.id, action.approvals, ApprovalRecord, lambda a: dict(
            stage=a.stage, round=a.round, organisation=a.organisation.value, approver=a.approver,
            decision=a.decision.value, comment=a.comment, letters_sha256=a.letters_sha256,
            decided_at=a.decided_at, void=a.void))
        action.deadlines[:] = self._upsert(record.id, action.deadlines, DeadlineRecord, lambda d: dict(
            kind=d.kind.value, stage=d.stage, organisation=d.organisation.value if d.organisation else None,
            round=d.round, due_at=d.due_at, status=d.status.value, created_at=d.created_at, closed_at=d.closed_at))
        action.replies[:] = self._upsert(record.id, action.replies, ReplyRecord, lambda x: dict(
            stage=x.stage, received_on=x.received_on, acknowledgement_only=x.acknowledgement_only,
            recorded_by=x.recorded_by, recorded_at=x.recorded_at))
        for index, link in enumerate(action.links):
            if link.id is None:  # a link is never changed nor deleted
                row = ActionLinkRecord(action_id=record.id, other_id=self.find_id(link.other),
                                       relation=link.relation.value, inverse=link.inverse, note=link.note,
                                       linked_by=link.linked_by, linked_at=link.linked_at)
                self.session.add(row)
                self.session.flush()
                action.links[index] = dataclasses.replace(link, id=row.id)
        self.session.flush()

    def _upsert(self, action_id: int, items: Iterable, model, values) -> list:  # type: ignore[no-untyped-def]
        saved = []
        for item in items:
            data = values(item)
            if item.id is None:
                row = model(action_id=action_id, **data)
                self.session.add(row)
                self.session.flush()
                item = dataclasses.replace(item, id=row.id)
            else:
                row = self.session.get(model, item.id)
                for key, value in data.items():
                    if getattr(row, key) != value:
                        setattr(row, key, value)
            saved.append(item)
        return saved

    def _save_letter(self, action_id: int, letter: Letter) -> None:
        if letter.id is None:
            row = LetterRecord(action_id=action_id, name=letter.name, stage=letter.stage, cycle=letter.cycle,
                               language=letter.language, status=letter.status.value)
            self.session.add(row)
            self.session.flush()
            letter.id = row.id
        else:
            row = self.session.get(LetterRecord, letter.id)
        row.status, row.dispatched_at = letter.status.value, letter.dispatched_at
        for index, version in enumerate(letter.versions):
            if version.id is None:
                v = LetterVersionRecord(letter_id=letter.id, version=version.version, fields=dict(version.fields),
                                        sha256=version.sha256, edited_by=version.edited_by,
                                        created_at=version.created_at,
                                        signers=list(version.signers) if version.signers is not None else None)
                self.session.add(v)
                self.session.flush()
                letter.versions[index] = dataclasses.replace(version, id=v.id)


class OutboxRepository:
    """Messages to send: one row per (letter version, recipient), unique.

    A sender claims rows (pending → sending) in one short transaction, sends them, and
    records each result in a transaction of its own; what it did not settle it releases
    when it stops. A claim left by a crashed sender is taken over once it is stale, and
    counted as an attempt.
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, *, action_id: int, letter_version_id: int, recipient: str, recipient_kind: str,
            message_id: str, now: datetime) -> None:
        self.session.add(OutboxRecord(action_id=action_id, letter_version_id=letter_version_id, recipient=recipient,
                                      recipient_kind=recipient_kind, message_id=message_id, created_at=now))
        self.session.flush()

    def add_digest(self, *, recipient: str, subject: str, text: str, html: str, message_id: str,
                   now: datetime) -> int:
        """Queue a digest; returns its row's id."""
        row = OutboxRecord(kind="digest", recipient=recipient, recipient_kind="staff", message_id=message_id,
                           subject=subject, body_text=text, body_html=html, created_at=now)
        self.session.add(row)
        self.session.flush()
        return row.id

    def cancel_for_action(self, action_id: int, *, now: datetime) -> list[str]:
        """Cancel the action's letters not yet sent (pending, or waiting out a retry): the sender
        never claims a cancelled row. A row being sent is beyond reach. Returns their Message-IDs."""
        query = (select(OutboxRecord).where(OutboxRecord.action_id == action_id, OutboxRecord.kind == "letter",
                                            OutboxRecord.status == "pending").order_by(OutboxRecord.id))
        rows = list(self.session.exec(self._locking(query)))
        for row in rows:
            row.status, row.next_attempt_at, row.last_error = "cancelled", None, None
            self.session.add(row)
        self.session.flush()
        return [row.message_id for row in rows]

    def for_action(self, action_id: int) -> list[OutboxEntry]:
        query = (self._with_letters(ReferenceRecord.value, LetterRecord.name, LetterVersionRecord.version)
                 .where(OutboxRecord.action_id == action_id).order_by(OutboxRecord.id))
        return [_entry(*row) for row in self.session.exec(query)]

    def _with_letters(self, *columns):  # type: ignore[no-untyped-def]
        """Rows with their letter version, letter and JAM reference (None for digests)."""
        return (select(OutboxRecord, *columns)
                .outerjoin(LetterVersionRecord, LetterVersionRecord.id == OutboxRecord.letter_version_id)
                .outerjoin(LetterRecord, LetterRecord.id == LetterVersionRecord.letter_id)
                .outerjoin(ReferenceRecord, sa.and_(ReferenceRecord.action_id == OutboxRecord.action_id,
                                                    ReferenceRecord.kind == ReferenceKind.JAM.value)))

    def listing(self, *, status: str | None = None) -> list[OutboxEntry]:
        """Rows with the action's JAM reference, the letter's name and version (None for digests)."""
        query = self._with_letters(ReferenceRecord.value, LetterRecord.name, LetterVersionRecord.version
                                   ).order_by(OutboxRecord.id)
        if status is not None:
            query = query.where(OutboxRecord.status == status)
        return [_entry(*row) for row in self.session.exec(query)]

    def _locking(self, query):  # type: ignore[no-untyped-def]
        """Rows another sender holds are skipped on PostgreSQL (SQLite has one writer at a time)."""
        if self.session.get_bind().dialect.name == "postgresql":
            return query.with_for_update(skip_locked=True)
        return query

    def reclaim_stale(self, *, now: datetime, stale_before: datetime) -> dict[int, int]:
        """Claims older than `stale_before` (their sender stopped mid-send): back to pending, as one attempt.
        Returns the attempts of each row taken back, by id.

        Counting the attempt is what ends a row that crashes every sender that takes it:
        once it is out of attempts the caller marks it failed instead of sending it again."""
        query = (select(OutboxRecord).where(OutboxRecord.status == "sending", OutboxRecord.claimed_at < stale_before)
                 .order_by(OutboxRecord.id))
        rows = list(self.session.exec(self._locking(query)))
        for row in rows:
            row.last_error = (f"the sender stopped while sending it (claimed at {row.claimed_at:%Y-%m-%d %H:%M:%S} "
                              "UTC and never settled)")
            row.status, row.claimed_at, row.next_attempt_at = "pending", None, None
            row.attempts += 1
            self.session.add(row)
        self.session.flush()
        return {row.id: row.attempts for row in rows}

    def claim(self, *, now: datetime, limit: int, deferred: bool = False) -> list[int]:
        """Take up to `limit` rows due now for this sender (pending → sending, claimed at `now`);
        `deferred`: the rows waiting out a retry delay too."""
        due = sa.and_(OutboxRecord.status == "pending",
                      sa.true() if deferred else
                      sa.or_(OutboxRecord.next_attempt_at.is_(None), OutboxRecord.next_attempt_at <= now))
        query = select(OutboxRecord.id).where(due).order_by(OutboxRecord.id).limit(limit)
        ids = list(self.session.exec(self._locking(query)))
        if ids:
            self.session.execute(sa.update(OutboxRecord).where(OutboxRecord.id.in_(ids))
                                 .values(status="sending", claimed_at=now))
        return ids

    def release(self, ids: list[int], *, claimed_at: datetime) -> int:
        """Give back the rows of a claim made at `claimed_at` that are still `sending`: not tried, not counted."""
        if not ids:
            return 0
        result = self.session.execute(
            sa.update(OutboxRecord)
            .where(OutboxRecord.id.in_(ids), OutboxRecord.status == "sending", OutboxRecord.claimed_at == claimed_at)
            .values(status="pending", claimed_at=None))
        return result.rowcount or 0

    def batch(self, ids: list[int]) -> list[OutboxMessage]:
        """Claimed rows with their frozen letter version, letter and the action's references (the
        JAM reference, and the file numbers a State cites in reply: MC, UA)."""
        query = (self._with_letters(LetterVersionRecord, LetterRecord, ReferenceRecord.value)
                 .where(OutboxRecord.id.in_(ids)).order_by(OutboxRecord.id))
        rows = list(self.session.exec(query))
        order = [ReferenceKind.JAM.value, ReferenceKind.MC.value, ReferenceKind.UA.value]
        files: dict[int, list[tuple[int, str]]] = defaultdict(list)
        action_ids = {row.action_id for row, *_ in rows if row.kind == "letter" and row.action_id is not None}
        if action_ids:
            for action_id, kind, value in self.session.exec(
                    select(ReferenceRecord.action_id, ReferenceRecord.kind, ReferenceRecord.value)
                    .where(ReferenceRecord.action_id.in_(action_ids), ReferenceRecord.kind.in_(order))):
                files[action_id].append((order.index(kind), value))
        return [
            OutboxMessage(
                row.id, row.kind, row.action_id, row.recipient, row.message_id, row.attempts, row.last_error,
                row.created_at, row.subject, row.body_text, row.body_html, reference,
                letter.name if letter is not None else None, version.id if version is not None else None,
                version.version if version is not None else None,
                letter.dispatched_at if letter is not None else None,
                *((version.rendered_subject, version.rendered_text, version.rendered_html)
                  if version is not None else (None, None, None)),
                letter.language if letter is not None else None,
                tuple(value for _, value in sorted(files.get(row.action_id or 0, []))),
            )
            for row, version, letter, reference in rows
        ]

    def attempts(self, outbox_id: int) -> int:
        return self.session.get(OutboxRecord, outbox_id).attempts

    def record(self, outbox_id: int, *, status: str, now: datetime, error: str | None = None,
               next_attempt_at: datetime | None = None) -> OutboxRecord:
        """The result of one attempt: sent, failed, or pending again until `next_attempt_at`."""
        row = self.session.get(OutboxRecord, outbox_id)
        row.status, row.last_error, row.next_attempt_at, row.claimed_at = status, error, next_attempt_at, None
        row.attempts += 1
        if status == "sent":
            row.sent_at = now
        self.session.add(row)
        self.session.flush()
        return row

    def unreported_failures(self) -> list[FailedLetter]:
        """Letters that failed for good and were not yet reported to their action's officer, oldest first."""
        query = (select(OutboxRecord, ReferenceRecord.value, LetterRecord.name, LetterVersionRecord.version,
                        ActionRecord.opened_by)
                 .join(ActionRecord, ActionRecord.id == OutboxRecord.action_id)
                 .join(LetterVersionRecord, LetterVersionRecord.id == OutboxRecord.letter_version_id)
                 .join(LetterRecord, LetterRecord.id == LetterVersionRecord.letter_id)
                 .join(ReferenceRecord, sa.and_(ReferenceRecord.action_id == OutboxRecord.action_id,
                                                ReferenceRecord.kind == ReferenceKind.JAM.value))
                 .where(OutboxRecord.kind == "letter", OutboxRecord.status == "failed",
                        OutboxRecord.failure_reported_at.is_(None))
                 .order_by(OutboxRecord.id))
        return [FailedLetter(row.id, row.action_id, row.message_id, row.recipient_kind, row.last_error, reference,
                             letter, version, officer)
                for row, reference, letter, version, officer in self.session.exec(query)]

    def take_failures_to_report(self, ids: list[int], *, now: datetime) -> set[int]:
        """Mark these failures reported; returns those this call marked (a concurrent sweep may have won)."""
        if not ids:
            return set()
        table = OutboxRecord.__table__
        statement = (sa.update(table).where(table.c.id.in_(ids), table.c.failure_reported_at.is_(None))
                     .values(failure_reported_at=now).returning(table.c.id))
        return set(self.session.execute(statement).scalars())

    def settle(self, outbox_id: int, *, status: str, now: datetime, error: str | None) -> None:
        """A final state without a new attempt (the attempt was already counted)."""
        row = self.session.get(OutboxRecord, outbox_id)
        row.status, row.last_error, row.claimed_at, row.next_attempt_at = status, error, None, None
        self.session.add(row)
        self.session.flush()

    def freeze_rendering(self, letter_version_id: int, *, subject: str, text: str, html: str,
                         pdf: bytes | None = None) -> None:
        """Keep what is sent, once: the subject, text and HTML, and the PDF with its sha256."""
        version = self.session.get(LetterVersionRecord, letter_version_id)
        if version.rendered_text is None:
            version.rendered_subject, version.rendered_text, version.rendered_html = subject, text, html
            version.rendered_pdf = pdf
            version.rendered_pdf_sha256 = hashlib.sha256(pdf).hexdigest() if pdf is not None else None

    def frozen_pdfs(self, letter_version_ids: Iterable[int]) -> dict[int, bytes]:
        """The PDFs kept at dispatch, by letter version id (those kept: none before migration 0011)."""
        ids = list(letter_version_ids)
        if not ids:
            return {}
        query = (select(LetterVersionRecord.id, LetterVersionRecord.rendered_pdf)
                 .where(LetterVersionRecord.id.in_(ids), LetterVersionRecord.rendered_pdf.is_not(None)))
        return {version_id: bytes(pdf) for version_id, pdf in self.session.exec(query)}

    def pdf_sha256s(self, letter_version_ids: Iterable[int]) -> dict[int, str]:
        """The sha256 of each dispatched version's PDF, by letter version id (those recorded)."""
        ids = list(letter_version_ids)
        if not ids:
            return {}
        query = (select(LetterVersionRecord.id, LetterVersionRecord.rendered_pdf_sha256)
                 .where(LetterVersionRecord.id.in_(ids), LetterVersionRecord.rendered_pdf_sha256.is_not(None)))
        return {version_id: sha for version_id, sha in self.session.exec(query)}

    def rendition(self, letter_version_id: int) -> Rendition | None:
        """The frozen subject, text and HTML of a dispatched letter version."""
        version = self.session.get(LetterVersionRecord, letter_version_id)
        if version is None or version.rendered_text is None:
            return None
        return Rendition(version.rendered_subject, version.rendered_text, version.rendered_html,
                         version.rendered_pdf_sha256)


class DeadlineRepository:
    """Open deadlines by due time (index on status, due_at), and the reminders sent for them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def open(self, *, due_before: datetime | None = None, action_ids: Iterable[int] | None = None) -> list[DeadlineRow]:
        """Open deadlines, soonest first; only those due before `due_before` if given."""
        query = (select(DeadlineRecord, ReferenceRecord.value, ActionRecord.type, ActionRecord.country,
                        ActionRecord.stage, ActionRecord.round, ActionRecord.opened_by, ActionRecord.submitted_by)
                 .join(ActionRecord, ActionRecord.id == DeadlineRecord.action_id)
                 .join(ReferenceRecord, sa.and_(ReferenceRecord.action_id == DeadlineRecord.action_id,
                                                ReferenceRecord.kind == ReferenceKind.JAM.value))
                 .where(DeadlineRecord.status == DeadlineStatus.OPEN.value)
                 .order_by(DeadlineRecord.due_at, DeadlineRecord.id))
        if due_before is not None:
            query = query.where(DeadlineRecord.due_at <= due_before)
        if action_ids is not None:
            query = query.where(DeadlineRecord.action_id.in_(list(action_ids)))
        return [
            DeadlineRow(_deadline(d), d.action_id, ref, type_, country, stage, round_, opened_by, submitted_by)
            for d, ref, type_, country, stage, round_, opened_by, submitted_by in self.session.exec(query)
        ]

    def decided(self, gates: Iterable[tuple[int, str, int]]) -> dict[tuple[int, str, int], set[str]]:
        """Who has decided on each (action, stage, round), void decisions left out."""
        gates = set(gates)
        found: dict[tuple[int, str, int], set[str]] = {}
        if not gates:
            return found
        query = (select(ApprovalRecord.action_id, ApprovalRecord.stage, ApprovalRecord.round, ApprovalRecord.approver)
                 .where(ApprovalRecord.action_id.in_({a for a, _, _ in gates}), ApprovalRecord.void.is_(False)))
        for action_id, stage, round_, approver in self.session.exec(query):
            if (action_id, stage, round_) in gates:
                found.setdefault((action_id, stage, round_), set()).add(approver)
        return found

    def reminded(self, deadline_ids: Iterable[int]) -> set[tuple[int, datetime, str, str]]:
        """The (deadline, due time, threshold, recipient) already written for these deadlines."""
        ids = list(deadline_ids)
        if not ids:
            return set()
        query = (select(ReminderRecord.deadline_id, ReminderRecord.due_at, ReminderRecord.threshold,
                        ReminderRecord.recipient).where(ReminderRecord.deadline_id.in_(ids)))
        return {tuple(row) for row in self.session.exec(query)}

    def add_reminders(self, rows: list[dict]) -> list[tuple[int, int, str]]:
        """Insert reminders; one already written (by a concurrent sweep) is skipped, not an error.

        Returns (id, deadline id, recipient) of the rows this call wrote."""
        if not rows:
            return []
        table = ReminderRecord.__table__
        statement = (_insert(self.session)(table).on_conflict_do_nothing()
                     .returning(table.c.id, table.c.deadline_id, table.c.recipient))
        # executemany: one statement compiled once, sent in batches ("insertmanyvalues")
        return [tuple(row) for row in self.session.connection().execute(statement, rows)]

    def attach_to_digest(self, reminder_ids: list[int], outbox_id: int) -> None:
        self.session.execute(sa.update(ReminderRecord).where(ReminderRecord.id.in_(reminder_ids))
                             .values(outbox_id=outbox_id))


def _entry(row: OutboxRecord, reference: str | None, letter: str | None, version: int | None) -> OutboxEntry:
    return OutboxEntry(row.id, row.kind, row.action_id, row.letter_version_id, reference, letter, version,
                       row.recipient, row.recipient_kind, row.message_id, row.status, row.attempts, row.last_error,
                       row.next_attempt_at, row.sent_at)


def _deadline(d: DeadlineRecord) -> Deadline:
    return Deadline(DeadlineKind(d.kind), d.stage, d.due_at, d.created_at, DeadlineStatus(d.status),
                    Organisation(d.organisation) if d.organisation else None, d.round, d.closed_at, d.id)
