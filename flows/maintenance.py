"""Scheduled flows: the reconciler and the deadline reminders (counts only in results and logs)."""

from datetime import timedelta

from prefect import flow, get_client, get_run_logger, task
from prefect.client.schemas.objects import StateType
from prefect.states import Scheduled

from coordination.adapters.scheduling import RunRequest
from coordination.services.orchestration import due_runs
from coordination.services.reminders import send_reminders

from .delivery import send_outbox_task
from .runtime import app

RERUN_AFTER = timedelta(seconds=60)  # a failed or crashed run is tried again after this


@task(name="find-due-actions")
def find_due_actions() -> list[RunRequest]:
    """Actions whose automatic steps are due: ready ones, and waits whose deadline has passed."""
    return due_runs(app())


@task(name="ensure-run", retries=2, retry_delay_seconds=5)
async def ensure_run(request: RunRequest) -> str:
    """Start the action's run if it was never started; run again one that failed or crashed."""
    async with get_client() as client:
        deployment = await client.read_deployment_by_name(f"{request.action_type}/{request.action_type}")
        run = await client.create_flow_run_from_deployment(
            deployment.id, parameters={"action": request.action_id}, name=request.run_name,
            idempotency_key=request.idempotency_key,
        )
        state = run.state
        finished = state is not None and state.type in (StateType.FAILED, StateType.CRASHED, StateType.CANCELLED,
                                                         StateType.COMPLETED)
        if finished and app().clock() - state.timestamp > RERUN_AFTER:
            await client.set_flow_run_state(run.id, Scheduled(), force=True)
            return "rescheduled"
        return state.type.value.lower() if state else "created"


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
    return send_reminders(app()).counts()


@flow(name="deadline-reminders")
async def deadline_reminders() -> dict[str, int]:
    """The sweep: queue the due reminders as digests, then deliver them through the outbox sender."""
    counts = queue_reminders()
    get_run_logger().info("reminders: %(reminders)d for %(deadlines)d deadline(s) in %(digests)d digest(s)", counts)
    if counts["digests"]:
        counts |= await send_outbox_task()
    return counts
