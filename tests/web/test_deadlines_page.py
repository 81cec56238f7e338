"""Deadlines by hand on the action page: the officer and supervisors extend (a new date, the
reason) or cancel (the reason) an open deadline with the rules of `coordination deadline
extend/cancel`; the forms are offered only to whom the domain allows; a refusal is shown with the
form's labels and writes nothing; each change is audited with its reason."""

import pytest

from tests.helpers import ADMIN, OFFICER, OFFICER_IACHR, SUP_IACHR, dispatched, open_at_gate

from .conftest import all_rows


def _deadline(seeded, ref: str, kind: str, organisation: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    view = seeded.services.get_action(ref)
    return next(d for d in view["deadlines"] if d["kind"] == kind and d["organisation"] == organisation)


def _events(seeded, ref: str, event: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return [e for e in seeded.services.get_action(ref)["history"] if e["event"] == event]


@pytest.mark.parametrize("person", [OFFICER, OFFICER_IACHR, SUP_IACHR])
def test_the_officers_and_supervisors_extend_the_states_reply_deadline(seeded, browser, person):
    ref = dispatched(seeded, "urgent-appeal")
    browser.sign_in(person)
    page = browser.get(f"/actions/{ref}").text
    assert f'action="/actions/{ref}/deadlines/state_reply/extend"' in page
    assert f'action="/actions/{ref}/deadlines/state_reply/cancel"' in page
    before = _deadline(seeded, ref, "state_reply")["due_at"]
    response = browser.post(f"/actions/{ref}/deadlines/state_reply/extend",
                            {"to": "2027-03-01", "reason": "The State asked for more time.", "organisation": ""})
    assert response.status_code == 303 and response.headers["location"] == f"/actions/{ref}#deadlines"
    after = _deadline(seeded, ref, "state_reply")
    assert after["status"] == "open" and after["due_at"].startswith("2027-03-01") and after["due_at"] != before
    [extended] = _events(seeded, ref, "DeadlineExtended")
    assert extended["actor"] == person and extended["details"]["reason"] == "The State asked for more time."
    assert extended["details"]["previous_due_at"].startswith(before[:10])
    page = browser.get(f"/actions/{ref}").text
    assert "Deadline extended" in page and "The State asked for more time." in page  # the message, the timeline
    assert seeded.services.verify_audit().findings == []


def test_a_supervisor_cancels_an_organisations_approval_deadline(seeded, browser):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_IACHR)
    page = browser.get(f"/actions/{ref}").text
    assert 'id="change-approval_sla-iachr"' in page and 'id="change-approval_sla-ohchr"' in page
    response = browser.post(f"/actions/{ref}/deadlines/approval_sla/cancel",
                            {"reason": "Decided at the joint meeting.", "organisation": "iachr"})
    assert response.status_code == 303
    assert _deadline(seeded, ref, "approval_sla", "iachr")["status"] == "cancelled"
    assert _deadline(seeded, ref, "approval_sla", "ohchr")["status"] == "open"  # the other organisation's stays
    [cancelled] = _events(seeded, ref, "DeadlineCancelled")
    assert cancelled["actor"] == SUP_IACHR and cancelled["details"]["reason"] == "Decided at the joint meeting."
    assert cancelled["details"]["organisation"] == "iachr"
    page = browser.get(f"/actions/{ref}").text
    assert 'id="change-approval_sla-iachr"' not in page  # no longer open: no form
    assert seeded.services.verify_audit().findings == []


def test_an_administrator_is_offered_no_deadline_form_and_is_refused(seeded, browser):
    ref = dispatched(seeded, "urgent-appeal")
    browser.sign_in(ADMIN)
    page = browser.get(f"/actions/{ref}").text
    assert "/deadlines/" not in page and "Extend or cancel" not in page
    before = all_rows(seeded)
    response = browser.post(f"/actions/{ref}/deadlines/state_reply/extend", {"to": "2027-03-01", "reason": "R"})
    assert response.status_code == 403
    response = browser.post(f"/actions/{ref}/deadlines/state_reply/cancel", {"reason": "R"})
    assert response.status_code == 403
    after = all_rows(seeded)
    after.pop("letter_views"), before.pop("letter_views")  # the page shown with the refusal records a view
    assert after == before


@pytest.mark.parametrize(("path", "form", "status", "said"), [
    ("state_reply/extend", {"to": "2027-03-01", "reason": "  "}, 422, "Justification (recorded): to extend"),
    ("state_reply/extend", {"to": "2026-11-03", "reason": "R"}, 422, "New due date: state_reply"),
    ("state_reply/extend", {"to": "soon", "reason": "R"}, 422, "New due date: the new due date"),
    ("state_reply/extend", {"to": "2040-01-01", "reason": "R"}, 422, "New due date: an extension"),
    ("state_reply/cancel", {"reason": ""}, 422, "Justification (recorded): to cancel"),
    ("approval_sla/cancel", {"reason": "R"}, 409, "has no open approval_sla deadline"),
    ("approval_sla/extend", {"to": "2027-03-01", "reason": "R"}, 409, "has no open approval_sla deadline"),
    ("whenever/cancel", {"reason": "R"}, 422, "whenever"),
    ("state_reply/cancel", {"reason": "R", "organisation": "un"}, 422, "un"),
])
def test_a_refused_change_is_shown_with_the_forms_labels_and_writes_nothing(seeded, browser, path, form, status,
                                                                             said):
    ref = dispatched(seeded, "urgent-appeal")
    browser.sign_in(OFFICER)
    browser.get(f"/actions/{ref}")
    before = all_rows(seeded)
    response = browser.post(f"/actions/{ref}/deadlines/{path}", form)
    assert response.status_code == status, response.text[:3000]
    assert 'role="alert"' in response.text and said in response.text
    after = all_rows(seeded)
    after.pop("letter_views"), before.pop("letter_views")
    assert after == before
    if path == "state_reply/extend" and form["reason"].strip():  # what was typed is kept, its form open
        assert 'id="change-state_reply" open' in response.text and 'value="' + form["to"] + '"' in response.text
