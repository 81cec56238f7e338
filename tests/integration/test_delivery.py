"""Delivering the outbox to a real SMTP server (aiosmtpd) on loopback."""

import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from coordination.domain import InvalidState

from ..helpers import dispatched, seed

pytestmark = pytest.mark.asyncio


class RecordingHandler:
    """Keeps what it accepts; answers with the queued replies first (e.g. a 451 or a 550)."""

    def __init__(self) -> None:
        self.messages: list = []
        self.replies: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001
        if self.replies:
            return self.replies.pop(0)
        self.messages.append(envelope)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    def __init__(self) -> None:
        self.port = _free_port()
        self.handler = RecordingHandler()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return [message_from_bytes(e.original_content, policy=policy.default) for e in self.handler.messages]


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app, smtp):
    seed(app)
    app.settings = app.settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_tls": "none", "smtp_timeout": 5.0,
        "smtp_retry_delays": (0.0,), "mail_from": "joint-actions@coordination.test",
    })
    return app


def _outbox(app):
    return app.services.list_outbox()


async def test_every_outbox_row_is_delivered_exactly_once(mail_app, smtp):
    refs = [dispatched(mail_app, t, language="en") for t in ("urgent-appeal", "precautionary-measure",
                                                               "country-communication")]
    rows = _outbox(mail_app)
    assert len(rows) == 7

    report = await mail_app.services.send_outbox()
    again = await mail_app.services.send_outbox()

    assert (report.sent, report.deferred, report.failed) == (7, 0, 0)
    assert again.attempted == 0
    received = smtp.messages
    assert sorted(m["Message-ID"] for m in received) == sorted(r["message_id"] for r in rows)
    assert sorted(e.rcpt_tos[0] for e in smtp.handler.messages) == sorted(r["recipient"] for r in rows)
    assert {r["status"] for r in _outbox(mail_app)} == {"sent"}
    appeal = next(m for m in received if m["To"] == "mission@hnd-geneva.test")
    assert appeal["Subject"].startswith(f"{refs[0]} · UA HND 1/2026 — Urgent appeal")
    parts = [part.get_content_type() for part in appeal.walk()]
    assert parts == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/pdf"]
    pdf = next(p for p in appeal.walk() if p.get_content_type() == "application/pdf")
    assert pdf.get_content().startswith(b"%PDF") and pdf.get_filename() == f"{refs[0]}-urgent_appeal-v8.pdf"
    history = [e["event"] for e in mail_app.services.get_action(refs[0])["history"]]
    assert history.count("LetterDelivered") == 1


async def test_with_the_server_down_nothing_is_lost_and_all_is_delivered_when_it_returns(mail_app, smtp, clock):
    dispatched(mail_app, "country-communication", language="en")
    smtp.stop()

    down = await mail_app.services.send_outbox()

    assert (down.sent, down.deferred) == (0, 3)
    rows = _outbox(mail_app)
    assert {(r["status"], r["attempts"]) for r in rows} == {("pending", 1)}
    assert all("Unreachable" in r["last_error"] or "Connect" in r["last_error"] for r in rows)
    smtp.start()
    early = await mail_app.services.send_outbox()
    assert early.attempted == 0  # backing off: not yet due
    clock.advance(minutes=1)
    back = await mail_app.services.send_outbox()
    assert back.sent == 3 and len(smtp.messages) == 3
    assert {r["status"] for r in _outbox(mail_app)} == {"sent"}


async def test_a_4xx_answer_is_retried_and_the_message_delivered_once(mail_app, smtp):
    dispatched(mail_app, "urgent-appeal", language="en")
    smtp.handler.replies = ["451 4.3.0 Mailbox busy, try again"]

    report = await mail_app.services.send_outbox()

    assert report.sent == 1 and len(smtp.messages) == 1
    assert _outbox(mail_app)[0]["status"] == "sent"


async def test_repeated_4xx_answers_defer_the_message_to_a_later_run(mail_app, smtp, clock):
    dispatched(mail_app, "urgent-appeal", language="en")
    smtp.handler.replies = ["452 4.2.2 Mailbox full", "452 4.2.2 Mailbox full"]

    first = await mail_app.services.send_outbox()
    assert (first.sent, first.deferred) == (0, 1)
    assert _outbox(mail_app)[0]["last_error"].startswith("452")
    clock.advance(minutes=1)
    second = await mail_app.services.send_outbox()
    assert second.sent == 1 and len(smtp.messages) == 1


async def test_a_5xx_answer_is_recorded_as_failed_and_shown_on_the_action(mail_app, smtp):
    ref = dispatched(mail_app, "urgent-appeal", language="en")
    smtp.handler.replies = ["550 5.1.1 No such mailbox"]

    report = await mail_app.services.send_outbox()

    assert (report.sent, report.failed) == (0, 1) and smtp.messages == []
    view = mail_app.services.get_action(ref)
    assert view["outbox"][0]["status"] == "failed"
    assert view["outbox"][0]["last_error"] == "550 5.1.1 No such mailbox"
    assert view["history"][-1]["event"] == "DeliveryFailed"
    assert (await mail_app.services.send_outbox()).attempted == 0  # a permanent failure is not retried


async def test_a_subject_field_with_cr_lf_cannot_break_a_header(mail_app, smtp):
    dispatched(mail_app, "urgent-appeal", language="en",
               letters={"urgent_appeal": {"subject": "threats\r\nBcc: attacker@evil.test\r\n\r\nforged body"}})
    await mail_app.services.send_outbox()
    [envelope] = smtp.handler.messages
    [message] = smtp.messages
    assert envelope.rcpt_tos == ["mission@hnd-geneva.test"]
    assert message["Bcc"] is None
    assert "\n" not in message["Subject"] and "Bcc: attacker@evil.test forged body" in message["Subject"]


async def test_without_an_smtp_server_configured_sending_is_refused_and_nothing_is_claimed(app):
    seed(app)
    dispatched(app, "urgent-appeal", language="en")
    with pytest.raises(InvalidState, match="COORDINATION_SMTP_HOST"):
        await app.services.send_outbox()
    assert _outbox(app)[0]["status"] == "pending"


async def test_the_local_mail_sink_keeps_delivered_letters_on_disk(app, tmp_path):
    from coordination.adapters.mail_sink import MailSink

    seed(app)
    sink = MailSink(tmp_path / "mail").start()
    try:
        app.settings = app.settings.model_copy(update={"smtp_host": sink.host, "smtp_port": sink.port, "smtp_tls": "none"})
        dispatched(app, "urgent-appeal")
        report = await app.services.send_outbox()
        assert report.sent == 1
        [kept] = [message_from_bytes(bytes(m), policy=policy.default) for m in sink.messages()]
        assert kept["To"] == "mission@hnd-geneva.test" and "Llamamiento urgente" in kept["Subject"]
    finally:
        sink.stop()


async def test_each_letter_versions_pdf_is_made_once_kept_and_attached_to_every_message(mail_app, smtp):
    """Issue 14, part 3: the PDF made at dispatch (for its sha256) is kept; delivery attaches it
    to each recipient's message and a download gives it, without rendering it again."""
    import hashlib

    from coordination.adapters.renderer import LetterRenderer

    made: list[int] = []

    class Counting(LetterRenderer):  # the real renderer, counting the PDFs it makes
        def pdf(self, html: str) -> bytes:
            made.append(1)
            return super().pdf(html)

    mail_app.renderer = Counting(mail_app.settings.templates_dir)
    ref = dispatched(mail_app, "country-communication", language="en")  # one letter, three State recipients
    assert len(made) == 1

    report = await mail_app.services.send_outbox()
    download = mail_app.services.render_letter(reference=ref, fmt="pdf")

    assert report.sent == 3 and len(made) == 1  # neither delivery nor the download rendered it again
    attached = {part.get_content() for message in smtp.messages for part in message.walk()
                if part.get_content_type() == "application/pdf"}
    assert attached == {download.content} and download.frozen
    recorded = mail_app.services.get_action(ref)["letters"][0]["pdf_sha256"]
    assert hashlib.sha256(download.content).hexdigest() == recorded


async def test_a_sender_stopped_mid_batch_records_what_the_server_accepted_and_gives_back_the_rest(mail_app, smtp):
    """Results are committed in batches (RECORD_BATCH): a sender cancelled mid-way (serve stopping,
    a timeout) still records each message whose acceptance it heard — never sent again — and gives
    back the rest as pending; audit verify holds. (aiosmtplib may absorb a cancellation that lands
    inside an SMTP exchange: the sender then finishes its batch, which must hold the same way.)"""
    import asyncio

    from coordination.services.delivery import RECORD_BATCH

    for _ in range(3):  # nine messages: fewer than a batch, so none was committed before the stop
        dispatched(mail_app, "country-communication", language="en")
    assert len(_outbox(mail_app)) < RECORD_BATCH

    class Slow(type(smtp.handler)):
        async def handle_DATA(self, server, session, envelope):  # noqa: ANN001
            await asyncio.sleep(0.05)
            return await super().handle_DATA(server, session, envelope)

    smtp.handler.__class__ = Slow
    sending = asyncio.create_task(mail_app.services.send_outbox())
    while len(smtp.handler.messages) < 4:
        await asyncio.sleep(0.01)
    sending.cancel()
    try:
        await sending
    except asyncio.CancelledError:
        pass

    accepted = {m["Message-ID"] for m in smtp.messages}
    rows = {r["message_id"]: r["status"] for r in _outbox(mail_app)}
    recorded = {mid for mid, status in rows.items() if status == "sent"}
    # each message whose acceptance the sender heard is recorded; the one on the wire when it was
    # stopped (accepted, its reply never heard) is given back, as is everything not yet sent
    assert recorded <= accepted and len(accepted - recorded) <= 1 and len(recorded) >= 3
    assert {status for mid, status in rows.items() if mid not in recorded} <= {"pending"}
    assert mail_app.services.verify_audit().findings == []

    report = await mail_app.services.send_outbox()  # the rest: at least once, the same Message-IDs
    assert report.sent == len(rows) - len(recorded)
    seen = [m["Message-ID"] for m in smtp.messages]
    assert set(seen) == set(rows) and len(seen) - len(rows) == len(accepted - recorded)


async def test_results_held_for_a_batch_are_recorded_when_the_server_stops_taking_mail(mail_app, smtp):
    """Four messages accepted, then the server answers 421 to every other: the four are recorded
    sent when the run ends (their batch was not full), the rest wait for their next attempt."""
    from coordination.services.delivery import RECORD_BATCH

    for _ in range(3):
        dispatched(mail_app, "country-communication", language="en")

    class ThenBusy(type(smtp.handler)):
        async def handle_DATA(self, server, session, envelope):  # noqa: ANN001
            if len(self.messages) >= 4:
                return "421 Too busy, try later"
            return await super().handle_DATA(server, session, envelope)

    smtp.handler.__class__ = ThenBusy
    report = await mail_app.services.send_outbox()

    assert (report.sent, report.deferred, report.failed) == (4, 5, 0) and 4 < RECORD_BATCH
    rows = {r["message_id"]: r["status"] for r in _outbox(mail_app)}
    assert {mid for mid, status in rows.items() if status == "sent"} == {m["Message-ID"] for m in smtp.messages}
    assert sorted(rows.values()).count("pending") == 5
    assert mail_app.services.verify_audit().findings == []
