"""Runs that were never started (Prefect unreachable) are started by the reconciler."""

import asyncio

from prefect import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

from coordination.adapters.mail_sink import free_port
from coordination.adapters.scheduling import PrefectScheduler
from flows.maintenance import reconciler

from ..helpers import SUP_IACHR, SUP_OHCHR, open_at_gate, seed
from .test_action_flows import _until


async def _runs_finished(ref: str) -> None:
    async with get_client() as client:
        for _ in range(300):
            runs = await client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(like_=ref)))
            if runs and all(r.state.is_final() for r in runs):
                return
            await asyncio.sleep(0.1)
    raise AssertionError(f"the runs of {ref} did not finish")


async def test_a_decision_taken_while_prefect_is_down_is_queued_and_the_reconciler_starts_its_run(orchestrated):
    app, _ = orchestrated
    said: list[str] = []
    down = PrefectScheduler(f"http://127.0.0.1:{free_port()}/api", said.append, timeout=1.0)
    await asyncio.to_thread(seed, app)
    ref = await asyncio.to_thread(open_at_gate, app, "urgent-appeal", language="en")
    await asyncio.to_thread(app.services.approve_stage, reference=ref, supervisor=SUP_OHCHR)
    await _runs_finished(ref)  # the run started at opening must not be the one that dispatches
    real, app.scheduler = app.scheduler, down
    action, met = await asyncio.to_thread(app.services.approve_stage, reference=ref, supervisor=SUP_IACHR)
    app.scheduler = real

    assert met and action.status.value == "ready"  # the decision itself succeeded
    assert len(said) == 1 and said[0].startswith(f"{ref} is queued")
    await asyncio.sleep(1.0)
    assert app.services.get_action(ref)["status"] == "ready"  # nobody started it

    outcomes = await reconciler()

    assert outcomes == {"scheduled": 1}
    view = await _until(lambda: (v := app.services.get_action(ref))["status"] == "waiting" and v)
    assert view["stage"] == "awaiting_reply"
