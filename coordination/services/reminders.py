"""The reminder sweep: what the deadlines owe, queued as one digest per person.

The sweep (`coordination reminders send` and the `deadline-reminders` flow) finds the open
deadlines whose latest threshold has passed, writes one reminder per (deadline, due time,
threshold, recipient) under a uniqueness constraint, groups each person's new reminders
into one digest in the outbox, and commits all of it in one transaction. The outbox
sender delivers the digests. A second run, or one after a crash, finds the reminders
written and sends nothing twice; a run after downtime owes only each deadline's latest
threshold. It reads only the deadlines due within the longest reminder lead (index on
status and due time), so its cost grows with what is due, not with all open deadlines.
The digests are the `render_digest` port's (`coordination.adapters.digests`, Jinja2).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from coordination.config import Settings
from coordination.domain import DeadlineKind, InvalidInput, Organisation, Role, User
from coordination.domain.bounds import check_date
from coordination.domain.letters import canonical_json, sha256_hex
from coordination.domain.ports import BusinessCalendar
from coordination.domain.reminders import (
    ON_OPEN,
    SEAT_TIME_ZONES,
    Threshold,
    latest_due_within_reach,
    latest_threshold,
    reminder_recipients,
)

from .deadlines import iso_utc
from .ports import (
    Clock,
    DeadlineRow,
    Digest,
    DigestFailure,
    DigestItem,
    DigestRenderer,
    DigestStopped,
    FailedLetter,
    StoppedSteps,
    UnitOfWork,
    UnitsOfWork,
)

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

    def as_dict(self, now: datetime) -> dict[str, Any]:
        d = self.row.deadline
        return {"recipient": self.recipient, "reference": self.row.reference, "stage": self.row.stage,
                "kind": d.kind.value, "organisation": d.organisation.value if d.organisation else None,
                "due_at": iso_utc(d.due_at), "threshold": self.threshold.key,
                "status": self.status(now)}


@dataclass
class SweepReport:
    now: datetime
    dry_run: bool = False
    deadlines: int = 0  # deadlines owing a new reminder
    reminders: int = 0  # (deadline, threshold, recipient) written, or that would be
    digests: int = 0  # one per recipient
    failures: int = 0  # failed letters reported to their officers
    stopped: int = 0  # actions whose automatic steps stopped, reported to their officers
    lines: list[ReminderLine] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """What the sweep did, in numbers only (this goes to Prefect's logs)."""
        return {"deadlines": self.deadlines, "reminders": self.reminders, "digests": self.digests}


def _owed(settings: Settings, calendar: BusinessCalendar, tx: UnitOfWork, now: datetime) -> list[ReminderLine]:
    """Every reminder the deadlines owe at `now` that has not been written yet."""
    policies = settings.policies
    rows: list[DeadlineRow] = tx.deadlines.open(due_before=latest_due_within_reach(now, policies))
    owed = [(row, t) for row in rows
            if (t := latest_threshold(row.deadline, policies[row.deadline.kind], calendar, now=now))]
    if not owed:
        return []
    recipients = recipients_of(tx, [row for row, _ in owed])
    written = tx.deadlines.reminded(row.deadline.id for row, _ in owed)
    return [ReminderLine(recipient, row, threshold)
            for row, threshold in owed for recipient in recipients(row, threshold)
            if (row.deadline.id, row.deadline.due_at, threshold.key, recipient) not in written]


Recipients = Callable[[DeadlineRow, Threshold], list[str]]


def recipients_of(tx: UnitOfWork, rows: Iterable[DeadlineRow]) -> Recipients:
    """Who a threshold of each of these deadlines reaches: the supervisors and decisions, read once."""
    supervisors = {org: sorted(u.email for u in tx.users.with_role(org, Role.SUPERVISOR)) for org in Organisation}
    decided: dict[tuple[int, str, int | None], set[str]] = tx.deadlines.decided(
        (row.action_id, row.deadline.stage, row.deadline.round)
        for row in rows if row.deadline.kind is DeadlineKind.APPROVAL_SLA)

    disabled: set[str] = tx.users.disabled()  # a disabled person is sent no reminder (supervisors: not even counted)

    def of(row: DeadlineRow, threshold: Threshold) -> list[str]:
        d = row.deadline
        return [r for r in reminder_recipients(d, threshold, officer=row.opened_by, submitted_by=row.submitted_by,
                                               decided=decided.get((row.action_id, d.stage, d.round), set()),
                                               supervisors=supervisors)
                if r not in disabled]
    return of


def send_reminders(
    *, now: datetime | None = None, dry_run: bool = False,
    uow: UnitsOfWork, clock: Clock, settings: Settings, calendar: BusinessCalendar, render_digest: DigestRenderer,
) -> SweepReport:
    """The sweep: write what is owed as reminders and one digest per recipient, all or nothing.

    A digest also reports, once, the letters of the recipient's actions that failed to be
    delivered since the last sweep (to the action's officer; not to a disabled one)."""
    now = now or clock()
    if now.tzinfo is None:
        raise InvalidInput(f"give the time zone of {now.isoformat()} (e.g. 2026-11-02T09:00:00+00:00)")
    check_date("the time of the sweep", now)
    report = SweepReport(now=now, dry_run=dry_run)
    with uow(read_only=dry_run) as tx:
        lines = _owed(settings, calendar, tx, now)
        failures = _failures_to_report(tx)
        stops = _stops_to_report(tx)
        if dry_run or not (lines or failures or stops):
            _tally(report, lines, failures, stops)
            return report
        inserted = tx.deadlines.add_reminders([
            {"deadline_id": line.row.deadline.id, "action_id": line.row.action_id, "due_at": line.row.deadline.due_at,
             "threshold": line.threshold.key, "recipient": line.recipient, "fires_at": line.threshold.fires_at,
             "created_at": now}
            for line in lines
        ])
        ids = {(deadline_id, recipient): reminder_id for reminder_id, deadline_id, recipient in inserted}
        lines = [line for line in lines if (line.row.deadline.id, line.recipient) in ids]  # a concurrent sweep won
        taken = tx.outbox.take_failures_to_report([f.id for f in failures], now=now)
        failures = [f for f in failures if f.id in taken]  # likewise
        taken = tx.actions.take_stops_to_report([s.action_id for s in stops], now=now)
        stops = [s for s in stops if s.action_id in taken]  # likewise
        users: dict[str, User] = {user.email: user for user in tx.users.all()}
        by_recipient: dict[str, list[ReminderLine]] = defaultdict(list)
        for line in lines:
            by_recipient[line.recipient].append(line)
        failed_by_recipient: dict[str, list[FailedLetter]] = defaultdict(list)
        for failure in failures:
            failed_by_recipient[failure.officer].append(failure)
        stopped_by_recipient: dict[str, list[StoppedSteps]] = defaultdict(list)
        for stop in stops:
            stopped_by_recipient[stop.officer].append(stop)
        for recipient in sorted(set(by_recipient) | set(failed_by_recipient) | set(stopped_by_recipient)):
            its_lines, its_failures = by_recipient.get(recipient, []), failed_by_recipient.get(recipient, [])
            its_stops = stopped_by_recipient.get(recipient, [])
            reminder_ids = sorted(ids[(line.row.deadline.id, recipient)] for line in its_lines)
            user = users.get(recipient)
            credential = tx.credentials.get(user.id) if user and user.id is not None else None
            digest = _digest(settings, render_digest, user, recipient, its_lines, now, its_failures,
                             language=credential.language if credential else None, stops=its_stops)
            key = (f"reminders.{reminder_ids[0]}" if reminder_ids
                   else f"delivery-failures.{min(f.id for f in its_failures)}" if its_failures
                   else f"automatic-steps-stopped.{its_stops[0].action_id}.{int(its_stops[0].stopped_at.timestamp())}")
            message_id = f"<{key}@{settings.mail_domain}>"
            outbox_id = tx.outbox.add_digest(
                recipient=recipient, subject=digest.subject, text=digest.text, html=digest.html, now=now,
                message_id=message_id,
            )
            tx.deadlines.attach_to_digest(reminder_ids, outbox_id)
            tx.audit.append(now=now, actor="system", event="DigestQueued", subject=recipient, payload={
                "message_id": message_id,
                "sha256": sha256_hex(canonical_json([digest.subject, digest.text, digest.html]))})
        _audit(tx, lines, now)
        _audit_failures(tx, failures, now)
        _audit_stops(tx, stops, now)
        tx.commit()
    _tally(report, lines, failures, stops)
    return report


def _failures_to_report(tx: UnitOfWork) -> list[FailedLetter]:
    """Failed letters not yet reported whose officer can still be told (known, not disabled)."""
    candidates: list[FailedLetter] = tx.outbox.unreported_failures()
    if not candidates:
        return []
    active: set[str] = tx.users.active_emails()
    return [failure for failure in candidates if failure.officer in active]


def _stops_to_report(tx: UnitOfWork) -> list[StoppedSteps]:
    """Actions whose automatic steps stopped, not yet reported, whose officer can still be told."""
    candidates: list[StoppedSteps] = tx.actions.stopped_unreported()
    if not candidates:
        return []
    active: set[str] = tx.users.active_emails()
    return [stop for stop in candidates if stop.officer in active]


def _audit_stops(tx: UnitOfWork, stops: list[StoppedSteps], now: datetime) -> None:
    """One AutomaticStepsStopReported per action: its officer was told that its automatic steps stopped."""
    tx.audit.append_many([
        dict(now=now, actor="system", event="AutomaticStepsStopReported", action_id=stop.action_id,
             subject=stop.reference, payload={"recipient": stop.officer, "stopped_at": iso_utc(stop.stopped_at)})
        for stop in stops
    ])


def _audit_failures(tx: UnitOfWork, failures: list[FailedLetter], now: datetime) -> None:
    """One DeliveryFailureReported per action: which failed messages its officer was told of."""
    by_action: dict[int, list[FailedLetter]] = defaultdict(list)
    for failure in failures:
        by_action[failure.action_id].append(failure)
    tx.audit.append_many([
        dict(now=now, actor="system", event="DeliveryFailureReported", action_id=action_id,
             subject=its[0].reference,
             payload={"message_ids": [f.message_id for f in its], "recipient": its[0].officer})
        for action_id, its in by_action.items()
    ])


def _tally(report: SweepReport, lines: list[ReminderLine], failures: list[FailedLetter] | None = None,
           stops: list[StoppedSteps] | None = None) -> None:
    failures, stops = failures or [], stops or []
    report.lines = lines
    report.reminders = len(lines)
    report.deadlines = len({line.row.deadline.id for line in lines})
    report.failures = len(failures)
    report.stopped = len(stops)
    report.digests = len({line.recipient for line in lines} | {f.officer for f in failures} | {s.officer for s in stops})


def _digest(
    settings: Settings, render_digest: DigestRenderer, user: User | None, recipient: str, lines: list[ReminderLine],
    now: datetime, failures: list[FailedLetter] | None = None, *, language: str | None = None,
    stops: list[StoppedSteps] | None = None,
) -> Digest:
    """The digest in the recipient's interface language (the one they chose in the web app)."""
    zone = SEAT_TIME_ZONES[user.organisation] if user else UTC
    items = [
        DigestItem(
            reference=line.row.reference, action_type=line.row.action_type.replace("-", " "),
            country=line.row.country, stage=line.row.stage, kind=line.row.deadline.kind.value,
            organisation=line.row.deadline.organisation.value if line.row.deadline.organisation else None,
            due_at=line.row.deadline.due_at, status=line.status(now), escalation=line.threshold.is_escalation,
            link=action_link(settings, line.row.reference) + ("" if line.is_request else "#deadlines"),
            request=line.is_request, threshold=line.threshold.key,
            late_days=(now - line.row.deadline.due_at).days if line.threshold.is_escalation else 0,
        )
        for line in lines
    ]
    failed = [DigestFailure(f.reference, f.letter, f.version, f.recipient_kind.replace("-", " "),
                            " ".join((f.last_error or "no error recorded").split())[:300],
                            action_link(settings, f.reference) + "#outbox")
              for f in failures or []]
    stopped = [DigestStopped(s.reference, s.stage, " ".join((s.failure or "the run failed").split())[:300],
                             s.stopped_at, action_link(settings, s.reference)) for s in stops or []]
    return render_digest(name=user.name if user else recipient, zone=zone, items=items, reason=WHY, failures=failed,
                         language=language, stopped=stopped)


def action_link(settings: Settings, reference: str) -> str:
    """The action's page. A digest's reminder links to its deadlines (`#deadlines`, added in
    `_digest`), where an officer or a supervisor extends or cancels one; a request to decide, to
    the page itself, its decision panel."""
    return f"{settings.base_url.rstrip('/')}/actions/{reference}"


def _audit(tx: UnitOfWork, lines: list[ReminderLine], now: datetime) -> None:
    """One audit event per deadline reminded, naming the threshold and who was told."""
    by_deadline: dict[int | None, list[ReminderLine]] = defaultdict(list)
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
    tx.audit.append_many(events)
