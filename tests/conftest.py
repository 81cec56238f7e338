"""Fixtures: real SQLite and PostgreSQL databases, the app wired to them, a fixed clock.

Under COORDINATION_REQUIRE_ALL=1 a part that is missing (PostgreSQL) fails the test
instead of skipping it.
"""

import glob
import os
import shutil
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from pytest_postgresql import factories

from coordination.adapters.database import create_engine, upgrade
from coordination.adapters.fakes import FixedClock
from coordination.adapters.mandates import catalogue_rows
from coordination.adapters.records import MandateRecord
from coordination.bootstrap import App, bootstrap
from coordination.config import Settings

REQUIRE_ALL = os.environ.get("COORDINATION_REQUIRE_ALL") == "1"
TABLES = ("audit_events", "reminders", "outbox", "replies", "deadlines", "approvals", "letter_versions", "letters",
          "action_references", "action_links", "joint_actions", "recipients", "users", "counters", "sign_in_failures",
          "password_links", "mandate_holders", "mandates")


def unavailable(reason: str) -> None:
    """Skip for a missing part, or fail when the suite must run whole."""
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (COORDINATION_REQUIRE_ALL=1)")
    pytest.skip(reason)


def _pg_ctl() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return shutil.which("pg_ctl") or (found[-1] if found else None)


postgresql_proc = factories.postgresql_proc(executable=_pg_ctl() or "pg_ctl")


@pytest.fixture(scope="session")
def postgresql_server_url(request: pytest.FixtureRequest) -> str:
    """A PostgreSQL server: COORDINATION_TEST_POSTGRESQL_URL, or one started from the Debian binaries."""
    url = os.environ.get("COORDINATION_TEST_POSTGRESQL_URL")
    if url:
        return url
    if _pg_ctl() is None:
        unavailable("PostgreSQL is not installed (no pg_ctl) and COORDINATION_TEST_POSTGRESQL_URL is not set")
    if os.geteuid() == 0:
        unavailable("PostgreSQL cannot be started as root; set COORDINATION_TEST_POSTGRESQL_URL (.ci/run does)")
    proc = request.getfixturevalue("postgresql_proc")
    return f"postgresql+psycopg://{proc.user}:{proc.password or ''}@{proc.host}:{proc.port}/{proc.dbname}"


@pytest.fixture(scope="session")
def postgresql_database_url(postgresql_server_url: str):
    """A database of its own for this session, migrated once; dropped at the end."""
    name = f"coordination_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(postgresql_server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:
        unavailable(f"PostgreSQL at {postgresql_server_url} is not reachable: {error.orig}")
    url = sa.engine.make_url(postgresql_server_url).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the file
    return str(path)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """A migrated, empty database: SQLite and PostgreSQL in turn."""
    if request.param == "sqlite":
        path = tmp_path / "coordination.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgresql_database_url")
    empty_postgresql(url)
    return url


def empty_postgresql(url: str) -> None:
    """The database as migrated: every table emptied, the audit head reset, the mandates seeded again."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        connection.exec_driver_sql("DELETE FROM audit_head")  # a test may have deleted it on purpose
        connection.exec_driver_sql(f"INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '{'0' * 64}')")
        connection.execute(MandateRecord.__table__.insert(), catalogue_rows(datetime(2026, 1, 1, tzinfo=UTC)))
    engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))  # a Monday


@pytest.fixture
def bare_app(database_url: str, tmp_path, clock: FixedClock):
    """The app with no holder of any mandate: what a new installation has."""
    # the data directory (keys, checkpoints) apart from the files a test writes: `--output` never writes into it
    app = bootstrap(Settings(data_dir=tmp_path / "data", database_url=database_url), clock=clock)
    yield app
    app.engine.dispose()


@pytest.fixture
def app(bare_app: App) -> App:
    """The app, with the fictional holders of every mandate."""
    from .helpers import seed_holders

    seed_holders(bare_app)
    return bare_app


def count_rows(app: App) -> dict[str, int]:
    """Rows per table: a refused request must leave every count unchanged."""
    with app.engine.connect() as connection:
        return {t: connection.exec_driver_sql(f"SELECT COUNT(*) FROM {t}").scalar_one() for t in TABLES}


@pytest.fixture(scope="session")
def prefect_api():
    """A Prefect test server for the whole session; its API URL."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield PREFECT_API_URL.value()
