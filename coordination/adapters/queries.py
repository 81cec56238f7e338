"""Read models in SQL: the overview's figures and the stored addresses the doctor checks.

What no aggregate holds, read across the tables and returned as plain values and the small
frozen rows of `services.ports`; the services compute and word the results.
"""

from collections.abc import Iterable
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from coordination.domain import ENDED, DeadlineKind, DeadlineStatus, ReferenceKind
from coordination.services.ports import FirstDispatch, LetterFieldValues, StateReplyOwed, StoredAddress

from .records import (
    ActionRecord,
    DeadlineRecord,
    LetterRecord,
    LetterVersionRecord,
    OutboxRecord,
    RecipientRecord,
    ReferenceRecord,
    ReplyRecord,
    UserRecord,
)


class ReadModel:
    def __init__(self, session: Session) -> None:
        self.session = session

    # ------------------------------------------------------------ the overview

    def open_by_stage(self) -> list[tuple[str, str, int]]:
        """(type, stage, open actions), by type and stage."""
        query = (select(ActionRecord.type, ActionRecord.stage, sa.func.count())
                 .where(ActionRecord.status.not_in([s.value for s in ENDED]))
                 .group_by(ActionRecord.type, ActionRecord.stage).order_by(ActionRecord.type, ActionRecord.stage))
        return [(type_, stage, count) for type_, stage, count in self.session.exec(query)]

    def open_by_country(self) -> list[tuple[str, int]]:
        """(country, open actions), most first."""
        query = (select(ActionRecord.country, sa.func.count())
                 .where(ActionRecord.status.not_in([s.value for s in ENDED]))
                 .group_by(ActionRecord.country).order_by(sa.func.count().desc(), ActionRecord.country))
        return [(country, count) for country, count in self.session.exec(query)]

    def ended(self) -> list[tuple[str, str | None, int]]:
        """(status, outcome, actions) of the ended ones: withdrawn, closed at the last stage (no
        outcome), closed by hand with each outcome."""
        query = (select(ActionRecord.status, ActionRecord.outcome, sa.func.count())
                 .where(ActionRecord.status.in_([s.value for s in ENDED]))
                 .group_by(ActionRecord.status, ActionRecord.outcome)
                 .order_by(ActionRecord.status, ActionRecord.outcome))
        return [(status, outcome, count) for status, outcome, count in self.session.exec(query)]

    def overdue_by_kind(self, now: datetime) -> list[tuple[str, int]]:
        """(deadline kind, open deadlines due by `now`), by kind."""
        query = (select(DeadlineRecord.kind, sa.func.count())
                 .where(DeadlineRecord.status == DeadlineStatus.OPEN.value, DeadlineRecord.due_at <= now)
                 .group_by(DeadlineRecord.kind).order_by(DeadlineRecord.kind))
        return [(kind, count) for kind, count in self.session.exec(query)]

    def state_replies_owed(self) -> list[StateReplyOwed]:
        query = (select(ActionRecord.country, DeadlineRecord.status, DeadlineRecord.due_at, DeadlineRecord.created_at,
                        DeadlineRecord.action_id, DeadlineRecord.stage)
                 .join(ActionRecord, ActionRecord.id == DeadlineRecord.action_id)
                 .where(DeadlineRecord.kind == DeadlineKind.STATE_REPLY.value,
                        DeadlineRecord.status != DeadlineStatus.CANCELLED.value))
        return [StateReplyOwed(*row) for row in self.session.exec(query)]

    def replies_received(self) -> dict[tuple[int, str], date]:
        """When each (action, stage)'s reply came in."""
        return {(r.action_id, r.stage): r.received_on for r in self.session.exec(select(ReplyRecord))}

    def first_dispatches(self) -> list[FirstDispatch]:
        """Each action with a dispatched letter: its type, opening and first dispatch."""
        query = (select(ActionRecord.type, ActionRecord.opened_at, sa.func.min(LetterRecord.dispatched_at))
                 .join(LetterRecord, LetterRecord.action_id == ActionRecord.id)
                 .where(LetterRecord.dispatched_at.is_not(None)).group_by(ActionRecord.id))
        return [FirstDispatch(*row) for row in self.session.exec(query)]

    # ------------------------------------------------------------ stored addresses (the doctor)

    def current_letter_fields(self, letters: Iterable[str]) -> list[LetterFieldValues]:
        """The current version's fields of every letter of these names, by action and letter."""
        names = set(letters)
        if not names:
            return []
        latest = (select(LetterVersionRecord.letter_id, sa.func.max(LetterVersionRecord.version).label("version"))
                  .group_by(LetterVersionRecord.letter_id).subquery())
        query = (select(ReferenceRecord.value, ActionRecord.type, LetterRecord.name, LetterRecord.cycle,
                        LetterVersionRecord.fields)
                 .join(LetterRecord, LetterRecord.action_id == ActionRecord.id)
                 .join(latest, latest.c.letter_id == LetterRecord.id)
                 .join(LetterVersionRecord, sa.and_(LetterVersionRecord.letter_id == LetterRecord.id,
                                                    LetterVersionRecord.version == latest.c.version))
                 .join(ReferenceRecord, sa.and_(ReferenceRecord.action_id == ActionRecord.id,
                                                ReferenceRecord.kind == ReferenceKind.JAM.value))
                 .where(LetterRecord.name.in_(names))
                 .order_by(ActionRecord.id, LetterRecord.id))
        return [LetterFieldValues(reference, type_, letter, cycle, dict(values or {}))
                for reference, type_, letter, cycle, values in self.session.exec(query)]

    def recipient_addresses(self) -> list[StoredAddress]:
        """The address book, by id."""
        return [StoredAddress(r.id, r.email, kind=r.kind, country=r.country)
                for r in self.session.exec(select(RecipientRecord).order_by(RecipientRecord.id))]

    def user_addresses(self) -> list[StoredAddress]:
        """The users, by id."""
        return [StoredAddress(u.id, u.email) for u in self.session.exec(select(UserRecord).order_by(UserRecord.id))]

    def queued_addresses(self) -> list[StoredAddress]:
        """The outbox rows not yet sent (pending or sending), by id, with their action's JAM reference."""
        query = (select(OutboxRecord, ReferenceRecord.value)
                 .outerjoin(ReferenceRecord, sa.and_(ReferenceRecord.action_id == OutboxRecord.action_id,
                                                     ReferenceRecord.kind == ReferenceKind.JAM.value))
                 .where(OutboxRecord.status.in_(("pending", "sending"))).order_by(OutboxRecord.id))
        return [StoredAddress(row.id, row.recipient, kind=row.kind, status=row.status, reference=reference)
                for row, reference in self.session.exec(query)]
