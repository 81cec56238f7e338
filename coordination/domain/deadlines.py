"""Deadlines: what is due, by when, and how a rule turns into a due time (UTC)."""

import calendar as _calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

from .ports import BusinessCalendar
from .stages import DayCount, DeadlineRule
from .vocabulary import DeadlineKind, DeadlineStatus, Organisation


@dataclass
class Deadline:
    kind: DeadlineKind
    stage: str
    due_at: datetime
    created_at: datetime
    status: DeadlineStatus = DeadlineStatus.OPEN
    organisation: Organisation | None = None  # approval SLAs are owed per organisation
    round: int | None = None
    closed_at: datetime | None = None
    id: int | None = None

    @property
    def is_open(self) -> bool:
        return self.status is DeadlineStatus.OPEN

    def close(self, status: DeadlineStatus, now: datetime) -> None:
        self.status = status
        self.closed_at = now


def add_months(start: datetime, months: int) -> datetime:
    """Same day `months` later, clamped to the month's end (31 Aug + 6 months = 28/29 Feb)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, _calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def due_at(
    rule: DeadlineRule,
    start: datetime,
    *,
    amount: int | None = None,
    calendar: BusinessCalendar,
    organisation: Organisation | None = None,
) -> datetime:
    n = rule.amount if amount is None else amount
    if rule.unit is DayCount.CALENDAR_DAYS:
        return start + timedelta(days=n)
    if rule.unit is DayCount.MONTHS:
        return add_months(start, n)
    if organisation is None:
        raise ValueError("business-day deadlines need the organisation whose calendar counts")
    return calendar.add_business_days(organisation, start, n)
