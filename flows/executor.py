"""Runs the served deployments' flow runs inside the serving process, as soon as they exist.

Prefect's Runner polls every 10 s and starts each run in a new Python process, which here
costs 4–6.6 s before the first task (benchmarks/bench_latency.py): far from "the next stage within about a
second". This executor polls the local API every `poll_seconds` (0.2 s by default), claims
each scheduled run by proposing Pending (so no other executor takes it), and runs the flow
in this process with Prefect's own engine: states, retries, logs and the UI are Prefect's.
A run left Running or Pending by a killed process is scheduled again when the executor
starts; its tasks are idempotent, so running it again finishes the work and repeats nothing.
"""

import asyncio
import logging
from datetime import UTC, datetime
from uuid import UUID

from prefect import Flow, get_client
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterId,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.exceptions import Abort
from prefect.flow_engine import run_flow_async
from prefect.states import Pending, Scheduled
from prefect.utilities.engine import propose_state

log = logging.getLogger("coordination.executor")


class InProcessExecutor:
    def __init__(self, flows: dict[UUID, Flow], *, poll_seconds: float = 0.2, limit: int = 8) -> None:
        self.flows = flows
        self.poll_seconds = poll_seconds
        self.slots = asyncio.Semaphore(limit)
        self.in_flight: dict[UUID, asyncio.Task] = {}

    async def recover(self) -> int:
        """Schedule again the runs a killed process left Running or Pending."""
        async with get_client() as client:
            stuck = await client.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=list(self.flows))),
                flow_run_filter=FlowRunFilter(state=FlowRunFilterState(
                    type=FlowRunFilterStateType(any_=[StateType.RUNNING, StateType.PENDING]))),
            )
            for run in stuck:
                await client.set_flow_run_state(run.id, Scheduled(), force=True)
        return len(stuck)

    async def run(self, stop: asyncio.Event) -> None:
        async with get_client() as client:
            while not stop.is_set():
                try:
                    runs = await client.get_scheduled_flow_runs_for_deployments(
                        list(self.flows), scheduled_before=datetime.now(UTC))
                except Exception as error:  # the API restarting: try again shortly
                    log.warning("cannot read scheduled runs: %s", error)
                    runs = []
                for run in runs:
                    if run.id not in self.in_flight and await self._claim(client, run):
                        self.in_flight[run.id] = asyncio.create_task(self._execute(run))
                try:
                    await asyncio.wait_for(stop.wait(), self.poll_seconds)
                except TimeoutError:
                    pass
        if self.in_flight:
            await asyncio.wait(list(self.in_flight.values()), timeout=30)

    async def _claim(self, client, run: FlowRun) -> bool:  # type: ignore[no-untyped-def]
        try:
            state = await propose_state(client, Pending(), flow_run_id=run.id)
        except Abort:
            return False
        return state.is_pending()

    async def _execute(self, run: FlowRun) -> None:
        assert run.deployment_id is not None  # the runs read are those of our deployments
        try:
            async with self.slots:
                await run_flow_async(self.flows[run.deployment_id], flow_run=run,
                                     parameters=run.parameters, return_type="state")
        except Exception:
            log.exception("flow run %s ended with an error", run.id)
        finally:
            self.in_flight.pop(run.id, None)
