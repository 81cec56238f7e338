"""The composition root: settings in, wired parts out.

`bootstrap()` builds the adapters (database engine, unit of work, calendar, renderer,
scheduler, audit seal, address check, mailer, digest renderer, calendar feed writer, migrations) and `App.services` hands each use case of
`coordination.services` the ones its signature names: `app.services.approve_stage(reference=…,
supervisor=…)` calls `services.approve_stage` with `uow`, `clock`, `scheduler`, … filled in.
The command line, the web app and the flows call the use cases this way and only this way.
"""

import inspect
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from .adapters.audit import AuditSeal
from .adapters.calendars import HolidayCalendar
from .adapters.database import create_engine, database_missing, sqlite_path, upgrade
from .adapters.keys import KeySigner, secret_file, tighten, web_secret_key
from .adapters.logs import route_third_party_logs
from .adapters.runtime import beside_serve, prefect_api_url
from .adapters.scheduling import NoScheduler, PrefectScheduler
from .adapters.unit_of_work import UnitOfWork
from .config import Settings
from .domain import Unavailable
from .domain.ports import BusinessCalendar
from .services.ports import FeedEvent, Mailer, PasswordHasher, Scheduler, Signer

if TYPE_CHECKING:
    from .adapters.addresses import AddressCheck
    from .adapters.renderer import LetterRenderer


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class App:
    settings: Settings
    engine: sa.Engine
    calendar: BusinessCalendar
    scheduler: Scheduler
    clock: Callable[[], datetime] = utc_now

    @cached_property
    def renderer(self) -> "LetterRenderer":
        """The letters' renderer (Jinja2, Babel): made, and imported, by the first command that renders."""
        from .adapters.renderer import LetterRenderer

        return LetterRenderer(self.settings.templates_dir, pdf_timeout=self.settings.pdf_timeout_seconds)

    @cached_property
    def seal(self) -> AuditSeal:
        """The audit key (COORDINATION_AUDIT_KEY, or the data directory's audit-key file) and checkpoints."""
        s = self.settings
        key = s.audit_key.get_secret_value() if s.audit_key is not None else secret_file(s.audit_key_file)
        return AuditSeal(key.encode(), s.audit_checkpoints_file)

    @cached_property
    def hasher(self) -> PasswordHasher:
        """Password hashes (argon2id)."""
        from .adapters.hashing import Argon2Hasher

        return Argon2Hasher()

    @property
    def signer(self) -> Signer:
        """Signs calendar addresses with the web app's secret key."""
        return KeySigner(self.settings)

    def secret_key(self) -> str:
        """The web app's secret key (COORDINATION_SECRET_KEY, or the data directory's web-secret-key
        file, generated once): it signs the session cookie and the calendar addresses."""
        return web_secret_key(self.settings)

    @property
    def addresses(self) -> "AddressCheck":
        """The check of every email address given to the system (COORDINATION_ALLOW_IP_ADDRESSES)."""
        from .adapters.addresses import AddressCheck  # email-validator: for the commands that take addresses

        return AddressCheck(allow_ip=self.settings.allow_ip_addresses)

    def uow(self, *, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(self.engine, self.seal, read_only=read_only)

    def mailer(self) -> Mailer | None:
        """A connection to the settings' SMTP server (read when called), or None when none is configured."""
        from .adapters.mailer import SmtpMailer, smtp_settings  # aiosmtplib: for the commands that send

        server = smtp_settings(self.settings)
        return None if server is None else SmtpMailer(server)

    def migrate(self) -> tuple[str | None, str]:
        """Upgrade the schema to head (the audit key seals the trail's first head)."""
        return upgrade(self.engine, audit_key=self.seal.key)

    @cached_property
    def services(self) -> "Services":
        """The use cases, with their dependencies given."""
        return Services(self)

    def dependencies(self) -> dict[str, Callable[[], Any]]:
        """What a use case may name in its signature, by name: each read from the App when a use
        case that names it is called (so that a test may swap the scheduler or the settings)."""
        return {
            "uow": lambda: self.uow, "clock": lambda: self.clock, "calendar": lambda: self.calendar,
            "addresses": lambda: self.addresses, "renderer": lambda: self.renderer,
            "scheduler": lambda: self.scheduler, "settings": lambda: self.settings, "seal": lambda: self.seal,
            "hasher": lambda: self.hasher, "signer": lambda: self.signer, "mailer": lambda: self.mailer,
            "migrate": lambda: self.migrate, "render_digest": lambda: render_digest,
            "calendar_writer": lambda: write_calendar, "render_password_link": lambda: render_password_link,
        }


class Services:
    """`coordination.services`' use cases, each with the dependencies its signature names given
    (the keyword-only parameters `uow`, `clock`, `renderer`, … ): the caller passes the rest."""

    def __init__(self, app: App) -> None:
        self._providers = app.dependencies()
        self._bound: dict[str, Callable[..., Any]] = {}

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._bound:
            from . import services

            self._bound[name] = inject(getattr(services, name), self._providers)
        return self._bound[name]


def inject(use_case: Callable[..., Any], providers: dict[str, Callable[[], Any]]) -> Callable[..., Any]:
    """`use_case` with the dependencies its signature names given (as cosmicpython's bootstrap
    does), each read at the call; one the caller passes (a test's fake) wins."""
    wanted = {name: providers[name] for name in inspect.signature(use_case).parameters if name in providers}

    def call(*args: Any, **kwargs: Any) -> Any:
        given = {name: provide() for name, provide in wanted.items() if name not in kwargs}
        return use_case(*args, **given, **kwargs)

    call.__name__ = call.__qualname__ = use_case.__name__
    call.__doc__ = use_case.__doc__
    return call


def render_digest(*args: Any, **kwargs: Any) -> Any:
    """The reminder digests (Jinja2 and Babel are imported by the sweep alone)."""
    from .adapters.digests import render_digest as render

    return render(*args, **kwargs)


def render_password_link(*args: Any, **kwargs: Any) -> Any:
    """The password-link mail (imported when one is sent)."""
    from .adapters.account_mail import render_password_link as render

    return render(*args, **kwargs)


def write_calendar(*, name: str, events: list[FeedEvent]) -> bytes:
    """The calendar feed, in iCalendar (icalendar is imported by the feed alone)."""
    from .adapters.ical import write_calendar as write

    return write(name=name, events=events)


def _quiet(message: str) -> None:
    pass


def require_database(settings: Settings) -> None:
    """Refuse to go on when the SQLite database does not exist (a mistyped COORDINATION_DATA_DIR,
    say), instead of creating an empty one: only `init`, `serve` and `demo` create it."""
    missing = database_missing(settings.effective_database_url)
    if missing is not None:
        raise Unavailable(f"no database at {missing}; run `coordination init`")


def bootstrap(
    settings: Settings | None = None, *, clock: Callable[[], datetime] = utc_now,
    announce: Callable[[str], None] = _quiet, scheduler: Scheduler | None = None,
) -> App:
    """Wire the parts; `announce` receives what the user should hear (e.g. "queued")."""
    settings = beside_serve(settings or Settings())  # a running serve's mail sink and web address
    tighten(settings.data_dir, sqlite_path(settings.effective_database_url))
    route_third_party_logs(settings.data_dir)  # fonts' and CSS warnings of PDF rendering: not on the console
    if scheduler is None:
        api_url = prefect_api_url(settings.data_dir, dict(os.environ))
        scheduler = PrefectScheduler(api_url, announce) if api_url else NoScheduler(announce)
    return App(
        settings=settings,
        engine=create_engine(settings.effective_database_url),
        calendar=HolidayCalendar(),
        scheduler=scheduler,
        clock=clock,
    )
