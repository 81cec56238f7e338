"""Addresses through the web form (issue 10, item 1): the issue stored `x%7Fy@evil.example` from the
letter form. Every refused address answers 422 with the message in the action page, and writes
nothing; a plain address is saved as typed."""

from html import escape
from urllib.parse import urlencode

import pytest

from tests.helpers import OFFICER

from .conftest import all_rows

REFUSED = {
    "control character, as the issue posted it": "x%7Fy@evil.example",
    "encoded word": "=?utf-8?q?victim?=@evil.example",
    "literal IP then a label": "a@[127.0.0.1].x",
    "literal IP": "a@[127.0.0.1]",
    "CRLF header injection": "a@evil.example%0D%0ABcc:%20victim@evil.example",
    "NUL": "x%00y@evil.example",
    "display name": "Victim%20%3Cvictim@evil.example%3E",
    "quoted local part": "%22victim%22@evil.example",
    "comment": "victim(x)@evil.example",
    "homoglyph domain": "a@%D0%B5xample.org",
    "Punycode homoglyph": "a@xn--xample-2of.org",
    "zero-width joiner": "vic%E2%80%8Dtim@evil.example",
    "localhost": "root@localhost",
    "onion": "a@hidden.onion",
}


@pytest.fixture
def registration(seeded) -> str:
    return seeded.services.open_action(type="precautionary-measure", country="MEX", title="Registration",
                                officer=OFFICER).reference


def _post_raw(browser, ref: str, encoded_email: str):  # type: ignore[no-untyped-def]
    """The form as a browser (or an attacker) sends it, the address already percent-encoded."""
    if browser.token is None:
        browser.get(f"/actions/{ref}")
    body = urlencode({"csrf_token": browser.token, "field_requester_name": "Requester Org"}) + \
        "&field_requester_email=" + encoded_email.replace("+", "%2B")
    return browser.client.post(f"/actions/{ref}/letters/acknowledgement", content=body, follow_redirects=False,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})


@pytest.mark.parametrize("encoded", list(REFUSED.values()), ids=list(REFUSED))
def test_the_letter_form_refuses_an_address_that_is_not_what_it_reads(seeded, browser, registration, encoded):
    browser.sign_in(OFFICER)
    browser.get(f"/actions/{registration}")
    before = all_rows(seeded)

    response = _post_raw(browser, registration, encoded)

    assert response.status_code == 422, response.text[:500]
    assert 'role="alert"' in response.text
    assert ("field &#39;requester_email&#39;: invalid email address" in response.text
            or "field &#39;requester_email&#39; cannot contain a control character" in response.text), response.text
    assert all_rows(seeded) == before  # not even the requester's name, sent in the same form
    [letter] = [l for l in seeded.services.get_action(registration)["letters"] if l["name"] == "acknowledgement"]
    assert letter["fields"]["requester_email"] is None and letter["fields"]["requester_name"] is None
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_plain_address_is_saved_as_typed(seeded, browser, registration):
    browser.sign_in(OFFICER)
    response = _post_raw(browser, registration, "Jane.Doe%2Bintake@Mail.Example.ORG")
    assert response.status_code == 303
    [letter] = [l for l in seeded.services.get_action(registration)["letters"] if l["name"] == "acknowledgement"]
    assert letter["fields"]["requester_email"] == "Jane.Doe+intake@Mail.Example.ORG"
    assert escape("Jane.Doe+intake@Mail.Example.ORG") in browser.get(f"/actions/{registration}").text
