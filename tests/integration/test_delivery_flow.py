"""The outbox sender as a Prefect flow run on a Prefect test server."""

import flows.runtime
from coordination import services
from coordination.bootstrap import bootstrap
from flows.delivery import outbox_sender

from ..helpers import dispatched, seed
from .test_delivery import SmtpServer


async def test_the_outbox_sender_flow_delivers_what_is_due(prefect_api, database_url, tmp_path, monkeypatch):
    smtp = SmtpServer()
    smtp.start()
    try:
        for key, value in {"DATABASE_URL": database_url, "DATA_DIR": str(tmp_path), "SMTP_HOST": "127.0.0.1",
                           "SMTP_PORT": str(smtp.port), "SMTP_TLS": "none", "SMTP_RETRY_DELAYS": "[0]"}.items():
            monkeypatch.setenv(f"COORDINATION_{key}", value)
        flows.runtime.app.cache_clear()  # the flow's app: built from this environment
        app = bootstrap()
        seed(app)
        dispatched(app, "urgent-appeal", language="en")

        counts = await outbox_sender(limit=10)

        assert counts == {"sent": 1, "deferred": 0, "failed": 0}
        assert len(smtp.handler.messages) == 1
        assert services.list_outbox(app)[0]["status"] == "sent"
    finally:
        smtp.stop()
        flows.runtime.app.cache_clear()
