"""Reminder policies: when a deadline's reminders fall due, and who receives them.

A policy per deadline kind names its thresholds: some days before the due time, on the
day, and after it an escalation repeated every few days until the deadline is met or
cancelled. Deadlines owed by an organisation (the approval SLAs) count business days of
that organisation's seat, in the seat's time zone, so a reminder keeps its local hour
across a daylight-saving change and never falls on a weekend or a public holiday; the
others count calendar days in UTC.

A sweep sends only the *latest* threshold that has passed for each deadline: after a
week of downtime that is one reminder per deadline, not the backlog.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from .deadlines import Deadline
from .ports import BusinessCalendar
from .vocabulary import DeadlineKind, Organisation

SEAT_TIME_ZONES: dict[Organisation, ZoneInfo] = {
    Organisation.OHCHR: ZoneInfo("Europe/Zurich"),  # Geneva
    Organisation.IACHR: ZoneInfo("America/New_York"),  # Washington DC
}

ON_THE_DAY = "on-the-day"
ON_OPEN = "request"


@dataclass(frozen=True)
class ReminderPolicy:
    before: tuple[int, ...] = (3, 1)  # days before the due time (business days for business-day deadlines)
    on_the_day: bool = True  # at the start of the due date
    escalate_every: int = 3  # days between escalations after the due time; 0: no escalation
    on_open: bool = False  # also when the deadline is set (an approval SLA: the request to decide)

    def __post_init__(self) -> None:
        if any(days < 1 for days in self.before):
            raise ValueError("reminders before a deadline are at least 1 day before it")
        if self.escalate_every < 0:
            raise ValueError("escalate_every cannot be negative (0 turns escalation off)")

    @property
    def longest_lead(self) -> int:
        return max(self.before, default=0)


def check_policy(kind: DeadlineKind, policy: ReminderPolicy) -> None:
    """A kind's policy must make sense for it: only an approval SLA is announced when set
    (it is the request to decide); any other deadline is first reminded before it is due."""
    if policy.on_open and kind is not DeadlineKind.APPROVAL_SLA:
        raise ValueError(f"on_open is for approval_sla (the request to decide), not {kind.value}")


DEFAULT_POLICIES: dict[DeadlineKind, ReminderPolicy] = {
    DeadlineKind.APPROVAL_SLA: ReminderPolicy(before=(1,), escalate_every=2, on_open=True),
    DeadlineKind.STATE_REPLY: ReminderPolicy(before=(3, 1), escalate_every=3),
    DeadlineKind.PUBLICATION: ReminderPolicy(before=(3, 1), escalate_every=3),
    DeadlineKind.REVIEW: ReminderPolicy(before=(14, 3), escalate_every=7),
}


@dataclass(frozen=True)
class Threshold:
    key: str  # unique per deadline and due time: "request", "before-3d", "on-the-day", "escalation-2"
    fires_at: datetime
    escalation: int = 0  # 1 for the first escalation (at the due time), 2 for the next, …

    @property
    def is_escalation(self) -> bool:
        return self.escalation > 0

    def describe(self, due_at: datetime, now: datetime) -> str:
        """"due in 3 days", "due today", "overdue by 2 days (escalation 2)" — for a person to read."""
        if self.is_escalation:
            days = (now - due_at).days
            late = "less than a day" if days < 1 else f"{days} day{'s' if days != 1 else ''}"
            return f"overdue by {late} (escalation {self.escalation})"
        if self.key == ON_THE_DAY:
            return "due today"
        if self.key == ON_OPEN:
            return "your decision is requested"  # only approval SLAs remind when set (check_policy)
        days = int(self.key.removeprefix("before-").removesuffix("d"))
        return f"due in {days} day{'s' if days != 1 else ''}"


def time_zone_of(deadline: Deadline) -> tzinfo:
    """The zone a deadline's days are counted in: its organisation's seat, else UTC."""
    return SEAT_TIME_ZONES[deadline.organisation] if deadline.organisation else UTC


def _shift(deadline: Deadline, start: datetime, days: int, calendar: BusinessCalendar) -> datetime:
    """`start` moved by `days` in the deadline's own count, keeping the local time of day."""
    if deadline.organisation is not None:
        return calendar.add_business_days(deadline.organisation, start, days)
    return start + timedelta(days=days)  # UTC has no daylight-saving change


def thresholds(
    deadline: Deadline, policy: ReminderPolicy, calendar: BusinessCalendar, *, until: datetime
) -> list[Threshold]:
    """The deadline's thresholds that fire after it was set and no later than `until`, in order."""
    due = deadline.due_at
    zone = time_zone_of(deadline)
    opened = [Threshold(ON_OPEN, deadline.created_at)] if policy.on_open and deadline.created_at <= until else []
    found = [Threshold(f"before-{days}d", _shift(deadline, due, -days, calendar))
             for days in sorted(set(policy.before), reverse=True)]
    if policy.on_the_day:
        start_of_day = datetime.combine(due.astimezone(zone).date(), time(0), tzinfo=zone).astimezone(UTC)
        if start_of_day < due:
            found.append(Threshold(ON_THE_DAY, start_of_day))
    if policy.escalate_every:
        fires_at, number = due, 1
        while fires_at <= until:
            found.append(Threshold(f"escalation-{number}", fires_at, number))
            fires_at, number = _shift(deadline, fires_at, policy.escalate_every, calendar), number + 1
    return opened + [t for t in found if deadline.created_at < t.fires_at <= until]


def latest_threshold(
    deadline: Deadline, policy: ReminderPolicy, calendar: BusinessCalendar, *, now: datetime
) -> Threshold | None:
    """The one reminder a sweep at `now` owes for this deadline (earlier ones are superseded)."""
    if not deadline.is_open:
        return None
    passed = thresholds(deadline, policy, calendar, until=now)
    return passed[-1] if passed else None


def latest_due_within_reach(now: datetime, policies: dict[DeadlineKind, ReminderPolicy]) -> datetime:
    """Deadlines due after this cannot have a threshold passed yet (a generous bound on business days)."""
    lead = max((p.longest_lead for p in policies.values()), default=0)
    return now + timedelta(days=lead * 2 + 14)  # weekends and the longest run of holidays fit in here


def reminder_recipients(
    deadline: Deadline,
    threshold: Threshold,
    *,
    officer: str,
    submitted_by: str | None,
    decided: set[str],
    supervisors: dict[Organisation, list[str]],
) -> list[str]:
    """Who is told: an approval SLA goes to its organisation's supervisors who still owe a
    decision, any other deadline to the action's officer; an escalation also goes to the
    officer and to the supervisors of both organisations."""
    if deadline.kind is DeadlineKind.APPROVAL_SLA and deadline.organisation is not None:
        owing = [s for s in supervisors.get(deadline.organisation, []) if s not in decided and s != submitted_by]
        recipients = list(owing)
    else:
        recipients = [officer]
    if threshold.is_escalation:
        recipients.append(officer)
        for organisation in Organisation:
            recipients.extend(supervisors.get(organisation, []))
    return sorted(set(recipients))
