"""`coordination serve`: the embedded default in one process.

    data directory (COORDINATION_DATA_DIR)
      coordination.db   the system of record (SQLite, WAL)
      prefect/          PREFECT_HOME of the local Prefect server (its own SQLite)
      mail/             the local mail sink's Maildir, when no SMTP server is configured
      serve.json        where this process's Prefect API, web app and mail sink are, for the
                        commands run beside it (0600; removed at the stop)

It migrates the database, starts a local Prefect server (unless PREFECT_API_URL is set) and
the mail sink (unless COORDINATION_SMTP_HOST is set), applies the deployments with their
schedules, runs their flow runs in-process (flows/executor.py), and stops it all on Ctrl-C
or SIGTERM. Schedules are left active on shutdown.
"""

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from .adapters.keys import private_dir
from .adapters.mail_sink import MailSink
from .adapters.runtime import write_runtime
from .adapters.scheduling import NoScheduler
from .bootstrap import bootstrap
from .config import Settings

# Prefect's scheduler creates a deployment's future runs ahead of time: by default at least an
# hour's worth and up to 100, so a schedule of once a minute filled the UI with ~100 pending
# runs. Our schedules (every minute; every 5 minutes) need only the next few. Applied to the
# server serve starts; a Prefect server of your own takes the same settings (README, Scale-out).
SCHEDULER_SETTINGS = {
    "PREFECT_SERVER_SERVICES_SCHEDULER_MIN_RUNS": "1",
    "PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS": "3",
    "PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME": "PT2M",
    "PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME": "PT1H",
}
AT_START_UP = ("reconciler", "deadline-reminders")  # run once at start-up, not only when their schedule comes


class PrefectServer:
    """`prefect server start` in a child process, its data under `home`."""

    def __init__(self, *, port: int, home: Path) -> None:
        self.port = port
        self.home = home
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def healthy(self) -> bool:
        try:
            return httpx.get(f"{self.api_url}/health", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def start(self, *, timeout: float = 120.0) -> bool:
        """Start the server, or reuse one already answering on the port; True if started here."""
        if self.healthy():
            return False
        self.home.mkdir(parents=True, exist_ok=True)
        log = open(self.home / "server.log", "ab")
        env = {**os.environ, "PREFECT_HOME": str(self.home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
               "PREFECT_SERVER_API_HOST": "127.0.0.1", "PREFECT_SERVER_API_PORT": str(self.port),
               **SCHEDULER_SETTINGS}
        env.pop("PREFECT_API_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Prefect server exited (code {self.process.returncode}); "
                                   f"see {self.home / 'server.log'}")
            if self.healthy():
                return True
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"the Prefect server did not answer within {timeout:.0f} s; see {self.home / 'server.log'}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def serve(*, settings: Settings, prefect_port: int, web_port: int | None, demo: bool,
          say: Callable[[str], None], poll_seconds: float = 0.2) -> None:
    data = private_dir(settings.data_dir)
    quiet = bootstrap(settings, scheduler=NoScheduler(lambda message: None))
    before, after = quiet.services.initialise_database()
    fresh = before is None
    say(f"Database {quiet.engine.url.render_as_string(hide_password=True)}: "
        + (f"created at revision {after}." if fresh else f"revision {after}."))
    quiet.engine.dispose()

    sink = None
    if not settings.smtp_host:
        sink = MailSink(data / "mail").start()
        os.environ.update(COORDINATION_SMTP_HOST=sink.host, COORDINATION_SMTP_PORT=str(sink.port),
                          COORDINATION_SMTP_TLS="none")
    if web_port and not os.environ.get("COORDINATION_BASE_URL"):  # links in emails reach this web app
        os.environ["COORDINATION_BASE_URL"] = f"http://127.0.0.1:{web_port}"
        settings = settings.model_copy(update={"base_url": os.environ["COORDINATION_BASE_URL"]})
    os.environ.setdefault("PREFECT_HOME", str(data / "prefect"))
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        server = PrefectServer(port=prefect_port, home=data / "prefect")
        say(f"Starting the Prefect server on {server.url} …")
        if not server.start():
            say("A Prefect server is already answering there (left by an earlier run): using it.")
        os.environ["PREFECT_API_URL"] = server.api_url
    runtime = write_runtime(data, prefect_api_url=os.environ["PREFECT_API_URL"],
                            web_url=settings.base_url if web_port else None,
                            mail=(sink.host, sink.port) if sink is not None else None)
    # The flows run in a thread of their own: Prefect's engine takes over SIGTERM while a run
    # executes in the main thread, and a stop must let runs finish rather than break them.
    stopping = threading.Event()
    previous = {signum: signal.signal(signum, lambda *_: stopping.set()) for signum in (signal.SIGINT, signal.SIGTERM)}
    failure: list[BaseException] = []

    def work() -> None:
        try:
            asyncio.run(_serve(settings=settings, fresh=fresh, demo=demo, say=say, sink=sink, server=server,
                               web_port=web_port, poll_seconds=poll_seconds, stopping=stopping))
        except BaseException as error:  # reported from the main thread below
            failure.append(error)
            stopping.set()

    worker = threading.Thread(target=work, name="coordination-flows")
    web = None
    try:
        web = _start_web(settings, web_port, say)
        worker.start()
        while worker.is_alive():
            worker.join(0.2)
        if failure:
            raise failure[0]
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        runtime.unlink(missing_ok=True)
        if web is not None:
            web.stop()
        if server is not None:
            server.stop()
        if sink is not None:
            sink.stop()
        say("Stopped.")


def _start_web(settings: Settings, port: int | None, say: Callable[[str], None]):  # type: ignore[no-untyped-def]
    """The web app on 127.0.0.1:port in a thread; a port in use is reported, not fatal."""
    if not port:
        say("Web app:      not started (--web-port 0)")
        return None
    from .web.server import WebServer

    try:
        web = WebServer(bootstrap(settings), port=port).start()
    except OSError as error:
        say(f"Web app:      not started: port {port} is not free ({error.strerror})")
        return None
    say(f"Web app:      {web.url}  (links in emails: {settings.base_url})")
    return web


async def _serve(*, settings, fresh, demo, say, sink, server, web_port, poll_seconds, stopping) -> None:  # type: ignore[no-untyped-def]
    from prefect import get_client  # imported after the environment points at our server

    from flows.deployments import DEPLOYMENTS
    from flows.executor import InProcessExecutor

    flows = {}
    for deployment in DEPLOYMENTS:
        runner_deployment = await deployment.flow.ato_deployment(name=deployment.name, **deployment.schedule)
        flows[await runner_deployment.aapply()] = deployment.flow
    executor = InProcessExecutor(flows, poll_seconds=poll_seconds)
    recovered = await executor.recover()
    stop = asyncio.Event()

    async def watch() -> None:  # Ctrl-C and SIGTERM reach the main thread, which sets `stopping`
        while not stopping.is_set():
            await asyncio.sleep(0.1)
        say("Stopping: letting the runs in flight finish …")
        stop.set()

    watcher = asyncio.create_task(watch())

    api = os.environ["PREFECT_API_URL"]
    say(f"Prefect UI:   {api.removesuffix('/api')}  (API {api})")
    say(f"Deployments:  {', '.join(d.full_name for d in DEPLOYMENTS)} — served here, schedules active")
    say(f"Database:     {settings.effective_database_url}")
    say("Mail:         " + (f"local sink smtp://{sink.host}:{sink.port}, messages in {sink.folder}" if sink
                             else f"SMTP {os.environ.get('COORDINATION_SMTP_HOST')}"))
    if recovered:
        say(f"Recovered {recovered} flow run(s) interrupted by an earlier stop: running them again.")
    executing = asyncio.create_task(executor.run(stop))
    # Catch up at once: the runs never started while we were down (the reconciler), and the
    # reminders that fell due (the sweep), rather than when their schedules next come round.
    async with get_client() as client:
        for name in AT_START_UP:
            deployment = next(d for d in DEPLOYMENTS if d.name == name)
            try:
                found = await client.read_deployment_by_name(deployment.full_name)
                await client.create_flow_run_from_deployment(found.id, name=f"{name} at start-up")
            except httpx.HTTPError as error:  # a busy Prefect server (503) must not stop serve
                say(f"Could not start {name} at start-up ({type(error).__name__}); its schedule runs it "
                    "within minutes.")
    if fresh and demo:
        say("First start: seeding demo users and actions (--no-demo to skip).")
        from .demo import run_demo

        await asyncio.to_thread(run_demo, bootstrap(Settings(), announce=say), say)
    say("Serving. Press Ctrl-C to stop.")
    await executing
    watcher.cancel()
    from prefect.logging.handlers import APILogHandler

    await APILogHandler.aflush()  # the runs' last logs reach the API before its server stops
