"""`coordination deadline list|extend|cancel`, `reminders send` and `calendar export`,
in-process against SQLite and PostgreSQL (the clock is fixed at Monday 2 Nov 2026, 09:00 UTC)."""

import json
from datetime import UTC, datetime

import pytest

from ..conftest import count_rows
from ..helpers import ADMIN, OFFICER, SUP_IACHR, open_at_gate
from .test_cli import ok


def refused(result, *words: str) -> str:
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ") and all(w in line for w in words), line
    return line


def test_deadline_list_sorts_by_urgency_and_filters(app, cli, clock):
    first = open_at_gate(app, "country-communication")  # due Mon 9 Nov
    clock.advance(days=1)
    second = open_at_gate(app, "urgent-appeal")  # due Thu 5 Nov
    clock.advance(days=3)  # Fri 6 Nov 09:00

    table = ok(cli("deadline", "list")).splitlines()
    assert table[0].split() == ["REFERENCE", "KIND", "OWED", "BY", "STAGE", "DUE", "(UTC)", "WHEN"]
    assert [row.split()[:3] for row in table[1:]] == [
        [second, "approval_sla", "OHCHR"], [second, "approval_sla", "IACHR"],
        [first, "approval_sla", "OHCHR"], [first, "approval_sla", "IACHR"]]
    assert table[1].endswith("overdue 1d 0h") and table[3].endswith("in 3d 0h")

    rows = json.loads(ok(cli("deadline", "list", "--overdue", "--json")))
    assert [(r["reference"], r["organisation"], r["due_at"], r["overdue"]) for r in rows] == [
        (second, "ohchr", "2026-11-05T09:00:00Z", True), (second, "iachr", "2026-11-05T09:00:00Z", True)]
    assert rows[1]["time_zone"] == "America/New_York"
    assert len(json.loads(ok(cli("deadline", "list", "--due-within", "3", "--json")))) == 4
    assert ok(cli("deadline", "list", "--due-within", "0.5")).splitlines()[1].startswith(second)


def test_deadline_list_says_when_there_is_nothing(cli):
    assert ok(cli("deadline", "list")) == "No open deadlines.\n"
    assert ok(cli("deadline", "list", "--overdue")) == "No open deadlines overdue.\n"


def test_deadline_extend_and_cancel(app, cli):
    ref = open_at_gate(app, "urgent-appeal")
    out = ok(cli("deadline", "extend", ref, "approval_sla", "--to", "2026-11-10", "--org", "iachr",
                 "--reason", "Ines is travelling", "--as", OFFICER))
    assert out == f"{ref}: approval_sla (IACHR) now due 2026-11-10T09:00:00Z.\n"
    out = ok(cli("deadline", "extend", ref, "approval_sla", "--to", "2026-11-12T17:00:00+01:00",
                 "--reason", "Both need the translation", "--as", OFFICER))
    assert out.splitlines() == [f"{ref}: approval_sla (OHCHR) now due 2026-11-12T16:00:00Z.",
                                f"{ref}: approval_sla (IACHR) now due 2026-11-12T16:00:00Z."]
    out = ok(cli("deadline", "cancel", ref, "approval_sla", "--org", "ohchr", "--reason", "Decided in the meeting",
                 "--as", OFFICER))
    assert out == f"{ref}: approval_sla (OHCHR) cancelled.\n"
    shown = json.loads(ok(cli("action", "show", ref, "--json")))
    assert [(d["organisation"], d["status"], d["due_at"]) for d in shown["deadlines"]] == [
        ("ohchr", "cancelled", "2026-11-12T16:00:00Z"), ("iachr", "open", "2026-11-12T16:00:00Z")]
    assert [e["event"] for e in shown["history"]].count("DeadlineExtended") == 3


@pytest.mark.parametrize(("args", "words"), [
    (["approval_sla", "--to", "2026-11-20", "--reason", "x", "--as", ADMIN], ["cannot extend deadlines"]),
    (["approval_sla", "--to", "2026-11-20", "--reason", " ", "--as", OFFICER], ["give the reason"]),
    (["approval_sla", "--to", "2026-11-03", "--reason", "x", "--as", OFFICER], ["must be later"]),
    (["approval_sla", "--to", "next week", "--reason", "x", "--as", OFFICER], ["not a date"]),
    (["approval_sla", "--to", "2026-11-20T10:00", "--reason", "x", "--as", OFFICER], ["time zone"]),
    (["approval_sla", "--to", "2026-11-20", "--reason", "x", "--as", OFFICER, "--org", "un"], ["unknown organisation"]),
    (["reply", "--to", "2026-11-20", "--reason", "x", "--as", OFFICER], ["unknown deadline kind", "state_reply"]),
    (["state_reply", "--to", "2026-11-20", "--reason", "x", "--as", OFFICER], ["no open state_reply deadline"]),
    (["approval_sla", "--to", "2026-11-20", "--reason", "x", "--as", "nobody@x.test"], ["unknown user"]),
])
def test_refused_extensions_say_why_and_write_nothing(app, cli, args, words):
    ref = open_at_gate(app, "urgent-appeal")
    before = count_rows(app)
    refused(cli("deadline", "extend", ref, *args), *words)
    assert count_rows(app) == before


def test_reminders_send_dry_run_then_for_real(app, cli, clock):
    open_at_gate(app, "urgent-appeal")
    before = count_rows(app)

    out = ok(cli("reminders", "send", "--now", "2026-11-03T10:00:00+00:00", "--dry-run")).splitlines()

    assert out[0] == "Would send 4 reminder(s) of 2 deadline(s) in 4 digest(s)."
    assert len(out) == 5 and all("approval_sla" in line and "due in 1 day" in line for line in out[1:])
    assert count_rows(app) == before

    out = ok(cli("reminders", "send", "--now", "2026-11-03T10:00:00+00:00")).splitlines()
    assert out == ["Queued 4 reminder(s) of 2 deadline(s) in 4 digest(s).",
                   "No SMTP server is configured: `coordination outbox send` delivers them once one is."]
    assert ok(cli("reminders", "send", "--now", "2026-11-03T10:00:00+00:00")).startswith("Queued 0 reminder(s)")
    listed = ok(cli("outbox", "list")).splitlines()
    assert sum("reminder digest" in line and "pending" in line for line in listed) == 4


@pytest.mark.parametrize(("now", "words"), [
    ("tomorrow", ["not an ISO 8601 time"]),
    ("2026-11-03T10:00:00", ["needs its UTC offset"]),
])
def test_reminders_send_refuses_a_bad_time_and_writes_nothing(app, cli, now, words):
    open_at_gate(app, "urgent-appeal")
    before = count_rows(app)
    refused(cli("reminders", "send", "--now", now), *words)
    assert count_rows(app) == before


def test_calendar_export_writes_an_icalendar_feed(app, cli, tmp_path):
    from icalendar import Calendar

    ref = open_at_gate(app, "urgent-appeal")
    feed = Calendar.from_ical(ok(cli("calendar", "export", "--user", SUP_IACHR)))
    [event] = feed.walk("VEVENT")
    assert str(event["summary"]) == f"{ref}: approval sla (IACHR) due"
    assert str(event["url"]) == f"http://127.0.0.1:8000/actions/{ref}"
    assert event["dtstart"].dt.isoformat() == "2026-11-04T09:00:00+00:00"

    target = tmp_path / "deadlines.ics"
    assert ok(cli("calendar", "export", "--output", str(target))) == f"Wrote 2 deadline(s) to {target}.\n"
    assert len(Calendar.from_ical(target.read_bytes()).walk("VEVENT")) == 2
    refused(cli("calendar", "export", "--user", "nobody@x.test"), "unknown user")


def test_reminders_send_delivers_the_digests_and_says_so(app, cli, clock, smtp):
    open_at_gate(app, "urgent-appeal")
    clock.advance(days=1, hours=1)
    app.settings = app.settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_tls": "none", "smtp_retry_delays": (0.0,)})

    assert ok(cli("reminders", "send")).splitlines() == [
        "Queued 4 reminder(s) of 2 deadline(s) in 4 digest(s).", "Outbox: sent 4, deferred 0, failed 0."]
    assert len(smtp.messages) == 4

    clock.now = datetime(2026, 11, 4, 6, 0, tzinfo=UTC)  # the day itself (00:00 in Geneva and in Washington)
    # the server is down: queued all the same, exit 1, and the outbox sender retries later
    smtp.stop()
    result = cli("reminders", "send")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "Queued 4 reminder(s) of 2 deadline(s) in 4 digest(s).", "Outbox: sent 0, deferred 4, failed 0."]
    assert "reminder digest" in result.stderr


def test_a_reminder_setting_that_cannot_work_is_one_line_and_exit_1(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    import coordination.cli

    monkeypatch.setenv("COORDINATION_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COORDINATION_REMINDER_POLICIES", '{"review": {"on_open": true}}')
    coordination.cli._app.cache_clear()
    try:
        result = CliRunner().invoke(coordination.cli.app, ["deadline", "list"])
    finally:
        coordination.cli._app.cache_clear()
    assert refused(result) == ("error: COORDINATION_REMINDER_POLICIES is not valid: "
                               "Value error, on_open is for approval_sla (the request to decide), not review")
