"""A live web app on loopback and headless Chromium, shared by the browser tests and docs/screenshots.py."""

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from coordination.adapters.database import create_engine, upgrade
from coordination.adapters.scheduling import NoScheduler
from coordination.bootstrap import App, bootstrap
from coordination.config import Settings
from coordination.web.server import WebServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


PHONE = {"width": 390, "height": 844}  # a phone's viewport, for `viewport=PHONE`


def fits(page) -> None:  # type: ignore[no-untyped-def]
    """The page is no wider than its screen: nothing to scroll sideways (a phone's 390 px)."""
    width, screen = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= screen + 1, f"the page is {width}px wide on a {screen}px screen ({page.url})"


def live_app(data_dir: Path, **clock) -> App:  # type: ignore[no-untyped-def]
    """An app on a fresh, migrated SQLite database in `data_dir`, asking no flow runs of Prefect."""
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'coordination.db'}")
    engine = create_engine(settings.effective_database_url)
    upgrade(engine)
    engine.dispose()
    return bootstrap(settings, scheduler=NoScheduler(lambda message: None), **clock)


def start_server(app: App) -> WebServer:
    return WebServer(app, host="127.0.0.1", port=0).start()


def launch(playwright):  # type: ignore[no-untyped-def]
    """Headless Chromium from the system package: Playwright downloads no browser."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def chromium_available() -> bool:
    return os.access(CHROMIUM, os.X_OK)


def sign_in(browser, base_url: str, email: str, password: str, *, lang: str = "en-GB", **context):  # type: ignore[no-untyped-def]
    """A page of a new browser context (its own cookies), signed in through the form."""
    page = browser.new_context(base_url=base_url, locale=lang, **context).new_page()
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)
    return page


@contextmanager
def served(folder: Path, password: str, prepare: Callable[[App], Any] | None = None) -> Iterator[tuple[App, str, Any]]:
    """The test users (each with `password`) on a live app in `folder`, prepared by `prepare` (its
    result is the third item), served on a free loopback port until the block ends."""
    from tests.conftest import unavailable
    from tests.helpers import USERS, seed

    if not chromium_available():
        unavailable("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    app = live_app(folder)
    seed(app)
    for email, *_ in USERS:
        app.services.set_password(email=email, password=password)
    prepared = prepare(app) if prepare is not None else None
    server = start_server(app)
    try:
        yield app, server.url, prepared
    finally:
        server.stop()
        app.engine.dispose()
