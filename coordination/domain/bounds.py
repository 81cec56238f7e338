"""Bounds on dates, times and numbers people type: refused with one line naming the input.

    every date or time          within 2000-01-01 .. 2100-12-31 (UTC), ISO 8601, ASCII digits
    a deadline set or extended  not more than a day in the past, not more than 10 years ahead
    a number of days            finite, 0 .. 3653 (10 years)
"""

import math
import re
from datetime import UTC, date, datetime, timedelta

from .errors import InvalidInput

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
DEADLINE_PAST = timedelta(days=1)
DEADLINE_AHEAD = timedelta(days=3653)  # 10 years
PER_PAGE = 50  # actions on a page of `action list` and of the web's search
MAX_PER_PAGE = 500
MAX_DAYS = 3653

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_TEXT = re.compile(r"[0-9T:+\-.,Z ]{4,40}")  # what an ISO 8601 date or time is made of, ASCII only


def check_date(name: str, value: date | datetime) -> date | datetime:
    """`value` if it falls within the window; a time is checked by its UTC date."""
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise InvalidInput(f"{name} must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}, "
                           f"not {day.isoformat()}")
    if isinstance(value, datetime) and value.tzinfo is not None:
        # an offset near the window's ends cannot move it past what a datetime holds
        check_date(name, value.astimezone(UTC).date())
    return value


def parse_date(name: str, text: str) -> date:
    """A date written YYYY-MM-DD, within the window."""
    value = (text or "").strip()
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{name} must be a date as YYYY-MM-DD, not {_shown(text)}") from None
    check_date(name, day)
    return day


def parse_time(name: str, text: str, *, example: str = "2026-11-02T09:00:00+00:00") -> datetime:
    """An ISO 8601 time with its UTC offset, within the window."""
    value = (text or "").strip()
    try:
        if not _ISO_TEXT.fullmatch(value):
            raise ValueError
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{name} {_shown(text)} is not an ISO 8601 time (e.g. {example})") from None
    if moment.tzinfo is None:
        raise InvalidInput(f"{name} {_shown(text)} needs its UTC offset (e.g. {example})")
    return check_date(name, moment)  # type: ignore[return-value]


def parse_date_or_time(name: str, text: str) -> date | datetime:
    """YYYY-MM-DD, or an ISO 8601 time (its offset is checked where it is used)."""
    value = (text or "").strip()
    if len(value) == 10:
        return parse_date(name, value)
    try:
        if not _ISO_TEXT.fullmatch(value):
            raise ValueError
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{name} {_shown(text)} is not a date (YYYY-MM-DD) or an ISO 8601 time "
                           "with its offset") from None
    return check_date(name, moment)


def check_deadline(name: str, due: datetime, now: datetime) -> datetime:
    """A deadline being set: at most a day in the past, at most 10 years ahead."""
    check_date(name, due)
    if due < now - DEADLINE_PAST:
        raise InvalidInput(f"{name} {due.isoformat()} is more than a day in the past")
    if due > now + DEADLINE_AHEAD:
        raise InvalidInput(f"{name} {due.isoformat()} is more than 10 years ahead")
    return due


def check_days(name: str, value: float, *, field: str | None = None) -> float:
    """A number of days: finite, 0 .. 3653 (`field`: the input's identifier, which each edge words)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value) \
            or not 0 <= value <= MAX_DAYS:
        raise InvalidInput(f"{name} takes a number of days from 0 to {MAX_DAYS}, not {value!r}", field=field,
                           value=value, facts={"max_days": MAX_DAYS})
    return value


def ascii_int(text: str | None, *, low: int = 0, high: int = 10**9) -> int | None:
    """The whole number written in ASCII digits (int() also reads '²' and '١'), within bounds; else None."""
    if not text or len(text) > 12 or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if low <= number <= high else None


def _shown(text: str) -> str:
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:57] + "…'"
