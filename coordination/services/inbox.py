"""What the web pages read: a supervisor's gates, an officer's actions and deadlines due soon,
and an action page."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coordination.bootstrap import App

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import select

from coordination.adapters.records import ActionRecord, DeadlineRecord, ReferenceRecord
from coordination.domain import (
    DeadlineKind,
    DeadlineStatus,
    JointAction,
    ReferenceKind,
    Role,
    Status,
    User,
)
from coordination.domain.deadlines import Deadline

from .views import action_view

SOON = timedelta(days=7)


@dataclass
class InboxRow:
    reference: str
    type: str
    country: str
    title: str
    stage: str
    status: str
    due_at: datetime | None = None
    overdue: bool = False
    waits_on: list[str] = field(default_factory=list)


@dataclass
class DueDeadline:
    reference: str
    kind: str
    organisation: str | None
    due_at: datetime
    overdue: bool


def _jam():  # type: ignore[no-untyped-def]
    return (select(ReferenceRecord.action_id, ReferenceRecord.value)
            .where(ReferenceRecord.kind == ReferenceKind.JAM.value).subquery())


def gates_awaiting(app: App, user: User, now: datetime) -> list[InboxRow]:
    """Gates whose approval is still owed by the user's organisation, oldest deadline first.

    The organisation's approval deadline stays open exactly until its quorum is met, so it
    says which gates still wait on this organisation without repeating the gate's rules here.
    """
    jam = _jam()
    query = (select(ActionRecord, jam.c.value, DeadlineRecord.due_at)
             .join(jam, jam.c.action_id == ActionRecord.id)
             .join(DeadlineRecord, DeadlineRecord.action_id == ActionRecord.id)
             .where(ActionRecord.status == Status.AWAITING_APPROVAL.value,
                    DeadlineRecord.kind == DeadlineKind.APPROVAL_SLA.value,
                    DeadlineRecord.status == DeadlineStatus.OPEN.value,
                    DeadlineRecord.organisation == user.organisation.value,
                    DeadlineRecord.stage == ActionRecord.stage)
             .order_by(DeadlineRecord.due_at, ActionRecord.id))
    with app.uow(read_only=True) as uow:
        return [InboxRow(ref, r.type, r.country, r.title, r.stage, r.status, due, due <= now)
                for r, ref, due in uow.session.exec(query)]


def casework(app: App, user: User, now: datetime) -> tuple[list[InboxRow], list[DueDeadline]]:
    """Open actions the user opened (an admin: all), what each waits on, and deadlines due soon."""
    jam = _jam()
    query = (select(ActionRecord, jam.c.value).join(jam, jam.c.action_id == ActionRecord.id)
             .where(ActionRecord.status != Status.CLOSED.value).order_by(ActionRecord.id))
    if user.role is not Role.ADMIN:
        query = query.where(ActionRecord.opened_by == user.email)
    with app.uow(read_only=True) as uow:
        actions = list(uow.session.exec(query))
        deadlines = uow.deadlines.open(action_ids=[r.id for r, _ in actions]) if actions else []
    by_action: dict[int, list[Deadline]] = {}
    for row in deadlines:
        by_action.setdefault(row.action_id, []).append(row.deadline)
    rows = []
    for record, ref in actions:
        open_ = by_action.get(record.id, [])
        row = InboxRow(ref, record.type, record.country, record.title, record.stage, record.status,
                       waits_on=_waits_on(record, open_))
        if open_:
            row.due_at = open_[0].due_at
            row.overdue = row.due_at <= now
        rows.append(row)
    due = [DueDeadline(r.reference, r.deadline.kind.value,
                       r.deadline.organisation.value if r.deadline.organisation else None,
                       r.deadline.due_at, r.deadline.due_at <= now)
           for r in deadlines if r.deadline.due_at <= now + SOON]
    rows.sort(key=lambda r: (r.due_at is None, r.due_at or now))
    return rows, due


def _waits_on(record: ActionRecord, open_deadlines: list[Deadline]) -> list[str]:
    status = Status(record.status)
    if status is Status.IN_PROGRESS:
        return ["officer"]
    if status is Status.AWAITING_APPROVAL:
        return [f"approval:{d.organisation.value}" for d in open_deadlines
                if d.kind is DeadlineKind.APPROVAL_SLA and d.organisation]
    if status is Status.READY:
        return ["dispatch"]
    if status is Status.WAITING:
        return [f"deadline:{d.kind.value}" for d in open_deadlines if d.kind is not DeadlineKind.APPROVAL_SLA]
    return []


def action_page(app: App, reference: str) -> tuple[JointAction, dict]:
    """The action (with every letter version) and the same view `action show --json` prints."""
    with app.uow(read_only=True) as uow:
        action = uow.actions.get(reference)
        return action, action_view(action, uow.audit.history(action.id), uow.outbox.for_action(action.id))


