"""The command line imports what a command needs (issue 14): `--help` and the everyday reads
do not load Alembic, the Prefect client, httpx, WeasyPrint or the web app's libraries, which
cost a second of start-up between them. Not timed: the modules loaded are listed and checked."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from coordination.adapters.database import HEAD_REVISION, head_revision

HEAVY = ("alembic", "httpx", "prefect", "weasyprint", "fastapi", "uvicorn", "starlette")
# Run the command line in-process, then write the names of the modules it loaded.
RUN = """\
import atexit, json, os, sys
atexit.register(lambda: open(os.environ["MODULES_OUT"], "w").write(json.dumps(sorted(sys.modules))))
sys.argv = ["coordination", *sys.argv[1:]]
from coordination.cli import main
main()
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A SQLite data directory initialised by `coordination init` (a process of its own)."""
    directory = tmp_path_factory.mktemp("imports")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COORDINATION_", "PREFECT_"))}
    env["COORDINATION_DATA_DIR"] = str(directory / "data")
    subprocess.run([sys.executable, "-c", "from coordination.cli import main; main()", "init"], env=env, check=True,
                   capture_output=True, timeout=120)
    return env


def loaded(env: dict[str, str], tmp_path: Path, *args: str) -> set[str]:
    out = tmp_path / "modules.json"
    done = subprocess.run([sys.executable, "-c", RUN, *args], env={**env, "MODULES_OUT": str(out)},
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    return {name.split(".")[0] for name in json.loads(out.read_text())}


@pytest.mark.parametrize("args", [
    ["--help"], ["action", "--help"], ["letter", "set", "--help"], ["action", "list"], ["action", "list", "--json"],
    ["deadline", "list"], ["init"],  # `init` on an up-to-date database reads its revision, no more
])
def test_everyday_commands_do_not_import_the_heavy_libraries(args, env, tmp_path):
    assert loaded(env, tmp_path, *args) & set(HEAVY) == set()


def test_help_reads_no_settings_and_opens_no_database(env, tmp_path):
    modules = loaded(env, tmp_path, "--help")
    assert {"pydantic_settings", "sqlmodel", "jinja2", "babel"} & modules == set()


def test_the_head_revision_constant_is_alembics_head():
    """HEAD_REVISION spares the commands Alembic's import: it must name the newest migration
    (a new migration updates it, or this test fails)."""
    assert HEAD_REVISION == head_revision()
