"""The whole life of an action on the command line (issue 12, part 1): withdraw, close, reopen, link.

SQLite and PostgreSQL in turn (tests/conftest.py). What a withdrawal or a closure cancels is
checked where it matters: the deadlines' rows, the reconciler's runs, and a real SMTP server
(aiosmtpd) that must receive nothing. Every refusal writes nothing (every row compared).
"""

import pytest

from ..helpers import OFFICER, OFFICER_IACHR, SUP_IACHR, SUP_OHCHR, dispatched, open_at_gate
from .test_cli import ok, show
from .test_cli_refusals import assert_refused
from .test_delivery import SmtpServer


def _events(view: dict) -> list[str]:
    return [e["event"] for e in view["history"]]


def _intact(cli) -> None:
    assert "Audit trail intact" in ok(cli("audit", "verify"))


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def _mail_to(app, smtp) -> None:
    app.settings = app.settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_tls": "none", "smtp_timeout": 5.0,
        "smtp_retry_delays": (0.0,), "mail_from": "joint-actions@coordination.test",
    })


# ---------------------------------------------------------------- withdraw


def test_an_officer_of_the_lead_organisation_withdraws_an_action_at_its_gate(app, cli):
    ref = open_at_gate(app, "urgent-appeal")  # urgent appeals are led by OHCHR
    assert {d["status"] for d in show(cli, ref)["deadlines"]} == {"open"}

    out = ok(cli("action", "withdraw", ref, "--reason", "The defender asked us not to act.", "--as", OFFICER))

    assert f"Withdrawn. {ref}" in out
    view = show(cli, ref)
    assert (view["status"], view["shown_status"], view["stage"]) == ("withdrawn", "withdrawn", "joint_approval")
    assert view["closure_reason"] == "The defender asked us not to act."
    assert {d["status"] for d in view["deadlines"]} == {"cancelled"}
    assert "ActionWithdrawn" in _events(view) and _events(view).count("DeadlineClosed") == 2
    text = ok(cli("action", "show", ref))
    assert "Status: withdrawn" in text and "Withdrawn: The defender asked us not to act." in text
    listed = ok(cli("action", "list", "--status", "withdrawn"))
    assert ref in listed and "withdrawn" in listed
    _intact(cli)


def test_a_withdrawn_action_ready_for_dispatch_is_never_dispatched(app, cli):
    ref = open_at_gate(app, "urgent-appeal")
    app.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    app.services.approve_stage(reference=ref, supervisor=SUP_IACHR)
    assert show(cli, ref)["status"] == "ready"
    assert [r.reference for r in app.services.due_runs()] == [ref]

    ok(cli("action", "withdraw", ref, "--reason", "Overtaken by events.", "--as", SUP_IACHR))

    assert app.services.due_runs() == []  # the reconciler starts nothing
    ok(cli("action", "advance", ref))  # nor does a run already on its way
    view = show(cli, ref)
    assert view["status"] == "withdrawn" and view["outbox"] == []
    assert not any(l["status"] == "dispatched" for l in view["letters"])
    _intact(cli)


# ---------------------------------------------------------------- close


def test_a_supervisor_closes_a_dispatched_action_and_its_unsent_letters_never_go_out(app, cli, smtp):
    _mail_to(app, smtp)
    ref = dispatched(app, "precautionary-measure", language="en")
    before = show(cli, ref)
    assert before["outbox"] and {o["status"] for o in before["outbox"]} == {"pending"}
    assert any(d["status"] == "open" for d in before["deadlines"])

    out = ok(cli("action", "close", ref, "--outcome", "measure_lifted", "--reason", "The State complied.",
                 "--as", SUP_IACHR))

    assert f"Closed (measure_lifted). {ref}" in out
    view = show(cli, ref)
    assert (view["status"], view["outcome"], view["shown_status"]) == ("closed", "measure_lifted",
                                                                       "closed (measure_lifted)")
    assert {o["status"] for o in view["outbox"]} == {"cancelled"}
    assert not any(d["status"] == "open" for d in view["deadlines"])
    assert {"ActionClosedByHand", "OutboxCancelled"} <= set(_events(view))

    import asyncio
    report = asyncio.run(app.services.send_outbox())
    assert report.attempted == 0 and smtp.handler.messages == []
    assert "closed (measure_lifted)" in ok(cli("action", "list"))
    _intact(cli)


# ---------------------------------------------------------------- reopen


def test_a_supervisor_reopens_a_withdrawn_action_where_it_was_with_its_deadlines_set_again(app, cli, clock):
    ref = open_at_gate(app, "urgent-appeal")
    ok(cli("action", "withdraw", ref, "--reason", "Paused.", "--as", OFFICER))
    clock.advance(days=1)

    out = ok(cli("action", "reopen", ref, "--reason", "The defender agrees now.", "--as", SUP_OHCHR))

    assert f"Reopened. {ref} is at stage joint_approval (awaiting_approval)" in out
    view = show(cli, ref)
    assert (view["status"], view["outcome"], view["closure_reason"]) == ("awaiting_approval", None, None)
    assert [d["status"] for d in view["deadlines"]] == ["cancelled", "cancelled", "open", "open"]
    assert "ActionReopened" in _events(view)
    app.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)  # the work goes on
    _intact(cli)


def test_a_closed_action_reopens_waiting_for_the_reply_with_a_new_deadline(app, cli):
    ref = dispatched(app, "urgent-appeal")
    ok(cli("action", "close", ref, "--outcome", "other", "--reason", "Merged.", "--as", SUP_OHCHR))
    ok(cli("action", "reopen", ref, "--reason", "Not merged after all.", "--as", SUP_IACHR))
    view = show(cli, ref)
    assert view["status"] == "waiting" and view["deadlines"][-1]["status"] == "open"
    assert {o["status"] for o in view["outbox"]} == {"cancelled"}  # cancelled letters stay cancelled
    _intact(cli)


# ---------------------------------------------------------------- link


def test_a_link_shows_on_both_actions_and_is_audited_on_both(app, cli):
    measure = open_at_gate(app, "precautionary-measure")
    appeal = open_at_gate(app, "urgent-appeal")

    out = ok(cli("action", "link", appeal, measure, "--relation", "follows_up", "--note", "Same defender.",
                 "--as", OFFICER))

    assert f"Linked {appeal} and {measure} (follows_up)." in out
    mine, theirs = show(cli, appeal), show(cli, measure)
    assert [(k["other"], k["relation"], k["inverse"], k["note"]) for k in mine["links"]] == [
        (measure, "follows_up", False, "Same defender.")]
    assert [(k["other"], k["relation"], k["inverse"]) for k in theirs["links"]] == [(appeal, "follows_up", True)]
    assert "ActionLinked" in _events(mine) and "ActionLinked" in _events(theirs)
    assert f"followed up by {appeal}" in ok(cli("action", "show", measure))
    assert f"follows up {measure}" in ok(cli("action", "show", appeal))
    ok(cli("action", "link", measure, appeal, "--relation", "same_defender", "--as", OFFICER_IACHR))
    assert len(show(cli, appeal)["links"]) == 2
    _intact(cli)


# ---------------------------------------------------------------- refusals write nothing


def test_refusals_by_role_and_state_write_nothing(app, cli):
    gate = open_at_gate(app, "urgent-appeal")  # led by OHCHR
    sent = dispatched(app, "country-communication")

    assert_refused(app, cli, ("action", "withdraw", gate, "--reason", "x", "--as", OFFICER_IACHR),
                   "only officers of OHCHR")
    assert_refused(app, cli, ("action", "withdraw", gate, "--reason", " ", "--as", OFFICER), "reason")
    assert_refused(app, cli, ("action", "withdraw", sent, "--reason", "x", "--as", SUP_OHCHR), "dispatched")
    assert_refused(app, cli, ("action", "close", gate, "--outcome", "other", "--reason", "x", "--as", SUP_OHCHR),
                   "withdrawn, not closed")
    assert_refused(app, cli, ("action", "close", sent, "--outcome", "other", "--reason", "x", "--as", OFFICER),
                   "only supervisors")
    assert_refused(app, cli, ("action", "reopen", gate, "--reason", "x", "--as", SUP_OHCHR),
                   "only an action withdrawn or closed by hand")
    assert_refused(app, cli, ("action", "link", gate, gate, "--relation", "same_defender", "--as", OFFICER),
                   "itself")
    assert_refused(app, cli, ("action", "link", gate, "JAM-2099-0001", "--relation", "same_defender",
                              "--as", OFFICER), "unknown joint action")
    ok(cli("action", "withdraw", gate, "--reason", "x", "--as", OFFICER))
    assert_refused(app, cli, ("action", "withdraw", gate, "--reason", "x", "--as", OFFICER), "withdrawn")
    assert_refused(app, cli, ("action", "reopen", gate, "--reason", "x", "--as", OFFICER), "only supervisors")
    ok(cli("action", "link", gate, sent, "--relation", "same_situation", "--as", OFFICER))
    assert_refused(app, cli, ("action", "link", gate, sent, "--relation", "same_situation", "--as", OFFICER),
                   "already linked")
    assert_refused(app, cli, ("action", "link", sent, gate, "--relation", "same_situation", "--as", OFFICER),
                   "already linked")


# ---------------------------------------------------------------- reminders


def test_no_reminder_is_sent_about_a_withdrawn_or_closed_action(app, cli, clock):
    gate = open_at_gate(app, "urgent-appeal")
    sent = dispatched(app, "country-communication")
    ok(cli("action", "withdraw", gate, "--reason", "Paused.", "--as", OFFICER))
    ok(cli("action", "close", sent, "--outcome", "other", "--reason", "Merged.", "--as", SUP_OHCHR))
    clock.advance(days=90)  # past every deadline either had

    assert app.services.send_reminders().digests == 0
    assert app.services.due_runs() == []
    _intact(cli)
