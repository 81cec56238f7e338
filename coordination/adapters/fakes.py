"""Small real fakes for the pure domain's unit tests."""

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from coordination.domain import Organisation


class FakeNumbers:
    """Reference numbers from an in-memory counter per series."""

    def __init__(self) -> None:
        self.issued: defaultdict[str, int] = defaultdict(int)

    def next_number(self, series: str) -> int:
        self.issued[series] += 1
        return self.issued[series]


class WeekdayCalendar:
    """Business days are Monday to Friday, everywhere; no holidays."""

    def add_business_days(self, organisation: Organisation, start: datetime, days: int) -> datetime:
        current, step = start, timedelta(days=1 if days >= 0 else -1)
        for _ in range(abs(days)):
            current += step
            while current.weekday() >= 5:
                current += step
        return current


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now
