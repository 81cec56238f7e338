"""A live web app on loopback and headless Chromium, shared by the browser tests and docs/screenshots.py."""

import os
from pathlib import Path

from coordination.adapters.database import create_engine, upgrade
from coordination.adapters.scheduling import NoScheduler
from coordination.bootstrap import App, bootstrap
from coordination.config import Settings
from coordination.web.server import WebServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


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
