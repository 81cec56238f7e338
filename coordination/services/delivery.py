"""Delivering the outbox over SMTP: each row at least once, and in practice once.

Rows are dispatched letters and reminder digests (see `reminders.py`). A run claims the rows that are due, builds each message from the letter version frozen at
dispatch (text, HTML, and its PDF, which the same HTML always renders to the same bytes),
sends them over one connection, and records every result in a transaction of its own.
Transient failures (unreachable server, 4xx) are retried within the run, then deferred
with a doubling backoff; a 5xx is recorded as failed and shown on the action. The
Message-ID is fixed per (letter version, recipient), so a receiver can drop the duplicate
that a crash between the server's "250" and our commit could cause.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from coordination.adapters.mailer import (
    Mailer,
    PermanentDeliveryError,
    SmtpMailer,
    SmtpSettings,
    TransientDeliveryError,
    UnreachableServer,
    build_message,
)
from coordination.bootstrap import App
from coordination.domain import InvalidState

STALE_CLAIM = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=1)


@dataclass
class DeliveryReport:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.sent + self.deferred + self.failed


def smtp_settings(app: App) -> SmtpSettings:
    s = app.settings
    if not s.smtp_host:
        raise InvalidState("no SMTP server is configured: set COORDINATION_SMTP_HOST (and _PORT, _TLS, …)")
    password = s.smtp_password.get_secret_value() if s.smtp_password else None
    return SmtpSettings(s.smtp_host, s.smtp_port, s.smtp_username, password, s.smtp_tls, s.smtp_timeout)


@dataclass(frozen=True)
class _Outgoing:
    outbox_id: int
    action_id: int | None  # None for a reminder digest
    reference: str  # the action's JAM reference, or the digest's recipient
    letter: str
    version: int | None
    message_id: str
    message: EmailMessage

    @property
    def is_digest(self) -> bool:
        return self.action_id is None


async def send_outbox(
    app: App, *, mailer: Mailer | None = None, limit: int = 200,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> DeliveryReport:
    """Send what is due in the outbox; returns what happened to each claimed row."""
    mailer = mailer or SmtpMailer(smtp_settings(app))
    now = app.clock()
    with app.uow() as uow:
        ids = uow.outbox.claim(now=now, limit=limit, stale_before=now - STALE_CLAIM)
        uow.commit()
    report = DeliveryReport()
    if not ids:
        return report
    outgoing = await _messages(app, ids)
    pending = list(outgoing)
    try:
        async with mailer:
            while pending:
                await _deliver(app, mailer, pending[0], report, sleep)
                pending.pop(0)
    except UnreachableServer as error:
        for item in pending:
            _defer(app, item, str(error), report, unreachable=True)
    return report


async def _messages(app: App, ids: list[int]) -> list[_Outgoing]:
    with app.uow(read_only=True) as uow:
        rows = uow.outbox.batch(ids)
    pdfs: dict[int, bytes] = {}
    outgoing = []
    for row, version, letter, reference in rows:
        if row.kind == "digest":
            message = build_message(
                sender=app.settings.mail_from, recipient=row.recipient, subject=row.subject,
                message_id=row.message_id, sent_at=row.created_at, text=row.body_text, html=row.body_html,
                attachment=None,
            )
            outgoing.append(_Outgoing(row.id, None, row.recipient, "reminder digest", None, row.message_id, message))
            continue
        if version.id not in pdfs:
            pdfs[version.id] = await asyncio.to_thread(app.renderer.pdf, version.rendered_html)
        message = build_message(
            sender=app.settings.mail_from, recipient=row.recipient, subject=version.rendered_subject,
            message_id=row.message_id, sent_at=letter.dispatched_at, text=version.rendered_text,
            html=version.rendered_html,
            attachment=(f"{reference}-{letter.name}-v{version.version}.pdf", pdfs[version.id]),
        )
        outgoing.append(_Outgoing(row.id, row.action_id, reference, letter.name, version.version,
                                  row.message_id, message))
    return outgoing


async def _deliver(app: App, mailer: Mailer, item: _Outgoing, report: DeliveryReport, sleep) -> None:  # type: ignore[no-untyped-def]
    last: TransientDeliveryError | None = None
    for delay in (0.0, *app.settings.smtp_retry_delays):
        if delay:
            await sleep(delay)
        try:
            await mailer.send(item.message)
        except PermanentDeliveryError as error:
            _record(app, item, "failed", str(error), event="DeliveryFailed")
            report.failed += 1
            report.errors.append(f"{item.reference} {item.letter}: {error}")
            return
        except TransientDeliveryError as error:
            last = error
            continue
        _record(app, item, "sent", None, event="DigestDelivered" if item.is_digest else "LetterDelivered")
        report.sent += 1
        return
    if isinstance(last, UnreachableServer):
        raise last
    _defer(app, item, str(last), report, unreachable=False)


def _defer(app: App, item: _Outgoing, error: str, report: DeliveryReport, *, unreachable: bool) -> None:
    """Try again later; a message the server keeps refusing (4xx) fails after the last attempt."""
    now = app.clock()
    with app.uow() as uow:
        attempts = uow.outbox.attempts(item.outbox_id) + 1
        if not unreachable and attempts >= app.settings.outbox_max_attempts:
            uow.outbox.record(item.outbox_id, status="failed", now=now, error=error)
            _audit(uow, item, now, "DeliveryFailed", error)
            report.failed += 1
        else:
            delay = min(timedelta(seconds=app.settings.outbox_backoff_seconds * 2 ** (attempts - 1)), MAX_BACKOFF)
            uow.outbox.record(item.outbox_id, status="pending", now=now, error=error, next_attempt_at=now + delay)
            report.deferred += 1
        uow.commit()
    report.errors.append(f"{item.reference} {item.letter}: {error}")


def _record(app: App, item: _Outgoing, status: str, error: str | None, *, event: str) -> None:
    now = app.clock()
    with app.uow() as uow:
        uow.outbox.record(item.outbox_id, status=status, now=now, error=error)
        _audit(uow, item, now, event, error)
        uow.commit()


def _audit(uow, item: _Outgoing, now: datetime, event: str, error: str | None) -> None:  # type: ignore[no-untyped-def]
    if item.is_digest:
        payload = {"message_id": item.message_id}
    else:
        payload = {"letter": item.letter, "version": item.version, "message_id": item.message_id}
    if error:
        payload["error"] = error
    uow.audit.append(now=now, actor="system", event=event, payload=payload, action_id=item.action_id,
                     subject=item.reference)


def list_outbox(app: App, *, status: str | None = None) -> list[dict]:
    """Outbox rows and their states, for `outbox list`."""
    with app.uow(read_only=True) as uow:
        return [
            {"id": row.id, "kind": row.kind, "reference": ref, "letter": letter if row.kind == "letter" else
             "reminder digest", "version": version, "recipient": row.recipient,
             "recipient_kind": row.recipient_kind, "status": row.status, "attempts": row.attempts,
             "last_error": row.last_error, "message_id": row.message_id,
             "next_attempt_at": row.next_attempt_at.isoformat() if row.next_attempt_at else None,
             "sent_at": row.sent_at.isoformat() if row.sent_at else None}
            for row, ref, letter, version in uow.outbox.listing(status=status)
        ]
