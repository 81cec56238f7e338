"""Delivering the outbox as a Prefect task (and a flow to run it on a schedule).

Results and logs carry counts only: no recipient, name or letter text reaches Prefect.
"""

from prefect import flow, get_run_logger, task

from .runtime import app


@task(name="send-outbox", retries=3, retry_delay_seconds=[10, 60, 300])
async def send_outbox_task(limit: int = 200) -> dict[str, int]:
    """Deliver the outbox rows that are due; retried by Prefect if the run itself breaks."""
    if not app().settings.smtp_host:
        get_run_logger().warning("no SMTP server configured (COORDINATION_SMTP_HOST): the outbox waits")
        return {"sent": 0, "deferred": 0, "failed": 0}
    report = await app().services.send_outbox(limit=limit)
    counts = {"sent": report.sent, "deferred": report.deferred, "failed": report.failed}
    get_run_logger().info("outbox: %(sent)d sent, %(deferred)d deferred, %(failed)d failed", counts)
    return counts


@flow(name="outbox-sender")
async def outbox_sender(limit: int = 200) -> dict[str, int]:
    """Send the outbox once."""
    return await send_outbox_task(limit)
