"""The outbox sender as a Prefect flow run on a Prefect test server."""

import pytest
from prefect.testing.utilities import prefect_test_harness

from coordination import services
from flows.delivery import outbox_sender

from ..helpers import dispatched, seed
from .test_delivery import SmtpServer


@pytest.fixture(scope="session")
def prefect_server():
    with prefect_test_harness(server_startup_timeout=120):
        yield


async def test_the_outbox_sender_flow_delivers_what_is_due(prefect_server, database_url, tmp_path, monkeypatch):
    smtp = SmtpServer()
    smtp.start()
    try:
        for key, value in {"DATABASE_URL": database_url, "DATA_DIR": str(tmp_path), "SMTP_HOST": "127.0.0.1",
                           "SMTP_PORT": str(smtp.port), "SMTP_TLS": "none", "SMTP_RETRY_DELAYS": "[0]"}.items():
            monkeypatch.setenv(f"COORDINATION_{key}", value)
        from coordination.bootstrap import bootstrap

        app = bootstrap()
        seed(app)
        dispatched(app, "urgent-appeal", language="en")

        counts = await outbox_sender(limit=10)

        assert counts == {"sent": 1, "deferred": 0, "failed": 0}
        assert len(smtp.handler.messages) == 1
        assert services.list_outbox(app)[0]["status"] == "sent"
    finally:
        smtp.stop()
