"""A run of the automatic steps that fails for a permanent reason (the address book has no entry
for a recipient kind), on SQLite and PostgreSQL: the reruns wait 1, 2, 4 … 32 minutes, counted
on the action; after the sixth rerun fails the steps stop, and the action says so, why, since
when and what to do (`action show`, `--json`), as does its officer's next digest (once); the
count and the stop are audited and replayed; a manual advance after the cause is fixed
dispatches and clears it. Driven through the service the reconciler calls, with the test's
clock (tests/flows/test_permanent_failures.py drives the reconciler against Prefect)."""

import json
from datetime import datetime, timedelta

import pytest

from coordination.domain import CoordinationError
from coordination.services.ports import RunRequest

from ..helpers import OFFICER, SUP_IACHR, SUP_OHCHR, open_at_gate, seed

SECRET_NAME = "Berta SECRET-NAME-0042"
MISSION = ("HND", "permanent-mission-geneva", "mission@hnd-geneva.test")
WAITS = [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32)]


def ready_without_its_recipient(app) -> tuple[str, RunRequest, str]:
    """An urgent appeal past its gate whose dispatch fails: the mission in Geneva is not in the
    address book. Returns its reference, its run, and the failure's message as Prefect records it."""
    country, kind, email = MISSION
    app.services.remove_recipient(country=country, kind=kind, email=email)
    ref = open_at_gate(app, "urgent-appeal", language="en", beneficiaries=[SECRET_NAME])
    app.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    app.services.approve_stage(reference=ref, supervisor=SUP_IACHR)
    with pytest.raises(CoordinationError) as error:
        app.services.advance_action(reference=ref)
    [run] = [r for r in app.services.due_runs() if r.reference == ref]
    return ref, run, f"Flow run encountered an exception: {type(error.value).__name__}: {error.value}"


def steps(app, ref: str) -> dict:
    return app.services.get_action(ref)["automatic_steps"]


def fail_until_stopped(app, run: RunRequest, reason: str) -> list[timedelta]:
    """Fail the run as the reconciler finds it failed, each rerun once its wait is over; the waits."""
    waits = []
    for _ in WAITS:
        assert app.services.automatic_steps_failed(run, reason=reason) == "waiting"  # a new failure: its wait
        retry_at = datetime.fromisoformat(steps(app, run.reference)["retry_at"])
        waits.append(retry_at - app.clock())
        app.clock.advance(seconds=waits[-1].total_seconds() - 1)
        assert app.services.automatic_steps_failed(run, reason=reason) == "waiting"  # nothing rerun before
        app.clock.advance(seconds=1)
        assert app.services.automatic_steps_failed(run, reason=reason) == "rerun"
    assert app.services.automatic_steps_failed(run, reason=reason) == "stopped"  # the sixth rerun failed too
    return waits


def test_the_waits_grow_and_after_six_reruns_the_steps_stop_and_the_action_says_why(mail_app, invoke):
    app = mail_app
    ref, run, reason = ready_without_its_recipient(app)
    assert steps(app, ref) == {"stopped": False, "stopped_at": None, "reruns": 0, "failure": None, "retry_at": None,
                               "what_to_do": None}

    assert fail_until_stopped(app, run, reason) == WAITS
    stopped_at = app.clock()

    shown = json.loads(invoke("action", "show", ref, "--json").stdout)
    assert shown["status"] == "ready"  # left as it was: nothing was dispatched
    assert shown["automatic_steps"] == {
        "stopped": True, "stopped_at": stopped_at.isoformat().replace("+00:00", "Z"), "reruns": 6,
        "failure": reason, "retry_at": None,
        "what_to_do": f"fix the cause, then advance the action again: coordination action advance {ref}",
    }
    assert "the address book has no permanent-mission-geneva for HND" in reason
    text = invoke("action", "show", ref).stdout
    assert f"Automatic steps STOPPED since {shown['automatic_steps']['stopped_at']} after 6 rerun(s): {reason}" in text
    assert f"coordination action advance {ref}" in text
    events = [e["event"] for e in shown["history"] if e["event"].startswith("AutomaticSteps")]
    assert events == ["AutomaticStepsFailed", "AutomaticStepsRetried"] * 6 + ["AutomaticStepsStopped"]

    assert ref not in {r.reference for r in app.services.due_runs()}  # the reconciler leaves it alone
    assert app.services.automatic_steps_failed(run, reason=reason) == "stopped"  # and writes nothing more
    assert app.services.verify_audit().findings == []


async def test_the_officers_next_digest_names_the_stopped_action_once(mail_app, smtp):
    app = mail_app
    ref, run, reason = ready_without_its_recipient(app)
    fail_until_stopped(app, run, reason)

    report = app.services.send_reminders()
    await app.services.send_outbox()

    assert report.stopped == 1
    [digest] = [m for m in smtp.messages if m["To"] == OFFICER]
    assert "1 action stopped" in digest["Subject"]
    text = digest.get_body(("plain",)).get_content()
    html = digest.get_body(("html",)).get_content()
    assert "The automatic steps of 1 of your joint actions stopped after failing:" in text
    assert f"{ref}, stage " in text
    assert "the address book has no permanent-mission-geneva for HND" in text and ref in html
    assert f"http://127.0.0.1:8000/actions/{ref}" in text
    assert "coordination action advance" in text
    assert SECRET_NAME not in digest.as_string()

    app.clock.advance(minutes=5)
    assert app.services.send_reminders().stopped == 0  # told once
    assert app.services.verify_audit().findings == []


def test_a_manual_advance_after_the_cause_is_fixed_dispatches_and_clears_it(mail_app):
    app = mail_app
    ref, run, reason = ready_without_its_recipient(app)
    fail_until_stopped(app, run, reason)
    with pytest.raises(CoordinationError):  # the cause is still there: nothing changes
        app.services.advance_action(reference=ref)
    assert steps(app, ref)["stopped"]

    app.services.add_recipient(country=MISSION[0], kind=MISSION[1], email=MISSION[2])
    result = app.services.advance_action(reference=ref)

    assert result.messages > 0 and result.action.status.value == "waiting"
    assert steps(app, ref) == {"stopped": False, "stopped_at": None, "reruns": 0, "failure": None, "retry_at": None,
                               "what_to_do": None}
    last = app.services.get_action(ref)["history"]
    assert [e["details"]["why"] for e in last if e["event"] == "AutomaticStepsResumed"] == ["advanced by hand"]
    assert app.services.verify_audit().findings == []


def test_a_decision_or_edit_on_the_action_clears_the_count(mail_app):
    app = mail_app
    ref, run, reason = ready_without_its_recipient(app)
    assert app.services.automatic_steps_failed(run, reason=reason) == "waiting"
    app.clock.advance(minutes=1)
    assert app.services.automatic_steps_failed(run, reason=reason) == "rerun"
    assert steps(app, ref)["reruns"] == 1

    other = open_at_gate(app, "urgent-appeal", language="en")
    app.services.link_actions(reference=ref, other=other, relation="same_situation", as_=OFFICER)

    assert steps(app, ref)["reruns"] == 0
    assert app.services.automatic_steps_failed(run, reason=reason) == "waiting"  # the first, shortest wait again
    assert datetime.fromisoformat(steps(app, ref)["retry_at"]) - app.clock() == WAITS[0]
    assert app.services.verify_audit().findings == []


def test_a_new_database_counts_nothing(app):
    seed(app)
    ref = open_at_gate(app, "urgent-appeal", language="en")
    assert steps(app, ref)["reruns"] == 0 and not steps(app, ref)["stopped"]
