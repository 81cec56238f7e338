"""Whole-process time of a few `coordination` commands against the import floor
`python -c "import sqlalchemy.orm, typer"`: what any command line on these two libraries pays.

Run from the repository root:

    .venv/bin/python benchmarks/bench_cli.py                  # 15 runs of each command
    .venv/bin/python benchmarks/bench_cli.py --runs 31
    .venv/bin/python benchmarks/bench_cli.py --root /other/checkout   # time another checkout's code

Set-up (not timed): a temporary data directory (COORDINATION_DATA_DIR) with a SQLite database
initialised and seeded through the services: the users, address book and mandate holders of
tests/helpers.py and 20 urgent appeals (the first with its letter drafted), as an officer would have them.

Timed: each command as a whole process (start-up, imports, database, output), started with
the virtual environment's `coordination` script and PYTHONPATH set to the checkout measured;
the commands are interleaved (floor, help, list, show, set, floor, help, …) so that a slow
moment of the machine hits them all alike. One warm-up round is not counted. Reported: the
median and the best seconds of each, and the ratio of each median to the floor's median.
`letter set` changes a field each run (a new version each time), as an officer would.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coordination.bootstrap import bootstrap  # noqa: E402
from coordination.config import Settings  # noqa: E402
from tests import helpers  # noqa: E402
from tests.helpers import OFFICER  # noqa: E402

ACTIONS = 20


def seed(directory: Path) -> str:
    """A seeded database in `directory`; returns the reference of the action whose letter is drafted."""
    app = bootstrap(Settings(data_dir=directory))
    app.services.initialise_database()
    helpers.seed(app)  # users, address book, holders of the mandates
    references = []
    for i in range(ACTIONS):
        action = app.services.open_action(type="urgent-appeal", country="HND", title=f"Threats against defender {i}",
                                          officer=OFFICER, beneficiaries=["Jorge Ejemplo"])
        references.append(action.reference)
    action = app.services.submit_stage(reference=references[0], officer=OFFICER)  # intake → the letter's stage
    helpers.fill(app, references[0], "urgent_appeal")
    app.engine.dispose()
    return references[0]


def commands(script: Path, reference: str) -> dict[str, list[str]]:
    return {
        "floor": [sys.executable, "-c", "import sqlalchemy.orm, typer"],
        "--help": [str(script), "--help"],
        "action list": [str(script), "action", "list"],
        "action show --json": [str(script), "action", "show", reference, "--json"],
        "letter set --field": [str(script), "letter", "set", reference, "--as", OFFICER,
                               "--field", "concerns=We are concerned.", "--field", "facts=Threatened, run {n}."],
    }


def run(argv: list[str], env: dict[str, str], n: int) -> float:
    argv = [part.replace("{n}", str(n)) for part in argv]
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose code is timed")
    args = parser.parse_args()
    script = Path(sys.executable).parent / "coordination"
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "data"
        reference = seed(directory)
        env = {**os.environ, "COORDINATION_DATA_DIR": str(directory), "PYTHONPATH": str(args.root.resolve())}
        env.pop("COORDINATION_DATABASE_URL", None)
        cases = commands(script, reference)
        times: dict[str, list[float]] = {name: [] for name in cases}
        for round_ in range(args.runs + 1):
            for name, argv in cases.items():
                elapsed = run(argv, env, round_)
                if round_:  # the first round warms the caches
                    times[name].append(elapsed)
    load = os.getloadavg()
    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {args.runs} runs each, interleaved; code: {args.root}")
    floor = statistics.median(times["floor"])
    print(f"{'command':<22} {'median s':>9} {'best s':>8} {'ratio':>6}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<22} {median:>9.3f} {min(values):>8.3f} {median / floor:>5.2f}×")


if __name__ == "__main__":
    main()
