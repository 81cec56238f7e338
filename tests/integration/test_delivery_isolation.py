"""A poison row cannot stop the queue (issue 10, item 2), over a real SMTP server (aiosmtpd).

Each test first puts in the outbox what the checks at input now refuse — straight into the
table, as a row that slipped in before the checks or by hand — and shows that the sender
settles that row alone (failed, with its error), delivers the rest of the batch in the
same run to exactly the stored addresses, and leaves no row `sending`.
"""

import asyncio
from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordination.adapters.addresses import AddressCheck
from coordination.adapters.mailer import SmtpMailer, smtp_settings
from coordination.adapters.records import OutboxRecord
from coordination.services.delivery import STALE_CLAIM

from ..helpers import dispatched

LEGIT = ["requester@ngo.test", "sre@mex.test", "oea@mex.test", "mission@hnd-geneva.test"]

POISONS = {
    "control character (the issue's)": "x\x7fy@evil.example",
    "NUL": "x\x00y@evil.example",
    "escape": "x\x1by@evil.example",
    "CRLF header injection": "a@evil.example\r\nBcc: victim@evil.example",
    "encoded word (delivered to victim@ on main)": "=?utf-8?q?victim?=@evil.example",
    "literal IP domain": "a@[127.0.0.1]",
    "display name": "Victim <victim@evil.example>",
    "quoted local part": '"victim@evil.example"@evil.example',
    "homoglyph domain (Cyrillic e)": "a@\u0435xample.org",
    "zero-width space": "vic\u200btim@evil.example",
}


def _rows(app) -> list[dict]:
    return app.services.list_outbox()


def _insert_digest(app, recipient: str, *, message_id: str = "<poison.1@coordination.test>") -> int:
    """An outbox row written straight into the table, past every check."""
    with app.engine.begin() as connection:
        return connection.execute(sa.insert(OutboxRecord.__table__).values(
            kind="digest", recipient=recipient, recipient_kind="staff", message_id=message_id,
            subject="[coordination] 1 deadline reminder", body_text="Dear colleague,\n", body_html="<p>Dear</p>",
            status="pending", attempts=0, created_at=app.clock()).returning(OutboxRecord.__table__.c.id)).scalar_one()


def _five_rows_the_first_poisoned(app, poison: str) -> int:
    """The poisoned row first (as in the issue: it sorts first), then four legitimate letters."""
    poisoned = _insert_digest(app, poison)
    dispatched(app, "precautionary-measure", language="en")  # acknowledgement to the requester, RFI to the State
    dispatched(app, "urgent-appeal", language="en")
    rows = _rows(app)
    assert len(rows) == 5 and rows[0]["id"] == poisoned
    return poisoned


def _delivered_to(smtp) -> list[str]:
    return sorted(r for envelope in smtp.handler.messages for r in envelope.rcpt_tos)


def _assert_settled(app, poisoned: int) -> dict:
    rows = {r["id"]: r for r in _rows(app)}
    assert [r["status"] for r in rows.values()].count("sending") == 0
    bad = rows.pop(poisoned)
    assert (bad["status"], bad["attempts"]) == ("failed", 1) and bad["last_error"]
    assert {r["status"] for r in rows.values()} == {"sent"}
    return bad


@pytest.mark.parametrize("poison", list(POISONS.values()), ids=list(POISONS))
async def test_a_poisoned_row_among_five_leaves_four_delivered_and_one_failed_with_its_error(mail_app, smtp, poison):
    if "\x00" in poison and mail_app.engine.dialect.name == "postgresql":
        with pytest.raises(sa.exc.DataError, match="NUL"):  # PostgreSQL cannot even hold it
            _insert_digest(mail_app, poison)
        return
    poisoned = _five_rows_the_first_poisoned(mail_app, poison)

    report = await mail_app.services.send_outbox()

    assert (report.sent, report.deferred, report.failed) == (4, 0, 1)
    assert _delivered_to(smtp) == sorted(LEGIT)  # exactly the stored addresses: nothing to victim@, nothing else
    bad = _assert_settled(mail_app, poisoned)
    assert bad["last_error"].startswith("refused address: ")
    [line] = report.errors  # for the operator's terminal: control characters escaped, one line
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in poison)
    assert line.startswith(f"{shown} reminder digest: refused address: ") and line.isprintable()
    assert (await mail_app.services.send_outbox()).attempted == 0  # failed for good: not tried again
    assert mail_app.services.verify_audit().findings == []


def test_outbox_send_reports_the_poisoned_row_in_one_line_and_exits_1(mail_app, smtp, invoke):
    _five_rows_the_first_poisoned(mail_app, "a@evil.example\r\nBcc: victim@evil.example\x1b[2J")

    result = invoke("outbox", "send")

    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.stdout == "Sent 4, deferred 0, failed 1.\n"
    [line] = result.stderr.splitlines()
    assert line == ("  a@evil.example\\r\\nBcc: victim@evil.example\\x1b[2J reminder digest: refused address: "
                    "it contains the control or invisible character U+000D")
    assert _delivered_to(smtp) == sorted(LEGIT)


async def test_past_every_check_the_smtp_librarys_own_error_fails_only_its_row(mail_app, smtp, monkeypatch):
    # the address check switched off: the control character reaches aiosmtplib, which raises
    # ValueError mid-transaction (on main: a traceback, every claimed row left `sending`)
    monkeypatch.setattr(AddressCheck, "problem", lambda self, value: None)
    poisoned = _five_rows_the_first_poisoned(mail_app, "x\x7fy@evil.example")

    report = await mail_app.services.send_outbox()

    assert (report.sent, report.failed) == (4, 1)
    assert _delivered_to(smtp) == sorted(LEGIT)
    bad = _assert_settled(mail_app, poisoned)
    assert bad["last_error"] == "ValueError: Command arg contains a prohibited control character"
    [event] = [e for e in _events(mail_app) if e["event"] == "DeliveryFailed"]
    assert event["payload"]["error"] == bad["last_error"]


async def test_a_letter_row_whose_address_was_changed_in_the_table_fails_alone(mail_app, smtp):
    """The issue's case: the requester's address (the first row) holds a control character."""
    ref = dispatched(mail_app, "precautionary-measure", language="en")
    dispatched(mail_app, "urgent-appeal", language="en")
    dispatched(mail_app, "urgent-appeal", language="en")
    [first] = [r for r in _rows(mail_app) if r["recipient"] == "requester@ngo.test"]
    assert first["id"] == min(r["id"] for r in _rows(mail_app))
    with mail_app.engine.begin() as connection:
        connection.execute(sa.update(OutboxRecord.__table__).where(OutboxRecord.__table__.c.id == first["id"])
                           .values(recipient="x\x7fy@evil.example"))

    report = await mail_app.services.send_outbox()

    assert (report.sent, report.failed) == (4, 1)
    assert _assert_settled(mail_app, first["id"])["last_error"].startswith("refused address: it contains the control")
    view = mail_app.services.get_action(ref)
    assert [o["status"] for o in view["outbox"] if o["recipient_kind"] == "requester"] == ["failed"]
    assert [e["event"] for e in view["history"]].count("DeliveryFailed") == 1
    # the change made in the table is named by the audit, and nothing else is
    findings = mail_app.services.verify_audit().findings
    assert len(findings) == 1 and "now goes to another recipient" in findings[0] and ref in findings[0]


async def test_a_message_that_cannot_be_built_fails_alone(mail_app, smtp):
    broken = dispatched(mail_app, "urgent-appeal", language="en")
    dispatched(mail_app, "precautionary-measure", language="en")
    [row] = [r for r in _rows(mail_app) if r["reference"] == broken]
    with mail_app.engine.begin() as connection:  # its frozen rendition lost
        connection.exec_driver_sql(
            "UPDATE letter_versions SET rendered_html = NULL WHERE id = "
            f"(SELECT letter_version_id FROM outbox WHERE id = {row['id']})")

    report = await mail_app.services.send_outbox()

    assert (report.sent, report.failed) == (3, 1)
    bad = _assert_settled(mail_app, row["id"])
    assert bad["last_error"] == "the message could not be built: ValueError: its letter version has no frozen rendition"


class RefusingOneRecipient:
    """Answers 550 to RCPT TO of one address (a 5xx for one message), accepts the rest."""

    def __init__(self, handler, refused: str) -> None:
        self.handler, self.refused = handler, refused

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001
        if address == self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001
        return await self.handler.handle_DATA(server, session, envelope)


async def test_a_5xx_for_one_recipient_fails_that_row_and_the_batch_goes_on(mail_app, smtp):
    smtp.stop()
    smtp.handler_for_rcpt = RefusingOneRecipient(smtp.handler, "sre@mex.test")
    from aiosmtpd.controller import Controller

    smtp.controller = Controller(smtp.handler_for_rcpt, hostname="127.0.0.1", port=smtp.port)
    smtp.controller.start()
    dispatched(mail_app, "precautionary-measure", language="en")
    dispatched(mail_app, "urgent-appeal", language="en")

    report = await mail_app.services.send_outbox()

    assert (report.sent, report.failed) == (3, 1)
    assert _delivered_to(smtp) == sorted(set(LEGIT) - {"sre@mex.test"})
    [bad] = [r for r in _rows(mail_app) if r["status"] != "sent"]
    assert (bad["recipient"], bad["status"], bad["last_error"]) == ("sre@mex.test", "failed",
                                                                    "550 5.1.1 No such mailbox")
    assert mail_app.services.verify_audit().findings == []


class StoppingMailer(SmtpMailer):
    """The run is stopped (cancelled, interrupted) while sending the third message."""

    def __init__(self, settings, stop: BaseException) -> None:
        super().__init__(settings)
        self.calls, self.stop = 0, stop

    async def send(self, message, **envelope):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.calls == 3:
            raise self.stop
        await super().send(message, **envelope)


@pytest.mark.parametrize("stop", [asyncio.CancelledError(), KeyboardInterrupt()], ids=["cancelled", "interrupted"])
async def test_a_run_stopped_midway_releases_its_claims(mail_app, smtp, stop):
    dispatched(mail_app, "precautionary-measure", language="en")
    dispatched(mail_app, "urgent-appeal", language="en")

    with pytest.raises(type(stop)):
        await mail_app.services.send_outbox(mailer=lambda: StoppingMailer(smtp_settings(mail_app.settings), stop))

    rows = _rows(mail_app)
    assert sorted(r["status"] for r in rows) == ["pending", "pending", "sent", "sent"]
    assert all(r["attempts"] == 0 and r["last_error"] is None for r in rows if r["status"] == "pending")
    report = await mail_app.services.send_outbox()  # the next run delivers the rest at once
    assert report.sent == 2 and len(_delivered_to(smtp)) == 4
    assert mail_app.services.verify_audit().findings == []


def _claim_as_crashed(app, ids: list[int], *, minutes_ago: float, attempts: int | None = None) -> None:
    values = {"status": "sending", "claimed_at": app.clock() - timedelta(minutes=minutes_ago)}
    if attempts is not None:
        values["attempts"] = attempts
    with app.engine.begin() as connection:
        connection.execute(sa.update(OutboxRecord.__table__).where(OutboxRecord.__table__.c.id.in_(ids))
                           .values(**values))


async def test_a_stale_claim_is_taken_over_and_counted_as_an_attempt_a_fresh_one_is_left_alone(mail_app, smtp):
    dispatched(mail_app, "precautionary-measure", language="en")
    first, second, third = (r["id"] for r in _rows(mail_app))
    _claim_as_crashed(mail_app, [first], minutes_ago=STALE_CLAIM.total_seconds() / 60 + 1)  # a sender died
    _claim_as_crashed(mail_app, [second], minutes_ago=1)  # another sender is at work on it

    report = await mail_app.services.send_outbox()

    rows = {r["id"]: r for r in _rows(mail_app)}
    assert report.sent == 2 and (rows[first]["status"], rows[first]["attempts"]) == ("sent", 2)
    assert rows[second]["status"] == "sending" and rows[third]["status"] == "sent"
    assert mail_app.services.verify_audit().findings == []


async def test_a_row_that_crashes_every_sender_fails_once_out_of_attempts(mail_app, smtp):
    ref = dispatched(mail_app, "urgent-appeal", language="en")
    [row] = _rows(mail_app)
    limit = mail_app.settings.outbox_max_attempts
    _claim_as_crashed(mail_app, [row["id"]], minutes_ago=11, attempts=limit - 2)
    assert (await mail_app.services.send_outbox()).sent == 1  # one more try is left: it goes
    with mail_app.engine.begin() as connection:
        connection.exec_driver_sql(f"UPDATE outbox SET status = 'pending', sent_at = NULL WHERE id = {row['id']}")
    _claim_as_crashed(mail_app, [row["id"]], minutes_ago=11, attempts=limit - 1)

    report = await mail_app.services.send_outbox()

    [after] = _rows(mail_app)
    assert (report.sent, report.failed) == (0, 1) and len(smtp.handler.messages) == 1
    assert (after["status"], after["attempts"]) == ("failed", limit)
    assert after["last_error"].startswith("the sender stopped while sending it") and \
        after["last_error"].endswith(f"gave up after {limit} attempts")
    assert mail_app.services.get_action(ref)["history"][-1]["event"] == "DeliveryFailed"


async def test_audit_verify_holds_after_failures_retries_and_reclaims(mail_app, smtp, clock):
    dispatched(mail_app, "precautionary-measure", language="en")
    dispatched(mail_app, "urgent-appeal", language="en")
    smtp.handler.replies = ["451 4.3.0 try again", "451 4.3.0 try again", "550 5.1.1 No such mailbox"]

    first = await mail_app.services.send_outbox()
    assert (first.sent, first.deferred, first.failed) == (2, 1, 1)
    pending = [r["id"] for r in _rows(mail_app) if r["status"] == "pending"]
    clock.advance(minutes=1)
    _claim_as_crashed(mail_app, pending, minutes_ago=11)
    second = await mail_app.services.send_outbox()

    assert second.sent == 1
    assert sorted(r["status"] for r in _rows(mail_app)) == ["failed", "sent", "sent", "sent"]
    assert mail_app.services.verify_audit().findings == []


def _events(app) -> list[dict]:
    from coordination.adapters.records import AuditEventRecord

    with app.engine.connect() as connection:
        return [{"event": e, "payload": p} for e, p in connection.execute(
            sa.select(AuditEventRecord.event, AuditEventRecord.payload).order_by(AuditEventRecord.id))]


# ---------------------------------------------------------------- failed letters are seen


async def _one_failed_appeal(app, smtp) -> str:
    ref = dispatched(app, "urgent-appeal", language="en")
    smtp.handler.replies = ["550 5.1.1 No such mailbox"]
    assert (await app.services.send_outbox()).failed == 1
    return ref


async def test_a_failed_letter_is_in_the_next_digest_to_the_actions_officer_once(mail_app, smtp):
    from tests.helpers import OFFICER

    ref = await _one_failed_appeal(mail_app, smtp)

    report = mail_app.services.send_reminders()
    delivery = await mail_app.services.send_outbox()

    assert (report.failures, report.digests) == (1, 1) and delivery.sent == 1
    [digest] = smtp.messages
    assert digest["To"] == OFFICER and digest["Subject"] == "[coordination] 1 letter not delivered"
    text = digest.get_body(("plain",)).get_content()
    assert f"{ref}: urgent appeal v8 to the permanent mission in Geneva failed: 550 5.1.1 No such mailbox" in text
    assert f"http://127.0.0.1:8000/actions/{ref}#outbox" in text
    assert "mission@hnd-geneva.test" not in text and "FACTS-SECRET-7731" not in digest.as_string()
    events = [e for e in _events(mail_app) if e["event"] == "DeliveryFailureReported"]
    assert events == [{"event": "DeliveryFailureReported",
                       "payload": {"message_ids": [_rows(mail_app)[0]["message_id"]], "recipient": OFFICER}}]
    # reported once: the next sweep has nothing to say
    assert mail_app.services.send_reminders().digests == 0
    assert mail_app.services.verify_audit().findings == []
    # and the mark cannot be undone quietly in the table
    with mail_app.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE outbox SET failure_reported_at = NULL WHERE kind = 'letter'")
    [finding] = mail_app.services.verify_audit().findings
    assert ref in finding and "not marked reported" in finding


async def test_a_failure_is_not_reported_to_a_disabled_officer(mail_app, smtp):
    from tests.helpers import OFFICER

    await _one_failed_appeal(mail_app, smtp)
    with mail_app.engine.begin() as connection:
        connection.execute(sa.text("UPDATE users SET disabled_at = :now WHERE email = :email"),
                           {"now": mail_app.clock().replace(tzinfo=None), "email": OFFICER})

    report = mail_app.services.send_reminders()

    assert (report.failures, report.digests) == (0, 0)
    assert [r["kind"] for r in _rows(mail_app)] == ["letter"]


async def test_a_failed_letter_shows_on_the_action_page_and_in_action_show(mail_app, smtp, invoke):
    from fastapi.testclient import TestClient

    from coordination.web import create_app
    from tests.helpers import SUP_IACHR
    from tests.web.conftest import PASSWORD, Browser

    ref = await _one_failed_appeal(mail_app, smtp)
    mail_app.services.set_password(email=SUP_IACHR, password=PASSWORD)
    with TestClient(create_app(mail_app), base_url="http://127.0.0.1:8000") as client:
        browser = Browser(client)
        browser.sign_in(SUP_IACHR)
        page = browser.get(f"/actions/{ref}").text
    notice = page[page.index('id="delivery-failed"'):page.index("</section>", page.index('id="delivery-failed"'))]
    assert "Delivery failed" in notice
    assert "Urgent appeal to the Government v8 → mission@hnd-geneva.test" in notice and "550 5.1.1 No such mailbox" in notice
    shown = invoke("action", "show", ref).stdout
    assert "→ mission@hnd-geneva.test (permanent-mission-geneva) FAILED — 550 5.1.1 No such mailbox" in shown
