"""Scheduled flows: the reconciler and the deadline reminders (counts only in results and logs)."""

import asyncio
from datetime import timedelta

from prefect import flow, get_run_logger, task
from prefect.settings import get_current_settings

from coordination.adapters.scheduling import PrefectScheduler
from coordination.services.ports import RunRequest

from .delivery import send_outbox_task
from .runtime import app

RERUN_AFTER = timedelta(seconds=60)  # a run that ended with work left (a deadline passed since) is run again after this


@task(name="find-due-actions")
def find_due_actions() -> list[RunRequest]:
    """Actions whose automatic steps are due: ready ones, and waits whose deadline has passed."""
    return app().services.due_runs()


@task(name="ensure-run", retries=2, retry_delay_seconds=5)
async def ensure_run(request: RunRequest) -> str:
    """Start the action's run if it was never started; run again one that failed or crashed once
    its wait is over (1, 2, 4 … 32 min, counted in the database), until its reruns are spent: then
    the action shows that its automatic steps stopped, and why, until a person advances it."""
    scheduler = PrefectScheduler(str(get_current_settings().api.url), announce=get_run_logger().info)

    def failed(reason: str) -> str:
        return app().services.automatic_steps_failed(request, reason=reason)

    return await asyncio.to_thread(scheduler.ensure, request, now=app().clock(), rerun_after=RERUN_AFTER,
                                   on_failure=failed)


@flow(name="reconciler")
async def reconciler() -> dict[str, int]:
    """Start the runs that were never started (Prefect was down) or that died."""
    outcomes: dict[str, int] = {}
    for request in find_due_actions():
        outcome = await ensure_run(request)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    get_run_logger().info("reconciled: %s", outcomes or "nothing due")
    return outcomes


@task(name="queue-reminders", retries=2, retry_delay_seconds=30)
def queue_reminders() -> dict[str, int]:
    """Write the reminders that are due and one digest per recipient (one transaction; safe to retry)."""
    return app().services.send_reminders().counts()


@flow(name="deadline-reminders")
async def deadline_reminders() -> dict[str, int]:
    """The sweep: queue the due reminders as digests, then deliver them through the outbox sender."""
    counts = queue_reminders()
    get_run_logger().info("reminders: %(reminders)d for %(deadlines)d deadline(s) in %(digests)d digest(s)", counts)
    if counts["digests"]:
        counts |= await send_outbox_task()
    return counts
