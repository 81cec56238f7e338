"""Delivering the outbox over SMTP: each row at least once, and in practice once.

Rows are dispatched letters and reminder digests (see `reminders.py`). A run claims the
rows that are due, builds each message from the letter version frozen at dispatch (text,
HTML, and its PDF, which the same HTML always renders to the same bytes), sends them over
one connection with an explicit envelope (the stored address is the only recipient; the
headers are never parsed for recipients), and records every result in a transaction of
its own. One row's trouble is that row's alone (see `send_outbox`).
Transient failures (unreachable server, 4xx) are retried within the run, then deferred
with a doubling backoff; a 5xx is recorded as failed and shown on the action. The
Message-ID is fixed per (letter version, recipient), so a receiver can drop the duplicate
that a crash between the server's "250" and our commit could cause.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coordination.bootstrap import App

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr

from coordination.adapters.mailer import (
    Mailer,
    PermanentDeliveryError,
    SmtpMailer,
    SmtpSettings,
    TransientDeliveryError,
    UnreachableServer,
    build_message,
)
from coordination.domain import InvalidState

STALE_CLAIM = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=1)
MAX_ERROR = 500  # characters of an error kept on the row and in the audit trail


@dataclass
class DeliveryReport:
    sent: int = 0
    deferred: int = 0  # to be tried again (4xx, server unreachable, a claim taken over)
    failed: int = 0  # for good: shown on the action and reported to its officer
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


@dataclass
class _Outgoing:
    outbox_id: int
    action_id: int | None  # None for a reminder digest
    reference: str  # the action's JAM reference, or the digest's recipient
    letter: str
    version: int | None
    message_id: str
    recipient: str  # the stored addr-spec: the envelope's only recipient
    message: EmailMessage | None = None

    @property
    def is_digest(self) -> bool:
        return self.action_id is None


async def send_outbox(
    app: App, *, mailer: Mailer | None = None, limit: int = 200,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> DeliveryReport:
    """Send what is due in the outbox; returns what happened to each claimed row.

    Each row is settled on its own: whatever goes wrong with one message (an address that
    slipped past the checks, a message that cannot be built, an exception of the SMTP
    library, a 5xx) marks that row failed with the error, and the rest of the batch goes
    on. Whatever is not settled when the run stops (cancelled, the database lost) is
    released, not left `sending`; a claim left by a process that died is taken over after
    STALE_CLAIM and counts as an attempt, so that a row cannot crash senders for ever.
    """
    mailer = mailer or SmtpMailer(smtp_settings(app))
    now = app.clock()
    report = DeliveryReport()
    with app.uow() as uow:
        reclaimed = uow.outbox.reclaim_stale(now=now, stale_before=now - STALE_CLAIM)
        _give_up_reclaimed(app, uow, reclaimed, now, report)
        ids = uow.outbox.claim(now=now, limit=limit)
        uow.commit()
    if not ids:
        return report
    try:
        pending = await _messages(app, ids, report)
        try:
            async with mailer:
                while pending:
                    await _deliver(app, mailer, pending[0], report, sleep)
                    pending.pop(0)
        except UnreachableServer as error:
            for item in pending:
                _defer(app, item, str(error), report, unreachable=True)
    finally:
        with app.uow() as uow:  # nothing claimed by this run stays `sending`
            if uow.outbox.release(ids, claimed_at=now):
                uow.commit()
    return report


def _give_up_reclaimed(app: App, uow, rows: list, now: datetime, report: DeliveryReport) -> None:  # type: ignore[no-untyped-def]
    """Stale claims out of attempts fail here, with the audit event a failure has."""
    spent = [row.id for row in rows if row.attempts >= app.settings.outbox_max_attempts]
    for row, version, letter, reference in uow.outbox.batch(spent) if spent else []:
        item = _item(row, version, letter, reference)
        error = f"{row.last_error}; gave up after {row.attempts} attempts"
        uow.outbox.settle(row.id, status="failed", now=now, error=error[:MAX_ERROR])
        _audit(uow, item, now, "DeliveryFailed", error[:MAX_ERROR])
        report.failed += 1
        _note(report, item, error)


def _note(report: DeliveryReport, item: _Outgoing, error: str) -> None:
    """One line for the operator; control characters of a bad address are shown escaped, never sent to the terminal."""
    line = f"{item.reference} {item.letter}: {error}"
    report.errors.append("".join(c if c.isprintable() else repr(c)[1:-1] for c in line))


def _item(row, version, letter, reference) -> _Outgoing:  # type: ignore[no-untyped-def]
    if row.kind == "digest" or row.action_id is None:
        return _Outgoing(row.id, None, row.recipient, "reminder digest", None, row.message_id, row.recipient)
    return _Outgoing(row.id, row.action_id, reference or f"joint action #{row.action_id}",
                     letter.name if letter is not None else "letter", version.version if version is not None else None,
                     row.message_id, row.recipient)


def _describe(error: BaseException) -> str:
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return text[:MAX_ERROR]


async def _messages(app: App, ids: list[int], report: DeliveryReport) -> list[_Outgoing]:
    """The claimed rows as messages; a row that cannot become one fails here, alone."""
    with app.uow(read_only=True) as uow:
        rows = uow.outbox.batch(ids)
    pdfs: dict[int, bytes] = {}
    outgoing = []
    for row, version, letter, reference in rows:
        item = _item(row, version, letter, reference)
        problem = app.addresses.problem(row.recipient)
        if problem:
            _fail(app, item, f"refused address: {problem}", report)
            continue
        try:
            item.message = await _build(app, row, version, letter, reference, pdfs)
        except Exception as error:  # noqa: BLE001 — whatever it is, it is this message's alone
            _fail(app, item, f"the message could not be built: {_describe(error)}", report)
            continue
        outgoing.append(item)
    return outgoing


async def _build(app: App, row, version, letter, reference, pdfs: dict[int, bytes]) -> EmailMessage:  # type: ignore[no-untyped-def]
    if row.kind == "digest":
        return build_message(
            sender=app.settings.mail_from, recipient=row.recipient, subject=row.subject,
            message_id=row.message_id, sent_at=row.created_at, text=row.body_text, html=row.body_html,
            attachment=None,
        )
    if version is None or version.rendered_html is None or version.rendered_text is None:
        raise ValueError("its letter version has no frozen rendition")
    if version.id not in pdfs:
        pdfs[version.id] = await asyncio.to_thread(app.renderer.pdf, version.rendered_html)
    return build_message(
        sender=app.settings.mail_from, recipient=row.recipient, subject=version.rendered_subject,
        message_id=row.message_id, sent_at=letter.dispatched_at, text=version.rendered_text,
        html=version.rendered_html,
        attachment=(f"{reference}-{letter.name}-v{version.version}.pdf", pdfs[version.id]),
    )


async def _deliver(app: App, mailer: Mailer, item: _Outgoing, report: DeliveryReport, sleep) -> None:  # type: ignore[no-untyped-def]
    last: TransientDeliveryError | None = None
    sender = envelope_sender(app.settings.mail_from)
    for delay in (0.0, *app.settings.smtp_retry_delays):
        if delay:
            await sleep(delay)
        try:
            await mailer.send(item.message, sender=sender, recipients=[item.recipient])
        except PermanentDeliveryError as error:
            _fail(app, item, str(error), report)
            return
        except TransientDeliveryError as error:
            last = error
            continue
        except Exception as error:  # noqa: BLE001 — e.g. aiosmtplib's ValueError on a control character
            _fail(app, item, _describe(error), report)
            return
        _record(app, item, "sent", None, event="DigestDelivered" if item.is_digest else "LetterDelivered")
        report.sent += 1
        return
    if isinstance(last, UnreachableServer):
        raise last
    _defer(app, item, str(last), report, unreachable=False)


def _fail(app: App, item: _Outgoing, error: str, report: DeliveryReport) -> None:
    _record(app, item, "failed", error[:MAX_ERROR], event="DeliveryFailed")
    report.failed += 1
    _note(report, item, error)


def _defer(app: App, item: _Outgoing, error: str, report: DeliveryReport, *, unreachable: bool) -> None:
    """Try again later; a message the server keeps refusing (4xx) fails after the last attempt."""
    now = app.clock()
    error = error[:MAX_ERROR]
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
    _note(report, item, error)


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


def envelope_sender(mail_from: str) -> str:
    """The addr-spec of COORDINATION_MAIL_FROM (which may carry a display name) for MAIL FROM."""
    return parseaddr(mail_from)[1] or mail_from


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
