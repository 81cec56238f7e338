"""Deadlines by hand: the list of open ones, extending and cancelling (each audited, with the reason).

The reminders they call for are the sweep's (`reminders.py`); the calendar feed is `calendar.py`'s.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from coordination.config import Settings
from coordination.domain import DeadlineKind, InvalidInput, Organisation
from coordination.domain.bounds import check_days, parse_date_or_time
from coordination.domain.deadlines import Deadline
from coordination.domain.reminders import time_zone_of

from .actions import schedule
from .inputs import choice as _parse
from .inputs import text
from .ports import Clock, Scheduler, UnitsOfWork


def iso_utc(value: datetime) -> str:
    """A time in UTC to the second: 2026-11-02T09:00:00Z."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _parse_when(value: str) -> date | datetime:
    try:
        return parse_date_or_time("the new due date", value)
    except InvalidInput as error:  # the form and the command line word it by the input's name
        error.field = error.field or "to"
        raise


def _organisation(value: str | None) -> Organisation | None:
    return None if value is None else _parse(Organisation, value.strip().lower(), "organisation")


def extend_deadline(
    *, reference: str, kind: str, to: str, reason: str, actor: str, organisation: str | None = None,
    uow: UnitsOfWork, clock: Clock, scheduler: Scheduler, settings: Settings,
) -> list[dict[str, Any]]:
    """Move a deadline later, with the reason (audited); returns the deadlines changed."""
    deadline_kind, when, org = _parse(DeadlineKind, kind, "deadline kind"), _parse_when(to), _organisation(organisation)
    text(settings, "the reason", reason, required=False)  # a missing one is the domain's refusal
    now = clock()
    with uow() as tx:
        user = tx.users.require(actor)
        action = tx.actions.get(reference, for_update=True)
        changed = action.extend_deadline(user, kind=deadline_kind, to=when, reason=reason, now=now,
                                         organisation=org)
        tx.actions.save(action, now=now, by=user)
        schedule(scheduler, tx.commit())
    return [deadline_view(action.reference, d) for d in changed]


def cancel_deadline(
    *, reference: str, kind: str, reason: str, actor: str, organisation: str | None = None,
    uow: UnitsOfWork, clock: Clock, scheduler: Scheduler, settings: Settings,
) -> list[dict[str, Any]]:
    """Cancel a deadline, with the reason (audited): no more reminders for it."""
    deadline_kind, org = _parse(DeadlineKind, kind, "deadline kind"), _organisation(organisation)
    text(settings, "the reason", reason, required=False)
    now = clock()
    with uow() as tx:
        user = tx.users.require(actor)
        action = tx.actions.get(reference, for_update=True)
        changed = action.cancel_deadline(user, kind=deadline_kind, reason=reason, now=now, organisation=org)
        tx.actions.save(action, now=now, by=user)
        schedule(scheduler, tx.commit())
    return [deadline_view(action.reference, d) for d in changed]


def deadline_view(reference: str, d: Deadline, now: datetime | None = None) -> dict[str, Any]:
    """A deadline as `deadline list --json` prints it; with `now`, whether it is overdue and the time left."""
    view: dict[str, Any] = {
        "reference": reference, "kind": d.kind.value, "stage": d.stage,
        "organisation": d.organisation.value if d.organisation else None, "due_at": iso_utc(d.due_at),
        "time_zone": str(time_zone_of(d)), "status": d.status.value}
    if now is not None:
        view["overdue"] = d.due_at <= now
        view["seconds_left"] = int((d.due_at - now).total_seconds())
    return view


def list_deadlines(
    *, overdue: bool = False, due_within: float | None = None, now: datetime | None = None,
    uow: UnitsOfWork, clock: Clock,
) -> list[dict[str, Any]]:
    """Open deadlines, most urgent first: overdue ones, then by due time."""
    if due_within is not None:
        check_days("the number of days ahead", due_within, field="due_within")
    now = now or clock()
    before = now if overdue else (now + timedelta(days=due_within) if due_within is not None else None)
    with uow(read_only=True) as tx:
        rows = tx.deadlines.open(due_before=before)
    return [dict(deadline_view(row.reference, row.deadline, now), action_type=row.action_type,
                 country=row.country, action_stage=row.stage) for row in rows]
