"""One flow per action type: advance one joint action as far as it can go, then stop.

A run is started when an action is opened and whenever a decision leaves it with automatic
steps (dispatch, deadlines); it runs them and delivers what they put in the outbox. Every
task is idempotent — the action's state in the database says what is left to do — so a
crashed run is simply run again. The only parameter is the action's id; logs and results
carry its reference, stage and counts, never names, facts or letter text.
"""

import asyncio
import os

from prefect import flow, get_run_logger, task

from coordination.domain import ActionType

from .delivery import send_outbox_task
from .runtime import app


@task(name="advance", retries=3, retry_delay_seconds=[1, 5, 30])
async def advance(action: int, expected_type: str) -> dict:
    """Run the action's automatic steps: dispatch (freeze letters, write the outbox) and deadlines."""
    result = await asyncio.to_thread(app().services.run_automatic_steps, action,
                                     expected_type=ActionType(expected_type))
    summary = {"reference": result.action.reference, "stage": result.action.stage,
               "status": result.action.status.value, "messages": result.messages}
    get_run_logger().info("%(reference)s at %(stage)s (%(status)s); %(messages)d message(s) queued", summary)
    return summary


async def _advance_joint_action(action: int, action_type: ActionType) -> dict:
    summary = await advance(action, action_type.value)
    await _test_pause("before-delivery")
    summary["delivery"] = await send_outbox_task()  # what is due now, this action's letters included
    return summary


async def _test_pause(point: str) -> None:
    """Crash tests hold a run here (COORDINATION_TEST_PAUSE=<point>:<seconds>) to kill it mid-run."""
    name, _, seconds = os.environ.get("COORDINATION_TEST_PAUSE", "").partition(":")
    if name == point:
        await asyncio.sleep(float(seconds or 0))


@flow(name="precautionary-measure", retries=1, retry_delay_seconds=10)
async def precautionary_measure(action: int) -> dict:
    """Advance a precautionary measure."""
    return await _advance_joint_action(action, ActionType.PRECAUTIONARY_MEASURE)


@flow(name="urgent-appeal", retries=1, retry_delay_seconds=10)
async def urgent_appeal(action: int) -> dict:
    """Advance an urgent appeal."""
    return await _advance_joint_action(action, ActionType.URGENT_APPEAL)


@flow(name="country-communication", retries=1, retry_delay_seconds=10)
async def country_communication(action: int) -> dict:
    """Advance a country communication."""
    return await _advance_joint_action(action, ActionType.COUNTRY_COMMUNICATION)


FLOWS = {
    ActionType.PRECAUTIONARY_MEASURE: precautionary_measure,
    ActionType.URGENT_APPEAL: urgent_appeal,
    ActionType.COUNTRY_COMMUNICATION: country_communication,
}
