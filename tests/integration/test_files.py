"""Files and operator mistakes (issue 10, item 8).

    the data directory 0700; the database (and its -wal, -shm), the keys, the checkpoints,
    the demo passwords and errors.log 0600 — created so, and narrowed at start-up if found wider
    --output never overwrites a file without --force, and never writes into the data directory
    every command but init, serve and demo refuses to run on a SQLite database that does not exist

The commands run as a user runs them: settings from COORDINATION_* variables, `_app()` not
replaced, except where a test needs the fixed clock and PostgreSQL (`cli`).
"""

import hashlib
import os
import stat
from pathlib import Path

import pytest
from typer.testing import Result

import coordination.cli
from coordination import services
from coordination.adapters.database import sqlite_path
from coordination.bootstrap import bootstrap
from coordination.config import Settings
from coordination.domain import Unavailable

from ..helpers import OFFICER, open_at_gate
from .test_cli import ok, runner
from .test_cli_refusals import assert_refused

PRIVATE = ("coordination.db", "web-secret-key", "audit-key", "audit-checkpoints", "demo-passwords.txt", "errors.log")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def wide_umask():
    """Modes must not depend on the umask: the widest one for the test."""
    previous = os.umask(0)
    yield
    os.umask(previous)


@pytest.fixture
def as_user(tmp_path, monkeypatch):
    """`coordination …` with COORDINATION_DATA_DIR set (and nothing else), as a person runs it."""
    monkeypatch.delenv("COORDINATION_DATABASE_URL", raising=False)

    def run(data_dir: Path, *args: str, input: str | None = None) -> Result:
        coordination.cli._app.cache_clear()
        try:
            return runner.invoke(coordination.cli.app, list(args), input=input,
                                 env={"COORDINATION_DATA_DIR": str(data_dir)})
        finally:
            if coordination.cli._app.cache_info().currsize:
                coordination.cli._app().engine.dispose()
            coordination.cli._app.cache_clear()

    return run


def one_line(result: Result, *words: str) -> str:
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr, result.exception)
    assert isinstance(result.exception, SystemExit) and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ") and all(w in line for w in words), line
    return line


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- modes


def test_init_creates_the_data_directory_0700_and_the_database_and_keys_0600(tmp_path, as_user, wide_umask):
    data = tmp_path / "data"
    ok(as_user(data, "init"))
    ok(as_user(data, "user", "add", OFFICER, "--name", "O", "--org", "ohchr", "--role", "officer"))

    assert mode(data) == 0o700
    for name in ("coordination.db", "audit-key", "audit-checkpoints"):
        assert mode(data / name) == 0o600, name
    # while a connection is open, SQLite's -wal and -shm exist: the database's mode
    app = bootstrap(Settings(data_dir=data))
    try:
        app.services.add_user(email="s@ohchr.test", name="S", organisation="ohchr", role="supervisor")
        for suffix in ("-wal", "-shm"):
            assert mode(data / f"coordination.db{suffix}") == 0o600, suffix
    finally:
        app.engine.dispose()


def test_demo_keeps_its_passwords_0600_and_the_web_app_its_key(tmp_path, as_user, wide_umask):
    from coordination.web import create_app

    data = tmp_path / "data"
    ok(as_user(data, "demo"))
    assert mode(data) == 0o700
    assert mode(data / "demo-passwords.txt") == 0o600 and mode(data / "coordination.db") == 0o600
    app = bootstrap(Settings(data_dir=data))
    try:
        create_app(app)
    finally:
        app.engine.dispose()
    assert mode(data / "web-secret-key") == 0o600


def test_files_left_readable_by_others_are_narrowed_at_start_up(tmp_path, as_user):
    data = tmp_path / "data"
    ok(as_user(data, "init"))
    for name in PRIVATE:
        path = data / name
        if not path.exists():
            path.write_text("x\n" if name in ("errors.log", "demo-passwords.txt", "audit-checkpoints") else "k" * 40)
        os.chmod(path, 0o644)
    for suffix in ("-wal", "-shm"):
        (data / f"coordination.db{suffix}").unlink(missing_ok=True)
    os.chmod(data, 0o755)  # as the issue found it: a 0644 database in a 0755 directory

    result = as_user(data, "action", "list")  # any command

    assert result.exit_code in (0, 1)  # the keys written above may not be ours: what matters is the modes
    assert mode(data) == 0o700
    assert {name: mode(data / name) for name in PRIVATE} == {name: 0o600 for name in PRIVATE}


def test_a_shared_directory_is_never_narrowed_only_the_files_in_it(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)  # like /tmp
    (shared / "coordination.db").touch()
    os.chmod(shared / "coordination.db", 0o644)
    app = bootstrap(Settings(data_dir=shared))
    app.engine.dispose()
    assert mode(shared) == 0o1777 and mode(shared / "coordination.db") == 0o600


def test_errors_log_is_created_0600(app, cli, monkeypatch, wide_umask):
    monkeypatch.setattr(services, "list_users", lambda *a, **k: 1 / 0)
    assert cli("user", "list").exit_code == 1
    assert mode(app.settings.data_dir / "errors.log") == 0o600 and mode(app.settings.data_dir) == 0o700


# ---------------------------------------------------------------- a database that does not exist


COMMANDS = [
    ("action", "list"), ("action", "show", "JAM-2026-0001"), ("user", "list"),
    ("user", "add", "o@ohchr.test", "--name", "O", "--org", "ohchr", "--role", "officer"),
    ("recipient", "add", "HND", "--kind", "foreign-ministry", "--email", "m@hnd.test"),
    ("letter", "show", "JAM-2026-0001"), ("deadline", "list"), ("outbox", "list"), ("outbox", "send"),
    ("reminders", "send"), ("calendar", "export"), ("audit", "verify"), ("audit", "checkpoint"),
    ("user", "set-password", "o@ohchr.test"), ("web", "--port", "8123"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_mistyped_data_directory_is_refused_and_nothing_is_created(tmp_path, as_user, command):
    data = tmp_path / "dta"  # meant: data
    line = one_line(as_user(data, *command, input="a long enough password\n"))
    assert line == f"error: no database at {data / 'coordination.db'}; run `coordination init`"
    assert not data.exists()  # not the database, not the directory
    assert list(tmp_path.iterdir()) == []


def test_a_data_directory_without_its_database_gets_none_either(tmp_path, as_user):
    data = tmp_path / "data"
    data.mkdir()
    one_line(as_user(data, "action", "list"), "no database at", "coordination init")
    assert list(data.iterdir()) == []


def test_init_and_demo_create_the_database(tmp_path, as_user):
    ok(as_user(tmp_path / "one", "init"))
    assert (tmp_path / "one" / "coordination.db").stat().st_size > 0
    ok(as_user(tmp_path / "two", "demo"))
    assert len(ok(as_user(tmp_path / "two", "action", "list")).splitlines()) > 1


def test_the_web_app_does_not_start_on_a_database_that_does_not_exist(tmp_path):
    from coordination.web import create_app

    app = bootstrap(Settings(data_dir=tmp_path / "missing"))
    with pytest.raises(Unavailable, match="no database at"):
        create_app(app)
    app.engine.dispose()
    assert not (tmp_path / "missing").exists()


# ---------------------------------------------------------------- --output


def test_output_refuses_to_overwrite_a_file_without_force(app, cli, tmp_path, subtests):
    ref = open_at_gate(app, "urgent-appeal")
    for command in (("letter", "show", ref), ("letter", "show", ref, "--format", "html"), ("calendar", "export")):
        with subtests.test(msg=" ".join(command[:2])):
            target = tmp_path / "kept.txt"
            target.write_text("mine\n")
            assert_refused(app, cli, (*command, "--output", str(target)), str(target), "exists", "--force")
            assert target.read_text() == "mine\n"
            assert ok(cli(*command, "--output", str(target), "--force")).startswith("Wrote")
            assert target.read_text() != "mine\n"
            target.unlink()


def test_output_writes_a_new_file_readable_by_its_owner_only(app, cli, tmp_path, wide_umask):
    ref = open_at_gate(app, "urgent-appeal")
    ok(cli("letter", "show", ref, "--output", str(tmp_path / "new.txt")))
    assert mode(tmp_path / "new.txt") == 0o600


def test_output_never_writes_into_the_data_directory_even_with_force(app, cli, tmp_path, subtests):
    ref = open_at_gate(app, "urgent-appeal")
    data = app.settings.data_dir
    assert (data / "audit-key").exists() and (data / "audit-checkpoints").exists()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "link").symlink_to(data / "audit-key")
    (outside / "dirlink").symlink_to(data)
    targets = [data / "audit-key", data / "new-file.txt", outside / "link", outside / "dirlink" / "x.pdf",
               outside / ".." / "data" / "audit-checkpoints"]
    database = sqlite_path(app.settings.effective_database_url)
    if database is not None:  # SQLite: the database itself, wherever it is
        targets += [database, database.with_name(database.name + "-wal")]
    before = {path: sha256(path) for path in data.iterdir() if path.is_file()}
    db_before = sha256(database) if database is not None else None
    for target in targets:
        for force in ((), ("--force",)):
            with subtests.test(msg=f"{target} {force}"):
                for command in (("letter", "show", ref), ("calendar", "export")):
                    assert_refused(app, cli, (*command, "--output", str(target), *force), "will not write")
    assert {path: sha256(path) for path in data.iterdir() if path.is_file()} == before
    assert not (data / "new-file.txt").exists()
    if database is not None:
        assert sha256(database) == db_before


def test_the_issues_overwrite_of_the_database_is_refused(tmp_path, as_user):
    """`letter show --output <data dir>/coordination.db` overwrote the database."""
    data = tmp_path / "data"
    ok(as_user(data, "demo"))
    database = data / "coordination.db"
    before = sha256(database)
    for force in ((), ("--force",)):
        one_line(as_user(data, "letter", "show", "JAM-2026-0001", "--output", str(database), *force),
                 "will not write", str(database))
    assert sha256(database) == before
    assert "intact" in ok(as_user(data, "audit", "verify"))
