"""The life of an action in headless Chromium (issue 12, part 1): an officer withdraws an action
through its page, on a phone-sized screen, and a supervisor then sees the form to reopen it."""

import re

import pytest

from tests.helpers import OFFICER, SUP_IACHR, open_at_gate

from .conftest import PASSWORD
from .live import PHONE, fits, served


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """One app and one uvicorn server on a free loopback port for the tests of this file."""
    with served(tmp_path_factory.mktemp("web-live-lifecycle"), PASSWORD) as (app, url, _):
        yield app, url


def test_an_officer_withdraws_an_action_through_its_page(live, as_user):
    from playwright.sync_api import expect

    app, _ = live
    ref = open_at_gate(app, "urgent-appeal")
    officer = as_user(OFFICER, viewport=PHONE)
    officer.goto(f"/actions/{ref}")
    expect(officer.locator("#status")).to_have_text("awaiting approval")

    officer.get_by_text("Withdraw this action").click()
    officer.locator("#withdraw-reason").fill("The defender asked us not to act.")
    officer.get_by_role("button", name="Withdraw", exact=True).click()
    officer.wait_for_url(re.compile(rf"/actions/{ref}$"))

    expect(officer.locator("#status")).to_have_text("withdrawn")
    expect(officer.locator("#closure-reason")).to_contain_text("The defender asked us not to act.")
    expect(officer.locator("#withdraw-form")).to_have_count(0)
    expect(officer.locator("#reopen-form")).to_have_count(0)  # only a supervisor reopens
    fits(officer)
    view = app.services.get_action(ref)
    assert view["status"] == "withdrawn" and {d["status"] for d in view["deadlines"]} == {"cancelled"}

    supervisor = as_user(SUP_IACHR)
    supervisor.goto(f"/actions/{ref}")
    expect(supervisor.locator("#reopen-form")).to_be_visible()
    assert app.services.verify_audit().findings == []
