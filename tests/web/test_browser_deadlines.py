"""Deadlines by hand in headless Chromium: a supervisor extends the State's reply deadline from the
action page, with a new date and the reason, and sees it in the deadlines and the timeline."""

from datetime import timedelta

import pytest

from tests.helpers import SUP_OHCHR, dispatched

from .conftest import PASSWORD
from .live import served, sign_in


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """One app and server for this file: an urgent appeal awaiting the State's reply."""
    waiting = lambda app: dispatched(app, "urgent-appeal")  # noqa: E731
    with served(tmp_path_factory.mktemp("web-deadlines"), PASSWORD, waiting) as (app, url, ref):
        yield app, url, ref


def _state_reply(app, ref: str) -> dict:  # type: ignore[no-untyped-def]
    return next(d for d in app.services.get_action(ref)["deadlines"] if d["kind"] == "state_reply")


def test_a_supervisor_extends_the_states_reply_deadline_on_the_page(live, chromium):
    from playwright.sync_api import expect

    app, url, ref = live
    due = _state_reply(app, ref)["due_at"]
    later = (app.clock().date() + timedelta(days=120)).isoformat()
    page = sign_in(chromium, url, SUP_OHCHR, PASSWORD)
    try:
        page.goto(f"/actions/{ref}")
        change = page.locator("#change-state_reply")
        change.locator("summary").click()
        extend = change.get_by_role("form", name="Extend the deadline")
        extend.get_by_label("New due date").fill(later)
        extend.get_by_label("Justification (recorded)").fill("The State asked for more time in a note verbale.")
        extend.get_by_role("button", name="Extend the deadline").click()
        page.wait_for_url(f"**/actions/{ref}#deadlines")
        expect(page.get_by_role("status")).to_contain_text(f"Deadline extended: state reply now due {later}")
        expect(page.locator("#timeline ~ ol")).to_contain_text("The State asked for more time in a note verbale.")
        after = _state_reply(app, ref)
        assert after["due_at"].startswith(later) and after["due_at"] != due and after["status"] == "open"
        extended = [e for e in app.services.get_action(ref)["history"] if e["event"] == "DeadlineExtended"]
        assert [e["actor"] for e in extended] == [SUP_OHCHR]
    finally:
        page.context.close()
