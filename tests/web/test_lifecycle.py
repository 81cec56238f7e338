"""The whole life of an action through its page (issue 12, part 1): withdraw, close, reopen, link.

Each form is offered only to whom the domain lets use it; each refusal answers with its status
and writes nothing; what a withdrawal or closure cancels is checked in the tables and against a
real SMTP server (aiosmtpd), which must receive nothing. SQLite and PostgreSQL in turn.
"""

import asyncio
import re

import pytest

from tests.helpers import ADMIN, OFFICER, OFFICER_IACHR, SUP_IACHR, SUP_OHCHR, dispatched, open_at_gate
from tests.integration.test_delivery import SmtpServer

from .conftest import all_rows

FORMS = ("withdraw-form", "close-form", "reopen-form", "link-form")


def _forms(browser, ref: str) -> set[str]:
    page = browser.get(f"/actions/{ref}").text
    return {form for form in FORMS if f'id="{form}"' in page}


def _view(seeded, ref: str) -> dict:  # type: ignore[no-untyped-def]
    return seeded.services.get_action(ref)


def _events(view: dict) -> list[str]:
    return [e["event"] for e in view["history"]]


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def test_the_forms_are_offered_only_to_whom_the_domain_allows(seeded, browser):
    gate = open_at_gate(seeded, "urgent-appeal")  # led by OHCHR
    sent = dispatched(seeded, "urgent-appeal")
    offered = {}
    for who in (OFFICER, OFFICER_IACHR, SUP_IACHR, ADMIN):
        browser.sign_in(who)
        offered[who] = (_forms(browser, gate), _forms(browser, sent))
    assert offered[OFFICER] == ({"withdraw-form", "link-form"}, {"link-form"})
    assert offered[OFFICER_IACHR] == ({"link-form"}, {"link-form"})
    assert offered[SUP_IACHR] == ({"withdraw-form", "link-form"}, {"close-form", "link-form"})
    assert offered[ADMIN] == (set(), set())

    seeded.services.withdraw_action(reference=gate, as_=OFFICER, reason="Paused.")
    browser.sign_in(OFFICER)
    assert _forms(browser, gate) == {"link-form"}
    browser.sign_in(SUP_OHCHR)
    assert _forms(browser, gate) == {"reopen-form", "link-form"}


def test_an_officer_withdraws_an_action_at_its_gate_through_the_page(seeded, browser):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(OFFICER)
    browser.get(f"/actions/{ref}")

    response = browser.post(f"/actions/{ref}/withdraw", {"reason": "The defender asked us not to act."})

    assert response.status_code == 303 and response.headers["location"] == f"/actions/{ref}"
    page = browser.get(f"/actions/{ref}").text
    assert "nothing will be sent" in page
    assert re.search(r'id="status">withdrawn<', page)
    assert "The defender asked us not to act." in page
    view = _view(seeded, ref)
    assert view["status"] == "withdrawn" and {d["status"] for d in view["deadlines"]} == {"cancelled"}
    assert "ActionWithdrawn" in _events(view)
    listed = browser.get("/actions?status=withdrawn").text
    assert ref in listed
    overview = browser.get("/overview").text
    assert "Ended actions" in overview and "withdrawn" in overview
    assert seeded.services.verify_audit().findings == []


def test_a_supervisor_closes_a_dispatched_action_and_nothing_more_goes_out(seeded, browser, smtp):
    seeded.settings = seeded.settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_tls": "none", "smtp_timeout": 5.0,
        "smtp_retry_delays": (0.0,), "mail_from": "joint-actions@coordination.test",
    })
    ref = dispatched(seeded, "country-communication", language="en")
    assert {o["status"] for o in _view(seeded, ref)["outbox"]} == {"pending"}
    browser.sign_in(SUP_OHCHR)
    browser.get(f"/actions/{ref}")

    response = browser.post(f"/actions/{ref}/close", {"outcome": "situation_resolved", "reason": "Resolved."})

    assert response.status_code == 303
    page = browser.get(f"/actions/{ref}").text
    assert re.search(r'id="status">closed \(situation resolved\)<', page)
    view = _view(seeded, ref)
    assert (view["status"], view["outcome"]) == ("closed", "situation_resolved")
    assert {o["status"] for o in view["outbox"]} == {"cancelled"}
    assert not [d for d in view["deadlines"] if d["status"] == "open"]
    assert {"ActionClosedByHand", "OutboxCancelled"} <= set(_events(view))
    report = asyncio.run(seeded.services.send_outbox())
    assert report.attempted == 0 and smtp.handler.messages == []
    assert "closed (situation resolved)" in browser.get("/actions").text
    assert "situation resolved" in browser.get("/overview").text
    assert seeded.services.verify_audit().findings == []


def test_a_supervisor_reopens_a_withdrawn_action(seeded, browser):
    ref = open_at_gate(seeded, "urgent-appeal")
    seeded.services.withdraw_action(reference=ref, as_=OFFICER, reason="Paused.")
    browser.sign_in(SUP_IACHR)
    browser.get(f"/actions/{ref}")

    response = browser.post(f"/actions/{ref}/reopen", {"reason": "New threats."})

    assert response.status_code == 303
    view = _view(seeded, ref)
    assert view["status"] == "awaiting_approval" and "ActionReopened" in _events(view)
    assert [d["status"] for d in view["deadlines"]][-2:] == ["open", "open"]
    assert seeded.services.verify_audit().findings == []


def test_a_link_shows_on_both_pages_with_links_to_each_other(seeded, browser):
    measure = open_at_gate(seeded, "precautionary-measure")
    appeal = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(OFFICER_IACHR)
    browser.get(f"/actions/{appeal}")

    response = browser.post(f"/actions/{appeal}/links",
                            {"other": measure, "relation": "follows_up", "note": "Same defender."})

    assert response.status_code == 303
    mine, theirs = browser.get(f"/actions/{appeal}").text, browser.get(f"/actions/{measure}").text
    assert f'follows up <a href="/actions/{measure}">{measure}</a> — Same defender.' in mine
    assert f'followed up by <a href="/actions/{appeal}">{appeal}</a>' in theirs
    assert "ActionLinked" in _events(_view(seeded, measure))
    assert seeded.services.verify_audit().findings == []


@pytest.mark.parametrize("who, path, form, status, words", [
    (OFFICER_IACHR, "withdraw", {"reason": "no"}, 403, "only officers of OHCHR"),
    (OFFICER, "withdraw", {"reason": "   "}, 422, "needs a reason"),
    (SUP_OHCHR, "close", {"outcome": "other", "reason": "x"}, 409, "can be withdrawn, not closed"),
    (SUP_OHCHR, "close", {"outcome": "won", "reason": "x"}, 422, "unknown outcome"),
    (SUP_OHCHR, "reopen", {"reason": "x"}, 409, "only an action withdrawn or closed by hand"),
    (OFFICER, "links", {"other": "{ref}", "relation": "same_defender"}, 422, "cannot be linked to itself"),
    (OFFICER, "links", {"other": "JAM-2099-0009", "relation": "same_defender"}, 404, "unknown joint action"),
    (OFFICER, "links", {"other": "{other}", "relation": "cousin"}, 422, "unknown relation"),
    (ADMIN, "links", {"other": "{other}", "relation": "same_defender"}, 403, "only officers and supervisors"),
])
def test_refusals_answer_with_their_status_and_write_nothing(seeded, browser, who, path, form, status, words):
    ref = open_at_gate(seeded, "urgent-appeal")
    other = open_at_gate(seeded, "country-communication")
    form = {name: value.format(ref=ref, other=other) for name, value in form.items()}
    browser.sign_in(who)
    browser.get(f"/actions/{ref}")
    before = all_rows(seeded)

    response = browser.post(f"/actions/{ref}/{path}", form)

    assert response.status_code == status, response.text[:1000]
    assert words in response.text and 'role="alert"' in response.text
    assert all_rows(seeded) == before
