"""Business days of each organisation's seat: Geneva for OHCHR, Washington DC for IACHR."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from coordination.domain import Organisation
from coordination.domain.reminders import SEAT_TIME_ZONES


class HolidayCalendar:
    """Weekends and the seat's public holidays, from the `holidays` library, in the seat's zone."""

    def __init__(self) -> None:
        self._loaded: dict[Organisation, Any] | None = None

    @property
    def _holidays(self) -> dict[Organisation, Any]:
        """The seats' holidays, loaded at the first question: a command that counts no business
        day does not import the `holidays` library."""
        if self._loaded is None:
            import holidays

            self._loaded = {
                Organisation.OHCHR: holidays.country_holidays("CH", subdiv="GE"),
                Organisation.IACHR: holidays.country_holidays("US", subdiv="DC"),
            }
        return self._loaded

    def is_business_day(self, organisation: Organisation, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays[organisation]

    def add_business_days(self, organisation: Organisation, start: datetime, days: int) -> datetime:
        zone = SEAT_TIME_ZONES[organisation]
        local = start.astimezone(zone)
        day, counted, step = local.date(), 0, timedelta(days=1 if days >= 0 else -1)
        while counted < abs(days):
            day += step
            if self.is_business_day(organisation, day):
                counted += 1
        return datetime.combine(day, local.time(), tzinfo=zone).astimezone(UTC)
