"""The composition root: settings in, wired parts out."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from .adapters.calendars import HolidayCalendar
from .adapters.database import create_engine
from .adapters.renderer import LetterRenderer
from .adapters.unit_of_work import UnitOfWork
from .config import Settings
from .domain.ports import BusinessCalendar


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class App:
    settings: Settings
    engine: sa.Engine
    calendar: BusinessCalendar
    renderer: LetterRenderer
    clock: Callable[[], datetime] = utc_now

    def uow(self, *, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(self.engine, read_only=read_only)


def bootstrap(settings: Settings | None = None, *, clock: Callable[[], datetime] = utc_now) -> App:
    settings = settings or Settings()
    return App(
        settings=settings,
        engine=create_engine(settings.effective_database_url),
        calendar=HolidayCalendar(),
        renderer=LetterRenderer(settings.templates_dir),
        clock=clock,
    )
