"""Commands run beside a running `coordination serve` use its mail sink and web address (from
the data directory's serve.json) unless a setting says otherwise, and only while it runs;
`outbox send --deferred` retries the deferred messages at once after a mail server outage.

The command line runs in-process (CliRunner) through its real bootstrap: settings from the
environment, as a person's shell gives them. The "serve" here is this test process (its pid in
serve.json) with a real aiosmtpd Maildir sink on loopback, as serve runs it."""

import json
import os
import subprocess
import sys

import pytest

import coordination.cli
from coordination.adapters.mail_sink import MailSink, free_port
from coordination.adapters.runtime import RUNTIME_FILE, read_runtime, write_runtime
from coordination.bootstrap import bootstrap
from coordination.config import Settings

from ..helpers import dispatched, seed
from .test_cli import ok, runner


@pytest.fixture
def sink(tmp_path):
    sink = MailSink(tmp_path / "mail").start()
    yield sink
    sink.stop()


@pytest.fixture
def shell(app, monkeypatch):
    """`coordination …` as typed in a shell whose environment names only the data directory and
    the database (no SMTP server, no base URL)."""
    for name in list(os.environ):
        if name.startswith("COORDINATION_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COORDINATION_DATA_DIR", str(app.settings.data_dir))
    monkeypatch.setenv("COORDINATION_DATABASE_URL", app.settings.effective_database_url)

    def run(*args: str):  # type: ignore[no-untyped-def]
        coordination.cli._app.cache_clear()
        try:
            return runner.invoke(coordination.cli.app, list(args))
        finally:
            coordination.cli._app.cache_clear()

    return run


def _serve_running(app, sink, *, pid: int | None = None) -> None:
    app.settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = write_runtime(app.settings.data_dir, prefect_api_url=f"http://127.0.0.1:{free_port()}/api",
                         web_url="http://127.0.0.1:8011", mail=(sink.host, sink.port))
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    if pid is not None:
        data = json.loads(path.read_text())
        path.write_text(json.dumps(data | {"pid": pid}))


def test_outbox_send_beside_serve_delivers_to_its_mail_sink(app, sink, shell):
    seed(app)
    dispatched(app, "country-communication")
    assert "no SMTP server is configured" in shell("outbox", "send").output  # no serve: no server known
    _serve_running(app, sink)

    out = ok(shell("outbox", "send"))

    assert out == "Sent 3, deferred 0, failed 0.\n"
    assert sorted(m["To"] for m in sink.messages()) == ["ginebra@gtm.test", "minex@gtm.test", "oea@gtm.test"]


def test_settings_and_links_beside_serve_and_a_setting_wins(app, sink, monkeypatch):
    _serve_running(app, sink)
    beside = bootstrap(Settings(data_dir=app.settings.data_dir, database_url=app.settings.effective_database_url))
    assert (beside.settings.smtp_host, beside.settings.smtp_port, beside.settings.smtp_tls) == (
        sink.host, sink.port, "none")
    assert beside.settings.base_url == "http://127.0.0.1:8011"  # digests link to serve's web app

    chosen = bootstrap(Settings(data_dir=app.settings.data_dir, database_url=app.settings.effective_database_url,
                                smtp_host="smtp.example.org", base_url="https://coordination.example.org"))
    assert (chosen.settings.smtp_host, chosen.settings.smtp_port) == ("smtp.example.org", None)
    assert chosen.settings.base_url == "https://coordination.example.org"
    for engine in (beside.engine, chosen.engine):
        engine.dispose()


def test_a_serve_that_is_gone_is_not_used(app, sink):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    _serve_running(app, sink, pid=int(gone.stdout))
    assert read_runtime(app.settings.data_dir) is None
    after = bootstrap(Settings(data_dir=app.settings.data_dir, database_url=app.settings.effective_database_url))
    assert after.settings.smtp_host is None and after.settings.base_url == "http://127.0.0.1:8000"
    after.engine.dispose()
    (app.settings.data_dir / RUNTIME_FILE).write_text("{not json")
    assert read_runtime(app.settings.data_dir) is None


def test_outbox_send_deferred_retries_the_deferred_rows_at_once_after_an_outage(app, sink, shell, monkeypatch):
    seed(app)
    dispatched(app, "urgent-appeal")
    down = free_port()
    monkeypatch.setenv("COORDINATION_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("COORDINATION_SMTP_PORT", str(down))  # nothing listens there: the outage
    monkeypatch.setenv("COORDINATION_SMTP_TLS", "none")
    monkeypatch.setenv("COORDINATION_SMTP_RETRY_DELAYS", "[0]")
    outage = shell("outbox", "send")
    assert outage.exit_code == 1 and outage.output.startswith("Sent 0, deferred 1, failed 0.")
    monkeypatch.setenv("COORDINATION_SMTP_PORT", str(sink.port))  # the server is back

    assert ok(shell("outbox", "send")) == "Sent 0, deferred 0, failed 0.\n"  # still waiting out its delay
    assert ok(shell("outbox", "send", "--deferred")) == "Sent 1, deferred 0, failed 0.\n"

    assert [m["To"] for m in sink.messages()] == ["mission@hnd-geneva.test"]
    rows = json.loads(ok(shell("outbox", "list", "--json")))
    assert [(r["status"], r["attempts"]) for r in rows] == [("sent", 2)]
