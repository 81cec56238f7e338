"""Business days of each seat: Geneva (OHCHR, Europe/Zurich) and Washington DC (IACHR, America/New_York).

Expected values are worked out by hand in each test from the 2026 calendars:
  Geneva holidays used here: Fri 25 Dec 2026 (Christmas), Thu 31 Dec 2026 (Restoration Day),
    Fri 1 Jan 2027 (New Year). Zurich is UTC+1 in winter, UTC+2 from Sun 29 Mar 2026.
  DC holidays used here: Thu 26 Nov 2026 (Thanksgiving), Fri 25 Dec 2026 (Christmas).
    New York is UTC-5 in winter, UTC-4 from Sun 8 Mar 2026 until Sun 1 Nov 2026.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from coordination.adapters.calendars import HolidayCalendar
from coordination.domain import Organisation

OHCHR, IACHR = Organisation.OHCHR, Organisation.IACHR


@pytest.fixture(scope="module")
def calendar() -> HolidayCalendar:
    return HolidayCalendar()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def check(calendar: HolidayCalendar, organisation: Organisation, start: datetime, days: int,
          expected: datetime) -> None:
    result = calendar.add_business_days(organisation, start, days)
    assert result.tzinfo is not None and result.utcoffset() == timedelta(0)  # UTC-aware
    assert result == expected


@pytest.mark.parametrize("organisation", [OHCHR, IACHR])
def test_weekends_are_not_business_days(calendar, organisation):
    # Friday 6 Nov 2026 12:00 UTC + 1 business day: Saturday and Sunday skipped -> Monday 9 Nov, same hour.
    # (No DST change between these dates in either seat: Zurich changed on 25 Oct, New York on 1 Nov.)
    check(calendar, organisation, utc(2026, 11, 6, 12, 0), 1, utc(2026, 11, 9, 12, 0))
    # + 5 business days from Mon 16 Nov (no holiday that week in either seat) is Mon 23 Nov.
    check(calendar, organisation, utc(2026, 11, 16, 12, 0), 5, utc(2026, 11, 23, 12, 0))


def test_christmas_is_a_holiday_in_geneva(calendar):
    # Thu 24 Dec 2026 09:00 Geneva = 08:00 UTC (CET, UTC+1). +1: Fri 25 Dec is Christmas, then the
    # weekend -> Mon 28 Dec 09:00 CET = 08:00 UTC.
    check(calendar, OHCHR, utc(2026, 12, 24, 8, 0), 1, utc(2026, 12, 28, 8, 0))


def test_restoration_day_and_new_year_are_holidays_in_geneva(calendar):
    # Wed 30 Dec 2026 09:00 CET = 08:00 UTC. +1: Thu 31 Dec (Restoration Day) and Fri 1 Jan (New Year)
    # are holidays, then the weekend -> Mon 4 Jan 2027 09:00 CET = 08:00 UTC.
    check(calendar, OHCHR, utc(2026, 12, 30, 8, 0), 1, utc(2027, 1, 4, 8, 0))
    # From Thu 24 Dec, 4 business days are Mon 28, Tue 29, Wed 30 Dec and Mon 4 Jan.
    check(calendar, OHCHR, utc(2026, 12, 24, 8, 0), 4, utc(2027, 1, 4, 8, 0))
    assert not calendar.is_business_day(OHCHR, date(2026, 12, 31))


def test_restoration_day_is_a_working_day_in_washington(calendar):
    # Wed 30 Dec 2026 09:00 New York = 14:00 UTC (EST, UTC-5). +1 -> Thu 31 Dec 09:00 EST = 14:00 UTC.
    check(calendar, IACHR, utc(2026, 12, 30, 14, 0), 1, utc(2026, 12, 31, 14, 0))
    assert calendar.is_business_day(IACHR, date(2026, 12, 31))


def test_christmas_is_a_holiday_in_washington(calendar):
    # Thu 24 Dec 2026 09:00 EST = 14:00 UTC. +1: Fri 25 Dec is Christmas, then the weekend
    # -> Mon 28 Dec 09:00 EST = 14:00 UTC.
    check(calendar, IACHR, utc(2026, 12, 24, 14, 0), 1, utc(2026, 12, 28, 14, 0))


def test_thanksgiving_is_a_holiday_in_washington_but_not_in_geneva(calendar):
    # Wed 25 Nov 2026 09:00 EST = 14:00 UTC. +1: Thu 26 Nov is Thanksgiving -> Fri 27 Nov 09:00 EST = 14:00 UTC.
    check(calendar, IACHR, utc(2026, 11, 25, 14, 0), 1, utc(2026, 11, 27, 14, 0))
    # Geneva works on Thanksgiving: Wed 25 Nov 09:00 CET = 08:00 UTC. +1 -> Thu 26 Nov 08:00 UTC.
    check(calendar, OHCHR, utc(2026, 11, 25, 8, 0), 1, utc(2026, 11, 26, 8, 0))


def test_geneva_keeps_the_local_time_of_day_across_the_spring_dst_change(calendar):
    # Fri 27 Mar 2026 09:00 Geneva is CET (UTC+1) = 08:00 UTC. Zurich moves to CEST (UTC+2) on Sun 29 Mar.
    # +1 business day -> Mon 30 Mar 09:00 CEST = 07:00 UTC: same local time, one hour earlier in UTC.
    check(calendar, OHCHR, utc(2026, 3, 27, 8, 0), 1, utc(2026, 3, 30, 7, 0))


def test_washington_keeps_the_local_time_of_day_across_the_spring_dst_change(calendar):
    # Fri 6 Mar 2026 09:00 New York is EST (UTC-5) = 14:00 UTC. New York moves to EDT (UTC-4) on Sun 8 Mar.
    # +1 business day -> Mon 9 Mar 09:00 EDT = 13:00 UTC.
    check(calendar, IACHR, utc(2026, 3, 6, 14, 0), 1, utc(2026, 3, 9, 13, 0))


def test_washington_keeps_the_local_time_of_day_across_the_autumn_dst_change(calendar):
    # Fri 30 Oct 2026 09:00 New York is EDT (UTC-4) = 13:00 UTC. EST (UTC-5) from Sun 1 Nov.
    # +1 business day -> Mon 2 Nov 09:00 EST = 14:00 UTC.
    check(calendar, IACHR, utc(2026, 10, 30, 13, 0), 1, utc(2026, 11, 2, 14, 0))


def test_days_are_counted_from_the_seats_local_date(calendar):
    # Fri 27 Nov 2026 02:00 UTC is still Thu 26 Nov 21:00 in New York (Thanksgiving evening).
    # Counting starts from the local Thursday: +1 -> Fri 27 Nov 21:00 EST = Sat 28 Nov 02:00 UTC.
    check(calendar, IACHR, utc(2026, 11, 27, 2, 0), 1, utc(2026, 11, 28, 2, 0))
