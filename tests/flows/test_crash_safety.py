"""Kill `coordination serve` with SIGKILL in the middle of a run, start it again: the action
completes, with exactly one outbox row per letter and recipient, each delivered once."""

import email
import json
import mailbox
import os
import re
import signal
import subprocess
import sys
import time
from email import policy
from pathlib import Path

import httpx
import pytest

from coordination.adapters.mail_sink import free_port
from coordination.bootstrap import bootstrap
from coordination.config import Settings

from ..helpers import SUP_IACHR, SUP_OHCHR, open_at_gate, seed

COORDINATION = str(Path(sys.executable).with_name("coordination"))


def _start(data: Path, port: int, pause: str | None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "COORDINATION_"))}
    env.update(COORDINATION_DATA_DIR=str(data), PYTHONUNBUFFERED="1")
    if pause:
        env["COORDINATION_TEST_PAUSE"] = pause
    log = open(data / f"serve-{time.monotonic_ns()}.log", "wb")
    process = subprocess.Popen([COORDINATION, "serve", "--no-demo", "--prefect-port", str(port)], env=env,
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    process.log_path = log.name
    return process


def _wait(predicate, timeout: float, what: str, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"serve exited while waiting for {what}: {Path(process.log_path).read_text()[-3000:]}")
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _serving(process) -> bool:
    return b"Serving." in Path(process.log_path).read_bytes()


def _runs(api: str, name: str) -> list[dict]:
    response = httpx.post(f"{api}/flow_runs/filter", json={"flow_runs": {"name": {"like_": name}}}, timeout=5)
    return response.json() if response.status_code == 200 else []


def _scheduled(api: str) -> dict[str, int]:
    """Future runs created by the schedules, per deployment."""
    response = httpx.post(f"{api}/flow_runs/filter",
                          json={"flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}}, timeout=5)
    counts: dict[str, int] = {}
    for run in response.json() if response.status_code == 200 else []:
        if run.get("auto_scheduled"):
            counts[run["deployment_id"]] = counts.get(run["deployment_id"], 0) + 1
    return counts


@pytest.mark.timeout(600)
def test_killing_serve_mid_run_loses_nothing_and_sends_nothing_twice(tmp_path):
    data, port = tmp_path / "data", free_port()
    data.mkdir()
    first = _start(data, port, pause="before-delivery:30")
    second = None
    try:
        _wait(lambda: _serving(first), 180, "serve to start", first)
        api = json.loads((data / "serve.json").read_text())["prefect_api_url"]
        app = bootstrap(Settings(data_dir=data))
        seed(app)
        ref = open_at_gate(app, "country-communication", language="en")
        app.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
        app.services.approve_stage(reference=ref, supervisor=SUP_IACHR)

        # The dispatch has committed (the action waits) and the run holds before delivering: kill it now.
        _wait(lambda: app.services.get_action(ref)["status"] == "waiting", 60, "the dispatch")
        _wait(lambda: any(r["state_type"] == "RUNNING" for r in _runs(api, f"{ref} dispatch")), 30, "the run")
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        assert [o["status"] for o in app.services.list_outbox()] == ["pending"] * 3

        second = _start(data, port, pause=None)
        _wait(lambda: _serving(second), 180, "serve to start again", second)
        _wait(lambda: {o["status"] for o in app.services.list_outbox()} == {"sent"}, 120, "delivery", second)

        rows = app.services.list_outbox()
        assert len(rows) == 3 and len({(r["letter"], r["version"], r["recipient"]) for r in rows}) == 3
        kept = [email.message_from_bytes(bytes(m), policy=policy.default) for m in mailbox.Maildir(data / "mail")]
        assert sorted(m["Message-ID"] for m in kept) == sorted(r["message_id"] for r in rows)
        assert re.search(r"Recovered [1-9]\d* flow run\(s\)", Path(second.log_path).read_text())
        assert app.services.verify_audit().findings == []
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=60) == 0
        assert "Stopped." in Path(second.log_path).read_text()
    finally:
        for process in (first, second):
            if process is not None:
                try:
                    os.killpg(process.pid, signal.SIGKILL)  # the Prefect server child too
                except ProcessLookupError:
                    pass


@pytest.mark.timeout(600)
def test_sigterm_lets_the_run_in_flight_finish_then_stops_everything(tmp_path):
    data, port = tmp_path / "data", free_port()
    data.mkdir()
    serve = _start(data, port, pause="before-delivery:3")
    try:
        _wait(lambda: _serving(serve), 180, "serve to start", serve)
        api = json.loads((data / "serve.json").read_text())["prefect_api_url"]
        app = bootstrap(Settings(data_dir=data))
        seed(app)
        ref = open_at_gate(app, "urgent-appeal", language="en")
        app.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
        app.services.approve_stage(reference=ref, supervisor=SUP_IACHR)
        _wait(lambda: any(r["state_type"] == "RUNNING" for r in _runs(api, f"{ref} dispatch")), 60, "the run", serve)
        # at start-up, the sweep and the reconciler run at once, not when their schedules come round
        assert {r["name"] for r in _runs(api, "at start-up")} == {"reconciler at start-up",
                                                                     "deadline-reminders at start-up"}
        # the scheduler keeps only the next few runs of each schedule, not a hundred
        _wait(lambda: _scheduled(api), 30, "the schedules' first runs", serve)
        assert all(count <= 3 for count in _scheduled(api).values()), _scheduled(api)

        serve.send_signal(signal.SIGTERM)

        assert serve.wait(timeout=120) == 0
        log = Path(serve.log_path).read_text()
        assert "Stopping: letting the runs in flight finish" in log and log.rstrip().endswith("Stopped.")
        assert [o["status"] for o in app.services.list_outbox()] == ["sent"]  # the run finished its delivery
        assert not (data / "serve.json").exists()
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{api}/health", timeout=2)  # its Prefect server is gone too
    finally:
        try:
            os.killpg(serve.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
