"""Decision-to-next-stage latency: `coordination serve` against Prefect's default served deployments.

Run from the repository root:

    .venv/bin/python benchmarks/bench_latency.py                   # 20 gates per set-up, 7.5-8.5 min
    .venv/bin/python benchmarks/bench_latency.py --gates 30
    .venv/bin/python benchmarks/bench_latency.py --skip-baseline   # ours only, 1.5-2 min

What is measured, for each gate: the moment the second, gate-meeting
`services.approve_stage(...)` call returns (its commit done and the next flow run created
through the deployment's REST API with its idempotency key, as the command line does) to
  (a) the next stage's flow run entering RUNNING: the run "<JAM reference> <stage>" is read
      from the Prefect REST API (POST {api}/flow_runs/filter by name); its `start_time` is the
      timestamp of its first Running state, on the same clock as the benchmark's;
  (b) the dispatch done: the action leaves status "ready" (`app.services.get_action(ref)`
      polled every 20 ms; the status seen then is "waiting").
Both set-ups run on this machine, one after the other, in the same run of the script:

  ours      `coordination serve --no-demo --prefect-port P` as a subprocess on a fresh data
            directory: its own Prefect server and mail sink, the deployments served by the
            in-process executor polling every 0.2 s (flows/executor.py). The benchmark's app is
            `bootstrap(Settings(data_dir=that dir))`, which finds the API in <data>/serve.json.
  baseline  Prefect's untuned default on a second fresh data directory: its own Prefect server
            (`python -m prefect server start`, PREFECT_HOME in that directory) and a separate
            process serving the same three action flows with Prefect's standard Runner
            (`prefect.serve(...)`, default poll frequency 10 s, one subprocess per flow run).
            No SMTP server is configured there, so the runs' delivery step logs a warning and
            skips; the dispatch (b) is the same work as ours. The benchmark's app is
            `bootstrap(Settings(data_dir=dir), scheduler=PrefectScheduler(api, print))`.

Preparation, not timed: each set-up gets the users and recipients of tests/helpers.py, then
--gates actions (plus --warmup for ours: urgent appeal, precautionary measure, country
communication in turn) are driven to their first gate with tests/helpers.open_at_gate and get
their first approval (OHCHR). This is done with an app whose scheduler is NoScheduler, so opening them
starts no "just look" flow runs that would run in the background of the measurements; nothing
before the gate is due, so the reconciler does not start them either.

Gates run one at a time: a gate's run must reach a final state before the next decision.
The decision then waits 0.5 s plus an offset, spread evenly (shuffled) over the set-up's poll
period (0.2 s ours, 10 s baseline), so that decisions fall at every phase of the poller's
cycle, as real decisions would; without it the baseline would lock onto one phase. The first
--warmup gate(s) of `coordination serve`, a long-lived process, are reported apart and not
counted; the baseline starts a fresh process for every run, so it has nothing to warm up (and
each of its gates costs 10-20 s).

For information, the time to RUNNING is split with the run's state history
(GET {api}/flow_run_states/): decision -> Pending (the poller has claimed the run) -> Running,
and Running -> dispatched.
"""

import argparse
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
COORDINATION = str(Path(sys.executable).with_name("coordination"))
ACTION_TYPES = ("urgent-appeal", "precautionary-measure", "country-communication")
DB_POLL = 0.02  # how often the action's status is read while waiting for the dispatch
SETTLE = 0.5  # after the previous run's final state, before the next decision
OURS_POLL = 0.2  # coordination serve's executor (flows/executor.py default)
RUNNER_POLL = 10.0  # Prefect's PREFECT_RUNNER_POLL_FREQUENCY default, left untouched for the baseline
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
GATE_TIMEOUT = 120.0
BASELINE_RUNNER = (
    "from prefect import serve\n"
    "from flows.actions import precautionary_measure, urgent_appeal, country_communication\n"
    "serve(*[f.to_deployment(name=f.name) for f in (precautionary_measure, urgent_appeal, country_communication)])\n"
)


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child: none of our PREFECT_* / COORDINATION_* settings leak in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "COORDINATION_"))}
    env.update(PYTHONUNBUFFERED="1", **extra)
    return env


class Children:
    """Every process the benchmark starts, each in a session (process group) of its own."""

    def __init__(self) -> None:
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, argv: list[str], *, log: Path, env: dict[str, str]) -> subprocess.Popen:
        with open(log, "wb") as out:
            process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        process.log_path = log  # type: ignore[attr-defined]
        self.started.append((name, process))
        return process

    def stop(self, process: subprocess.Popen, *, grace: float = 30.0) -> None:
        """SIGTERM to the process (it stops its own children), then SIGKILL to whatever is left:
        its process group and every descendant (a runner's flow-run subprocesses included)."""
        try:
            descendants = psutil.Process(process.pid).children(recursive=True)
        except psutil.Error:
            descendants = []
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for child in descendants:
            try:
                child.kill()
            except psutil.Error:
                pass
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self.started = [(n, p) for n, p in self.started if p is not process]

    def stop_all(self) -> None:
        for _, process in reversed(list(self.started)):
            self.stop(process)


def wait_for(predicate, timeout: float, what: str,  # type: ignore[no-untyped-def]
             process: subprocess.Popen | None = None, pause: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            tail = Path(process.log_path).read_text(errors="replace")[-3000:]  # type: ignore[attr-defined]
            raise RuntimeError(f"a child exited (code {process.returncode}) while waiting for {what}:\n{tail}")
        value = predicate()
        if value:
            return value
        time.sleep(pause)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")


def healthy(api: str) -> bool:
    try:
        return httpx.get(f"{api}/health", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


def deployments_ready(api: str) -> bool:
    try:
        return all(httpx.get(f"{api}/deployments/name/{t}/{t}", timeout=2.0).status_code == 200 for t in ACTION_TYPES)
    except httpx.HTTPError:
        return False


def flow_run(api: str, name: str) -> dict | None:
    """The flow run with exactly this name (the `like_` filter is a partial match)."""
    try:
        response = httpx.post(f"{api}/flow_runs/filter", json={"flow_runs": {"name": {"like_": name}}}, timeout=5.0)
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    runs = [r for r in response.json() if r["name"] == name]
    return runs[0] if runs else None


def timestamp(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


@dataclass
class SetUp:
    name: str
    label: str
    data: Path
    api: str
    app: object  # the app whose decisions start runs (the scheduler under test)
    prep: object  # the same database, NoScheduler: preparation starts no runs
    period: float  # the poller's period, for spreading the decisions over its cycle
    process: subprocess.Popen  # the process whose death ends the measurement
    results: list[dict] = field(default_factory=list)
    warmups: list[dict] = field(default_factory=list)
    load_before: tuple[float, float, float] | None = None


def start_ours(children: Children, tmp: Path, say) -> SetUp:  # type: ignore[no-untyped-def]
    from coordination.adapters.mail_sink import free_port
    from coordination.adapters.scheduling import NoScheduler
    from coordination.bootstrap import bootstrap
    from coordination.config import Settings

    data, port = tmp / "ours", free_port()
    data.mkdir()
    began = time.monotonic()
    serve = children.start("coordination serve",
                           [COORDINATION, "serve", "--no-demo", "--prefect-port", str(port)],
                           log=tmp / "ours-serve.log", env=child_env(COORDINATION_DATA_DIR=str(data)))
    log = Path(serve.log_path)  # type: ignore[attr-defined]
    wait_for(lambda: b"Serving." in log.read_bytes(), 240, "coordination serve to start", serve)
    api = json.loads((data / "serve.json").read_text())["prefect_api_url"]
    say(f"  ours: coordination serve up in {time.monotonic() - began:.1f} s (Prefect API {api})")
    return SetUp("ours", "ours: coordination serve (0.2 s, in-process)", data, api,
                 app=bootstrap(Settings(data_dir=data)),
                 prep=bootstrap(Settings(data_dir=data), scheduler=NoScheduler(lambda m: None)),
                 period=OURS_POLL, process=serve)


def start_baseline(children: Children, tmp: Path, say) -> SetUp:  # type: ignore[no-untyped-def]
    from coordination.adapters.mail_sink import free_port
    from coordination.adapters.scheduling import NoScheduler, PrefectScheduler
    from coordination.bootstrap import bootstrap
    from coordination.config import Settings

    data, port = tmp / "baseline", free_port()
    home = data / "prefect"
    home.mkdir(parents=True)
    prep = bootstrap(Settings(data_dir=data), scheduler=NoScheduler(lambda m: None))
    prep.services.initialise_database()
    began = time.monotonic()
    api = f"http://127.0.0.1:{port}/api"
    server = children.start(
        "prefect server",
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        log=tmp / "baseline-server.log",
        env=child_env(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false"))
    wait_for(lambda: healthy(api), 240, "the baseline Prefect server to answer", server, pause=0.25)
    runner = children.start(
        "prefect serve", [sys.executable, "-c", BASELINE_RUNNER], log=tmp / "baseline-runner.log",
        env=child_env(PREFECT_API_URL=api, PREFECT_HOME=str(home), COORDINATION_DATA_DIR=str(data)))
    wait_for(lambda: deployments_ready(api), 240, "the baseline runner's deployments", runner, pause=0.25)
    say(f"  baseline: Prefect server and runner up in {time.monotonic() - began:.1f} s (Prefect API {api})")
    return SetUp("baseline", f"baseline: prefect serve (Runner, {RUNNER_POLL:g} s)", data, api,
                 app=bootstrap(Settings(data_dir=data), scheduler=PrefectScheduler(api, print)),
                 prep=prep, period=RUNNER_POLL, process=runner)


def prepare(setup: SetUp, count: int) -> list[tuple[str, str]]:
    """`count` actions at their first gate with one approval (OHCHR) recorded; not timed."""
    from tests.helpers import SUP_OHCHR, open_at_gate, seed

    seed(setup.prep)
    prepared = []
    for i in range(count):
        action_type = ACTION_TYPES[i % len(ACTION_TYPES)]
        ref = open_at_gate(setup.prep, action_type)
        action, met = setup.prep.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
        assert not met and action.status.value == "awaiting_approval", (ref, action.status)
        prepared.append((action_type, ref))
    return prepared


def measure_gate(setup: SetUp, ref: str) -> dict:
    """Meet the gate with the second approval; time the next run to RUNNING and to the dispatch."""
    from tests.helpers import SUP_IACHR

    called = time.perf_counter()
    action, met = setup.app.services.approve_stage(reference=ref, supervisor=SUP_IACHR)
    t0, t0_wall = time.perf_counter(), time.time()
    assert met and action.status.value == "ready", (ref, action.status)
    run_name = f"{ref} {action.stage}"

    deadline = t0 + GATE_TIMEOUT
    while (status := setup.app.services.get_action(ref)["status"]) == "ready":
        if time.perf_counter() > deadline:
            raise RuntimeError(f"{ref}: not dispatched within {GATE_TIMEOUT:.0f} s (run {run_name!r}: "
                               f"{(flow_run(setup.api, run_name) or {}).get('state_type')})")
        if setup.process.poll() is not None:
            raise RuntimeError(f"{setup.label} exited while {ref} waited for its dispatch")
        time.sleep(DB_POLL)
    to_dispatched = time.perf_counter() - t0

    # The run has entered RUNNING (the dispatch happens inside it); let it finish before the next gate.
    run = wait_for(lambda: (r := flow_run(setup.api, run_name)) and r["state_type"] in TERMINAL and r, GATE_TIMEOUT,
                   f"the run {run_name!r} to finish", setup.process, pause=0.1)
    if run["state_type"] != "COMPLETED" or not run.get("start_time"):
        raise RuntimeError(f"run {run_name!r} ended {run['state_type']}")
    return {"ref": ref, "run": run_name, "status": status, "approve_call": t0 - called,
            "to_pending": first_state(setup.api, run["id"], "PENDING") - t0_wall,
            "to_running": timestamp(run["start_time"]) - t0_wall, "to_dispatched": to_dispatched,
            "created_after": timestamp(run["created"]) - t0_wall}


def first_state(api: str, run_id: str, state_type: str) -> float:
    """When the run first entered that state (PENDING: the poller has claimed it)."""
    states = httpx.get(f"{api}/flow_run_states/", params={"flow_run_id": run_id}, timeout=5.0).json()
    return min(timestamp(s["timestamp"]) for s in states if s["type"] == state_type)


def run_setup(setup: SetUp, *, gates: int, warmup: int, rng: random.Random,  # type: ignore[no-untyped-def]
              say) -> None:
    prepared = prepare(setup, warmup + gates)
    offsets = [(i + rng.random()) / gates * setup.period for i in range(gates)]
    rng.shuffle(offsets)
    offsets = [rng.random() * setup.period for _ in range(warmup)] + offsets
    setup.load_before = os.getloadavg()
    for i, ((action_type, ref), offset) in enumerate(zip(prepared, offsets, strict=True)):
        time.sleep(SETTLE + offset)
        result = measure_gate(setup, ref) | {"type": action_type, "offset": offset}
        counted = i >= warmup
        (setup.results if counted else setup.warmups).append(result)
        say(f"  {setup.name:<8} {'gate ' + str(i - warmup + 1) if counted else 'warm-up':>8}  {action_type:<22}"
            f"{ref:<16} to RUNNING {result['to_running']:>6.2f} s   to dispatched {result['to_dispatched']:>6.2f} s")


def percentile(values: list[float], q: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))]


def summary(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), percentile(values, 0.9), max(values)


def report(setups: list[SetUp], load_start: tuple[float, float, float], started: float) -> None:
    print()
    print(f"bench_latency — {time.strftime('%Y-%m-%d %H:%M %Z')} — Python {platform.python_version()}, "
          f"Prefect {prefect_version()}, {os.cpu_count()} CPUs")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in load_start)}; at the end: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; total {time.monotonic() - started:.0f} s")
    print("from the gate-meeting approve_stage() returning, in seconds; median / p90 / worst")
    head = f"{'set-up':<46}{'gates':>6}   {'to RUNNING':^22}   {'to dispatched':^22}   {'approve call':>12}"
    print(head)
    print("-" * len(head))
    rows = {}
    for setup in setups:
        if not setup.results:
            continue
        running = summary([r["to_running"] for r in setup.results])
        dispatched = summary([r["to_dispatched"] for r in setup.results])
        rows[setup.name] = (running, dispatched)
        call = statistics.median(r["approve_call"] for r in setup.results)
        print(f"{setup.label:<46}{len(setup.results):>6}   "
              + " / ".join(f"{x:6.2f}" for x in running) + "   "
              + " / ".join(f"{x:6.2f}" for x in dispatched) + f"   {1000 * call:9.0f} ms")
    if "ours" in rows and "baseline" in rows:
        ratios = [b / o for b, o in zip(rows["baseline"][0] + rows["baseline"][1], rows["ours"][0] + rows["ours"][1], strict=True)]
        print(f"{'ratio baseline/ours':<46}{'':>6}   " + " / ".join(f"{x:5.1f}x" for x in ratios[:3]) + "   "
              + " / ".join(f"{x:5.1f}x" for x in ratios[3:]))
    for setup in setups:
        for r in setup.warmups:
            print(f"(warm-up, not counted) {setup.name}: {r['type']} to RUNNING {r['to_running']:.2f} s, "
                  f"to dispatched {r['to_dispatched']:.2f} s")
        if setup.results:
            late = [r["created_after"] for r in setup.results]
            statuses = sorted({r["status"] for r in setup.results})
            load = " ".join(f"{x:.2f}" for x in setup.load_before or ())
            pending = summary([r["to_pending"] for r in setup.results])
            start = summary([r["to_running"] - r["to_pending"] for r in setup.results])
            work = summary([r["to_dispatched"] - r["to_running"] for r in setup.results])
            print(f"{setup.name}: load average before its gates {load}; status after the dispatch: "
                  f"{', '.join(statuses)}; run created {1000 * max(late):+.0f} ms at most after the call returned")
            print("  split (median / p90 / worst): decision -> claimed (Pending) "
                  + " / ".join(f"{x:.2f}" for x in pending) + " s; Pending -> Running "
                  + " / ".join(f"{x:.2f}" for x in start) + " s; Running -> dispatched "
                  + " / ".join(f"{x:.2f}" for x in work) + " s")


def prefect_version() -> str:
    try:
        from importlib.metadata import version

        return version("prefect")
    except Exception:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gates", type=int, default=20, help="gates timed per set-up (default 20)")
    parser.add_argument("--warmup", type=int, default=1,
                        help="gates run first on `coordination serve` and not counted (default 1)")
    parser.add_argument("--skip-baseline", action="store_true", help="measure `coordination serve` only")
    parser.add_argument("--seed", type=int, default=None, help="seed for the decisions' offsets")
    parser.add_argument("--keep", action="store_true", help="keep the data directories and logs (path printed)")
    args = parser.parse_args()
    if args.gates < 1 or args.warmup < 0:
        parser.error("--gates must be at least 1 and --warmup at least 0")

    sys.path.insert(0, str(ROOT))  # tests.helpers: the users, recipients and the walk to a gate
    os.environ.pop("PREFECT_API_URL", None)  # ours is found through serve.json, the baseline is given
    rng = random.Random(args.seed)
    load_start, started = os.getloadavg(), time.monotonic()

    def say(line: str) -> None:
        print(line, flush=True)

    def terminate(signum, frame):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    say(f"load average at start: {' '.join(f'{x:.2f}' for x in load_start)} ({os.cpu_count()} CPUs)")
    children = Children()
    setups: list[SetUp] = []
    tmp = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    ok = False
    try:
        ours = start_ours(children, tmp, say)
        setups.append(ours)
        run_setup(ours, gates=args.gates, warmup=args.warmup, rng=rng, say=say)
        children.stop(ours.process)
        if not args.skip_baseline:
            baseline = start_baseline(children, tmp, say)
            setups.append(baseline)
            run_setup(baseline, gates=args.gates, warmup=0, rng=rng, say=say)
        children.stop_all()
        report(setups, load_start, started)
        ok = True
    except KeyboardInterrupt:
        say("interrupted: stopping what was started")
    finally:
        children.stop_all()
        for setup in setups:
            for app in (setup.app, setup.prep):
                app.engine.dispose()  # type: ignore[attr-defined]
        if args.keep or not ok:
            say(f"data directories and logs kept in {tmp}")
        else:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
