"""Bounds on the web (issue 10, item 7): no 500 from any input, every error page the app's own
with its security headers, request bodies bounded, text refused as on the command line."""

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from coordination import services
from coordination.web import create_app
from tests.helpers import OFFICER, SUP_IACHR, SUP_OHCHR, open_at_gate

from .conftest import Browser, all_rows

HEADERS = {"x-content-type-options": "nosniff", "x-frame-options": "SAMEORIGIN", "referrer-policy": "same-origin"}
HSTS = "max-age=31536000; includeSubDomains"


def secured(response, status: int) -> str:
    """The status asked for, on a page of the app with every security header; its text."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (name, dict(response.headers))
    assert "default-src" in response.headers.get("content-security-policy", "")
    return response.text


def _drafting(app) -> str:
    ref = app.services.open_action(type="urgent-appeal", country="HND", title="Drafting", officer=OFFICER).reference
    app.services.submit_stage(reference=ref, officer=OFFICER)
    return ref


# ---------------------------------------------------------------- the issue's two bare 500s


@pytest.mark.parametrize("token", ["%D9%A1", "%C2%B2", "%00", "%F0%9F%98%80", "a" * 500, "%FF%FE", "x%20y", "%E2%80%8B",
                                   "0" * 39 + "%D9%A1"])
def test_a_calendar_address_of_other_characters_is_404_with_the_headers(web, token):
    text = secured(web.get(f"/calendar/{token}.ics"), 404)
    assert "Traceback" not in text


@pytest.mark.parametrize("frm", ["%C2%B2", "%D9%A1", "-1", "0", "1e3", "99999999999999999999999999", "%00", " 1",
                                 "%EF%BC%91"])
def test_a_diff_from_a_version_that_is_not_one_is_ignored(seeded, browser, frm):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_OHCHR)
    text = secured(browser.get(f"/actions/{ref}?diff=urgent_appeal&from={frm}"), 200)
    assert ref in text


def test_a_diff_from_a_real_version_still_shows_it(seeded, browser):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_OHCHR)
    text = secured(browser.get(f"/actions/{ref}?diff=urgent_appeal&from=2"), 200)
    assert "Changes from version 2" in text


# ---------------------------------------------------------------- every error page: the app's, with its headers


def test_every_error_page_carries_the_security_headers(seeded, browser, monkeypatch):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_OHCHR)
    secured(browser.get("/no-such-page"), 404)
    secured(browser.get("/actions/JAM-2099-9999"), 404)
    secured(browser.get(f"/actions/{ref}/approve"), 405)  # a form's address, asked with GET
    secured(browser.client.put("/actions"), 405)
    secured(browser.get("/actions?status=lost"), 422)
    secured(browser.get(f"/actions/{ref}/letters/urgent_appeal?format=exe"), 422)
    secured(browser.get(f"/actions/{ref}/letters/urgent_appeal?language=xx"), 422)
    secured(browser.post(f"/actions/{ref}/approve", {"comment": "x"}, token=False), 403)
    secured(browser.post("/actions", {"csrf_token": browser.token}, token=False), 422)  # fields missing
    secured(browser.client.post(f"/actions/{ref}/approve", content=b"x" * (5 * 1024 * 1024),
                                headers={"content-type": "application/x-www-form-urlencoded"}), 413)


def test_an_unexpected_error_is_the_apps_500_page_with_its_headers_and_the_log(seeded, browser, monkeypatch):
    browser.sign_in(OFFICER)

    def broken(*args, **kwargs):
        raise ZeroDivisionError("what stays in the log")

    monkeypatch.setattr(services, "list_actions", broken)
    text = secured(browser.get("/actions"), 500)  # no exception reaches the client either
    assert "Something went wrong" in text and "what stays in the log" not in text and "Traceback" not in text
    log = seeded.settings.data_dir / "errors.log"
    assert "ZeroDivisionError: what stays in the log" in log.read_text()
    assert log.stat().st_mode & 0o777 == 0o600


def test_a_database_that_refuses_is_a_page_not_a_500(seeded, browser, monkeypatch):
    browser.sign_in(OFFICER)

    def busy(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("database is locked"))

    monkeypatch.setattr(services, "list_actions", busy)
    assert "busy" in secured(browser.get("/actions"), 503)


def test_an_action_reference_the_database_cannot_read_is_404(seeded, browser):
    browser.sign_in(OFFICER)
    for reference in ("JAM%00", "%00", "99999999999999999999999999", "%F0%9F%98%80", "x" * 1000, "%ED%A0%80"):
        secured(browser.get(f"/actions/{reference}"), 404)


def test_strict_transport_security_under_https_only(seeded):
    with TestClient(create_app(seeded), base_url="http://127.0.0.1:8000") as plain:
        assert "strict-transport-security" not in plain.get("/sign-in").headers
    seeded.settings = seeded.settings.model_copy(update={"base_url": "https://actions.example.org"})
    with TestClient(create_app(seeded), base_url="https://actions.example.org") as client:
        for response in (client.get("/sign-in"), client.get("/nothing-here", follow_redirects=False),
                         client.get("/calendar/%D9%A1.ics")):
            assert response.headers["strict-transport-security"] == HSTS


def test_the_sign_in_page_takes_any_next_address_and_returns_only_to_this_site(web):
    for target, kept in [("//[", "/"), ("http://[::1", "/"), ("/\\evil.example", "/"), ("/\x00", "/"),
                         ("//evil.example", "/"), ("/\t/evil.example", "/"), ("/actions?status=open", None)]:
        text = secured(web.get("/sign-in", params={"next": target}), 200)
        values = [v.replace("&amp;", "&") for v in re.findall(r'name="next" value="([^"]*)"', text)]
        assert (kept or target) in values, (target, values)
        assert not any("evil" in v or "[" in v for v in values), (target, values)


# ---------------------------------------------------------------- request bodies


def test_a_body_over_the_limit_is_413_and_writes_nothing(seeded, browser):
    ref = _drafting(seeded)
    browser.sign_in(OFFICER)
    browser.get(f"/actions/{ref}")
    before = all_rows(seeded)
    big = {"field_facts": "x" * (5 * 1024 * 1024)}
    text = secured(browser.post(f"/actions/{ref}/letters/urgent_appeal", big), 413)
    assert "larger than this site accepts (4 MiB)" in text
    assert all_rows(seeded) == before


def test_a_streamed_body_over_the_limit_is_413_too(seeded, browser):
    ref = _drafting(seeded)
    browser.sign_in(OFFICER)
    browser.get(f"/actions/{ref}")
    before = all_rows(seeded)

    def chunks():  # no Content-Length: the body is counted as it arrives
        yield f"csrf_token={browser.token}&field_facts=".encode()
        for _ in range(80):
            yield b"y" * 65536

    response = browser.client.post(f"/actions/{ref}/letters/urgent_appeal", content=chunks(),
                                   headers={"content-type": "application/x-www-form-urlencoded"})
    secured(response, 413)
    assert all_rows(seeded) == before


def test_the_request_limit_is_a_setting(seeded):
    seeded.settings = seeded.settings.model_copy(update={"max_request_bytes": 2048})
    with TestClient(create_app(seeded), base_url="http://127.0.0.1:8000") as client:
        browser = Browser(client)
        browser.sign_in(OFFICER)
        secured(browser.post("/actions", {"type": "urgent-appeal", "country": "HND", "title": "t" * 3000}), 413)
        assert browser.post("/actions", {"type": "urgent-appeal", "country": "HND", "title": "small"}
                            ).status_code == 303


def test_the_issues_one_megabyte_field_is_refused_by_the_field_limit(seeded, browser):
    """Under the body limit, over the field limit (100,000 characters): 422, nothing written."""
    ref = _drafting(seeded)
    browser.sign_in(OFFICER)
    browser.get(f"/actions/{ref}")
    before = all_rows(seeded)
    text = secured(browser.post(f"/actions/{ref}/letters/urgent_appeal", {"field_facts": "x" * 1_000_000}), 422)
    assert "too long" in text and "at most 100,000" in text
    assert all_rows(seeded) == before


# ---------------------------------------------------------------- text, as on the command line


INVISIBLE = ["\u200b", "\ufeff", "\u200e", "\u2060\u200b", "\u3164", " \u200b "]


@pytest.mark.parametrize("value", INVISIBLE + ["a\x00b", "\x1b[2J", "x\x7f"])
def test_every_form_refuses_invisible_and_control_text_and_writes_nothing(seeded, browser, another, value, subtests):
    at_gate = open_at_gate(seeded, "urgent-appeal")
    drafting = _drafting(seeded)
    skippable = seeded.services.open_action(type="country-communication", country="GTM", title="Skip",
                                     officer=OFFICER).reference
    browser.sign_in(OFFICER)
    another.sign_in(SUP_OHCHR)
    control = any(ord(c) < 32 or ord(c) == 127 for c in value)
    for who, url, form in [
        (browser, "/actions", {"type": "urgent-appeal", "country": "HND", "title": value}),
        (browser, "/actions", {"type": "urgent-appeal", "country": "HND", "title": "T", "beneficiaries": value}),
        (browser, f"/actions/{drafting}/letters/urgent_appeal", {"field_facts": value}),
        (browser, f"/actions/{drafting}/letters/urgent_appeal", {"field_subject": value, "field_facts": "ok"}),
        (browser, f"/actions/{skippable}/skip", {"reason": value}),
        (another, f"/actions/{at_gate}/reject", {"comment": value}),
        *([(another, f"/actions/{at_gate}/approve", {"comment": value})] if control else []),
    ]:
        with subtests.test(msg=f"{url} {form}"):
            before = all_rows(seeded)
            response = who.post(url, form)
            secured(response, 422)
            assert all_rows(seeded) == before


def test_an_approval_comment_of_invisible_characters_is_recorded_as_none(seeded, browser):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_OHCHR)
    browser.get(f"/actions/{ref}")
    assert browser.post(f"/actions/{ref}/approve", {"comment": "\u200b\ufeff"}).status_code == 303
    assert seeded.services.get_action(ref)["approvals"][0]["comment"] is None


@pytest.mark.parametrize(("received", "words"), [
    ("9999-12-31", "between 2000-01-01 and 2100-12-31"), ("0001-01-01", "between"),
    ("２０２６-11-02", "YYYY-MM-DD"), ("2026-11-0٢", "YYYY-MM-DD"), ("", "YYYY-MM-DD"),
])
def test_a_reply_date_out_of_bounds_is_refused(seeded, browser, received, words):
    from tests.helpers import dispatched

    ref = dispatched(seeded, "urgent-appeal")
    browser.sign_in(OFFICER)
    browser.get(f"/actions/{ref}")
    before = all_rows(seeded)
    assert words in secured(browser.post(f"/actions/{ref}/reply", {"received_on": received}), 422)
    assert all_rows(seeded) == before


# ---------------------------------------------------------------- dates already stored far ahead


def test_deadlines_stored_far_ahead_break_no_page(seeded, browser, another):
    from icalendar import Calendar

    ref = open_at_gate(seeded, "urgent-appeal")
    with seeded.engine.begin() as connection:
        connection.execute(sa.text("UPDATE deadlines SET due_at = :due"),
                           {"due": datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)})
    browser.sign_in(SUP_IACHR)
    page = secured(browser.get("/"), 200)
    [address] = re.findall(r'href="http://127\.0\.0\.1:8000(/calendar/[0-9a-f]{40}\.ics)"', page)
    feed = another.get(address)  # was: a bare 500
    assert feed.status_code == 200
    assert len(Calendar.from_ical(feed.content).walk("VEVENT")) == 1
    secured(browser.get("/overview"), 200)
    secured(browser.get(f"/actions/{ref}"), 200)

# Any value in any form, found in the pages each person sees: tests/web/test_fuzz_forms.py
