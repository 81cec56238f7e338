"""The reconciler and a run that fails for a permanent reason (the address book has no entry for
a recipient kind), against the session's Prefect test server: the run is scheduled again only
once its wait (1, 2, 4 … 32 min, by the test's clock) is over, never while it waits; after the
sixth rerun fails it is left failed, the action stops being reconciled, and a manual advance
after the cause is fixed dispatches. No executor runs here: the test plays the failed runs by
setting their state, as a run that raised leaves it."""

import asyncio

import pytest
from prefect import get_client
from prefect.states import Failed

import flows.maintenance
import flows.runtime
from coordination.adapters.scheduling import PrefectScheduler
from coordination.bootstrap import bootstrap
from coordination.config import Settings
from flows.maintenance import reconciler

from ..helpers import SUP_IACHR, SUP_OHCHR, open_at_gate, seed

WAITS = (1, 2, 4, 8, 16, 32)  # minutes


@pytest.fixture
async def deployed(prefect_api, database_url, tmp_path, monkeypatch, clock):
    """The app on the test's clock, its deployments applied to Prefect, and no executor: a run
    stays in the state the test gives it. The reconciler's flow uses this app."""
    from flows.deployments import DEPLOYMENTS

    monkeypatch.setenv("COORDINATION_DATABASE_URL", database_url)
    monkeypatch.setenv("COORDINATION_DATA_DIR", str(tmp_path))
    flows.runtime.app.cache_clear()
    app = bootstrap(Settings(), clock=clock, scheduler=PrefectScheduler(prefect_api, lambda _: None))
    monkeypatch.setattr(flows.maintenance, "app", lambda: app)
    for deployment in DEPLOYMENTS:
        runner = await deployment.flow.ato_deployment(name=deployment.name)
        await runner.aapply()
    yield app
    app.engine.dispose()
    async with get_client() as client:  # the next test's action 1 gets runs of its own
        for run in await client.read_flow_runs(limit=200):
            await client.delete_flow_run(run.id)


async def _run_of(key: str):  # type: ignore[no-untyped-def]
    async with get_client() as client:
        [run] = [r for r in await client.read_flow_runs(limit=200) if r.idempotency_key == key]
        return run


async def _fail(key: str, message: str) -> None:
    async with get_client() as client:
        await client.set_flow_run_state((await _run_of(key)).id, Failed(message=message), force=True)


async def _state(key: str) -> str:
    return (await _run_of(key)).state.type.value


async def test_a_permanent_failure_is_rerun_after_growing_waits_then_left_failed_and_shown(deployed):
    app = deployed
    await asyncio.to_thread(seed, app)
    await asyncio.to_thread(app.services.remove_recipient, country="HND", kind="permanent-mission-geneva",
                            email="mission@hnd-geneva.test")
    ref = await asyncio.to_thread(open_at_gate, app, "urgent-appeal", language="en")
    await asyncio.to_thread(app.services.approve_stage, reference=ref, supervisor=SUP_OHCHR)
    await asyncio.to_thread(app.services.approve_stage, reference=ref, supervisor=SUP_IACHR)
    [request] = [r for r in app.services.due_runs() if r.reference == ref]
    key = request.idempotency_key
    reason = (f"Flow run encountered an exception: InvalidState: cannot dispatch {ref}: "
              "the address book has no permanent-mission-geneva for HND")
    assert await reconciler() == {"scheduled": 1}  # asked for by the decision, not run by anyone here

    for wait in WAITS:
        await _fail(key, reason)
        assert await reconciler() == {"waiting": 1}  # the failure is counted and given its wait
        app.clock.advance(minutes=wait, seconds=-1)
        assert await reconciler() == {"waiting": 1}  # nothing is rerun while it waits
        assert await _state(key) == "FAILED"
        app.clock.advance(seconds=1)
        assert await reconciler() == {"rescheduled": 1}
        assert await _state(key) == "SCHEDULED"

    await _fail(key, reason)
    assert await reconciler() == {"stopped": 1}
    app.clock.advance(hours=2)
    assert await reconciler() == {}  # left failed: the reconciler no longer looks at it
    assert await _state(key) == "FAILED"
    steps = app.services.get_action(ref)["automatic_steps"]
    assert steps["stopped"] and steps["reruns"] == 6 and steps["failure"] == reason

    await asyncio.to_thread(app.services.add_recipient, country="HND", kind="permanent-mission-geneva",
                            email="mission@hnd-geneva.test")
    result = await asyncio.to_thread(app.services.advance_action, reference=ref)
    assert result.messages > 0 and result.action.status.value == "waiting"
    assert not app.services.get_action(ref)["automatic_steps"]["stopped"]
    assert app.services.verify_audit().findings == []
