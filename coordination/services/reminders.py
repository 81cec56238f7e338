"""Deadlines: the reminder sweep, extensions and cancellations, listings and the calendar feed.

The sweep (`coordination reminders send` and the `deadline-reminders` flow) finds the open
deadlines whose latest threshold has passed, writes one reminder per (deadline, due time,
threshold, recipient) under a uniqueness constraint, groups each person's new reminders
into one digest in the outbox, and commits all of it in one transaction. The outbox
sender delivers the digests. A second run, or one after a crash, finds the reminders
written and sends nothing twice; a run after downtime owes only each deadline's latest
threshold. It reads only the deadlines due within the longest reminder lead (index on
status and due time), so its cost grows with what is due, not with all open deadlines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coordination.bootstrap import App

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from coordination.adapters.digests import DigestFailure, DigestItem, render_digest
from coordination.adapters.repositories import DeadlineRow
from coordination.domain import DeadlineKind, InvalidInput, Organisation, Role, User
from coordination.domain.letters import canonical_json, sha256_hex
from coordination.domain.bounds import check_date, check_days, parse_date_or_time
from coordination.domain.reminders import (
    ON_OPEN,
    SEAT_TIME_ZONES,
    Threshold,
    latest_due_within_reach,
    latest_threshold,
    reminder_recipients,
    time_zone_of,
)

from .actions import schedule
from .inputs import choice as _parse
from .inputs import text

WHY = ("You receive this as the officer of these joint actions, or as a supervisor whose decision is awaited; "
       "overdue deadlines are escalated to the supervisors of both organisations until they are met.")


@dataclass(frozen=True)
class ReminderLine:
    """One reminder owed: a deadline's threshold, for one person."""

    recipient: str
    row: DeadlineRow
    threshold: Threshold

    @property
    def is_request(self) -> bool:
        return self.threshold.key == ON_OPEN

    def status(self, now: datetime) -> str:
        """"your decision is requested", "due in 3 days", "overdue by 2 days (escalation 2)"."""
        return self.threshold.describe(self.row.deadline.due_at, now)

    def as_dict(self, now: datetime) -> dict:
        d = self.row.deadline
        return {"recipient": self.recipient, "reference": self.row.reference, "stage": self.row.stage,
                "kind": d.kind.value, "organisation": d.organisation.value if d.organisation else None,
                "due_at": _iso(d.due_at), "threshold": self.threshold.key,
                "status": self.status(now)}


@dataclass
class SweepReport:
    now: datetime
    dry_run: bool = False
    deadlines: int = 0  # deadlines owing a new reminder
    reminders: int = 0  # (deadline, threshold, recipient) written, or that would be
    digests: int = 0  # one per recipient
    failures: int = 0  # failed letters reported to their officers
    lines: list[ReminderLine] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """What the sweep did, in numbers only (this goes to Prefect's logs)."""
        return {"deadlines": self.deadlines, "reminders": self.reminders, "digests": self.digests}


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _owed(app: App, uow, now: datetime) -> list[ReminderLine]:  # type: ignore[no-untyped-def]
    """Every reminder the deadlines owe at `now` that has not been written yet."""
    policies = app.settings.policies
    rows = uow.deadlines.open(due_before=latest_due_within_reach(now, policies))
    owed = [(row, t) for row in rows
            if (t := latest_threshold(row.deadline, policies[row.deadline.kind], app.calendar, now=now))]
    if not owed:
        return []
    recipients = _recipients(uow, [row for row, _ in owed])
    written = uow.deadlines.reminded(row.deadline.id for row, _ in owed)
    return [ReminderLine(recipient, row, threshold)
            for row, threshold in owed for recipient in recipients(row, threshold)
            if (row.deadline.id, row.deadline.due_at, threshold.key, recipient) not in written]


def _recipients(uow, rows: list[DeadlineRow]):  # type: ignore[no-untyped-def]
    """Who a threshold of each of these deadlines reaches: the supervisors and decisions, read once."""
    supervisors = {org: sorted(u.email for u in uow.users.with_role(org, Role.SUPERVISOR)) for org in Organisation}
    decided = uow.deadlines.decided((row.action_id, row.deadline.stage, row.deadline.round)
                                    for row in rows if row.deadline.kind is DeadlineKind.APPROVAL_SLA)

    disabled = uow.users.disabled()  # a disabled person is sent no reminder (supervisors: not even counted)

    def of(row: DeadlineRow, threshold: Threshold) -> list[str]:
        d = row.deadline
        return [r for r in reminder_recipients(d, threshold, officer=row.opened_by, submitted_by=row.submitted_by,
                                               decided=decided.get((row.action_id, d.stage, d.round), set()),
                                               supervisors=supervisors)
                if r not in disabled]
    return of


def send_reminders(app: App, *, now: datetime | None = None, dry_run: bool = False) -> SweepReport:
    """The sweep: write what is owed as reminders and one digest per recipient, all or nothing.

    A digest also reports, once, the letters of the recipient's actions that failed to be
    delivered since the last sweep (to the action's officer; not to a disabled one)."""
    now = now or app.clock()
    if now.tzinfo is None:
        raise InvalidInput(f"give the time zone of {now.isoformat()} (e.g. 2026-11-02T09:00:00+00:00)")
    check_date("the time of the sweep", now)
    report = SweepReport(now=now, dry_run=dry_run)
    with app.uow(read_only=dry_run) as uow:
        lines = _owed(app, uow, now)
        failures = _failures_to_report(uow)
        if dry_run or not (lines or failures):
            _tally(report, lines, failures)
            return report
        inserted = uow.deadlines.add_reminders([
            {"deadline_id": line.row.deadline.id, "action_id": line.row.action_id, "due_at": line.row.deadline.due_at,
             "threshold": line.threshold.key, "recipient": line.recipient, "fires_at": line.threshold.fires_at,
             "created_at": now}
            for line in lines
        ])
        ids = {(deadline_id, recipient): reminder_id for reminder_id, deadline_id, recipient in inserted}
        lines = [line for line in lines if (line.row.deadline.id, line.recipient) in ids]  # a concurrent sweep won
        taken = uow.outbox.take_failures_to_report([f.row.id for f in failures], now=now)
        failures = [f for f in failures if f.row.id in taken]  # likewise
        users = {user.email: user for user in uow.users.all()}
        by_recipient: dict[str, list[ReminderLine]] = defaultdict(list)
        for line in lines:
            by_recipient[line.recipient].append(line)
        failed_by_recipient: dict[str, list[FailureLine]] = defaultdict(list)
        for failure in failures:
            failed_by_recipient[failure.officer].append(failure)
        for recipient in sorted(set(by_recipient) | set(failed_by_recipient)):
            its_lines, its_failures = by_recipient.get(recipient, []), failed_by_recipient.get(recipient, [])
            reminder_ids = sorted(ids[(line.row.deadline.id, recipient)] for line in its_lines)
            digest = _digest(app, users.get(recipient), recipient, its_lines, now, its_failures)
            key = (f"reminders.{reminder_ids[0]}" if reminder_ids
                   else f"delivery-failures.{min(f.row.id for f in its_failures)}")
            row = uow.outbox.add_digest(
                recipient=recipient, subject=digest.subject, text=digest.text, html=digest.html, now=now,
                message_id=f"<{key}@{app.settings.mail_domain}>",
            )
            uow.deadlines.attach_to_digest(reminder_ids, row.id)
            uow.audit.append(now=now, actor="system", event="DigestQueued", subject=recipient, payload={
                "message_id": row.message_id,
                "sha256": sha256_hex(canonical_json([digest.subject, digest.text, digest.html]))})
        _audit(uow, lines, now)
        _audit_failures(uow, failures, now)
        uow.commit()
    _tally(report, lines, failures)
    return report


@dataclass(frozen=True)
class FailureLine:
    """A letter that failed for good, to be reported to its action's officer."""

    row: object  # the outbox row
    reference: str
    letter: str
    version: int
    officer: str


def _failures_to_report(uow) -> list[FailureLine]:  # type: ignore[no-untyped-def]
    """Failed letters not yet reported whose officer can still be told (known, not disabled)."""
    candidates = uow.outbox.unreported_failures()
    if not candidates:
        return []
    active = uow.users.active_emails()
    return [FailureLine(row, reference, letter, version, officer)
            for row, reference, letter, version, officer in candidates if officer in active]


def _audit_failures(uow, failures: list[FailureLine], now: datetime) -> None:  # type: ignore[no-untyped-def]
    """One DeliveryFailureReported per action: which failed messages its officer was told of."""
    by_action: dict[int, list[FailureLine]] = defaultdict(list)
    for failure in failures:
        by_action[failure.row.action_id].append(failure)
    uow.audit.append_many([
        dict(now=now, actor="system", event="DeliveryFailureReported", action_id=action_id,
             subject=its[0].reference,
             payload={"message_ids": [f.row.message_id for f in its], "recipient": its[0].officer})
        for action_id, its in by_action.items()
    ])


def _tally(report: SweepReport, lines: list[ReminderLine], failures: list[FailureLine] | None = None) -> None:
    failures = failures or []
    report.lines = lines
    report.reminders = len(lines)
    report.deadlines = len({line.row.deadline.id for line in lines})
    report.failures = len(failures)
    report.digests = len({line.recipient for line in lines} | {f.officer for f in failures})


def _digest(app: App, user: User | None, recipient: str, lines: list[ReminderLine], now: datetime,  # type: ignore[no-untyped-def]
            failures: list[FailureLine] | None = None):
    zone = SEAT_TIME_ZONES[user.organisation] if user else UTC
    items = [
        DigestItem(
            reference=line.row.reference, action_type=line.row.action_type.replace("-", " "),
            country=line.row.country, stage=line.row.stage, kind=line.row.deadline.kind.value,
            organisation=line.row.deadline.organisation.value if line.row.deadline.organisation else None,
            due_at=line.row.deadline.due_at, status=line.status(now), escalation=line.threshold.is_escalation,
            link=action_link(app, line.row.reference), request=line.is_request,
        )
        for line in lines
    ]
    failed = [DigestFailure(f.reference, f.letter, f.version, f.row.recipient_kind.replace("-", " "),
                            " ".join((f.row.last_error or "no error recorded").split())[:300],
                            action_link(app, f.reference) + "#outbox")
              for f in failures or []]
    return render_digest(name=user.name if user else recipient, zone=zone, items=items, reason=WHY, failures=failed)


def action_link(app: App, reference: str) -> str:
    return f"{app.settings.base_url.rstrip('/')}/actions/{reference}"


def _audit(uow, lines: list[ReminderLine], now: datetime) -> None:  # type: ignore[no-untyped-def]
    """One audit event per deadline reminded, naming the threshold and who was told."""
    by_deadline: dict[int, list[ReminderLine]] = defaultdict(list)
    for line in lines:
        by_deadline[line.row.deadline.id].append(line)
    events = []
    for its_lines in by_deadline.values():
        row, threshold = its_lines[0].row, its_lines[0].threshold
        d = row.deadline
        events.append(dict(
            now=now, actor="system", event="ReminderQueued", action_id=row.action_id, subject=row.reference,
            payload={"kind": d.kind.value, "organisation": d.organisation.value if d.organisation else None,
                     "due_at": d.due_at.isoformat(), "threshold": threshold.key,
                     "recipients": sorted(line.recipient for line in its_lines)},
        ))
    uow.audit.append_many(events)


# ---------------------------------------------------------------- extending and cancelling by hand

def _parse_when(value: str) -> date | datetime:
    return parse_date_or_time("the new due date", value)


def _organisation(value: str | None) -> Organisation | None:
    return None if value is None else _parse(Organisation, value.strip().lower(), "organisation")


def extend_deadline(
    app: App, *, reference: str, kind: str, to: str, reason: str, actor: str, organisation: str | None = None,
) -> list[dict]:
    """Move a deadline later, with the reason (audited); returns the deadlines changed."""
    deadline_kind, when, org = _parse(DeadlineKind, kind, "deadline kind"), _parse_when(to), _organisation(organisation)
    text(app.settings, "the reason", reason, required=False)  # a missing one is the domain's refusal
    now = app.clock()
    with app.uow() as uow:
        user = uow.users.require(actor)
        action = uow.actions.get(reference, for_update=True)
        changed = action.extend_deadline(user, kind=deadline_kind, to=when, reason=reason, now=now,
                                         organisation=org)
        uow.actions.save(action, now=now, by=user)
        schedule(app.scheduler, uow.commit())
    return [_deadline_view(action.reference, d) for d in changed]


def cancel_deadline(
    app: App, *, reference: str, kind: str, reason: str, actor: str, organisation: str | None = None,
) -> list[dict]:
    """Cancel a deadline, with the reason (audited): no more reminders for it."""
    deadline_kind, org = _parse(DeadlineKind, kind, "deadline kind"), _organisation(organisation)
    text(app.settings, "the reason", reason, required=False)
    now = app.clock()
    with app.uow() as uow:
        user = uow.users.require(actor)
        action = uow.actions.get(reference, for_update=True)
        changed = action.cancel_deadline(user, kind=deadline_kind, reason=reason, now=now, organisation=org)
        uow.actions.save(action, now=now, by=user)
        schedule(app.scheduler, uow.commit())
    return [_deadline_view(action.reference, d) for d in changed]


def _deadline_view(reference: str, d, now: datetime | None = None) -> dict:  # type: ignore[no-untyped-def]
    view = {"reference": reference, "kind": d.kind.value, "stage": d.stage,
            "organisation": d.organisation.value if d.organisation else None, "due_at": _iso(d.due_at),
            "time_zone": str(time_zone_of(d)), "status": d.status.value}
    if now is not None:
        view["overdue"] = d.due_at <= now
        view["seconds_left"] = int((d.due_at - now).total_seconds())
    return view


# ---------------------------------------------------------------- overview

def list_deadlines(
    app: App, *, overdue: bool = False, due_within: float | None = None, now: datetime | None = None,
) -> list[dict]:
    """Open deadlines, most urgent first: overdue ones, then by due time."""
    if due_within is not None:
        check_days("--due-within", due_within)
    now = now or app.clock()
    before = now if overdue else (now + timedelta(days=due_within) if due_within is not None else None)
    with app.uow(read_only=True) as uow:
        rows = uow.deadlines.open(due_before=before)
    return [dict(_deadline_view(row.reference, row.deadline, now), action_type=row.action_type,
                 country=row.country, action_stage=row.stage) for row in rows]


def _later(moment: datetime, delta: timedelta) -> datetime:
    """`moment + delta`, or `moment` where that would pass the last datetime (a date stored out of bounds)."""
    try:
        return moment + delta
    except OverflowError:
        return moment


def calendar_feed(app: App, *, user: str | None = None, now: datetime | None = None) -> bytes:
    """Open deadlines as an iCalendar feed; for one person, those they are reminded of first."""
    from icalendar import Alarm, Calendar, Event  # imported here: only this command needs it

    now = now or app.clock()
    with app.uow(read_only=True) as uow:
        person = uow.users.require(user) if user else None
        rows = uow.deadlines.open()
        if person is not None:
            recipients = _recipients(uow, rows)
            owed = Threshold("feed", now)  # not an escalation: the people a deadline is owed by
            rows = [row for row in rows if person.email in recipients(row, owed)]
    feed = Calendar()
    feed.add("prodid", "-//coordination//joint actions of OHCHR and the IACHR//EN")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", f"Joint action deadlines{' of ' + person.email if person else ''}")
    for row in rows:
        d = row.deadline
        event = Event()
        event.add("uid", f"deadline-{d.id}@{app.settings.mail_domain}")
        event.add("dtstamp", now)
        event.add("dtstart", d.due_at)
        event.add("dtend", _later(d.due_at, timedelta(minutes=30)))
        owed = f" ({d.organisation.value.upper()})" if d.organisation else ""
        event.add("summary", f"{row.reference}: {d.kind.value.replace('_', ' ')}{owed} due")
        link = action_link(app, row.reference)
        event.add("description", f"{row.action_type.replace('-', ' ')}, {row.country}, stage {row.stage}\n{link}")
        event.add("url", link)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{row.reference}: {d.kind.value.replace('_', ' ')} due tomorrow")
        alarm.add("trigger", timedelta(days=-1))
        event.add_component(alarm)
        feed.add_component(event)
    return feed.to_ical()
