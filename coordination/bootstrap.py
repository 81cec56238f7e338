"""The composition root: settings in, wired parts out."""

from collections.abc import Callable
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

import sqlalchemy as sa

from .adapters.addresses import AddressCheck
from .adapters.audit import AuditSeal
from .adapters.calendars import HolidayCalendar
from .adapters.database import create_engine, database_missing, sqlite_path
from .adapters.keys import secret_file, tighten
from .adapters.renderer import LetterRenderer
from .adapters.scheduling import FlowScheduler, NoScheduler, PrefectScheduler, prefect_api_url
from .adapters.unit_of_work import UnitOfWork
from .config import Settings
from .domain import Unavailable
from .domain.ports import BusinessCalendar


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class App:
    settings: Settings
    engine: sa.Engine
    calendar: BusinessCalendar
    renderer: LetterRenderer
    scheduler: FlowScheduler
    clock: Callable[[], datetime] = utc_now

    @cached_property
    def seal(self) -> AuditSeal:
        """The audit key (COORDINATION_AUDIT_KEY, or the data directory's audit-key file) and checkpoints."""
        s = self.settings
        key = s.audit_key.get_secret_value() if s.audit_key is not None else secret_file(s.audit_key_file)
        return AuditSeal(key.encode(), s.audit_checkpoints_file)

    @property
    def addresses(self) -> AddressCheck:
        """The check of every email address given to the system (COORDINATION_ALLOW_IP_ADDRESSES)."""
        return AddressCheck(allow_ip=self.settings.allow_ip_addresses)

    def uow(self, *, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(self.engine, self.seal, read_only=read_only)


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
    announce: Callable[[str], None] = _quiet, scheduler: FlowScheduler | None = None,
) -> App:
    """Wire the parts; `announce` receives what the user should hear (e.g. "queued")."""
    settings = settings or Settings()
    tighten(settings.data_dir, sqlite_path(settings.effective_database_url))
    if scheduler is None:
        api_url = prefect_api_url(settings.data_dir, dict(os.environ))
        scheduler = PrefectScheduler(api_url, announce) if api_url else NoScheduler(announce)
    return App(
        settings=settings,
        engine=create_engine(settings.effective_database_url),
        calendar=HolidayCalendar(),
        renderer=LetterRenderer(settings.templates_dir, pdf_timeout=settings.pdf_timeout_seconds),
        scheduler=scheduler,
        clock=clock,
    )
