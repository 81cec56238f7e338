"""The action page is one read: one unit of work (the session check shares it) and the same few
queries whatever the number of letters and versions; a GET of it writes nothing.

Queries are counted with SQLAlchemy's `before_cursor_execute` on the app's engine, units of work
by wrapping `UnitOfWork.__enter__`."""

import re

import pytest
import sqlalchemy as sa

from coordination.adapters.unit_of_work import UnitOfWork
from tests.helpers import OFFICER, SUP_OHCHR, fill, open_at_gate

from .conftest import all_rows

WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
# the session (2 queries), the action whole (9: reference, action, letters, versions, references, approvals,
# deadlines, replies, links), its history, its outbox, the versions seen: 14, and on SQLite the BEGIN of its
# one unit of work
MOST_QUERIES = 15


@pytest.fixture
def measure(seeded, monkeypatch):
    """measure(client, url) → (response, statements executed, units of work opened)."""
    enter = UnitOfWork.__enter__

    def measure(client, url):  # type: ignore[no-untyped-def]
        statements: list[str] = []
        units: list[bool] = []

        def counted(self):  # type: ignore[no-untyped-def]
            units.append(self.read_only)
            return enter(self)

        def executed(connection, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            statements.append(statement)

        monkeypatch.setattr(UnitOfWork, "__enter__", counted)
        sa.event.listen(seeded.engine, "before_cursor_execute", executed)
        try:
            response = client.get(url, follow_redirects=False)
        finally:
            sa.event.remove(seeded.engine, "before_cursor_execute", executed)
            monkeypatch.setattr(UnitOfWork, "__enter__", enter)
        assert response.status_code == 200, response.text[:500]
        return response, statements, units

    return measure


def _edit_many_times(app, ref: str, letter: str, field: str, times: int) -> None:  # type: ignore[no-untyped-def]
    for n in range(times):
        app.services.edit_letter(reference=ref, letter=letter, field=field, value=f"Version {n} of the facts.",
                                 editor=OFFICER)


def test_the_action_page_is_one_unit_of_work_and_the_same_queries_for_few_and_many_versions(
        seeded, browser, measure):
    few = open_at_gate(seeded, "urgent-appeal")
    many = open_at_gate(seeded, "urgent-appeal")
    two_letters = open_at_gate(seeded, "precautionary-measure")
    browser.sign_in(SUP_OHCHR)
    for ref in (few, many, two_letters):
        browser.get(f"/actions/{ref}")  # seen: the pages below show what changed since
    seeded.services.edit_letter(reference=few, letter="urgent_appeal", field="facts", value="New facts.",
                                editor=OFFICER)
    _edit_many_times(seeded, many, "urgent_appeal", "facts", 60)
    _edit_many_times(seeded, two_letters, "acknowledgement", "request_summary", 30)
    _edit_many_times(seeded, two_letters, "request_for_information", "facts", 30)
    fill(seeded, two_letters, "request_for_information", values={"facts": "The facts at last."})

    measured = {}
    for name, url in [("few", f"/actions/{few}"), ("many", f"/actions/{many}"),
                      ("two letters", f"/actions/{two_letters}"),
                      ("many, compared with version 1", f"/actions/{many}?diff=urgent_appeal&from=1")]:
        response, statements, units = measure(browser.client, url)
        assert "the last you saw" in response.text or "Changes from version 1" in response.text, name
        assert units == [True], (name, units)  # one read-only unit of work: the session check, then the page
        assert not [s for s in statements if WRITES.match(s)], name
        measured[name] = len(statements)
    versions = seeded.services.get_action(many)["letters"][0]["version"]
    assert versions >= 60 + seeded.services.get_action(few)["letters"][0]["version"] - 1
    assert len(set(measured.values())) == 1, measured
    assert measured["few"] <= MOST_QUERIES, measured
    print(f"\naction page: {measured['few']} queries, 1 unit of work (few and {versions} versions alike)")


def test_a_get_of_the_action_page_writes_nothing_and_the_page_posts_what_it_showed(seeded, browser, another, measure):
    ref = open_at_gate(seeded, "precautionary-measure")
    browser.sign_in(SUP_OHCHR)
    another.sign_in(OFFICER)
    before = all_rows(seeded)
    response, statements, _ = measure(browser.client, f"/actions/{ref}")  # a GET alone, no script run
    assert not [s for s in statements if WRITES.match(s)]
    assert all_rows(seeded) == before  # no letter seen recorded, no audit event, nothing
    shown = re.findall(r'name="version" value="(\d+)"', response.text)
    assert len(shown) == 2 and f'action="/actions/{ref}/seen" data-seen' in response.text

    posted = browser.client.post(f"/actions/{ref}/seen", data={"csrf_token": browser.token, "version": shown})
    assert posted.status_code == 204
    after = all_rows(seeded)
    assert after["letter_views"] == before["letter_views"] + 2  # the page's versions, and nothing else
    assert {**after, "letter_views": 0} == {**before, "letter_views": 0}
    assert browser.client.post(f"/actions/{ref}/seen", data={"csrf_token": browser.token, "version": shown}
                               ).status_code == 204
    assert all_rows(seeded) == after  # seeing them again changes nothing

    other = open_at_gate(seeded, "urgent-appeal")  # another action's versions are not this page's: ignored
    foreign = re.findall(r'name="version" value="(\d+)"', browser.client.get(f"/actions/{other}").text)
    counts = all_rows(seeded)
    assert browser.client.post(f"/actions/{ref}/seen", data={"csrf_token": browser.token,
                                                             "version": foreign}).status_code == 204
    assert all_rows(seeded) == counts
    assert browser.client.post(f"/actions/{ref}/seen", data={"version": shown}).status_code == 403  # no token
    assert another.client.post(f"/actions/{ref}/seen", data={"version": shown}).status_code == 403
