"""Business days of each organisation's seat: Geneva for OHCHR, Washington DC for IACHR."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

from coordination.domain import Organisation

SEAT_TIME_ZONES = {
    Organisation.OHCHR: ZoneInfo("Europe/Zurich"),
    Organisation.IACHR: ZoneInfo("America/New_York"),
}


class HolidayCalendar:
    """Weekends and the seat's public holidays, from the `holidays` library, in the seat's zone."""

    def __init__(self) -> None:
        self._holidays = {
            Organisation.OHCHR: holidays.country_holidays("CH", subdiv="GE"),
            Organisation.IACHR: holidays.country_holidays("US", subdiv="DC"),
        }

    def is_business_day(self, organisation: Organisation, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays[organisation]

    def add_business_days(self, organisation: Organisation, start: datetime, days: int) -> datetime:
        zone = SEAT_TIME_ZONES[organisation]
        local = start.astimezone(zone)
        day, counted = local.date(), 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_business_day(organisation, day):
                counted += 1
        return datetime.combine(day, local.time(), tzinfo=zone).astimezone(UTC)
