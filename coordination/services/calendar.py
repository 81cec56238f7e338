"""The calendar feed: open deadlines as iCalendar events, for everyone or for the person they are owed by.

The feed's format is the `calendar_writer` port's (`coordination.adapters.ical`).
"""

from datetime import datetime, timedelta

from coordination.config import Settings
from coordination.domain.reminders import Threshold

from .ports import CalendarWriter, Clock, DeadlineRow, FeedEvent, UnitsOfWork
from .reminders import action_link, recipients_of


def _later(moment: datetime, delta: timedelta) -> datetime:
    """`moment + delta`, or `moment` where that would pass the last datetime (a date stored out of bounds)."""
    try:
        return moment + delta
    except OverflowError:
        return moment


def calendar_feed(
    *, user: str | None = None, now: datetime | None = None,
    uow: UnitsOfWork, clock: Clock, settings: Settings, calendar_writer: CalendarWriter,
) -> bytes:
    """Open deadlines as an iCalendar feed; for one person, those they are reminded of first."""
    now = now or clock()
    with uow(read_only=True) as tx:
        person = tx.users.require(user) if user else None
        rows: list[DeadlineRow] = tx.deadlines.open()
        if person is not None:
            recipients = recipients_of(tx, rows)
            owed = Threshold("feed", now)  # not an escalation: the people a deadline is owed by
            rows = [row for row in rows if person.email in recipients(row, owed)]
    events = []
    for row in rows:
        d = row.deadline
        owed_by = f" ({d.organisation.value.upper()})" if d.organisation else ""
        link = action_link(settings, row.reference)
        events.append(FeedEvent(
            uid=f"deadline-{d.id}@{settings.mail_domain}", stamp=now, start=d.due_at,
            end=_later(d.due_at, timedelta(minutes=30)),
            summary=f"{row.reference}: {d.kind.value.replace('_', ' ')}{owed_by} due",
            description=f"{row.action_type.replace('-', ' ')}, {row.country}, stage {row.stage}\n{link}",
            url=link, alarm=f"{row.reference}: {d.kind.value.replace('_', ' ')} due tomorrow",
            alarm_before=timedelta(days=1),
        ))
    return calendar_writer(name=f"Joint action deadlines{' of ' + person.email if person else ''}", events=events)
