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

The connection is the `mailer` port's (a factory: `coordination.adapters.mailer` over SMTP),
and the errors it raises are those of `ports`.
"""

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from html import escape
from typing import Any

from coordination.config import Settings
from coordination.domain import InvalidState
from coordination.domain.stages import Voice, letter_voice

from .ports import (
    CheckedAddresses,
    Clock,
    Mailer,
    MailerFactory,
    OutboxMessage,
    PermanentDeliveryError,
    Renderer,
    TransientDeliveryError,
    UnitOfWork,
    UnitsOfWork,
    UnreachableServer,
)

# The From header's display name, in the reader's language (a digest: the person's interface
# language; a letter: the letter's), unless COORDINATION_MAIL_FROM carries its own: the joint
# mechanism's, or the Commission's for the letters it alone signs (a precautionary measure's).
SENDER_NAMES = {"en": "OHCHR–IACHR Joint Action Mechanism", "es": "Mecanismo de Acción Conjunta CIDH–ACNUDH",
                "fr": "Mécanisme d'action conjointe HCDH–CIDH", "pt": "Mecanismo de Ação Conjunta CIDH–ACNUDH"}
IACHR_NAMES = {"en": "Inter-American Commission on Human Rights", "es": "Comisión Interamericana de Derechos Humanos",
               "fr": "Commission interaméricaine des droits de l'homme",
               "pt": "Comissão Interamericana de Direitos Humanos"}

# The covering words of a letter sent to a State, in the letter's language, before its text:
# the references the State cites in reply, and the attachment.
COVERING = {
    "en": ("Reference:", "References:", "Please find attached the letter {filename} (PDF); its text follows."),
    "es": ("Referencia:", "Referencias:", "Se adjunta la carta {filename} (PDF); su texto figura a continuación."),
    "fr": ("Référence :", "Références :", "Veuillez trouver ci-joint la lettre {filename} (PDF) ; son texte suit."),
    "pt": ("Referência:", "Referências:", "Segue em anexo a carta {filename} (PDF); o seu texto figura abaixo."),
}

STALE_CLAIM = timedelta(minutes=10)
RECORD_BATCH = 20  # messages sent whose results are committed together (a crash re-sends at most these)
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
    settled: str | None = None  # sent, failed or deferred, once this run has dealt with it

    @property
    def is_digest(self) -> bool:
        return self.action_id is None


_Pending = tuple[_Outgoing, OutboxMessage, str | None]  # the row, what its message is built from, the reader's language


@dataclass(frozen=True)
class _Run:
    """What one run of the sender works with: its ports, its report, and the messages sent whose
    results are not yet committed (`sent`, at most RECORD_BATCH)."""

    uow: UnitsOfWork
    clock: Clock
    settings: Settings
    report: DeliveryReport
    sent: list[tuple["_Outgoing", datetime]] = field(default_factory=list)


async def send_outbox(
    *, limit: int = 200, deferred: bool = False, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    uow: UnitsOfWork, clock: Clock, settings: Settings, addresses: CheckedAddresses, renderer: Renderer,
    mailer: MailerFactory,
) -> DeliveryReport:
    """Send what is due in the outbox; returns what happened to each claimed row.

    Each row is settled on its own: whatever goes wrong with one message (an address that
    slipped past the checks, a message that cannot be built, an exception of the SMTP
    library, a 5xx) marks that row failed with the error, and the rest of the batch goes
    on. Whatever is not settled when the run stops (cancelled, the database lost) is
    released, not left `sending`; a claim left by a process that died is taken over after
    STALE_CLAIM and counts as an attempt, so that a row cannot crash senders for ever.

    `deferred`: also the rows waiting out their retry delay, now (after a mail server outage).
    """
    connection = mailer()
    if connection is None:
        raise InvalidState("no SMTP server is configured: set COORDINATION_SMTP_HOST (and _PORT, _TLS, …)")
    now = clock()
    run = _Run(uow, clock, settings, DeliveryReport())
    with uow() as tx:
        reclaimed = tx.outbox.reclaim_stale(now=now, stale_before=now - STALE_CLAIM)
        _give_up_reclaimed(run, tx, reclaimed, now)
        ids = tx.outbox.claim(now=now, limit=limit, deferred=deferred)
        tx.commit()
    if not ids:
        return run.report
    try:
        pending, pdfs = await _messages(run, ids, addresses)
        try:
            async with connection:
                await _deliver_all(run, connection, pending, pdfs, renderer, sleep)
        except UnreachableServer as error:
            for item, _, _ in pending:
                if item.settled is None:
                    _defer(run, item, str(error), unreachable=True)
    finally:
        unrecorded = _flush_or_keep(run)
        with uow() as tx:  # nothing claimed by this run stays `sending`, but what was sent and not recorded
            if tx.outbox.release([i for i in ids if i not in unrecorded], claimed_at=now):
                tx.commit()
    return run.report


async def _deliver_all(run: _Run, mailer: Mailer, pending: list[_Pending], pdfs: dict[int, bytes],
                       renderer: Renderer, sleep: Callable[[float], Awaitable[None]]) -> None:
    """Send the messages in turn, building the next in a thread while the current one is on the
    wire (one build at a time: `pdfs` is not shared by two); a message that cannot be built fails alone."""
    def build(index: int) -> "asyncio.Future[EmailMessage]":
        _, row, language = pending[index]
        return asyncio.ensure_future(asyncio.to_thread(_build, run.settings, renderer, row, pdfs, language))

    upcoming = build(0) if pending else None
    for index, (item, _, _) in enumerate(pending):
        assert upcoming is not None
        try:
            item.message = await upcoming
        except Exception as error:  # noqa: BLE001 — whatever it is, it is this message's alone
            upcoming = build(index + 1) if index + 1 < len(pending) else None
            _fail(run, item, f"the message could not be built: {_describe(error)}")
            continue
        upcoming = build(index + 1) if index + 1 < len(pending) else None
        try:
            await _deliver(run, mailer, item, sleep)
        except BaseException:
            if upcoming is not None:
                upcoming.cancel()
            raise


def _give_up_reclaimed(run: _Run, tx: UnitOfWork, reclaimed: dict[int, int], now: datetime) -> None:
    """Stale claims out of attempts fail here, with the audit event a failure has."""
    spent = [outbox_id for outbox_id, attempts in reclaimed.items()
             if attempts >= run.settings.outbox_max_attempts]
    rows: list[OutboxMessage] = tx.outbox.batch(spent) if spent else []
    for row in rows:
        item = _item(row)
        error = f"{row.last_error}; gave up after {row.attempts} attempts"
        tx.outbox.settle(row.id, status="failed", now=now, error=error[:MAX_ERROR])
        _audit(tx, item, now, "DeliveryFailed", error[:MAX_ERROR])
        run.report.failed += 1
        _note(run.report, item, error)


def _note(report: DeliveryReport, item: _Outgoing, error: str) -> None:
    """One line for the operator; control characters of a bad address are shown escaped, never sent to the terminal."""
    line = f"{item.reference} {item.letter}: {error}"
    report.errors.append("".join(c if c.isprintable() else repr(c)[1:-1] for c in line))


def _item(row: OutboxMessage) -> _Outgoing:
    if row.kind == "digest" or row.action_id is None:
        return _Outgoing(row.id, None, row.recipient, staff_mail(row.message_id), None, row.message_id, row.recipient)
    return _Outgoing(row.id, row.action_id, row.reference or f"joint action #{row.action_id}",
                     row.letter if row.letter is not None else "letter", row.version, row.message_id, row.recipient)


def _describe(error: BaseException) -> str:
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return text[:MAX_ERROR]


async def _messages(run: _Run, ids: list[int], addresses: CheckedAddresses) -> tuple[list[_Pending], dict[int, bytes]]:
    """The claimed rows to send, with the PDFs kept for their letter versions; a row whose
    address is refused fails here, alone."""
    with run.uow(read_only=True) as tx:
        rows: list[OutboxMessage] = tx.outbox.batch(ids)
        languages = _staff_languages(tx, {row.recipient for row in rows if row.kind == "digest"})
        # each version's PDF, made once at dispatch; one made before that was kept is made again here
        pdfs: dict[int, bytes] = tx.outbox.frozen_pdfs({row.letter_version_id for row in rows
                                                        if row.letter_version_id is not None})
    pending = []
    for row in rows:
        item = _item(row)
        problem = addresses.problem(row.recipient)
        if problem:
            _fail(run, item, f"refused address: {problem}")
            continue
        pending.append((item, row, languages.get(row.recipient)))
    return pending, pdfs


def _staff_languages(tx: UnitOfWork, emails: set[str]) -> dict[str, str]:
    """The interface language of each of these people who chose one (their digests' From name)."""
    languages = {}
    for email in emails:
        user = tx.users.get(email)
        credential = tx.credentials.get(user.id) if user is not None and user.id is not None else None
        if credential is not None and credential.language:
            languages[email] = credential.language
    return languages


def sender_header(mail_from: str, language: str | None, *, letter: str | None = None) -> str | Address:
    """COORDINATION_MAIL_FROM as it is if it names itself ("Name <address>"), else its address
    under the name of who speaks, in this language (English if there is none in it): the
    Commission for a letter it alone signs, the joint mechanism for anything else."""
    name, address = parseaddr(mail_from)
    if name or not address:
        return mail_from
    names = IACHR_NAMES if letter is not None and letter_voice(letter) is Voice.IACHR else SENDER_NAMES
    return Address(display_name=names.get(language or "en", names["en"]), addr_spec=address)


def covering(language: str | None, references: Sequence[str], filename: str, text: str, html: str) -> tuple[str, str]:
    """A letter's text and HTML led by the covering words in its language, which name the
    references and the attached PDF; the letter itself (and its frozen hash) is unchanged."""
    one, many, attached = COVERING.get(language or "en", COVERING["en"])
    words = f"{one if len(references) == 1 else many} {' · '.join(references)}. {attached.format(filename=filename)}"
    lead = f'<p class="covering">{escape(words)}</p>\n<hr>\n'
    opening = re.search(r"<body[^>]*>", html)
    body = html[:opening.end()] + "\n" + lead + html[opening.end():] if opening else lead + html
    return f"{words}\n\n{text}", body


def _build(settings: Settings, renderer: Renderer, row: OutboxMessage, pdfs: dict[int, bytes],
           staff_language: str | None = None) -> EmailMessage:
    if row.kind == "digest":
        if row.subject is None or row.body_text is None:
            raise ValueError("the digest has no subject or text")
        return build_message(
            sender=sender_header(settings.mail_from, staff_language), recipient=row.recipient, subject=row.subject,
            message_id=row.message_id, sent_at=row.created_at, text=row.body_text, html=row.body_html,
            attachment=None,
        )
    if (row.letter_version_id is None or row.rendered_html is None or row.rendered_text is None
            or row.rendered_subject is None):
        raise ValueError("its letter version has no frozen rendition")
    if row.letter_version_id not in pdfs:  # dispatched before the PDF was kept
        pdfs[row.letter_version_id] = renderer.pdf(row.rendered_html)
    if row.dispatched_at is None:
        raise ValueError("its letter was never dispatched")
    filename = f"{row.reference}-{row.letter}-v{row.version}.pdf"
    text, html = covering(row.language, row.references or (row.reference or "",), filename, row.rendered_text,
                          row.rendered_html)
    return build_message(
        sender=sender_header(settings.mail_from, row.language, letter=row.letter), recipient=row.recipient,
        subject=row.rendered_subject, message_id=row.message_id, sent_at=row.dispatched_at, text=text, html=html,
        attachment=(filename, pdfs[row.letter_version_id]),
    )


def build_message(
    *, sender: str | Address, recipient: str, subject: str, message_id: str, sent_at: datetime,
    text: str, html: str | None, attachment: tuple[str, bytes] | None,
) -> EmailMessage:
    """A letter as an email: text, HTML alternative, PDF attached; headers never broken by user text."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = " ".join(subject.split())  # no CR/LF can reach a header
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(sent_at)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    if attachment is not None:
        filename, data = attachment
        message.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
    return message


async def _deliver(
    run: _Run, mailer: Mailer, item: _Outgoing, sleep: Callable[[float], Awaitable[None]],
) -> None:
    last: TransientDeliveryError | None = None
    sender = envelope_sender(run.settings.mail_from)
    assert item.message is not None  # built by _messages
    for delay in (0.0, *run.settings.smtp_retry_delays):
        if delay:
            await sleep(delay)
        try:
            await mailer.send(item.message, sender=sender, recipients=[item.recipient])
        except PermanentDeliveryError as error:
            _fail(run, item, str(error))
            return
        except TransientDeliveryError as error:
            last = error
            continue
        except Exception as error:  # noqa: BLE001 — e.g. aiosmtplib's ValueError on a control character
            _fail(run, item, _describe(error))
            return
        item.settled = "sent"
        run.sent.append((item, run.clock()))
        run.report.sent += 1
        if len(run.sent) >= RECORD_BATCH:
            _flush(run)
        return
    if isinstance(last, UnreachableServer):
        raise last
    _defer(run, item, str(last), unreachable=False)


def _fail(run: _Run, item: _Outgoing, error: str) -> None:
    _record(run, item, "failed", error[:MAX_ERROR], event="DeliveryFailed")
    run.report.failed += 1
    _note(run.report, item, error)


def _defer(run: _Run, item: _Outgoing, error: str, *, unreachable: bool) -> None:
    """Try again later; a message the server keeps refusing (4xx) fails after the last attempt."""
    now = run.clock()
    item.settled = "deferred"
    error = error[:MAX_ERROR]
    settings = run.settings
    with run.uow() as tx:
        attempts = tx.outbox.attempts(item.outbox_id) + 1
        if not unreachable and attempts >= settings.outbox_max_attempts:
            tx.outbox.record(item.outbox_id, status="failed", now=now, error=error)
            _audit(tx, item, now, "DeliveryFailed", error)
            run.report.failed += 1
        else:
            delay = min(timedelta(seconds=settings.outbox_backoff_seconds * 2 ** (attempts - 1)), MAX_BACKOFF)
            tx.outbox.record(item.outbox_id, status="pending", now=now, error=error, next_attempt_at=now + delay)
            run.report.deferred += 1
        tx.commit()
    _note(run.report, item, error)


def _record(run: _Run, item: _Outgoing, status: str, error: str | None, *, event: str) -> None:
    now = run.clock()
    item.settled = status
    with run.uow() as tx:
        tx.outbox.record(item.outbox_id, status=status, now=now, error=error)
        _audit(tx, item, now, event, error)
        tx.commit()


def _flush(run: _Run) -> None:
    """Commit the results of the messages sent since the last flush, in one transaction: each row
    `sent` with its audit event. Until then they stay `sending`: a crash before the commit leaves
    them to be taken over and sent again (at least once, never lost), with the same Message-IDs."""
    if not run.sent:
        return
    with run.uow() as tx:
        for item, at in run.sent:
            tx.outbox.record(item.outbox_id, status="sent", now=at)
            _audit(tx, item, at, "DigestDelivered" if item.is_digest else "LetterDelivered", None)
        tx.commit()
    run.sent.clear()


def _flush_or_keep(run: _Run) -> set[int]:
    """Commit what is left of the results; if that fails (the database is gone), the ids of the
    messages sent whose results are lost: they stay `sending`, to be taken over and sent again."""
    try:
        _flush(run)
    except Exception:  # noqa: BLE001 — the caller's release fails the same way and says why
        return {item.outbox_id for item, _ in run.sent}
    return set()


def _audit(tx: UnitOfWork, item: _Outgoing, now: datetime, event: str, error: str | None) -> None:
    payload: dict[str, Any]
    if item.is_digest:
        payload = {"message_id": item.message_id}
    else:
        payload = {"letter": item.letter, "version": item.version, "message_id": item.message_id}
    if error:
        payload["error"] = error
    tx.audit.append(now=now, actor="system", event=event, payload=payload, action_id=item.action_id,
                    subject=item.reference)


PASSWORD_LINK_MAIL = "<password-link."  # how the Message-ID of a password-set link's mail begins


def staff_mail(message_id: str) -> str:
    """What a mail to a member of staff (an outbox row of kind "digest") is, in words."""
    return "password-set link" if message_id.startswith(PASSWORD_LINK_MAIL) else "reminder digest"


def envelope_sender(mail_from: str) -> str:
    """The addr-spec of COORDINATION_MAIL_FROM (which may carry a display name) for MAIL FROM."""
    return parseaddr(mail_from)[1] or mail_from


def list_outbox(*, status: str | None = None, uow: UnitsOfWork) -> list[dict[str, Any]]:
    """Outbox rows and their states, for `outbox list`."""
    with uow(read_only=True) as tx:
        return [
            {"id": row.id, "kind": row.kind, "reference": row.reference,
             "letter": row.letter if row.kind == "letter" else staff_mail(row.message_id), "version": row.version,
             "recipient": row.recipient, "recipient_kind": row.recipient_kind, "status": row.status,
             "attempts": row.attempts, "last_error": row.last_error, "message_id": row.message_id,
             "next_attempt_at": row.next_attempt_at.isoformat() if row.next_attempt_at else None,
             "sent_at": row.sent_at.isoformat() if row.sent_at else None}
            for row in tx.outbox.listing(status=status)
        ]
