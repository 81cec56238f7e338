"""Bounds on every input (issue 10, item 7), on the command line, against SQLite and PostgreSQL.

Each test first does what the issue found accepted or crashing, then checks the refusal: one
line on stderr, exit 1 (usage errors: exit 2), never a traceback, and nothing written (every
row of every table, audit trail and head included, is compared before and after).
"""

import math
import multiprocessing
import os
import time
from datetime import UTC, datetime

import pydantic
import pytest
import sqlalchemy as sa
from icalendar import Calendar

import coordination.cli
from coordination import services
from coordination.domain import InvalidInput
from coordination.domain.text import check_text, is_blank

from ..conftest import count_rows
from ..helpers import LETTERS, OFFICER, SUP_IACHR, SUP_OHCHR, open_at_gate
from .test_cli import ok, runner
from .test_cli_refusals import _rows, assert_refused

INVISIBLE = ["\u200b", "\ufeff", "\u200e", "\u2060", "\u200b \u200e\ufeff", "\u3164", "\u00a0\u2800", "\t\u200b\n"]
CONTROL = ["a\x00b", "bell\x07", "\x1b[31mred\x1b[0m", "del\x7f", "esc\x1b", "\x08back"]
LIMIT = 100_000  # COORDINATION_MAX_FIELD_CHARS by default


def usage_error(result, *words: str) -> str:
    """A usage error: exit 2, the reason on stderr, no traceback, nothing on stdout."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr, result.exception)
    assert result.stdout == "" and "Traceback" not in result.stderr
    text = " ".join(result.stderr.split())
    assert all(word in text for word in words), text
    return text


def _drafting(app) -> str:
    """An urgent appeal at its drafting step (its letter editable, no approval yet)."""
    ref = app.services.open_action(type="urgent-appeal", country="HND", title="Drafting", officer=OFFICER).reference
    app.services.submit_stage(reference=ref, officer=OFFICER)
    return ref


# ---------------------------------------------------------------- text: the rules, then every field


def test_blank_text_is_every_invisible_or_format_character_and_only_that():
    assert all(is_blank(text) for text in ["", None, " ", *INVISIBLE])
    assert not any(is_blank(text) for text in ["a", "\u200ba", "é", "٣", "👩‍⚖️", "\u202eabc"])
    assert check_text("f", "line one\nline two\r\n\tand a tab", 100) == "line one\nline two\r\n\tand a tab"
    assert check_text("f", "\u200b", 100, required=False) is None  # optional and shows nothing: no text
    for value, words in [("\u200b", "cannot be empty"), ("x" * 101, "too long"), ("a\x00", r"U\+0000"),
                         ("a\ud800", "not valid text"), ("one\ntwo", "line break")]:
        with pytest.raises(InvalidInput, match=words):
            check_text("f", value, 100, lines="line break" not in words)


def test_invisible_titles_comments_reasons_and_fields_are_refused_on_the_command_line(app, cli, subtests):
    at_gate = open_at_gate(app, "urgent-appeal")
    drafting = _drafting(app)
    for invisible in INVISIBLE[:6]:
        for args, words in [
            (("action", "open", "urgent-appeal", "--country", "HND", "--title", invisible, "--as", OFFICER), "title"),
            (("action", "open", "urgent-appeal", "--country", "HND", "--title", "T", "--beneficiary", invisible,
              "--as", OFFICER), "beneficiary"),
            (("action", "reject", at_gate, "--comment", invisible, "--as", SUP_OHCHR), "comment"),
            (("letter", "set", drafting, "facts", "--text", invisible, "--as", OFFICER), "empty"),
            (("deadline", "extend", at_gate, "approval_sla", "--to", "2026-11-20", "--reason", invisible,
              "--as", OFFICER), "reason"),
            (("deadline", "cancel", at_gate, "approval_sla", "--reason", invisible, "--as", OFFICER), "reason"),
            (("user", "add", "new@ohchr.test", "--name", invisible, "--org", "ohchr", "--role", "officer"), "name"),
        ]:
            with subtests.test(msg=f"{args[0]} {args[1]} {invisible!r}"):
                assert_refused(app, cli, args, words)
    # what a skip needs, at a stage that can be skipped
    with subtests.test(msg="action skip"):
        skip_at = app.services.open_action(type="country-communication", country="GTM", title="Skip",
                                       officer=OFFICER).reference
        assert_refused(app, cli, ("action", "skip", skip_at, "--reason", "\u200b\ufeff", "--as", OFFICER), "reason")


def test_an_approval_comment_of_invisible_characters_is_no_comment(app, cli):
    ref = open_at_gate(app, "urgent-appeal")
    ok(cli("action", "approve", ref, "--comment", "\u200b\u200e \ufeff", "--as", SUP_OHCHR))
    [approval] = app.services.get_action(ref)["approvals"]
    assert approval["comment"] is None


def test_control_characters_are_refused_in_every_text_field(app, cli, subtests):
    at_gate = open_at_gate(app, "urgent-appeal")
    drafting = _drafting(app)
    for bad in CONTROL:
        for args in [
            ("action", "open", "urgent-appeal", "--country", "HND", "--title", bad, "--as", OFFICER),
            ("action", "open", "urgent-appeal", "--country", "HND", "--title", "T", "--beneficiary", bad,
             "--as", OFFICER),
            ("action", "approve", at_gate, "--comment", bad, "--as", SUP_OHCHR),
            ("action", "reject", at_gate, "--comment", bad, "--as", SUP_IACHR),
            ("letter", "set", drafting, "facts", "--text", bad, "--as", OFFICER),
            ("letter", "set", drafting, "subject", "--text", bad, "--as", OFFICER),
            ("deadline", "extend", at_gate, "approval_sla", "--to", "2026-11-20", "--reason", bad, "--as", OFFICER),
            ("user", "add", "new@ohchr.test", "--name", bad, "--org", "ohchr", "--role", "officer"),
            ("recipient", "add", "HND", "--kind", "foreign-ministry", "--email", "sre2@hnd.test", "--name", bad),
        ]:
            with subtests.test(msg=f"{args[0]} {args[1]} {bad!r}"):
                assert_refused(app, cli, args, "control character")


def test_a_title_or_a_name_is_one_line_but_a_letter_field_may_have_lines_and_tabs(app, cli):
    drafting = _drafting(app)
    assert_refused(app, cli, ("action", "open", "urgent-appeal", "--country", "HND", "--title", "one\ntwo",
                              "--as", OFFICER), "title", "line break")
    assert_refused(app, cli, ("user", "add", "new@ohchr.test", "--name", "A\tB", "--org", "ohchr",
                              "--role", "officer"), "name", "line break")
    ok(cli("letter", "set", drafting, "questions", "--text", "First?\n\tSecond?\r\nThird?", "--as", OFFICER))


@pytest.mark.parametrize("size", [LIMIT + 1, 7_900_000])  # the 7.9 MB field, and one character over
def test_a_field_longer_than_the_limit_is_refused_on_the_command_line(app, cli, size):
    ref = _drafting(app)
    assert_refused(app, cli, ("letter", "set", ref, "facts", "--text", "x" * size, "--as", OFFICER),
                   "facts", "too long", "at most 100,000")
    assert_refused(app, cli, ("action", "open", "urgent-appeal", "--country", "HND", "--title", "t" * size,
                              "--as", OFFICER), "title", "too long")
    assert_refused(app, cli, ("action", "reject", open_at_gate(app, "urgent-appeal"), "--comment", "c" * size,
                              "--as", SUP_OHCHR), "comment", "too long")


def test_a_field_of_exactly_the_limit_is_taken(app, cli):
    ref = _drafting(app)
    ok(cli("letter", "set", ref, "facts", "--text", "x" * LIMIT, "--as", OFFICER))
    [letter] = app.services.get_action(ref)["letters"]
    assert len(letter["fields"]["facts"]) == LIMIT


def test_a_field_read_from_a_file_or_standard_input_is_bounded_too(app, cli, tmp_path):
    ref = _drafting(app)
    big = tmp_path / "facts.txt"
    big.write_text("y" * 8_000_000)
    assert_refused(app, cli, ("letter", "set", ref, "facts", "--file", str(big), "--as", OFFICER), "too long")
    assert_refused(app, cli, ("letter", "set", ref, "facts", "--file", "-", "--as", OFFICER), "too long",
                   input="z" * (LIMIT + 5))


def test_the_limit_is_a_setting(app, cli):
    ref = _drafting(app)
    app.settings = app.settings.model_copy(update={"max_field_chars": 10})
    assert_refused(app, cli, ("letter", "set", ref, "facts", "--text", "x" * 11, "--as", OFFICER), "at most 10")
    ok(cli("letter", "set", ref, "facts", "--text", "x" * 10, "--as", OFFICER))


def test_the_services_refuse_the_same_for_every_caller(app):
    """The web and the command line call these: one check for both."""
    from ..helpers import seed  # noqa: F401  (the `cli` fixture seeded already in other tests)

    app.settings = app.settings.model_copy(update={"max_field_chars": 50})
    app.services.add_user(email="o@ohchr.test", name="O", organisation="ohchr", role="officer")
    before = count_rows(app)
    for call in [
        lambda: app.services.add_user(email="p@ohchr.test", name="\u200b", organisation="ohchr", role="officer"),
        lambda: app.services.add_recipient(country="HND", kind="foreign-ministry", email="m@hnd.test",
                                       name="n" * 51),
        lambda: app.services.open_action(type="urgent-appeal", country="HND", title="\x00", officer="o@ohchr.test"),
        lambda: app.services.open_action(type="urgent-appeal", country="HND", title="T", officer="o@ohchr.test",
                                     beneficiaries=["\ufeff"]),
    ]:
        with pytest.raises(InvalidInput):
            call()
    assert count_rows(app) == before


# ---------------------------------------------------------------- dates and deadlines


@pytest.mark.parametrize(("to", "words"), [
    ("9999-12-31", ["between 2000-01-01 and 2100-12-31", "9999-12-31"]),  # the issue's
    ("9999-12-31T23:59:59+00:00", ["between 2000-01-01 and 2100-12-31"]),
    ("2100-12-31T23:30:00-23:00", ["between 2000-01-01 and 2100-12-31"]),  # UTC: 2101
    ("0001-01-01", ["between 2000-01-01 and 2100-12-31"]),
    ("2100-12-31", ["more than 10 years ahead"]),
    ("2037-01-01", ["more than 10 years ahead"]),
    ("２０２６-11-20", ["YYYY-MM-DD"]),
    ("2026-11-2٠", ["YYYY-MM-DD"]),
    ("2026-11-20T10:00:00+99:00", ["YYYY-MM-DD"]),
])
def test_a_deadline_cannot_be_extended_out_of_bounds(app, cli, to, words):
    ref = open_at_gate(app, "urgent-appeal")
    assert_refused(app, cli, ("deadline", "extend", ref, "approval_sla", "--to", to, "--reason", "x",
                              "--as", OFFICER), *words)


def test_a_deadline_can_be_extended_to_nearly_ten_years_ahead(app, cli):
    ref = open_at_gate(app, "urgent-appeal")
    out = ok(cli("deadline", "extend", ref, "approval_sla", "--to", "2036-06-01", "--reason", "x", "--as", OFFICER))
    assert "2036-06-01" in out


def test_a_deadline_set_by_a_rule_is_within_bounds_too():
    from coordination.domain.bounds import check_deadline

    now = datetime(2026, 11, 2, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="more than 10 years ahead"):
        check_deadline("the review deadline", datetime(2040, 1, 1, tzinfo=UTC), now)
    with pytest.raises(InvalidInput, match="more than a day in the past"):
        check_deadline("the review deadline", datetime(2026, 10, 1, tzinfo=UTC), now)


def _store_far_due_dates(app, ref: str) -> None:
    """What a version before the bounds let in: deadlines due in 9999 (and one in 2000), in the table."""
    with app.engine.begin() as connection:
        ids = [row[0] for row in connection.exec_driver_sql(
            "SELECT d.id FROM deadlines d JOIN action_references r ON r.action_id = d.action_id "
            f"WHERE r.value = '{ref}' AND d.status = 'open' ORDER BY d.id")]
        connection.execute(sa.text("UPDATE deadlines SET due_at = :due WHERE id = :id"),
                           {"due": datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), "id": ids[0]})
        connection.execute(sa.text("UPDATE deadlines SET due_at = :due WHERE id = :id"),
                           {"due": datetime(2000, 1, 1, tzinfo=UTC), "id": ids[1]})


def test_deadlines_stored_far_ahead_break_neither_the_feed_nor_the_listings(app, cli, tmp_path):
    ref = open_at_gate(app, "urgent-appeal")
    _store_far_due_dates(app, ref)

    exported = ok(cli("calendar", "export"))  # was: 45 lines ending in OverflowError
    assert len(Calendar.from_ical(exported).walk("VEVENT")) == 2
    assert "DTSTART:99991231T235959Z" in exported and "DTSTART:20000101T000000Z" in exported
    ok(cli("calendar", "export", "--user", SUP_OHCHR))
    target = tmp_path / "feed.ics"
    ok(cli("calendar", "export", "--output", str(target)))
    assert target.read_bytes().count(b"BEGIN:VEVENT") == 2
    assert "9999-12-31T23:59:59Z" in ok(cli("deadline", "list"))
    ok(cli("deadline", "list", "--json"))
    ok(cli("deadline", "list", "--overdue"))
    ok(cli("action", "show", ref))
    ok(cli("reminders", "send", "--dry-run"))


@pytest.mark.parametrize("value", ["1e308", "nan", "inf", "-inf", "-1", "3654", "NaN", "1e3000", "ten"])
def test_deadline_list_due_within_takes_a_finite_number_of_days(app, cli, value):
    usage_error(cli("deadline", "list", "--due-within", value), "--due-within")


def test_deadline_list_due_within_takes_zero_to_ten_years(app, cli):
    open_at_gate(app, "urgent-appeal")
    for value in ("0", "0.5", "3", "3653"):
        ok(cli("deadline", "list", "--due-within", value))
    for value in (math.nan, math.inf, 1e308, -1):
        with pytest.raises(InvalidInput):
            app.services.list_deadlines(due_within=value)


@pytest.mark.parametrize(("now", "words"), [
    ("9999-12-31T23:59:59+00:00", ["--now", "between 2000-01-01 and 2100-12-31"]),  # the issue's
    ("1999-12-31T23:59:59+00:00", ["--now", "between 2000-01-01 and 2100-12-31"]),
    ("2100-12-31T23:59:59-12:00", ["--now", "between 2000-01-01 and 2100-12-31"]),
    ("0001-01-01T00:00:00+00:00", ["--now", "between"]),
    ("٢٠٢٦-11-03T10:00:00+00:00", ["--now", "not an ISO 8601 time"]),
    ("2026-11-03T10:00:00+24:00", ["--now", "not an ISO 8601 time"]),
])
@pytest.mark.parametrize("dry_run", [False, True])
def test_reminders_send_now_is_bounded(app, cli, now, words, dry_run):
    open_at_gate(app, "urgent-appeal")
    assert_refused(app, cli, ("reminders", "send", "--now", now, *(["--dry-run"] if dry_run else [])), *words)


def test_a_reply_date_out_of_the_window_is_refused(app, cli):
    from .test_cli import at_waiting

    ref = at_waiting(app, "urgent-appeal")
    for received, words in [("9999-12-31", "between"), ("0001-01-01", "between"), ("2026-11-0٢", "YYYY-MM-DD"),
                            ("2026-W45-1", "YYYY-MM-DD")]:
        assert_refused(app, cli, ("action", "record-reply", ref, "--received-on", received, "--as", OFFICER),
                       *words.split())


# ---------------------------------------------------------------- numbers and ports


@pytest.mark.parametrize("args", [
    ("web", "--port", "99999"), ("web", "--port", "0"), ("web", "--port", "-1"), ("web", "--port", "1e3"),
    ("serve", "--prefect-port", "70000"), ("serve", "--prefect-port", "0"), ("serve", "--web-port", "65536"),
    ("serve", "--web-port", "-5"), ("outbox", "send", "--limit", "0"),
    ("outbox", "send", "--limit", "100000000000000000000000"),
])
def test_ports_and_counts_out_of_range_are_usage_errors(app, invoke, args):
    before = count_rows(app)
    usage_error(invoke(*args), "Invalid value")
    assert count_rows(app) == before


def test_an_smtp_port_setting_out_of_range_is_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("COORDINATION_DATA_DIR", str(tmp_path))
    for value in ("99999", "0", "-25", "smtp"):
        monkeypatch.setenv("COORDINATION_SMTP_PORT", value)
        coordination.cli._app.cache_clear()
        try:
            result = runner.invoke(coordination.cli.app, ["outbox", "send"])
        finally:
            coordination.cli._app.cache_clear()
        assert result.exit_code == 1 and result.stdout == ""
        [line] = result.stderr.splitlines()
        assert line.startswith("error: COORDINATION_SMTP_PORT is not valid"), line


# ---------------------------------------------------------------- PDF rendering bounded in time


def test_a_pdf_that_takes_too_long_is_stopped_with_one_line(app, cli, tmp_path):
    ref = _drafting(app)
    app.services.edit_letter(reference=ref, field="facts", value="word " * 19_000, editor=OFFICER)
    app.renderer.pdf_timeout = 0.3
    target = tmp_path / "slow.pdf"
    started = time.monotonic()
    line = assert_refused(app, cli, ("letter", "show", ref, "--format", "pdf", "--output", str(target)),
                          "took longer than 0.3 s", "COORDINATION_PDF_TIMEOUT_SECONDS")
    assert time.monotonic() - started < 10
    assert not target.exists() and "Traceback" not in line
    assert multiprocessing.active_children() == []  # the renderer was stopped, not left running

    app.renderer.pdf_timeout = 60  # the default: the same letter renders
    ok(cli("letter", "show", ref, "--format", "pdf", "--output", str(target)))
    assert target.read_bytes().startswith(b"%PDF")


def test_the_pdf_timeout_is_a_setting():
    from coordination.bootstrap import bootstrap
    from coordination.config import Settings

    app = bootstrap(Settings(database_url="sqlite://", pdf_timeout_seconds=7.5))
    assert app.renderer.pdf_timeout == 7.5
    with pytest.raises(pydantic.ValidationError):
        Settings(pdf_timeout_seconds=math.inf)


# ---------------------------------------------------------------- the unexpected: one line, the traceback in errors.log


def test_an_unexpected_error_is_one_line_and_its_traceback_goes_to_errors_log(app, cli, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("details that stay off the terminal")

    monkeypatch.setattr(services, "list_actions", broken)
    result = cli("action", "list")
    assert result.exit_code == 1 and result.stdout == ""
    [line] = result.stderr.splitlines()
    log = app.settings.data_dir / "errors.log"
    assert line == f"error: internal error (ZeroDivisionError); details in {log}"
    assert "Traceback" not in result.stderr and "details that stay" not in result.stderr
    text = log.read_text()
    assert "Traceback (most recent call last)" in text and "details that stay off the terminal" in text
    assert os.stat(log).st_mode & 0o777 == 0o600


def test_main_turns_an_error_outside_any_command_into_one_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("COORDINATION_DATA_DIR", str(tmp_path))

    def broken() -> None:
        raise RuntimeError("before any command")

    monkeypatch.setattr(coordination.cli, "app", broken)
    with pytest.raises(SystemExit) as exit_:
        coordination.cli.main()
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert err == f"error: internal error (RuntimeError); details in {tmp_path / 'errors.log'}\n"


def test_refusals_leave_every_row_as_it_was(app, cli):
    """A last sweep over the refusals above: all of them together changed nothing."""
    ref = open_at_gate(app, "urgent-appeal")
    rows = _rows(app)
    for args in [
        ("deadline", "extend", ref, "approval_sla", "--to", "9999-12-31", "--reason", "x", "--as", OFFICER),
        ("action", "reject", ref, "--comment", "\u200b", "--as", SUP_OHCHR),
        ("action", "approve", ref, "--comment", "\x00", "--as", SUP_OHCHR),
        ("reminders", "send", "--now", "9999-12-31T23:59:59+00:00"),
        ("letter", "set", ref, "facts", "--text", LETTERS["urgent_appeal"]["facts"] + "\x1b", "--as", OFFICER),
    ]:
        assert cli(*args).exit_code == 1
    assert _rows(app) == rows
