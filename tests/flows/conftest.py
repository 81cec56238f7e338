"""A Prefect test server for the session, the deployments applied to it, and an in-process
executor running their flow runs, all pointed at the test's database."""

import asyncio

import pytest
from prefect import get_client

import flows.runtime
from coordination.adapters.scheduling import PrefectScheduler
from coordination.bootstrap import bootstrap
from coordination.config import Settings


@pytest.fixture
async def orchestrated(prefect_api, database_url, tmp_path, monkeypatch, clock):
    """(app, executor): services trigger real flow runs, which the executor runs in this loop."""
    from flows.deployments import DEPLOYMENTS
    from flows.executor import InProcessExecutor

    monkeypatch.setenv("COORDINATION_DATABASE_URL", database_url)
    monkeypatch.setenv("COORDINATION_DATA_DIR", str(tmp_path))
    flows.runtime.app.cache_clear()
    messages: list[str] = []
    app = bootstrap(Settings(), clock=clock, scheduler=PrefectScheduler(prefect_api, messages.append))
    deployments = {}
    for deployment in DEPLOYMENTS:
        runner = await deployment.flow.ato_deployment(name=deployment.name)
        deployments[await runner.aapply()] = deployment.flow
    executor = InProcessExecutor(deployments, poll_seconds=0.1)
    stop = asyncio.Event()
    task = asyncio.create_task(executor.run(stop))
    yield app, messages
    stop.set()
    await task
    flows.runtime.app.cache_clear()
    app.engine.dispose()
    # Each test's database numbers its actions from 1: forget the runs (and their idempotency
    # keys) so that the next test's action 1 gets runs of its own.
    async with get_client() as client:
        for run in await client.read_flow_runs(limit=200):
            await client.delete_flow_run(run.id)
