"""What the web pages read, as queries on the unit of work's session: the inbox's lists, and the
letter versions each person has seen (the base of the action page's "changed since you looked")."""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from coordination.domain import ENDED, DeadlineKind, DeadlineStatus, Organisation, ReferenceKind, Status
from coordination.services.ports import ActionRow, GateRow

from .records import ActionRecord, DeadlineRecord, LetterRecord, LetterVersionRecord, LetterViewRecord, ReferenceRecord
from .repositories import _insert


def _jam():  # type: ignore[no-untyped-def]
    return (select(ReferenceRecord.action_id, ReferenceRecord.value)
            .where(ReferenceRecord.kind == ReferenceKind.JAM.value).subquery())


def _row(record: ActionRecord, reference: str) -> ActionRow:
    return ActionRow(id=record.id, reference=reference, type=record.type, country=record.country, title=record.title,
                     stage=record.stage, status=record.status, updated_at=record.updated_at)


class InboxQueries:
    def __init__(self, session: Session) -> None:
        self.session = session

    def gates_awaiting(self, organisation: Organisation) -> list[GateRow]:
        """The organisation's approval deadline stays open exactly until its quorum is met, so it
        says which gates still wait on it without repeating the gate's rules here."""
        jam = _jam()
        query = (select(ActionRecord, jam.c.value, DeadlineRecord.due_at)
                 .join(jam, jam.c.action_id == ActionRecord.id)
                 .join(DeadlineRecord, DeadlineRecord.action_id == ActionRecord.id)
                 .where(ActionRecord.status == Status.AWAITING_APPROVAL.value,
                        DeadlineRecord.kind == DeadlineKind.APPROVAL_SLA.value,
                        DeadlineRecord.status == DeadlineStatus.OPEN.value,
                        DeadlineRecord.organisation == organisation.value,
                        DeadlineRecord.stage == ActionRecord.stage)
                 .order_by(DeadlineRecord.due_at, ActionRecord.id))
        return [GateRow(_row(record, reference), due) for record, reference, due in self.session.exec(query)]

    def open_actions(self, *, opened_by: str | None = None) -> list[ActionRow]:
        jam = _jam()
        query = (select(ActionRecord, jam.c.value).join(jam, jam.c.action_id == ActionRecord.id)
                 .where(ActionRecord.status.not_in([s.value for s in ENDED])).order_by(ActionRecord.id))
        if opened_by is not None:
            query = query.where(ActionRecord.opened_by == opened_by)
        return [_row(record, reference) for record, reference in self.session.exec(query)]


class LetterViewRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def seen(self, *, user_id: int, letter_ids: Sequence[int]) -> dict[int, set[int]]:
        if not letter_ids:
            return {}
        rows = self.session.exec(select(LetterViewRecord.letter_id, LetterViewRecord.version).where(
            LetterViewRecord.user_id == user_id, LetterViewRecord.letter_id.in_(list(letter_ids))))
        seen: dict[int, set[int]] = {}
        for letter_id, version in rows:
            seen.setdefault(letter_id, set()).add(version)
        return seen

    def record(self, *, user_id: int, action_id: int, version_ids: Sequence[int], now: datetime) -> int:
        """One INSERT … SELECT of the given versions that are this action's; seeing one again changes nothing."""
        ids = sorted(set(version_ids))
        if not ids:
            return 0
        versions = (select(sa.literal(user_id), LetterVersionRecord.letter_id, LetterVersionRecord.id,
                           LetterVersionRecord.version, sa.literal(now, type_=LetterViewRecord.__table__.c.seen_at.type))
                    .join(LetterRecord, LetterRecord.id == LetterVersionRecord.letter_id)
                    .where(LetterRecord.action_id == action_id, LetterVersionRecord.id.in_(ids)))
        table = LetterViewRecord.__table__
        statement = (_insert(self.session)(table)
                     .from_select(["user_id", "letter_id", "letter_version_id", "version", "seen_at"], versions)
                     .on_conflict_do_nothing())
        return self.session.execute(statement).rowcount or 0
