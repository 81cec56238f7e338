"""Engines and migrations: SQLite (WAL, one writer at a time) by default, PostgreSQL by URL.

A SQLite file is created 0600 in a directory created 0700 (SQLite gives its -wal and -shm
files the database's mode), and only by the commands that may create it (`sqlite_path`,
`database_missing`: the others refuse to run on a database that does not exist).
"""

import os
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

if TYPE_CHECKING:  # Alembic is imported by a migration alone: the other commands do not pay for it
    from alembic.config import Config

READ_ONLY = "coordination_read_only"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# The newest revision in migrations/versions, known without reading them (tests/integration/
# test_migrations.py checks it against Alembic's head): `init` on an up-to-date database is one SELECT.
HEAD_REVISION = "0012"


def create_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return sa.create_engine(url, pool_pre_ping=True)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for another database or an in-memory one."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:" \
            or parsed.database.startswith("file:") or parsed.query.get("mode") == "memory":
        return None
    return Path(parsed.database)


def database_missing(url: str) -> Path | None:
    """The path of a SQLite database that does not exist yet (None: it exists, or is not a SQLite file)."""
    path = sqlite_path(url)
    return path if path is not None and not path.exists() else None


def _create_private(path: Path) -> None:
    """Create a missing database file as SQLite would, but 0600 in a 0700 directory (an empty file
    is an empty SQLite database); SQLite then gives its -wal and -shm files the same mode."""
    if path.exists():
        return
    from .keys import private_dir

    private_dir(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _sqlite_engine(url: str) -> sa.Engine:
    path = sqlite_path(url)
    engine = sa.create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

    if path is not None:
        @sa.event.listens_for(engine, "do_connect")
        def _before_connect(dialect, record, cargs, cparams):  # type: ignore[no-untyped-def]
            _create_private(path)  # at the first connection, not before: an engine alone creates nothing

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # SQLite's own lower() folds ASCII only: searches ignore the case of every letter
        # (É, Ñ, Ç…) as on PostgreSQL.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        # Writers take the write lock up front: read-then-write transactions never deadlock
        # on lock upgrade, and writers queue on busy_timeout instead of failing. Readers
        # (READ_ONLY below) begin deferred and, under WAL, never wait for a writer.
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def alembic_config(url: str) -> "Config":
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: sa.Engine, *, audit_key: bytes | None = None) -> tuple[str | None, str]:
    """Migrate to head; returns (revision before, revision after). Safe to run again.

    `audit_key` lets a migration re-seal the audit chain (0005 keys it)."""
    before = current_revision(engine)
    if before == HEAD_REVISION:
        return before, before  # nothing to do: Alembic would run no migration either
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        config.attributes["audit_key"] = audit_key
        command.upgrade(config, "head")
    return before, head_revision()


def current_revision(engine: sa.Engine) -> str | None:
    """The schema's revision, read as Alembic stores it (one row of alembic_version), without
    importing Alembic; None for a database never migrated."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    if len(rows) > 1:
        raise RuntimeError(f"the database has several schema revisions ({', '.join(rows)}): one was expected")
    return rows[0] if rows else None


def head_revision() -> str:
    """The head of migrations/versions as Alembic reads it (HEAD_REVISION is its copy)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return script.get_current_head() or ""
