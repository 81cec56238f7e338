"""A decision binds to the letters its supervisor saw: `--seen` on the command line, and the
audit event records the hashes decided on. (The web forms: tests/web/test_stale_decisions.py.)"""

import sqlalchemy as sa

from ..conftest import count_rows
from ..helpers import OFFICER, SUP_IACHR, SUP_OHCHR, open_at_gate
from .test_cli import ok


def _letter(app, ref: str, name: str = "urgent_appeal") -> dict:  # type: ignore[no-untyped-def]
    return next(l for l in app.services.get_action(ref)["letters"] if l["name"] == name)


def _last(app, ref: str, name: str) -> dict:  # type: ignore[no-untyped-def]
    return next(e for e in reversed(app.services.get_action(ref)["history"]) if e["event"] == name)


def test_an_approval_on_the_short_hash_action_show_prints_is_accepted_and_recorded(app, cli):
    ref = open_at_gate(app, "urgent-appeal")
    short = _letter(app, ref)["sha256"][:12]
    assert f"sha256:{short}" in ok(cli("action", "show", ref))

    out = ok(cli("action", "approve", ref, "--as", SUP_OHCHR, "--seen", short))

    assert "Approval recorded" in out
    event = _last(app, ref, "ApprovalGranted")
    assert event["actor"] == SUP_OHCHR
    assert event["details"]["letters"] == {"urgent_appeal": _letter(app, ref)["sha256"]}


def test_an_approval_after_the_letter_changed_is_refused_in_one_line_and_writes_nothing(app, cli):
    ref = open_at_gate(app, "urgent-appeal")
    seen = _letter(app, ref)["sha256"][:12]  # what the supervisor read
    app.services.edit_letter(reference=ref, field="interim_measures", value="Something else entirely.",
                         editor=OFFICER)
    before = count_rows(app)

    result = cli("action", "approve", ref, "--as", SUP_OHCHR, "--seen", seen)

    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == ("error: the letters changed since you saw them: urgent_appeal is now version 9 "
                             "(you saw version 8)\n")
    assert count_rows(app) == before


def test_a_rejection_is_bound_the_same_way(app, cli):
    ref = open_at_gate(app, "urgent-appeal")
    seen = _letter(app, ref)["sha256"]
    app.services.edit_letter(reference=ref, field="concerns", value="New concerns.", editor=OFFICER)
    before = count_rows(app)
    result = cli("action", "reject", ref, "--as", SUP_IACHR, "--comment", "No.", "--seen", seen)
    assert result.exit_code == 1 and "changed since you saw them" in result.stderr
    assert count_rows(app) == before

    current = _letter(app, ref)["sha256"]
    ok(cli("action", "reject", ref, "--as", SUP_IACHR, "--comment", "No.", "--seen", current))
    event = _last(app, ref, "StageRejected")
    assert event["details"]["letters"] == {"urgent_appeal": current}


def test_every_letter_at_the_gate_must_be_named_and_each_name_must_be_one_of_its_versions(app, cli):
    ref = open_at_gate(app, "precautionary-measure")  # two letters at the gate
    ack = _letter(app, ref, "acknowledgement")["sha256"][:12]
    rfi = _letter(app, ref, "request_for_information")["sha256"][:12]
    before = count_rows(app)
    cases = [
        (("--seen", ack), "request_for_information is missing"),
        (("--seen", ack, "--seen", "0123456789ab"), "has a version 0123456789ab"),
        (("--seen", ack[:6], "--seen", rfi), "first 12 characters"),
        (("--seen", "not a hash!!", "--seen", rfi), "first 12 characters"),
    ]
    for args, words in cases:
        result = cli("action", "approve", ref, "--as", SUP_IACHR, *args)
        assert result.exit_code == 1 and words in result.stderr and len(result.stderr.splitlines()) == 1, args
    assert count_rows(app) == before
    ok(cli("action", "approve", ref, "--as", SUP_IACHR, "--seen", ack.upper(), "--seen", rfi))


def test_a_letter_edited_back_to_the_text_seen_is_the_same_letter(app, cli):
    ref = open_at_gate(app, "urgent-appeal")
    seen = _letter(app, ref)["sha256"]
    original = app.services.get_action(ref)["letters"][0]["fields"]["concerns"]
    app.services.edit_letter(reference=ref, field="concerns", value="Changed.", editor=OFFICER)
    app.services.edit_letter(reference=ref, field="concerns", value=original, editor=OFFICER)
    _, met = app.services.approve_stage(reference=ref, supervisor=SUP_OHCHR, seen=[seen])
    assert not met  # recorded on exactly the text seen


def test_the_approvals_table_and_the_event_agree_on_what_was_decided(app, cli):
    ref = open_at_gate(app, "urgent-appeal")
    seen = _letter(app, ref)["sha256"]
    app.services.approve_stage(reference=ref, supervisor=SUP_OHCHR, seen=[seen])
    with app.engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT letters_sha256 FROM approvals")).scalar_one()
    event = _last(app, ref, "ApprovalGranted")["details"]
    assert event["letters_sha256"] == stored and event["letters"] == {"urgent_appeal": seen}
