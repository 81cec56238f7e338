"""Reminder policies in the pure domain: thresholds, the latest one owed, recipients, and
deadlines extended or cancelled by hand (weekday calendar fake; the seats' real calendars
are tested in tests/integration/test_reminders.py)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from coordination.adapters.fakes import WeekdayCalendar
from coordination.domain import (
    ActionType,
    DeadlineKind,
    DeadlineStatus,
    InvalidInput,
    InvalidState,
    JointAction,
    NotPermitted,
    Organisation,
    Ports,
)
from coordination.domain.deadlines import Deadline
from coordination.domain.reminders import (
    DEFAULT_POLICIES,
    ReminderPolicy,
    Threshold,
    latest_threshold,
    reminder_recipients,
    thresholds,
)

from .support import ADDRESS_BOOK, ADMIN, NOW, OFFICER, SUP_IACHR, SUP_OHCHR, SUP_OHCHR_2, approve_both, at_first_gate

CALENDAR = WeekdayCalendar()
POLICY = ReminderPolicy(before=(3, 1), on_the_day=True, escalate_every=3)
DUE = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)  # a Thursday


def at_gate(ports: Ports) -> JointAction:
    return at_first_gate(ports, ActionType.URGENT_APPEAL)


def dispatched(ports: Ports) -> JointAction:
    """An urgent appeal sent to the State: its reply deadline is open."""
    action = at_gate(ports)
    approve_both(action, ports)
    action.advance(now=NOW, ports=ports, address_book=ADDRESS_BOOK)
    assert action.open_deadline(DeadlineKind.STATE_REPLY) is not None
    return action


def state_reply(due: datetime = DUE, created: datetime = NOW) -> Deadline:
    return Deadline(DeadlineKind.STATE_REPLY, "awaiting_reply", due, created, id=1)


def keys_until(deadline: Deadline, until: datetime, policy: ReminderPolicy = POLICY) -> list[tuple[str, datetime]]:
    return [(t.key, t.fires_at) for t in thresholds(deadline, policy, CALENDAR, until=until)]


def test_calendar_day_thresholds_fire_in_order_and_escalation_repeats():
    assert keys_until(state_reply(), DUE + timedelta(days=7)) == [
        ("before-3d", DUE - timedelta(days=3)),
        ("before-1d", DUE - timedelta(days=1)),
        ("on-the-day", datetime(2026, 12, 10, tzinfo=UTC)),
        ("escalation-1", DUE),
        ("escalation-2", DUE + timedelta(days=3)),
        ("escalation-3", DUE + timedelta(days=6)),
    ]


@pytest.mark.parametrize(("now", "expected"), [
    (DUE - timedelta(days=3, seconds=1), None),
    (DUE - timedelta(days=3), "before-3d"),
    (DUE - timedelta(hours=25), "before-3d"),
    (DUE - timedelta(days=1), "before-1d"),
    (datetime(2026, 12, 10, 0, 0, tzinfo=UTC), "on-the-day"),
    (DUE - timedelta(seconds=1), "on-the-day"),
    (DUE, "escalation-1"),
    (DUE + timedelta(days=2, hours=23), "escalation-1"),
    (DUE + timedelta(days=3), "escalation-2"),
    (DUE + timedelta(days=30), "escalation-11"),  # after a month's downtime: the latest one only
])
def test_the_latest_threshold_passed_is_the_one_owed(now, expected):
    found = latest_threshold(state_reply(), POLICY, CALENDAR, now=now)
    assert (found.key if found else None) == expected


def test_thresholds_before_the_deadline_was_set_are_not_owed():
    created = DUE - timedelta(days=2)  # set two days before it is due: "3 days before" never applied
    assert [k for k, _ in keys_until(state_reply(created=created), DUE)] == ["before-1d", "on-the-day", "escalation-1"]


def test_a_closed_deadline_owes_nothing():
    deadline = state_reply()
    deadline.close(DeadlineStatus.MET, DUE)
    assert latest_threshold(deadline, POLICY, CALENDAR, now=DUE + timedelta(days=9)) is None


def test_escalation_can_be_turned_off_and_on_the_day_left_out():
    policy = ReminderPolicy(before=(1,), on_the_day=False, escalate_every=0)
    assert [k for k, _ in keys_until(state_reply(), DUE + timedelta(days=30), policy)] == ["before-1d"]


def test_business_day_thresholds_skip_the_weekend_and_escalate_on_business_days():
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    sla = Deadline(DeadlineKind.APPROVAL_SLA, "approval", monday, NOW, organisation=Organisation.OHCHR, round=1)
    policy = ReminderPolicy(before=(1,), on_the_day=False, escalate_every=2)
    assert keys_until(sla, monday + timedelta(days=8), policy) == [
        ("before-1d", datetime(2026, 12, 4, 9, 0, tzinfo=UTC)),  # the Friday before
        ("escalation-1", monday),
        ("escalation-2", datetime(2026, 12, 9, 9, 0, tzinfo=UTC)),  # Wednesday
        ("escalation-3", datetime(2026, 12, 11, 9, 0, tzinfo=UTC)),  # Friday
        ("escalation-4", datetime(2026, 12, 15, 9, 0, tzinfo=UTC)),  # two business days after Friday: Tuesday
    ]


@pytest.mark.parametrize(("key", "now", "words"), [
    ("before-3d", DUE - timedelta(days=3), "due in 3 days"),
    ("before-1d", DUE - timedelta(days=1), "due in 1 day"),
    ("on-the-day", DUE - timedelta(hours=3), "due today"),
])
def test_thresholds_read_as_words(key, now, words):
    assert Threshold(key, now).describe(DUE, now) == words
    assert Threshold("escalation-2", DUE, 2).describe(DUE, DUE + timedelta(days=3, hours=2)) == \
        "overdue by 3 days (escalation 2)"
    assert Threshold("escalation-1", DUE, 1).describe(DUE, DUE) == "overdue by less than a day (escalation 1)"


@pytest.mark.parametrize("bad", [dict(before=(0,)), dict(before=(-1, 3)), dict(escalate_every=-2)])
def test_a_policy_with_impossible_days_is_refused(bad):
    with pytest.raises(ValueError):
        ReminderPolicy(**bad)


def test_default_policies_cover_every_kind():
    assert set(DEFAULT_POLICIES) == set(DeadlineKind)


# ---------------------------------------------------------------- recipients

SUPERVISORS = {Organisation.OHCHR: [SUP_OHCHR.email, SUP_OHCHR_2.email], Organisation.IACHR: [SUP_IACHR.email]}


def recipients(deadline: Deadline, threshold: Threshold, decided: set[str] = frozenset(), submitted_by=None):
    return reminder_recipients(deadline, threshold, officer=OFFICER.email, submitted_by=submitted_by,
                               decided=set(decided), supervisors=SUPERVISORS)


def test_a_state_deadline_reminds_the_officer_and_escalates_to_both_organisations():
    deadline = state_reply()
    assert recipients(deadline, Threshold("before-1d", DUE)) == [OFFICER.email]
    assert recipients(deadline, Threshold("escalation-1", DUE, 1)) == sorted(
        [OFFICER.email, SUP_OHCHR.email, SUP_OHCHR_2.email, SUP_IACHR.email])


def test_an_approval_sla_reminds_the_supervisors_who_still_owe_a_decision():
    sla = Deadline(DeadlineKind.APPROVAL_SLA, "approval", DUE, NOW, organisation=Organisation.OHCHR, round=1)
    assert recipients(sla, Threshold("before-1d", DUE)) == [SUP_OHCHR.email, SUP_OHCHR_2.email]
    assert recipients(sla, Threshold("before-1d", DUE), decided={SUP_OHCHR.email}) == [SUP_OHCHR_2.email]
    assert recipients(sla, Threshold("before-1d", DUE), submitted_by=SUP_OHCHR_2.email) == [SUP_OHCHR.email]
    escalated = recipients(sla, Threshold("escalation-1", DUE, 1), decided={SUP_OHCHR.email})
    assert escalated == sorted([OFFICER.email, SUP_OHCHR.email, SUP_OHCHR_2.email, SUP_IACHR.email])


# ---------------------------------------------------------------- extending and cancelling by hand

def test_an_officer_extends_a_deadline_to_a_date_at_the_same_local_time(ports):
    action = dispatched(ports)
    deadline = action.open_deadline(DeadlineKind.STATE_REPLY)
    before = deadline.due_at
    action.events.clear()
    changed = action.extend_deadline(OFFICER, kind=DeadlineKind.STATE_REPLY, to=before.date() + timedelta(days=10),
                                     reason="The State asked for more time", now=NOW)
    assert changed == [deadline] and deadline.due_at == before + timedelta(days=10)
    assert [e.name for e in action.events] == ["DeadlineExtended"]
    assert action.events[0].payload()["reason"] == "The State asked for more time"


def test_an_approval_sla_extended_by_date_keeps_the_seats_local_hour(ports):
    action = at_gate(ports)
    changed = action.extend_deadline(OFFICER, kind=DeadlineKind.APPROVAL_SLA, to=date(2026, 11, 20),
                                     reason="Holiday leave", now=NOW, organisation=Organisation.IACHR)
    assert [d.organisation for d in changed] == [Organisation.IACHR]
    assert changed[0].due_at == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # 04:00 in Washington, as before


@pytest.mark.parametrize(("user", "kwargs", "error"), [
    (ADMIN, {}, NotPermitted),
    (OFFICER, {"reason": "  "}, InvalidInput),
    (OFFICER, {"kind": DeadlineKind.REVIEW}, InvalidState),
    (OFFICER, {"to": date(2026, 11, 3)}, InvalidInput),  # earlier than it is due
    (OFFICER, {"to": datetime(2027, 1, 5, 9, 0)}, InvalidInput),  # no time zone
])
def test_extensions_that_make_no_sense_are_refused_and_change_nothing(ports, user, kwargs, error):
    action = dispatched(ports)
    deadline = action.open_deadline(DeadlineKind.STATE_REPLY)
    before, events = deadline.due_at, len(action.events)
    arguments = dict(kind=DeadlineKind.STATE_REPLY, to=date(2027, 3, 1), reason="More time", now=NOW) | kwargs
    with pytest.raises(error):
        action.extend_deadline(user, **arguments)
    assert deadline.due_at == before and len(action.events) == events


def test_cancelling_a_deadline_closes_it_with_the_reason(ports):
    action = dispatched(ports)
    action.events.clear()
    [deadline] = action.cancel_deadline(OFFICER, kind=DeadlineKind.STATE_REPLY, reason="Reply came by phone", now=NOW)
    assert deadline.status is DeadlineStatus.CANCELLED
    assert [e.name for e in action.events] == ["DeadlineCancelled", "DeadlineClosed"]
    with pytest.raises(InvalidState):
        action.cancel_deadline(OFFICER, kind=DeadlineKind.STATE_REPLY, reason="again", now=NOW)


def test_a_policy_can_also_remind_when_the_deadline_is_set():
    policy = ReminderPolicy(before=(1,), on_the_day=False, escalate_every=0, on_open=True)
    deadline = state_reply()
    assert keys_until(deadline, NOW, policy) == [("request", NOW)]  # at once, at the time it was set
    assert latest_threshold(deadline, policy, CALENDAR, now=NOW + timedelta(hours=1)).key == "request"
    assert latest_threshold(deadline, policy, CALENDAR, now=DUE).key == "before-1d"  # superseded
    assert DEFAULT_POLICIES[DeadlineKind.APPROVAL_SLA].on_open


@pytest.mark.parametrize(("configured", "words"), [
    ('{"state_reply": {"before": [0]}}', "at least 1 day before"),
    ('{"review": {"on_open": true}}', "on_open is for approval_sla"),
    ('{"state_reply": {"every": 2}}', "Extra inputs are not permitted"),
    ('{"reply": {}}', "reminder_policies.reply"),
])
def test_a_reminder_setting_that_cannot_work_is_refused_at_start_up(monkeypatch, configured, words):
    from pydantic import ValidationError

    from coordination.config import Settings

    monkeypatch.setenv("COORDINATION_REMINDER_POLICIES", configured)
    with pytest.raises(ValidationError, match=words):
        Settings()


def test_a_reminder_setting_overrides_only_what_it_names(monkeypatch):
    from coordination.config import Settings

    monkeypatch.setenv("COORDINATION_REMINDER_POLICIES", '{"state_reply": {"before": [5, 1], "escalate_every": 2}}')
    policies = Settings().policies
    assert policies[DeadlineKind.STATE_REPLY] == ReminderPolicy(before=(5, 1), on_the_day=True, escalate_every=2)
    assert policies[DeadlineKind.APPROVAL_SLA] == DEFAULT_POLICIES[DeadlineKind.APPROVAL_SLA]
