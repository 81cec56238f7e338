"""The reminder sweep against SQLite and PostgreSQL, with the seats' real calendars
(Geneva and Washington DC holidays and time zones) and an injected clock.

A test walks the clock hour by hour and sweeps at each step, recording when each
(deadline, threshold) first reached whom; the expected times are worked out by hand in
the comments from the business days and local hours of each seat.
"""

from collections import defaultdict
from datetime import UTC, datetime

import pytest

from coordination.adapters.fakes import FixedClock
from coordination.domain import CoordinationError, InvalidInput, InvalidState, NotPermitted

from ..conftest import count_rows
from ..helpers import ADMIN, OFFICER, SUP_IACHR, SUP_IACHR_2, SUP_OHCHR, SUP_OHCHR_2, fill, open_at_gate, seed

EVERYONE = sorted([OFFICER, SUP_OHCHR, SUP_OHCHR_2, SUP_IACHR, SUP_IACHR_2])
OHCHR_SUPERVISORS = sorted([SUP_OHCHR, SUP_OHCHR_2])
IACHR_SUPERVISORS = sorted([SUP_IACHR, SUP_IACHR_2])


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def sweep_hourly(app, clock: FixedClock, until: datetime, *, on_the_hour=None) -> dict:
    """Sweep every hour up to `until`; (organisation, threshold) → (first sweep time, recipients).

    `on_the_hour` maps a time to a callable run just after that hour's sweep (a decision, say).
    Fails if a (deadline, threshold, recipient) is ever written twice.
    """
    seen: dict[tuple, tuple[datetime, set[str]]] = {}
    sent: set[tuple] = set()
    while clock.now <= until:
        report = app.services.send_reminders()
        for line in report.lines:
            d = line.row.deadline
            key = (d.organisation.value if d.organisation else d.kind.value, line.threshold.key)
            assert (d.id, key, line.recipient) not in sent, f"{key} sent twice to {line.recipient}"
            sent.add((d.id, key, line.recipient))
            first, recipients = seen.setdefault(key, (clock.now, set()))
            assert first == clock.now, f"{key} reached people at {first} and again at {clock.now}"
            recipients.add(line.recipient)
        if on_the_hour and clock.now in on_the_hour:
            on_the_hour[clock.now]()
        clock.advance(hours=1)
    return {key: (when, sorted(people)) for key, (when, people) in seen.items()}


def test_each_threshold_fires_once_across_a_weekend_and_thanksgiving_until_the_decisions(app, clock):
    seed(app)
    # Gate opened Wednesday 25 Nov 2026, 15:00 UTC: 16:00 in Geneva, 10:00 in Washington.
    # Urgent appeals: 2 business days. OHCHR: Thu 26, Fri 27 → due Fri 27 16:00 CET (15:00 UTC).
    # IACHR: Thu 26 is Thanksgiving (DC), Fri 27, [weekend], Mon 30 → due Mon 30 10:00 EST (15:00 UTC).
    clock.now = utc(2026, 11, 25, 15)
    ref = open_at_gate(app, "urgent-appeal")
    decide = {
        utc(2026, 12, 1, 16): lambda: app.services.approve_stage(reference=ref, supervisor=SUP_OHCHR),
        utc(2026, 12, 2, 16): lambda: app.services.approve_stage(reference=ref, supervisor=SUP_IACHR),
    }
    log = sweep_hourly(app, clock, utc(2026, 12, 7, 12), on_the_hour=decide)

    assert log == {
        # the gate opened: each organisation's supervisors are asked for their decision at once
        ("ohchr", "request"): (utc(2026, 11, 25, 15), OHCHR_SUPERVISORS),
        ("iachr", "request"): (utc(2026, 11, 25, 15), IACHR_SUPERVISORS),
        # OHCHR: 1 business day before, at the same Geneva hour
        ("ohchr", "before-1d"): (utc(2026, 11, 26, 15), OHCHR_SUPERVISORS),
        ("ohchr", "on-the-day"): (utc(2026, 11, 26, 23), OHCHR_SUPERVISORS),  # Fri 27, 00:00 CET
        ("ohchr", "escalation-1"): (utc(2026, 11, 27, 15), EVERYONE),
        ("ohchr", "escalation-2"): (utc(2026, 12, 1, 15), EVERYONE),  # 2 business days: Mon 30, Tue 1
        # no escalation-3 (Thu 3 Dec): Sam approved for OHCHR on Tue 1 Dec at 16:00
        # IACHR: 1 business day before Monday is Friday, at the same Washington hour
        ("iachr", "before-1d"): (utc(2026, 11, 27, 15), IACHR_SUPERVISORS),
        ("iachr", "on-the-day"): (utc(2026, 11, 30, 5), IACHR_SUPERVISORS),  # Mon 30, 00:00 EST
        ("iachr", "escalation-1"): (utc(2026, 11, 30, 15), EVERYONE),
        ("iachr", "escalation-2"): (utc(2026, 12, 2, 15), EVERYONE),
        # no escalation-3 (Fri 4 Dec): Ines approved on Wed 2 Dec at 16:00 and the gate was met
    }


def test_thresholds_keep_the_local_hour_across_both_daylight_saving_changes(app, clock):
    seed(app)
    # Gate opened Thursday 22 Oct 2026, 08:00 UTC: 10:00 CEST in Geneva, 04:00 EDT in Washington.
    # Geneva leaves summer time on Sun 25 Oct, Washington on Sun 1 Nov.
    clock.now = utc(2026, 10, 22, 8)
    open_at_gate(app, "urgent-appeal")
    log = sweep_hourly(app, clock, utc(2026, 11, 3, 10))

    assert log == {
        ("ohchr", "request"): (utc(2026, 10, 22, 8), OHCHR_SUPERVISORS),
        ("iachr", "request"): (utc(2026, 10, 22, 8), IACHR_SUPERVISORS),
        # OHCHR due Mon 26 Oct 10:00 CET = 09:00 UTC (an hour later in UTC than the 10:00 CEST it was set at)
        ("ohchr", "before-1d"): (utc(2026, 10, 23, 8), OHCHR_SUPERVISORS),  # Fri 23, 10:00 CEST
        ("ohchr", "on-the-day"): (utc(2026, 10, 25, 23), OHCHR_SUPERVISORS),  # Mon 26, 00:00 CET
        ("ohchr", "escalation-1"): (utc(2026, 10, 26, 9), EVERYONE),
        ("ohchr", "escalation-2"): (utc(2026, 10, 28, 9), EVERYONE),  # Wed 28, 10:00 CET
        ("ohchr", "escalation-3"): (utc(2026, 10, 30, 9), EVERYONE),  # Fri 30
        ("ohchr", "escalation-4"): (utc(2026, 11, 3, 9), EVERYONE),  # Tue 3 Nov
        # IACHR due Mon 26 Oct 04:00 EDT = 08:00 UTC
        ("iachr", "before-1d"): (utc(2026, 10, 23, 8), IACHR_SUPERVISORS),  # Fri 23, 04:00 EDT
        ("iachr", "on-the-day"): (utc(2026, 10, 26, 4), IACHR_SUPERVISORS),  # Mon 26, 00:00 EDT
        ("iachr", "escalation-1"): (utc(2026, 10, 26, 8), EVERYONE),
        ("iachr", "escalation-2"): (utc(2026, 10, 28, 8), EVERYONE),
        ("iachr", "escalation-3"): (utc(2026, 10, 30, 8), EVERYONE),
        ("iachr", "escalation-4"): (utc(2026, 11, 3, 9), EVERYONE),  # Tue 3 Nov, 04:00 EST: UTC moved
    }


def reminders_by_deadline(app) -> dict[int, list[str]]:
    with app.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT deadline_id, threshold FROM reminders ORDER BY id").all()
    found = defaultdict(set)
    for deadline_id, threshold in rows:
        found[deadline_id].add(threshold)
    return {k: sorted(v) for k, v in found.items()}


def test_a_second_run_sends_nothing(app, clock):
    seed(app)
    open_at_gate(app, "urgent-appeal")
    clock.advance(days=3)  # Thu 5 Nov: both SLAs (due Wed 4 Nov) escalated once
    first = app.services.send_reminders()
    assert first.counts() == {"deadlines": 2, "reminders": 10, "digests": 5}
    rows = count_rows(app)

    again = app.services.send_reminders()

    assert again.counts() == {"deadlines": 0, "reminders": 0, "digests": 0}
    assert count_rows(app) == rows


def test_after_a_week_of_downtime_each_deadline_gets_its_latest_reminder_only(app, clock):
    seed(app)
    open_at_gate(app, "urgent-appeal")
    open_at_gate(app, "country-communication")
    clock.advance(days=16)  # nobody swept since Monday 2 Nov: before, on the day and escalations all passed

    report = app.services.send_reminders()

    assert reminders_by_deadline(app) == {
        # urgent appeal, due Wed 4 Nov; escalations every 2 business days. OHCHR: 4, 6, 10, 12, 16, 18 Nov.
        # IACHR: 4, 6, 10, 13 (Wed 11 is Veterans Day in DC), 17 Nov; the next is Thu 19
        1: ["escalation-6"], 2: ["escalation-5"],
        # country communication: 5 business days, due Mon 9 Nov. OHCHR: 9, 11, 13, 17 Nov; IACHR: 9, 12, 16, 18
        3: ["escalation-4"], 4: ["escalation-4"],
    }
    assert report.counts() == {"deadlines": 4, "reminders": 20, "digests": 5}  # one digest per person
    assert app.services.send_reminders().reminders == 0


def test_an_extended_deadline_reminds_again_for_its_new_date_and_the_extension_is_audited(app, clock):
    seed(app)
    ref = open_at_gate(app, "urgent-appeal")  # Mon 2 Nov 09:00 UTC; both SLAs due Wed 4 Nov
    clock.now = utc(2026, 11, 3, 10)
    assert {line.threshold.key for line in app.services.send_reminders().lines} == {"before-1d"}

    [changed] = app.services.extend_deadline(reference=ref, kind="approval_sla", to="2026-11-13", organisation="iachr",
                                         reason="Ines is on mission; Ian reviews on Friday", actor=OFFICER)

    assert changed["due_at"] == "2026-11-13T09:00:00Z" and changed["organisation"] == "iachr"
    clock.now = utc(2026, 11, 12, 9)  # 1 business day before the new date
    report = app.services.send_reminders()
    assert {(l.row.deadline.organisation.value, l.threshold.key) for l in report.lines} == {
        ("iachr", "before-1d"), ("ohchr", "escalation-4")}
    history = app.services.get_action(reference=ref)["history"]
    [event] = [e for e in history if e["event"] == "DeadlineExtended"]
    assert event["actor"] == OFFICER and event["details"]["reason"] == "Ines is on mission; Ian reviews on Friday"


@pytest.mark.parametrize(("changes", "error"), [
    (dict(kind="deadline"), InvalidInput),
    (dict(to="13/11/2026"), InvalidInput),
    (dict(to="2026-11-03"), InvalidInput),  # before it is due
    (dict(reason=""), InvalidInput),
    (dict(actor=ADMIN), NotPermitted),
    (dict(organisation="unhcr"), InvalidInput),
    (dict(kind="state_reply"), InvalidState),
    (dict(reference="JAM-2026-0099"), CoordinationError),
])
def test_a_refused_extension_writes_nothing(app, changes, error):
    seed(app)
    ref = open_at_gate(app, "urgent-appeal")
    before = count_rows(app)
    arguments = dict(reference=ref, kind="approval_sla", to="2026-11-20", reason="More time", actor=OFFICER) | changes
    with pytest.raises(error):
        app.services.extend_deadline(**arguments)
    assert count_rows(app) == before


def test_a_cancelled_deadline_is_no_longer_reminded(app, clock):
    seed(app)
    ref = open_at_gate(app, "urgent-appeal")
    app.services.cancel_deadline(reference=ref, kind="approval_sla", organisation="ohchr", actor=OFFICER,
                             reason="OHCHR decided in the meeting")
    clock.advance(days=3)
    report = app.services.send_reminders()
    assert {l.row.deadline.organisation.value for l in report.lines} == {"iachr"}


def test_a_sweep_that_breaks_midway_writes_nothing_and_the_next_one_sends(app, clock):
    seed(app)
    open_at_gate(app, "urgent-appeal")
    clock.advance(days=3)
    before = count_rows(app)

    def broken(**kwargs):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        app.services.send_reminders(render_digest=broken)
    assert count_rows(app) == before

    assert app.services.send_reminders().digests == 5


def test_a_dry_run_shows_what_is_owed_and_writes_nothing(app, clock):
    seed(app)
    open_at_gate(app, "urgent-appeal")
    clock.advance(days=1, hours=1)  # Tue 3 Nov 10:00: the day before both SLAs
    before = count_rows(app)
    report = app.services.send_reminders(dry_run=True)
    assert report.counts() == {"deadlines": 2, "reminders": 4, "digests": 4}
    assert {(line.recipient, line.threshold.key) for line in report.lines} == {
        (s, "before-1d") for s in OHCHR_SUPERVISORS + IACHR_SUPERVISORS}
    assert count_rows(app) == before
    assert app.services.send_reminders().reminders == 4


def test_deadlines_are_listed_by_urgency(app, clock):
    seed(app)
    first = open_at_gate(app, "country-communication")  # due Mon 9 Nov
    clock.advance(days=1)
    second = open_at_gate(app, "urgent-appeal")  # due Thu 5 Nov
    clock.now = utc(2026, 11, 6, 9)

    rows = app.services.list_deadlines()
    assert [(r["reference"], r["organisation"], r["overdue"]) for r in rows] == [
        (second, "ohchr", True), (second, "iachr", True), (first, "ohchr", False), (first, "iachr", False)]
    assert [r["reference"] for r in app.services.list_deadlines(overdue=True)] == [second, second]
    assert [r["reference"] for r in app.services.list_deadlines(due_within=3.5)] == [second, second, first, first]
    assert app.services.list_deadlines(due_within=0) == app.services.list_deadlines(overdue=True)
    with pytest.raises(InvalidInput):
        app.services.list_deadlines(due_within=-1)


def test_the_calendar_feed_lists_each_persons_deadlines(app, clock):
    from icalendar import Calendar

    seed(app)
    ref = open_at_gate(app, "urgent-appeal")
    app.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)  # OHCHR's SLA is met

    def events(user=None):
        feed = Calendar.from_ical(app.services.calendar_feed(user=user))
        return [(str(e["summary"]), e["dtstart"].dt) for e in feed.walk("VEVENT")]

    due = utc(2026, 11, 4, 9)
    assert events() == [(f"{ref}: approval sla (IACHR) due", due)]
    assert events(SUP_IACHR_2) == [(f"{ref}: approval sla (IACHR) due", due)]
    assert events(SUP_OHCHR) == []  # nothing owed by OHCHR any more
    assert events(OFFICER) == []  # an approval is owed by supervisors
    with pytest.raises(CoordinationError):
        app.services.calendar_feed(user="nobody@x.test")


def test_a_gate_that_opens_asks_its_supervisors_to_decide_and_a_new_round_asks_again(app, clock):
    seed(app)
    ref = open_at_gate(app, "urgent-appeal")
    clock.advance(minutes=5)  # the next sweep

    report = app.services.send_reminders()

    assert sorted((l.recipient, l.status(clock.now)) for l in report.lines) == sorted(
        (s, "your decision is requested") for s in OHCHR_SUPERVISORS + IACHR_SUPERVISORS)
    app.services.approve_stage(reference=ref, supervisor=SUP_IACHR)
    fill(app, ref, "urgent_appeal", values={"concerns": "We are gravely concerned."})  # voids it: round 2
    clock.advance(minutes=5)
    report = app.services.send_reminders()
    assert sorted(l.recipient for l in report.lines) == sorted(OHCHR_SUPERVISORS + IACHR_SUPERVISORS)
    assert {l.row.deadline.round for l in report.lines} == {2}
