"""Fixtures for the web app: a TestClient per test over the `app` fixture's database, users with passwords."""

import re

import pytest
from fastapi.testclient import TestClient

from coordination.web import create_app
from tests.helpers import USERS, seed

PASSWORD = "correct horse battery staple"
WEB_TABLES = ("credentials", "letter_views")


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


class Browser:
    """A TestClient that signs in and posts forms with the page's CSRF token."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.token: str | None = None
        self.seen: list[str] = []  # the letter versions the last page showed, as its decision forms carry them

    def get(self, url: str, **kwargs):  # type: ignore[no-untyped-def]
        response = self.client.get(url, **kwargs)
        if 'name="csrf_token"' in response.text:
            self.token = csrf(response.text)
        if "/actions/" in url:
            self.seen = list(dict.fromkeys(re.findall(r'name="seen" value="([0-9a-f]{64})"', response.text)))
            self._post_what_the_page_showed(response.text)
        return response

    def _post_what_the_page_showed(self, html: str) -> None:
        """What the action page's script (static/seen.js) does in a browser once the page is shown:
        post its data-seen form, the letter versions it showed."""
        form = re.search(r'<form method="post" action="([^"]+)" data-seen hidden>(.*?)</form>', html, re.S)
        if form:
            self.client.post(form.group(1), data={
                "csrf_token": csrf(form.group(2)), "version": re.findall(r'name="version" value="(\d+)"', form.group(2))})

    def post(self, url: str, data: dict | None = None, *, token: bool = True, **kwargs):  # type: ignore[no-untyped-def]
        if token and self.token is None:
            self.get("/sign-in")
        form = dict(data or {})
        if url.endswith(("/approve", "/reject")) and "seen" not in form:
            form["seen"] = self.seen or self._current_letters(url.split("/")[2])
        if token:
            form["csrf_token"] = self.token
        return self.client.post(url, data=form, follow_redirects=False, **kwargs)

    def _current_letters(self, reference: str) -> list[str]:
        """The draft letters' versions as the action page would show them now (read without loading it)."""
        from coordination.domain import CoordinationError

        try:
            view = self.client.app.state.core.services.get_action(reference)
        except CoordinationError:
            return []
        return [letter["sha256"] for letter in view["letters"] if letter["status"] == "draft"]

    def sign_in(self, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        self.get("/sign-in")
        response = self.post("/sign-in", {"email": email, "password": password})
        assert response.status_code == 303, response.text
        self.get("/")
        return response


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    """Argon2id with its cheapest parameters: the default ones cost 0.3 s a hash (see test_passwords)."""
    from argon2 import PasswordHasher

    from coordination.adapters import hashing

    monkeypatch.setattr(hashing, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


@pytest.fixture
def seeded(app):
    seed(app)
    for email, *_ in USERS:
        app.services.set_password(email=email, password=PASSWORD)
    return app


@pytest.fixture
def web(seeded):
    web_app = create_app(seeded)
    with TestClient(web_app, base_url="http://127.0.0.1:8000") as client:
        client.web_app = web_app  # type: ignore[attr-defined]
        yield client


@pytest.fixture
def browser(web) -> Browser:
    return Browser(web)


@pytest.fixture
def another(seeded) -> Browser:
    """A second person with a session of their own."""
    with TestClient(create_app(seeded), base_url="http://127.0.0.1:8000") as client:
        yield Browser(client)


def all_rows(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from tests.conftest import count_rows

    counts = count_rows(app)
    with app.engine.connect() as connection:
        for table in WEB_TABLES:
            counts[table] = connection.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar_one()
    return counts


# ---------------------------------------------------------------- Chromium, for the test files that define `live`

@pytest.fixture(scope="module")
def chromium(live):
    """One headless Chromium per test file (after its `live` app and server: (app, url, …)), closed
    at the end of the file: while Playwright's sync API is open, its event loop counts as running
    in this thread, and a later asyncio test in the same worker could not start its own."""
    from playwright.sync_api import sync_playwright

    from .live import launch

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def as_user(live, chromium):
    """`as_user(email, **context)`: a page of its own browser context, signed in; closed after the test."""
    from .live import sign_in

    pages = []

    def open_as(email: str, **context):  # type: ignore[no-untyped-def]
        page = sign_in(chromium, live[1], email, PASSWORD, **context)
        pages.append(page)
        return page

    yield open_as
    for page in pages:
        page.context.close()
