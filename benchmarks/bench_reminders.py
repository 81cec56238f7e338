"""The reminder sweep's cost over 10,000, 100,000 and 1,000,000 open deadlines, with the
same number due each time: it should grow with what is due, not with all open deadlines.

Run from the repository root:

    .venv/bin/python benchmarks/bench_reminders.py                       # 10k, 100k, 1M; 1,000 due; 3 sweeps each
    .venv/bin/python benchmarks/bench_reminders.py --sizes 10000 100000 --due 500 --sweeps 5

Set-up (not timed), per size N: a fresh SQLite database (migrated by the project's own
bootstrap), the users of tests/helpers.py (2 officers, 4 supervisors, an admin), 200 joint
actions inserted directly (urgent appeals waiting for the State's reply), and N open
`state_reply` deadlines spread over them: `--due` of them fell due on 1 Nov 2026 09:00 UTC,
the others fall due 60 to 3,650 days after the sweep, beyond any reminder's reach.
Inserted with executemany through the SQLAlchemy engine, then ANALYZE.

Timed: `app.services.send_reminders(now=T)` — the whole sweep as the scheduled flow runs it:
read the deadlines within reach (index on status, due_at), work out each one's latest
threshold on the seats' calendars, look up who decided and what was already sent, insert
one reminder per (deadline, threshold, recipient), render one digest per person (text and
HTML), queue them in the outbox, append one audit event per deadline, commit. Sweep k runs
at T = 2 Nov 2026 09:00 UTC + 3k days, so each sweep owes the next escalation (every 3 days)
of every due deadline: the same work each time. The first sweep of each size is a warm-up
and is not counted. Each due deadline escalates to its officer and the 4 supervisors: 5
reminders, so `--due 1000` writes 5,000 reminders in 5 digests per sweep.

Reported: median and best seconds per sweep for each N, the growth ratio (median at N /
median at the smallest N, the baseline measured in the same run) and SQLite's query plan
for the read of due deadlines.
"""

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from coordination.adapters.fakes import FixedClock  # noqa: E402
from coordination.bootstrap import bootstrap  # noqa: E402
from coordination.config import Settings  # noqa: E402
from tests.helpers import OFFICER, USERS  # noqa: E402

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ACTIONS = 200


def naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def build(directory: Path, size: int, due: int):  # type: ignore[no-untyped-def]
    app = bootstrap(Settings(data_dir=directory, database_url=f"sqlite:///{directory / 'bench.db'}"),
                    clock=FixedClock(START))
    app.services.initialise_database()
    for email, name, org, role in USERS:
        app.services.add_user(email=email, name=name, organisation=org, role=role)
    opened = naive(START - timedelta(days=90))
    actions = [dict(id=i, type="urgent-appeal", country="HND", language="es", title=f"Action {i}", beneficiaries="[]",
                    opened_by=OFFICER, opened_at=opened, stage="awaiting_reply", status="waiting",
                    stage_entered_at=opened, round=1, version=1, updated_at=opened) for i in range(1, ACTIONS + 1)]
    references = [dict(action_id=i, kind="jam", value=f"JAM-2026-{i:04d}", assigned_at=opened)
                  for i in range(1, ACTIONS + 1)]
    overdue = naive(START - timedelta(days=1))
    deadlines = []
    for i in range(size):
        if i < due:
            due_at = overdue
        else:  # 60 to 3,650 days after the sweep, spread so the index holds many distinct values
            due_at = naive(START + timedelta(days=60, minutes=(i * 7919) % (3590 * 24 * 60)))
        deadlines.append(dict(action_id=i % ACTIONS + 1, kind="state_reply", stage="awaiting_reply",
                              organisation=None, round=None, due_at=due_at, status="open",
                              created_at=naive(START - timedelta(days=61))))
    metadata = sa.MetaData()
    metadata.reflect(app.engine, only=["joint_actions", "action_references", "deadlines"])
    with app.engine.begin() as connection:
        connection.execute(metadata.tables["joint_actions"].insert(), actions)
        connection.execute(metadata.tables["action_references"].insert(), references)
        table = metadata.tables["deadlines"]
        for start in range(0, len(deadlines), 50_000):
            connection.execute(table.insert(), deadlines[start:start + 50_000])
        connection.exec_driver_sql("ANALYZE")
    return app


def query_plan(app) -> list[str]:  # type: ignore[no-untyped-def]
    """SQLite's plan for the sweep's read of the deadlines within reach."""
    from sqlmodel import Session

    from coordination.adapters.repositories import DeadlineRepository

    with Session(app.engine) as session:
        captured = []

        def capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            if "FROM deadlines" in statement and not captured:
                captured.append((statement, parameters))

        sa.event.listen(app.engine, "before_cursor_execute", capture)
        try:
            DeadlineRepository(session).open(due_before=START)
        finally:
            sa.event.remove(app.engine, "before_cursor_execute", capture)
        statement, parameters = captured[0]
        rows = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    return [row[-1] for row in rows]


def run(sizes: list[int], due: int, sweeps: int) -> dict:
    results = {}
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            app = build(Path(tmp), size, due)
            built = time.perf_counter() - started
            times, reminders = [], []
            for k in range(sweeps + 1):
                now = START + timedelta(days=3 * k)
                t0 = time.perf_counter()
                report = app.services.send_reminders(now=now)
                elapsed = time.perf_counter() - t0
                if k:  # the first sweep warms caches up
                    times.append(elapsed)
                    reminders.append(report.reminders)
                assert report.deadlines == due, (size, k, report.counts())
            plan = query_plan(app)
            app.engine.dispose()
        results[size] = {"seconds": times, "median": statistics.median(times), "best": min(times),
                         "reminders_per_sweep": reminders[0], "set_up_seconds": round(built, 1), "plan": plan}
        print(f"{size:>9,} open, {due:,} due: median {results[size]['median']:.3f} s, best "
              f"{results[size]['best']:.3f} s per sweep ({reminders[0]:,} reminders; set-up {built:.1f} s)",
              flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--sweeps", type=int, default=3)
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, SQLite {sa.__version__ and __import__('sqlite3').sqlite_version}, "
          f"{platform.machine()}; {args.sweeps} timed sweeps per size after one warm-up", flush=True)
    results = run(sorted(args.sizes), args.due, args.sweeps)
    base = results[min(results)]["median"]
    print("\nopen deadlines  median s/sweep  growth vs smallest")
    for size, r in results.items():
        print(f"{size:>14,}  {r['median']:>14.3f}  {r['median'] / base:>18.2f}x")
    print("\nquery plan of the read of due deadlines (largest size):")
    for line in results[max(results)]["plan"]:
        print(f"  {line}")
    if args.json:
        args.json.write_text(json.dumps({str(k): v for k, v in results.items()}, indent=2))


if __name__ == "__main__":
    main()
