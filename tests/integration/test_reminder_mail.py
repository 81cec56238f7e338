"""Reminder digests delivered to a real SMTP server (aiosmtpd on loopback), on SQLite and
PostgreSQL: one digest per person with the right lines; the server down during a sweep
loses nothing; a sweep run twice, or concurrently, sends nothing twice."""

import threading

from ..helpers import OFFICER, SUP_IACHR, SUP_IACHR_2, SUP_OHCHR, SUP_OHCHR_2, open_at_gate

SECRET_NAME = "Berta SECRET-NAME-0042"
LINK = "http://127.0.0.1:8000/actions/"


def two_overdue_appeals(app) -> list[str]:
    refs = [open_at_gate(app, "urgent-appeal", beneficiaries=[SECRET_NAME]) for _ in range(2)]
    app.clock.advance(days=3)  # Thu 5 Nov: both gates' SLAs (due Wed 4 Nov) are overdue
    return refs


async def sweep_and_send(app):
    report = app.services.send_reminders()
    return report, await app.services.send_outbox()


async def test_each_person_gets_one_digest_with_a_line_per_action(mail_app, smtp):
    first, second = two_overdue_appeals(mail_app)

    report, delivery = await sweep_and_send(mail_app)

    assert report.counts() == {"deadlines": 4, "reminders": 20, "digests": 5}
    assert delivery.sent == 5 and not delivery.errors
    messages = {m["To"]: m for m in smtp.messages}
    assert sorted(messages) == sorted([OFFICER, SUP_OHCHR, SUP_OHCHR_2, SUP_IACHR, SUP_IACHR_2])
    for person, message in messages.items():
        assert message["Subject"] == "[coordination] 4 deadline reminders, 4 overdue"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        lines = [line for line in text.splitlines() if line.startswith("JAM-")]
        assert [line.split()[0] for line in lines] == [first, second]  # one line per action
        for ref, line in zip((first, second), lines, strict=True):
            assert ", stage joint approval: decision on the gate by OHCHR due Wed 4 Nov 2026" in line
            assert "decision on the gate by IACHR due Wed 4 Nov 2026" in line
            assert line.count("overdue by 1 day (escalation 1)") == 2
            assert f"  {LINK}{ref}#deadlines\r\n" in text and f'href="{LINK}{ref}#deadlines"' in html
        assert "on the action's page under Deadlines" in text and "on the action's page under Deadlines" in html
        assert "coordination deadline" not in text and "coordination deadline" not in html  # a link, no command
        zone = "Washington DC" if person.endswith("@iachr.test") else "Geneva"
        assert f"Times are {zone} time." in text
        # the due hour in the reader's zone: 10:00 in Geneva, 04:00 in Washington
        assert ("04:00" if zone == "Washington DC" else "10:00") in lines[0]
        for leak in (SECRET_NAME, "FACTS-SECRET-7731", "Test action"):
            assert leak not in message.as_string()


async def test_a_second_sweep_sends_nothing_twice(mail_app, smtp):
    two_overdue_appeals(mail_app)
    await sweep_and_send(mail_app)
    report, delivery = await sweep_and_send(mail_app)
    assert report.reminders == 0 and delivery.attempted == 0
    assert len(smtp.messages) == 5
    mail_app.clock.advance(days=1)  # Fri 6 Nov: the second escalation, once more one digest each
    report, delivery = await sweep_and_send(mail_app)
    assert report.counts() == {"deadlines": 4, "reminders": 20, "digests": 5} and delivery.sent == 5
    assert len({m["Message-ID"] for m in smtp.messages}) == len(smtp.messages) == 10


async def test_smtp_down_during_the_sweep_loses_nothing_and_the_next_run_delivers(mail_app, smtp):
    two_overdue_appeals(mail_app)
    smtp.stop()

    report, delivery = await sweep_and_send(mail_app)

    assert report.digests == 5 and delivery.sent == 0 and delivery.deferred == 5
    assert {r["status"] for r in mail_app.services.list_outbox(status=None) if r["kind"] == "digest"} == {"pending"}
    smtp.start()
    mail_app.clock.advance(minutes=15)  # the next scheduled sweep, past the outbox's backoff

    report, delivery = await sweep_and_send(mail_app)

    assert report.reminders == 0  # nothing new is owed: the reminders were written before the server went down
    assert delivery.sent == 5 and len(smtp.messages) == 5
    assert sorted(m["To"] for m in smtp.messages) == sorted([OFFICER, SUP_OHCHR, SUP_OHCHR_2, SUP_IACHR, SUP_IACHR_2])


def test_concurrent_sweeps_write_each_reminder_once(mail_app):
    two_overdue_appeals(mail_app)
    reports, errors = [], []
    start = threading.Barrier(4)

    def sweep():
        start.wait()
        try:
            reports.append(mail_app.services.send_reminders())
        except Exception as error:  # noqa: BLE001 — a lost race must not be an error either
            errors.append(error)

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(r.reminders for r in reports) == 20 and sum(r.digests for r in reports) == 5
    digests = [r for r in mail_app.services.list_outbox() if r["kind"] == "digest"]
    assert len(digests) == 5 and len({r["recipient"] for r in digests}) == 5


async def test_the_digest_is_frozen_when_queued_and_sent_as_it_was(mail_app, smtp):
    two_overdue_appeals(mail_app)
    smtp.stop()
    await sweep_and_send(mail_app)  # queued on Thu 5 Nov; the server is down
    rows = [r for r in mail_app.services.list_outbox() if r["kind"] == "digest"]
    assert [(r["letter"], r["reference"]) for r in rows] == [("reminder digest", None)] * 5
    smtp.start()
    mail_app.clock.advance(days=2)  # delivered two days later, as it was queued

    await mail_app.services.send_outbox()

    assert len(smtp.messages) == 5
    for message in smtp.messages:
        assert message["Date"] == "Thu, 05 Nov 2026 09:00:00 +0000"
        assert message["Message-ID"].startswith("<reminders.")
        assert "overdue by 1 day (escalation 1)" in message.get_body(("plain",)).get_content()


async def test_the_request_to_decide_reaches_each_owing_supervisor_with_the_link(mail_app, smtp):
    ref = open_at_gate(mail_app, "urgent-appeal", beneficiaries=[SECRET_NAME])

    report, delivery = await sweep_and_send(mail_app)

    assert delivery.sent == 4 and sorted(m["To"] for m in smtp.messages) == sorted(
        [SUP_OHCHR, SUP_OHCHR_2, SUP_IACHR, SUP_IACHR_2])
    for message in smtp.messages:
        assert message["Subject"] == "[coordination] 1 decision requested"
        text = message.get_body(("plain",)).get_content()
        organisation = "IACHR" if message["To"].endswith("@iachr.test") else "OHCHR"
        assert (f"{ref} (urgent appeal, HND), stage joint approval: decision on the gate by {organisation} "
                "due Wed 4 Nov 2026") in text
        assert "your decision is requested" in text and f"{LINK}{ref}" in text
        assert SECRET_NAME not in message.as_string()
