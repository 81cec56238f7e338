"""Signing in and out, sessions and CSRF: who can reach what, and what a refusal writes (nothing).

Throttling of failed sign-ins is in test_sign_in.py; sessions that end in test_sessions.py."""

import pytest
from fastapi.testclient import TestClient

from coordination.web import create_app
from coordination.web.routes import router
from tests.helpers import OFFICER, SUP_IACHR, open_at_gate

from .conftest import PASSWORD, Browser, all_rows

REF = "JAM-2026-0001"

def _routes() -> list[tuple[str, str]]:
    found = []
    for route in router.routes:
        for method in sorted(getattr(route, "methods", None) or []):
            if method != "HEAD":
                found.append((method, route.path.replace("{reference}", REF).replace("{letter}", "urgent_appeal")))
    return found

def test_every_page_but_sign_in_redirects_a_signed_out_visitor_to_sign_in(seeded, web):
    open_at_gate(seeded, "urgent-appeal")
    pages = [path for method, path in _routes()
             if method == "GET" and path not in ("/sign-in", "/calendar/{token}.ics",  # the feed: its own test
                                                 "/password/{token}")]  # public, its token the key: test_admin.py
    assert {"/", "/actions", "/overview", "/actions/new", f"/actions/{REF}"} <= set(pages)
    for path in pages + ["/no-such-page", f"/actions/{REF}/letters/urgent_appeal?format=pdf"]:
        response = web.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/sign-in?next=%2F"), path
    assert web.get("/sign-in").status_code == 200

def test_every_form_refuses_a_signed_out_sender_with_401_and_writes_nothing(seeded, web, browser):
    open_at_gate(seeded, "urgent-appeal")
    before = all_rows(seeded)
    forms = [path for method, path in _routes()
             if method == "POST" and path not in ("/sign-in", "/language", "/password/{token}")]
    assert len(forms) >= 8
    for path in forms:
        response = browser.post(path, {"comment": "x", "reason": "x", "type": "urgent-appeal", "country": "HND",
                                       "title": "x", "received_on": "2026-11-02"})
        assert response.status_code == 401, path
        assert 'action="/sign-in"' in response.text
    assert all_rows(seeded) == before

def test_a_form_without_its_csrf_token_is_refused_and_writes_nothing(seeded, browser):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_IACHR)
    before = all_rows(seeded)
    response = browser.post(f"/actions/{ref}/approve", {"comment": "ok"}, token=False)
    assert response.status_code == 403
    assert "did not come from this site" in response.text
    response = browser.post(f"/actions/{ref}/approve", {"comment": "ok", "csrf_token": "forged"}, token=False)
    assert response.status_code == 403
    assert all_rows(seeded) == before

def test_a_token_from_another_session_is_refused(seeded, browser, another):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_IACHR)
    another.get("/sign-in")
    response = browser.post(f"/actions/{ref}/approve", {"csrf_token": another.token}, token=False)
    assert response.status_code == 403

def test_sign_in_without_csrf_token_is_refused(browser):
    response = browser.post("/sign-in", {"email": OFFICER, "password": PASSWORD}, token=False)
    assert response.status_code == 403

def test_the_session_cookie_is_signed_httponly_and_samesite(browser):
    response = browser.sign_in(OFFICER)
    cookie = response.headers["set-cookie"].lower()
    assert "coordination_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # plain http on loopback; see the https test below
    browser.client.cookies.set("coordination_session", "forged.value.here")
    assert browser.client.get("/", follow_redirects=False).status_code == 303

def test_the_session_cookie_is_secure_when_the_base_url_is_https(seeded):
    seeded.settings.base_url = "https://joint-actions.example.org"
    with TestClient(create_app(seeded), base_url="https://testserver") as client:
        browser = Browser(client)
        response = browser.sign_in(OFFICER)
        assert "secure" in response.headers["set-cookie"].lower()

def test_wrong_password_is_refused_with_401_and_unknown_email_the_same_way(browser):
    browser.get("/sign-in")
    wrong = browser.post("/sign-in", {"email": OFFICER, "password": "not the password"})
    unknown = browser.post("/sign-in", {"email": "nobody@ohchr.test", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    assert "wrong email or password" in wrong.text and "wrong email or password" in unknown.text
    assert browser.client.get("/", follow_redirects=False).status_code == 303

def test_sign_out_ends_the_session(browser):
    browser.sign_in(OFFICER)
    assert browser.post("/sign-out").status_code == 303
    assert browser.client.get("/", follow_redirects=False).status_code == 303

def test_a_new_password_ends_the_sessions_opened_with_the_old_one(seeded, browser, another):
    browser.sign_in(OFFICER)
    assert browser.client.get("/", follow_redirects=False).status_code == 200
    seeded.services.set_password(email=OFFICER, password="an entirely new password")
    assert browser.client.get("/", follow_redirects=False).status_code == 303
    another.sign_in(OFFICER, "an entirely new password")
    assert another.client.get("/", follow_redirects=False).status_code == 200


def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(seeded, browser):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.get("/sign-in")
    response = browser.post("/sign-in", {"email": OFFICER, "password": PASSWORD, "next": f"/actions/{ref}"})
    assert response.headers["location"] == f"/actions/{ref}"
    browser.post("/sign-out")
    browser.get("/sign-in")
    response = browser.post("/sign-in", {"email": OFFICER, "password": PASSWORD, "next": "//evil.example/x"})
    assert response.headers["location"] == "/"

def test_pages_carry_security_headers(browser):
    response = browser.get("/sign-in")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"

@pytest.mark.parametrize("header, expected", [("es-MX,es;q=0.9,en;q=0.5", "Iniciar sesión"),
                                              ("fr, en;q=0.8", "Sign in"), ("", "Sign in")])
def test_the_interface_language_follows_accept_language(web, header, expected):
    assert f"<h1>{expected}</h1>" in web.get("/sign-in", headers={"Accept-Language": header}).text

def test_a_chosen_language_is_kept_for_the_user(seeded, browser, another):
    browser.sign_in(OFFICER)
    assert browser.post("/language", {"lang": "es", "next": "/"}).status_code == 303
    assert "Bandeja de entrada" in browser.get("/").text
    another.sign_in(OFFICER)  # a new session remembers the preference
    assert "Bandeja de entrada" in another.get("/").text
    assert browser.post("/language", {"lang": "xx"}).status_code == 422
