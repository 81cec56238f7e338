"""`letter show`, `letter diff`, `outbox list` and `outbox send` through the command line.

The real Typer app runs in-process through click's CliRunner, against the test's app
(tests/conftest.py: SQLite and PostgreSQL in turn, a clock fixed at Monday 2026-11-02 09:00
UTC). Delivery goes to a real aiosmtpd server on loopback (SmtpServer of test_delivery.py).
Actions opened in HND and MEX write their letters in Spanish, the State's language.
Refusals are checked with assert_refused: exit 1, one stderr line, nothing written.
"""

import hashlib
import json

import pytest
from typer.testing import Result

import coordination.cli

from ..golden.test_pdfa import pdf_objects
from ..helpers import OFFICER, dispatched, open_at_gate, seed
from .test_cli import ok, runner
from .test_cli_refusals import assert_refused

SCRIPT = "<script>alert(1)</script>"
DISPATCH_DAY_ES = "2 de noviembre de 2026"  # the fixed clock's day, as the Spanish letters write it
GTM_RECIPIENTS = {"minex@gtm.test", "oea@gtm.test", "ginebra@gtm.test"}


# ---------------------------------------------------------------- driving the CLI


@pytest.fixture
def invoke(app, monkeypatch):
    """Run a `coordination` command against the test's app."""
    monkeypatch.setattr(coordination.cli, "_app", lambda: app)

    def run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(coordination.cli.app, list(args), input=input)

    return run


@pytest.fixture
def cli(app, invoke):
    """Like `invoke`, with the users and State recipients of tests/helpers.py."""
    seed(app)
    return invoke


@pytest.fixture
def mail_app(app, smtp):
    """The app, sending to the loopback SMTP server (`smtp`, tests/integration/conftest.py),
    retrying at once within a run; `cli` has seeded its users already."""
    app.settings = app.settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_tls": "none", "smtp_timeout": 5.0,
        "smtp_retry_delays": (0.0,), "mail_from": "joint-actions@coordination.test",
    })
    return app


def outbox(cli, *options: str) -> list[dict]:
    return json.loads(ok(cli("outbox", "list", "--json", *options)))


def one_line(result: Result) -> str:
    """A failure reported on exactly one stderr line, without a traceback; returns it."""
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr, result.exception)
    assert isinstance(result.exception, SystemExit), f"a crash, not a refusal: {result.exception!r}"
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


# ---------------------------------------------------------------- letter show


def test_letter_show_prints_the_text_of_the_current_stages_letter(app, cli):
    ref = open_at_gate(app, "urgent-appeal")

    out = ok(cli("letter", "show", ref))

    assert out.splitlines()[0].startswith("NACIONES UNIDAS")
    assert f"Referencia: {ref}" in out
    assert f"Ginebra y Washington, D.C., {DISPATCH_DAY_ES}" in out
    assert "Tenemos el honor de dirigirnos a Usted" in out  # the Spanish urgent appeal
    assert "FACTS-SECRET-7731 the defender was threatened." in out
    assert "1. First question?\n2. Second question?" in out
    # text, every required field set (the signature blocks are vacant here while the services pass no signers)
    assert "<html" not in out and "[" not in out.replace("[vacante]", "")


def test_letter_show_as_html_escapes_a_field_containing_a_script_tag(app, cli):
    ref = open_at_gate(app, "urgent-appeal", letters={"urgent_appeal": {"facts": f"{SCRIPT} facts"}})

    out = ok(cli("letter", "show", ref, "--format", "html"))

    assert out.startswith("<!DOCTYPE html>") and '<html lang="es">' in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt; facts" in out
    assert "<script" not in out
    assert SCRIPT in ok(cli("letter", "show", ref))  # plain text shows it as written


def test_letter_show_as_pdf_with_output_writes_the_file_and_confirms_in_one_line(app, cli, tmp_path):
    ref = open_at_gate(app, "urgent-appeal")
    path = tmp_path / "appeal.pdf"

    out = ok(cli("letter", "show", ref, "--format", "pdf", "--output", str(path)))

    assert path.read_bytes().startswith(b"%PDF-")
    assert path.read_bytes().rstrip().endswith(b"%%EOF")
    sha = app.services.get_action(ref)["letters"][0]["sha256"][:12]
    assert out.splitlines() == [f"Wrote urgent_appeal (draft v8, sha256 {sha}) in es as pdf to {path}."]


def test_letter_show_as_pdf_without_output_writes_the_pdf_bytes_to_a_stdout_that_is_not_a_tty(app, cli):
    ref = open_at_gate(app, "urgent-appeal")

    result = cli("letter", "show", ref, "--format", "pdf")

    assert result.exit_code == 0, (result.stderr, result.exception)
    assert result.stderr_bytes == b""
    assert result.stdout_bytes.startswith(b"%PDF-")
    assert result.stdout_bytes.rstrip().endswith(b"%%EOF")


def test_letter_show_with_language_fr_previews_a_spanish_action_in_french(app, cli):
    ref = open_at_gate(app, "precautionary-measure")  # MEX: Spanish letters
    spanish = ok(cli("letter", "show", ref))
    assert "México" in spanish and DISPATCH_DAY_ES in spanish

    french = ok(cli("letter", "show", ref, "--language", "fr"))

    assert "Gouvernement du Mexique" in french
    assert "Genève et Washington, D.C., 2 novembre 2026" in french
    assert "Référence :" in french
    assert "México" not in french and "noviembre" not in french
    # a preview only: the action and its letters stay in Spanish
    view = app.services.get_action(ref)
    assert view["language"] == "es" and {l["language"] for l in view["letters"]} == {"es"}
    assert ok(cli("letter", "show", ref)) == spanish


def test_letter_show_with_letter_shows_the_named_letter_instead_of_the_current_stages(app, cli):
    ref = open_at_gate(app, "precautionary-measure")  # at the request for information's gate

    current = ok(cli("letter", "show", ref))
    named = ok(cli("letter", "show", ref, "--letter", "acknowledgement"))

    assert "Surveillance and threats." in current and "A journalist is under threat." not in current
    assert "A journalist is under threat." in named and "Requester Org" in named
    assert "Surveillance and threats." not in named


def test_letter_show_refuses_a_letter_name_the_action_does_not_have_in_one_line(app, cli):
    ref = open_at_gate(app, "urgent-appeal")

    assert_refused(app, cli, ("letter", "show", ref, "--letter", "memo"), "no letter", "memo")
    # a letter of a later stage is not there yet either
    pm = open_at_gate(app, "precautionary-measure")
    assert_refused(app, cli, ("letter", "show", pm, "--letter", "resolution"), "resolution", "not been reached")


def test_letter_show_with_output_into_a_directory_that_does_not_exist_exits_1_in_one_line(app, cli, tmp_path):
    ref = open_at_gate(app, "urgent-appeal")
    path = tmp_path / "missing" / "appeal.txt"

    line = assert_refused(app, cli, ("letter", "show", ref, "--output", str(path)), "cannot write", str(path))

    assert "No such file or directory" in line
    assert not path.parent.exists()


# ---------------------------------------------------------------- a dispatched letter is frozen


def test_a_dispatched_letter_shows_exactly_the_text_frozen_at_dispatch_after_the_clock_moves_on(app, cli, clock):
    ref = dispatched(app, "urgent-appeal")
    at_dispatch = ok(cli("letter", "show", ref))
    assert f"Ginebra y Washington, D.C., {DISPATCH_DAY_ES}" in at_dispatch

    clock.advance(days=3)

    assert ok(cli("letter", "show", ref)) == at_dispatch
    assert ok(cli("letter", "show", ref, "--language", "es")) == at_dispatch  # its own language: still frozen
    html = ok(cli("letter", "show", ref, "--format", "html"))
    assert DISPATCH_DAY_ES in html and "5 de noviembre" not in html
    # what is not frozen renders on the new day: the clock did move
    assert "5 novembre 2026" in ok(cli("letter", "show", ref, "--language", "fr"))


def test_the_pdf_of_a_dispatched_letter_is_byte_identical_across_two_letter_show_calls(app, cli, clock, tmp_path):
    ref = dispatched(app, "urgent-appeal")
    first = cli("letter", "show", ref, "--format", "pdf")
    clock.advance(days=3)
    path = tmp_path / "again.pdf"

    confirmation = ok(cli("letter", "show", ref, "--format", "pdf", "--output", str(path)))

    assert first.exit_code == 0 and first.stdout_bytes.startswith(b"%PDF-")
    assert path.read_bytes() == first.stdout_bytes
    sha = app.services.get_action(ref)["letters"][0]["sha256"][:12]
    assert confirmation == f"Wrote urgent_appeal (as dispatched, sha256 {sha}) in es as pdf to {path}.\n"


def test_action_show_json_gives_the_sha256_of_the_pdf_as_dispatched_and_audit_verify_checks_it(app, cli, clock):
    """The PDF/A is made again from the frozen HTML on each download, byte for byte: the sha256 kept
    at dispatch is that of every later download (issue 13, part 7)."""
    draft = open_at_gate(app, "urgent-appeal")
    assert json.loads(ok(cli("action", "show", draft, "--json")))["letters"][0]["pdf_sha256"] is None
    ref = dispatched(app, "urgent-appeal")
    clock.advance(days=3)

    shown = json.loads(ok(cli("action", "show", ref, "--json")))["letters"][0]
    pdf = cli("letter", "show", ref, "--format", "pdf").stdout_bytes

    assert shown["pdf_sha256"] == hashlib.sha256(pdf).hexdigest()
    catalog = next(head for head, _ in pdf_objects(pdf).values() if b"/Type /Catalog" in head)
    assert b"/GTS_PDFA1" in catalog and b"/Lang (es)" in catalog
    assert "Audit trail intact" in ok(cli("audit", "verify"))  # the DispatchQueued event carries it too


# ---------------------------------------------------------------- letter diff


@pytest.fixture
def edited(app, cli) -> str:
    """An urgent appeal at its gate (v7: every field set; v8: its signers, bound by the system at the
    submission), then its concerns rewritten (v9, bound to the same signers)."""
    ref = open_at_gate(app, "urgent-appeal")
    ok(cli("letter", "set", ref, "concerns", "--text", "Graver concerns.\nAnd a second line.", "--as", OFFICER))
    return ref


def test_letter_diff_shows_the_field_changed_in_the_last_edit_as_a_unified_diff(cli, edited):
    out = ok(cli("letter", "diff", edited, "--letter", "urgent_appeal"))

    lines = out.splitlines()
    assert lines[:2] == ["--- concerns (v8)", "+++ concerns (v9)"]
    assert lines[2].startswith("@@ ")
    assert lines[3:] == ["-We are concerned.", "+Graver concerns.", "+And a second line."]


def test_letter_diff_from_1_to_the_current_version_covers_every_field_set(cli, edited):
    out = ok(cli("letter", "diff", edited, "--letter", "urgent_appeal", "--from", "1", "--to", "9"))

    headers = [l for l in out.splitlines() if l.startswith("--- ")]
    assert headers == [f"--- {f} (v1)" for f in
                       ("mandates", "subject", "facts", "concerns", "questions", "interim_measures", "signers")]
    lines = out.splitlines()
    assert "+FACTS-SECRET-7731 the defender was threatened." in lines
    assert "+First question?" in lines and "+Second question?" in lines
    assert "+Graver concerns." in lines
    assert "-We are concerned." not in lines  # set between v1 and v9: not in either version
    assert "+defenders: Ana Example" in lines and "+iachr-executive-secretary: Carmen Ejemplo" in lines
    assert "legal_annex" not in out  # optional and never set: unchanged


@pytest.mark.parametrize("options, wrong", [
    (("--to", "99"), "99"),
    (("--from", "12"), "12"),
    (("--from", "10", "--to", "12"), "10"),
])
def test_letter_diff_refuses_a_version_the_letter_does_not_have_naming_the_valid_range(
        app, cli, edited, options, wrong):
    line = assert_refused(app, cli, ("letter", "diff", edited, "--letter", "urgent_appeal", *options),
                          "versions 1 to 9")
    assert line.endswith(f"not {wrong}")


@pytest.mark.parametrize("option", ["--from", "--to"])
def test_letter_diff_refuses_version_0(app, cli, edited, option):
    assert_refused(app, cli, ("letter", "diff", edited, "--letter", "urgent_appeal", option, "0"),
                   "versions 1 to 9")


def test_letter_diff_refuses_from_after_to(app, cli, edited):
    assert_refused(app, cli, ("letter", "diff", edited, "--letter", "urgent_appeal", "--from", "8", "--to", "3"),
                   "--from (8)", "--to (3)")


def test_letter_diff_prints_no_change_when_an_edit_was_undone(app, cli, edited):
    ok(cli("letter", "set", edited, "concerns", "--text", "We are concerned.", "--as", OFFICER))  # v10 = v8

    assert ok(cli("letter", "diff", edited, "--letter", "urgent_appeal", "--from", "8", "--to", "10")) == (
        "urgent_appeal: no change between v8 and v10.\n")
    assert ok(cli("letter", "diff", edited, "--letter", "urgent_appeal")).startswith("--- concerns (v9)")


# ---------------------------------------------------------------- outbox list and send


def test_outbox_list_json_lists_the_rows_of_a_dispatch_as_pending(app, cli):
    assert outbox(cli) == []
    ref = dispatched(app, "country-communication")

    rows = outbox(cli)

    assert {r["recipient"] for r in rows} == GTM_RECIPIENTS and len(rows) == 3
    assert {(r["reference"], r["letter"], r["status"], r["attempts"], r["last_error"], r["sent_at"])
            for r in rows} == {(ref, "communication", "pending", 0, None, None)}
    assert len({r["message_id"] for r in rows}) == 3
    assert outbox(cli, "--status", "sent") == []
    table = ok(cli("outbox", "list")).splitlines()
    assert table[0].split() == ["REFERENCE", "MESSAGE", "RECIPIENT", "STATUS", "TRIES", "LAST", "ERROR"]
    assert len(table) == 4 and all(" pending " in f"{l} " for l in table[1:])


def test_outbox_send_delivers_every_pending_row_to_the_smtp_server_and_marks_it_sent(mail_app, cli, smtp):
    dispatched(mail_app, "country-communication")
    before = outbox(cli)

    out = ok(cli("outbox", "send"))

    assert out == "Sent 3, deferred 0, failed 0.\n"
    assert sorted(e.rcpt_tos[0] for e in smtp.handler.messages) == sorted(GTM_RECIPIENTS)
    sent = outbox(cli, "--status", "sent")
    assert sorted(r["id"] for r in sent) == sorted(r["id"] for r in before)
    assert all(r["attempts"] == 1 and r["sent_at"] for r in sent)
    assert outbox(cli, "--status", "pending") == []
    assert ok(cli("outbox", "send")) == "Sent 0, deferred 0, failed 0.\n"  # nothing twice
    assert len(smtp.handler.messages) == 3


def test_outbox_send_with_the_server_down_exits_1_counts_deferred_and_leaves_rows_pending(
        mail_app, cli, smtp, clock):
    dispatched(mail_app, "country-communication")
    smtp.stop()

    result = cli("outbox", "send")

    assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == "Sent 0, deferred 3, failed 0.\n"
    assert len(result.stderr.splitlines()) == 3 and "Traceback" not in result.stderr
    rows = outbox(cli)
    assert {(r["status"], r["attempts"]) for r in rows} == {("pending", 1)}
    assert all(r["last_error"] and r["next_attempt_at"] for r in rows)
    # nothing was lost: once the server is back and the backoff has passed, all go out
    smtp.start()
    clock.advance(minutes=1)
    assert ok(cli("outbox", "send")) == "Sent 3, deferred 0, failed 0.\n"
    assert sorted(e.rcpt_tos[0] for e in smtp.handler.messages) == sorted(GTM_RECIPIENTS)


def test_outbox_send_without_an_smtp_host_exits_1_in_one_line_and_claims_nothing(app, cli):
    app.settings = app.settings.model_copy(update={"smtp_host": None})
    dispatched(app, "urgent-appeal")
    before = outbox(cli)

    assert_refused(app, cli, ("outbox", "send"), "COORDINATION_SMTP_HOST")

    assert outbox(cli) == before
    assert [(r["status"], r["attempts"]) for r in before] == [("pending", 0)]


def test_after_a_5xx_answer_action_show_shows_the_failed_row_and_its_error(mail_app, cli, smtp):
    ref = dispatched(mail_app, "urgent-appeal")
    smtp.handler.replies = ["550 5.1.1 No such mailbox"]

    result = cli("outbox", "send")

    assert result.stdout == "Sent 0, deferred 0, failed 1.\n"
    assert one_line(result) == f"  {ref} urgent_appeal: 550 5.1.1 No such mailbox"
    assert smtp.handler.messages == []
    human = ok(cli("action", "show", ref)).splitlines()
    section = human[human.index("Outbox:") + 1:]
    assert section[0] == ("  urgent_appeal v8 → mission@hnd-geneva.test (permanent-mission-geneva) "
                          "FAILED — 550 5.1.1 No such mailbox")
    view = json.loads(ok(cli("action", "show", ref, "--json")))
    assert view["outbox"][0]["status"] == "failed"
    assert view["outbox"][0]["last_error"] == "550 5.1.1 No such mailbox"
    assert [r["status"] for r in outbox(cli, "--status", "failed")] == ["failed"]


def test_letter_set_with_several_fields_makes_one_version(app, cli):
    ref = app.services.open_action(type="urgent-appeal", country="HND", title="T", officer=OFFICER,
                                   beneficiaries=["B"]).reference
    app.services.submit_stage(reference=ref, officer=OFFICER)  # intake → drafting
    out = ok(cli("letter", "set", ref, "--field", "subject=amenazas", "--field", "facts=Hechos = graves.",
                 "--as", OFFICER))
    assert out.startswith("urgent_appeal is now version 2 ")
    letter = app.services.get_action(ref)["letters"][0]
    assert letter["version"] == 2 and letter["fields"]["facts"] == "Hechos = graves."  # split at the first '='
    assert ok(cli("letter", "set", ref, "--field", "subject=amenazas", "--as", OFFICER)) == \
        "Nothing changed: no new version.\n"
    for args, said in (
        (("--field", "subject"), "NAME=VALUE"),
        (("--field", "subject=a", "--field", "subject=b"), "twice"),
        (("--field", "nope=x", "--field", "subject=new"), "no field 'nope'"),
        (("--field", "subject=new", "--field", "facts=  "), "cannot be empty"),
        (("subject", "--text", "x", "--field", "facts=y"), "not both"),
        ((), "name the field"),
    ):
        assert_refused(app, cli, ("letter", "set", ref, *args, "--as", OFFICER), said)
    assert app.services.get_action(ref)["letters"][0]["version"] == 2


def test_letter_set_reads_several_fields_from_files_in_one_version(app, cli, tmp_path):
    """A draft is one command: --file NAME=PATH (repeatable, '-' for standard input once) with --field."""
    ref = app.services.open_action(type="urgent-appeal", country="HND", title="T", officer=OFFICER,
                                   beneficiaries=["B"]).reference
    app.services.submit_stage(reference=ref, officer=OFFICER)  # intake → drafting
    facts = tmp_path / "facts=draft.txt"  # a path may hold '=': the name ends at the first one
    facts.write_text("Los hechos,\nen dos líneas.", encoding="utf-8")
    out = ok(cli("letter", "set", ref, "--field", "subject=amenazas", "--file", f"facts={facts}",
                 "--file", "concerns=-", "--as", OFFICER, input="Nos preocupa."))
    assert out.startswith("urgent_appeal is now version 2 ")
    letter = app.services.get_action(ref)["letters"][0]
    assert letter["version"] == 2
    assert {k: letter["fields"][k] for k in ("subject", "facts", "concerns")} == {
        "subject": "amenazas", "facts": "Los hechos,\nen dos líneas.", "concerns": "Nos preocupa."}
    assert ok(cli("letter", "set", ref, "concerns", "--file", "-", "--as", OFFICER, input="Otra.")) \
        .startswith("urgent_appeal is now version 3 ")  # FIELD --file PATH as before
    missing = tmp_path / "missing.txt"
    for args, said in (
        (("--file", str(facts)), "NAME=PATH"),
        (("--file", str(missing)), "NAME=PATH"),
        (("--file", "facts=-", "--file", "concerns=-"), "standard input ('-') once"),
        (("--field", "facts=x", "--file", f"facts={facts}"), "--file facts is given twice"),
        (("--field", "subject=new", "--file", f"facts={missing}"), "cannot read"),
        (("--field", "subject=new", "--file", f"nope={facts}"), "no field 'nope'"),
        (("subject", "--file", str(facts), "--file", str(facts)), "exactly one of --text or --file"),
        (("subject", "--text", "x", "--file", f"facts={facts}"), "exactly one of --text or --file"),
    ):
        assert_refused(app, cli, ("letter", "set", ref, *args, "--as", OFFICER), said)
    assert app.services.get_action(ref)["letters"][0]["version"] == 3
