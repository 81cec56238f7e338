"""What the domain needs from outside, as protocols: business days and reference numbers."""

from datetime import datetime
from typing import Protocol

from .vocabulary import Organisation


class BusinessCalendar(Protocol):
    def add_business_days(self, organisation: Organisation, start: datetime, days: int) -> datetime:
        """`start` (UTC) moved by business days of the organisation's seat (back if negative), at
        the same local time of day, in UTC."""
        ...


class ReferenceNumbers(Protocol):
    def next_number(self, series: str) -> int:
        """The next number of a series, without gaps or duplicates."""
        ...
