"""The outbox sender and the deadline reminders as Prefect flow runs on a Prefect test server."""

import pytest

import flows.runtime
from coordination.adapters.fakes import FixedClock
from coordination.bootstrap import bootstrap
from flows.delivery import outbox_sender
from flows.maintenance import deadline_reminders

from ..helpers import dispatched, open_at_gate, seed
from .test_delivery import SmtpServer


@pytest.fixture
def flow_smtp(prefect_api, database_url, tmp_path, monkeypatch):
    """An SMTP server on loopback, and the flows' app configured for it and the test's database."""
    smtp = SmtpServer()
    smtp.start()
    for key, value in {"DATABASE_URL": database_url, "DATA_DIR": str(tmp_path), "SMTP_HOST": "127.0.0.1",
                       "SMTP_PORT": str(smtp.port), "SMTP_TLS": "none", "SMTP_RETRY_DELAYS": "[0]"}.items():
        monkeypatch.setenv(f"COORDINATION_{key}", value)
    flows.runtime.app.cache_clear()  # the flow's app: built from this environment
    yield smtp
    smtp.stop()
    flows.runtime.app.cache_clear()


async def test_the_outbox_sender_flow_delivers_what_is_due(flow_smtp):
    app = bootstrap()
    seed(app)
    dispatched(app, "urgent-appeal", language="en")

    counts = await outbox_sender(limit=10)

    assert counts == {"sent": 1, "deferred": 0, "failed": 0}
    assert len(flow_smtp.handler.messages) == 1
    assert app.services.list_outbox()[0]["status"] == "sent"


async def test_the_deadline_reminders_flow_sends_digests_and_logs_counts_only(flow_smtp, caplog):
    app = bootstrap(clock=FixedClock())  # the gate opened on Monday 2 Nov 2026; the flow runs on today's clock
    seed(app)
    open_at_gate(app, "urgent-appeal", beneficiaries=["Berta SECRET-NAME-0042"])

    with caplog.at_level("INFO"):
        counts = await deadline_reminders()
        again = await deadline_reminders()

    assert counts == {"deadlines": 2, "reminders": 10, "digests": 5, "sent": 5, "deferred": 0, "failed": 0}
    assert again == {"deadlines": 0, "reminders": 0, "digests": 0}
    assert len(flow_smtp.handler.messages) == 5
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("prefect"))  # not aiosmtpd's
    assert "reminders: 10 for 2 deadline(s) in 5 digest(s)" in logged
    for leak in ("SECRET-NAME", "Test action", "@ohchr.test", "@iachr.test", "JAM-2026"):
        assert leak not in logged
