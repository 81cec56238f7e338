"""Sessions that end (issue 10, item 4): kept on the server, so that signing out, signing out
everywhere, a new password, a new role or disabling the user ends them for every copy of the
cookie; an idle time-out besides the 8-hour limit; the account page; renewable calendar addresses."""

import base64
import hashlib
import json
import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from pydantic import ValidationError

from coordination.config import Settings
from coordination.services import accounts
from coordination.web import create_app
from tests.helpers import OFFICER, SUP_IACHR, SUP_OHCHR, open_at_gate

from .conftest import PASSWORD, Browser, all_rows

NEW_PASSWORD = "a brand new passphrase"


def _rows(app, query: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    with app.engine.connect() as connection:
        return [tuple(r) for r in connection.exec_driver_sql(query)]


def _sessions(app) -> list[tuple]:  # type: ignore[no-untyped-def]
    return _rows(app, "SELECT id, user_id, last_seen_at, expires_at, ended_at, end_reason FROM sessions ORDER BY id")


def _events(app, name: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    return _rows(app, f"SELECT actor, subject, payload FROM audit_events WHERE event = '{name}' ORDER BY id")


def _copy_session(source: Browser, target: Browser) -> None:
    """What someone who got hold of the cookie (a shared computer, a backup, a proxy log) does with it."""
    target.client.cookies.set("coordination_session", source.client.cookies.get("coordination_session"))


def _token(browser: Browser) -> str:
    """The session token inside the signed cookie (base64 JSON, then a timestamp and a signature)."""
    data = browser.client.cookies.get("coordination_session").split(".")[0]
    return json.loads(base64.b64decode(data + "=" * (-len(data) % 4)))["sid"]


def _payload(value):  # type: ignore[no-untyped-def]
    return json.loads(value) if isinstance(value, str) else value


def _signed_in(browser: Browser) -> bool:
    return browser.client.get("/", follow_redirects=False).status_code == 200


# ---------------------------------------------------------------- sign-out ends the session, for every copy

def test_a_cookie_copied_before_sign_out_opens_nothing_and_approves_nothing_afterwards(seeded, browser, another):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_IACHR)
    browser.get(f"/actions/{ref}")
    _copy_session(browser, another)
    another.get(f"/actions/{ref}")  # the copy works while the session lasts, with the page's CSRF token
    assert another.client.get("/", follow_redirects=False).status_code == 200

    assert browser.post("/sign-out").status_code == 303
    before, rows = all_rows(seeded), _sessions(seeded)

    inbox = another.client.get("/", follow_redirects=False)
    assert inbox.status_code == 303 and inbox.headers["location"].startswith("/sign-in")
    page = another.client.get(f"/actions/{ref}", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/sign-in")
    approve = another.post(f"/actions/{ref}/approve", {"comment": "approved with a copied cookie"})
    assert approve.status_code == 401 and "Your session has ended" in approve.text
    assert all_rows(seeded) == before and _sessions(seeded) == rows  # nothing written
    assert seeded.services.get_action(ref)["approvals"] == []
    [(_, _, _, _, ended_at, reason)] = rows
    assert ended_at is not None and reason == "signed out"


def test_only_the_token_hash_is_stored_and_the_cookie_holds_no_email(seeded, browser):
    browser.sign_in(OFFICER)
    cookie = browser.client.cookies.get("coordination_session")
    data = json.loads(base64.b64decode(cookie.split(".")[0] + "=" * (-len(cookie.split(".")[0]) % 4)))
    assert set(data) <= {"sid", "csrf", "lang", "flash"} and OFFICER not in str(data)
    [(key, *_)] = _sessions(seeded)
    assert key == hashlib.sha256(data["sid"].encode()).hexdigest() == hashlib.sha256(_token(browser).encode()).hexdigest()
    with seeded.engine.connect() as connection:
        dump = "\n".join(str(row) for row in connection.exec_driver_sql("SELECT * FROM sessions"))
    assert data["sid"] not in dump
    assert seeded.services.current_user(key) is None  # the stored hash is not a token


def test_a_forged_or_unknown_token_is_signed_out(seeded, browser, another):
    browser.sign_in(OFFICER)
    assert seeded.services.current_user("not a token") is None
    assert seeded.services.current_user(None) is None
    another.client.cookies.set("coordination_session", "forged.value.here")
    assert not _signed_in(another)


# ---------------------------------------------------------------- idle time-out and the 8-hour limit

def test_a_session_idle_for_two_hours_ends(seeded, browser, clock):
    browser.sign_in(OFFICER)
    token = _token(browser)
    clock.advance(minutes=119)
    assert _signed_in(browser)  # each request keeps it alive
    clock.advance(minutes=119)
    assert _signed_in(browser)
    clock.advance(minutes=120)
    assert not _signed_in(browser)
    assert [r[-1] for r in _sessions(seeded)] == ["idle"]
    clock.advance(minutes=-60)  # it has ended for good: a clock set back does not revive it
    assert seeded.services.current_user(token) is None


def test_the_idle_time_out_is_a_setting_from_5_to_480_minutes(seeded, browser, clock):
    seeded.settings.session_idle_minutes = 10
    browser.sign_in(OFFICER)
    clock.advance(minutes=9)
    assert _signed_in(browser)
    clock.advance(minutes=10, seconds=1)
    assert not _signed_in(browser)
    assert Settings(session_idle_minutes=5).session_idle_minutes == 5
    assert Settings().session_idle_minutes == 120
    for wrong in (4, 481, 0, -1):
        with pytest.raises(ValidationError):
            Settings(session_idle_minutes=wrong)


def test_a_session_in_use_ends_8_hours_after_signing_in(seeded, browser, clock):
    browser.sign_in(OFFICER)
    for _ in range(7):
        clock.advance(minutes=68)
        assert _signed_in(browser)
    clock.advance(minutes=8 * 60 - 7 * 68)
    assert not _signed_in(browser)
    assert [r[-1] for r in _sessions(seeded)] == ["expired"]
    browser.sign_in(OFFICER)
    assert _signed_in(browser)


def test_last_seen_is_written_at_most_once_a_minute(seeded, browser, clock):
    browser.sign_in(OFFICER)
    [(_, _, signed_in_at, *_)] = _sessions(seeded)
    clock.advance(seconds=30)
    for _ in range(3):
        assert _signed_in(browser)
    [(_, _, seen, *_)] = _sessions(seeded)
    assert seen == signed_in_at
    clock.advance(seconds=31)
    assert _signed_in(browser)
    [(_, _, seen, *_)] = _sessions(seeded)
    assert seen != signed_in_at


# ---------------------------------------------------------------- the account page

def test_the_account_page_is_reached_from_every_page_and_its_forms_carry_the_csrf_token(seeded, browser):
    browser.sign_in(OFFICER)
    assert 'href="/account"' in browser.get("/").text
    page = browser.get("/account")
    assert page.status_code == 200
    forms = re.findall(r'<form method="post" action="(/account[^"]*)"[^>]*>\s*<input type="hidden" '
                       r'name="csrf_token" value="([^"]+)"', page.text)
    assert {action for action, _ in forms} == {"/account/sign-out-everywhere", "/account/calendar",
                                               "/account/password"}
    before = all_rows(seeded)
    for action, _ in forms:
        assert browser.post(action, {}, token=False).status_code == 403
    assert all_rows(seeded) == before
    browser.post("/language", {"lang": "es", "next": "/account"})
    assert "Cerrar sesión en todas partes" in browser.get("/account").text


def test_sign_out_everywhere_ends_every_session_of_that_person_only(seeded, browser, another):
    browser.sign_in(OFFICER)
    another.sign_in(OFFICER)  # another computer
    with_other = Browser(TestClient(create_app(seeded), base_url="http://127.0.0.1:8000"))
    with_other.sign_in(SUP_OHCHR)

    browser.get("/account")
    response = browser.post("/account/sign-out-everywhere")
    assert response.status_code == 303 and response.headers["location"] == "/sign-in"

    assert not _signed_in(browser) and not _signed_in(another)
    assert _signed_in(with_other)
    assert "You are signed out everywhere." in browser.get("/sign-in").text
    [(actor, subject, payload)] = _events(seeded, "SessionsEnded")
    assert (actor, subject) == (OFFICER, OFFICER)
    assert _payload(payload) == {"sessions": 2, "reason": "signed out everywhere"}
    assert seeded.services.verify_audit().findings == []
    browser.sign_in(OFFICER)
    assert _signed_in(browser)


def test_changing_the_password_needs_the_current_one_and_ends_the_other_sessions(seeded, browser, another):
    browser.sign_in(OFFICER)
    another.sign_in(OFFICER)
    browser.get("/account")
    form = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}

    before = all_rows(seeded)
    wrong = browser.post("/account/password", {**form, "current_password": "not my password at all"})
    assert wrong.status_code == 403 and "the current password is not right" in wrong.text
    counted = all_rows(seeded)
    assert counted.pop("sign_in_failures") == before.pop("sign_in_failures") + 2  # the account and the address
    assert counted == before
    before = all_rows(seeded)
    for refused, message in [
        ({**form, "confirm_password": "something else entirely"}, "The new password and its confirmation differ."),
        ({**form, "new_password": " " * 10, "confirm_password": " " * 10}, "at least 12 characters"),
        ({**form, "new_password": " " * 12, "confirm_password": " " * 12}, "only spaces or invisible characters"),
        ({**form, "new_password": "\u200b" * 16, "confirm_password": "\u200b" * 16}, "only spaces or invisible"),
        ({**form, "new_password": OFFICER, "confirm_password": OFFICER}, "cannot be the email address"),
    ]:
        response = browser.post("/account/password", refused)
        assert response.status_code == 422 and message in response.text, response.text[-800:]
    assert all_rows(seeded) == before
    assert _signed_in(another)

    done = browser.post("/account/password", form)
    assert done.status_code == 303 and done.headers["location"] == "/account"
    assert "Your password is changed" in browser.get("/account").text
    assert _signed_in(browser)  # this browser goes on, with a new session
    assert not _signed_in(another)  # every other one has ended
    with pytest.raises(accounts.SignInRefused):
        seeded.services.sign_in(email=OFFICER, password=PASSWORD)
    assert seeded.services.sign_in(email=OFFICER, password=NEW_PASSWORD).user.email == OFFICER
    [(actor, subject, payload)] = _events(seeded, "PasswordChanged")
    assert (actor, subject) == (OFFICER, OFFICER)
    assert NEW_PASSWORD not in str(payload) and PASSWORD not in str(payload)
    assert seeded.services.verify_audit().findings == []


def test_a_password_set_by_an_administrator_ends_the_sessions(seeded, browser):
    browser.sign_in(OFFICER)
    seeded.services.set_password(email=OFFICER, password=NEW_PASSWORD)
    assert not _signed_in(browser)
    assert {r[-1] for r in _sessions(seeded)} == {"password set"}


# ---------------------------------------------------------------- calendar addresses that can be renewed

def _feed_path(page: str) -> str:
    [address] = re.findall(r'href="http://127\.0\.0\.1:8000(/calendar/[0-9a-f]{40}\.ics)"', page)
    return address


def test_renewing_the_calendar_address_makes_the_old_one_answer_404(seeded, browser, another):
    open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_IACHR)
    old = _feed_path(browser.get("/").text)
    # generation 0 keeps the address every existing subscription uses
    assert old == f"/calendar/{seeded.services.calendar_token(SUP_IACHR)}.ics"
    assert another.client.get(old).status_code == 200
    assert _feed_path(browser.get("/account").text) == old

    assert browser.post("/account/calendar").status_code == 303
    page = browser.get("/account").text
    new = _feed_path(page)
    assert new != old and "the old one no longer works" in page
    assert _feed_path(browser.get("/").text) == new
    assert another.client.get(old).status_code == 404
    feed = another.client.get(new)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    [(actor, subject, payload)] = _events(seeded, "CalendarAddressRenewed")
    assert (actor, subject) == (SUP_IACHR, SUP_IACHR) and new[10:50] not in str(payload)
    assert seeded.services.verify_audit().findings == []

    renewed = seeded.services.renew_calendar(email=SUP_IACHR)  # the command line's way, once more
    assert another.client.get(new).status_code == 404
    assert another.client.get(renewed.removeprefix("http://127.0.0.1:8000")).status_code == 200


# ---------------------------------------------------------------- disabling a user, changing their role

def test_disabling_a_user_ends_their_sessions_and_their_calendar(seeded, browser, another):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_IACHR)
    feed = _feed_path(browser.get("/").text)
    browser.get(f"/actions/{ref}")
    seeded.services.disable_user(email=SUP_IACHR)
    before = all_rows(seeded)

    assert not _signed_in(browser)
    assert browser.post(f"/actions/{ref}/approve", {"comment": "ok"}).status_code == 401
    assert another.client.get(feed).status_code == 404
    assert all_rows(seeded) == before
    browser.get("/sign-in")
    refused = browser.post("/sign-in", {"email": SUP_IACHR, "password": PASSWORD})
    assert refused.status_code == 401 and "wrong email or password" in refused.text

    seeded.services.enable_user(email=SUP_IACHR)
    browser.sign_in(SUP_IACHR)
    assert _signed_in(browser) and another.client.get(feed).status_code == 200


def test_a_new_role_ends_the_sessions_opened_with_the_old_one(seeded, browser):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_IACHR)
    browser.get(f"/actions/{ref}")
    seeded.services.set_role(email=SUP_IACHR, role="officer")
    assert browser.post(f"/actions/{ref}/approve", {"comment": "ok"}).status_code == 401
    browser.sign_in(SUP_IACHR)
    assert browser.post(f"/actions/{ref}/approve", {"comment": "ok"}).status_code == 403  # an officer now
    assert seeded.services.verify_audit().findings == []


def test_every_session_row_of_a_user_ends_with_its_reason(seeded, browser, another, clock):
    browser.sign_in(OFFICER)
    another.sign_in(OFFICER)
    seeded.services.set_role(email=OFFICER, role="supervisor")
    assert [r[-1] for r in _sessions(seeded)] == ["role changed"] * 2
    with seeded.engine.begin() as connection:  # rows that ended long ago are deleted at the next sign-in
        connection.execute(sa.text("UPDATE sessions SET expires_at = :t"), {"t": "2026-10-01 00:00:00"})
    browser.sign_in(OFFICER)
    assert [r[-1] for r in _sessions(seeded)] == [None]
