"""What the domain needs from outside, as protocols: business days, reference numbers, address checks."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from .mandates import Signer
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


class AddressCheck(Protocol):
    def __call__(self, value: str, *, what: str = "") -> str:
        """The address as it is to be stored, or InvalidInput saying in one line why it is refused."""
        ...


class SignerDirectory(Protocol):
    def __call__(self, codes: Sequence[str], day: date, *, letter: str | None = None) -> list[Signer]:
        """The holders of these mandates on `day`, in that order, as signers; InvalidState naming
        every vacant mandate when one has no holder that day."""
        ...
