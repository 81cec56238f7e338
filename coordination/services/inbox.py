"""The inbox: a supervisor's gates, an officer's actions (an admin's: all) and deadlines due soon."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from coordination.domain import DeadlineKind, Role, Status, User
from coordination.domain.deadlines import Deadline

from .ports import ActionRow, Clock, UnitsOfWork

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


@dataclass(frozen=True)
class Inbox:
    gates: list[InboxRow]  # gates still owed the user's organisation's approval, oldest deadline first
    mine: list[InboxRow]  # open actions the user opened (an admin: all), soonest deadline first
    due: list[DueDeadline]  # their open deadlines due within a week, or overdue
    now: datetime


def read_inbox(*, user: User, uow: UnitsOfWork, clock: Clock) -> Inbox:
    """What the inbox shows this person, read in one unit of work."""
    now = clock()
    with uow(read_only=True) as tx:
        gates = tx.inbox.gates_awaiting(user.organisation) if user.role is Role.SUPERVISOR else []
        actions = tx.inbox.open_actions(opened_by=None if user.role is Role.ADMIN else user.email)
        deadlines = tx.deadlines.open(action_ids=[a.id for a in actions]) if actions else []
    by_action: dict[int, list[Deadline]] = {}
    for row in deadlines:
        by_action.setdefault(row.action_id, []).append(row.deadline)
    mine = []
    for action in actions:
        open_ = by_action.get(action.id, [])
        item = _row(action, waits_on=_waits_on(action, open_))
        if open_:
            item.due_at = open_[0].due_at
            item.overdue = item.due_at <= now
        mine.append(item)
    mine.sort(key=lambda r: (r.due_at is None, r.due_at or now))
    due = [DueDeadline(r.reference, r.deadline.kind.value,
                       r.deadline.organisation.value if r.deadline.organisation else None,
                       r.deadline.due_at, r.deadline.due_at <= now)
           for r in deadlines if r.deadline.due_at <= now + SOON]
    return Inbox([_row(g.action, due_at=g.due_at, overdue=g.due_at <= now) for g in gates], mine, due, now)


def _row(action: ActionRow, *, due_at: datetime | None = None, overdue: bool = False,
         waits_on: list[str] | None = None) -> InboxRow:
    return InboxRow(action.reference, action.type, action.country, action.title, action.stage, action.status,
                    due_at, overdue, waits_on or [])


def _waits_on(action: ActionRow, open_deadlines: list[Deadline]) -> list[str]:
    status = Status(action.status)
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
