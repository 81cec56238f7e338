"""Each action type from open to its first wait through real flow runs on a Prefect test server."""

import asyncio

import pytest
from prefect import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName, LogFilter, LogFilterFlowRunId

from ..helpers import LETTERS, SUP_IACHR, SUP_OHCHR, open_at_gate, seed

SECRET_NAME = "Zélie Secretname-4417"
SECRET_FACT = LETTERS["urgent_appeal"]["facts"]  # "FACTS-SECRET-7731 …"


async def _until(predicate, timeout: float = 60.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        value = await asyncio.to_thread(predicate)
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError("timed out waiting")


@pytest.mark.parametrize("action_type,first_wait", [
    ("urgent-appeal", "awaiting_reply"),
    ("precautionary-measure", "awaiting_state_reply"),
    ("country-communication", "awaiting_reply"),
])
async def test_a_flow_run_takes_the_action_from_its_gate_to_its_first_wait(orchestrated, action_type, first_wait):
    app, messages = orchestrated
    await asyncio.to_thread(seed, app)
    ref = await asyncio.to_thread(open_at_gate, app, action_type, beneficiaries=[SECRET_NAME], language="en")
    await asyncio.to_thread(app.services.approve_stage, reference=ref, supervisor=SUP_OHCHR)
    action, met = await asyncio.to_thread(app.services.approve_stage, reference=ref, supervisor=SUP_IACHR)
    assert met and action.status.value == "ready"

    view = await _until(lambda: (v := app.services.get_action(ref))["status"] == "waiting" and v)

    assert view["stage"] == first_wait and view["outbox"]
    assert messages == []  # every run was taken by Prefect, none left to the reconciler
    async with get_client() as client:
        runs = await client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(like_=ref)))
    assert {r.state.type.value for r in runs} <= {"COMPLETED", "RUNNING", "PENDING", "SCHEDULED"}
    assert any(r.name.endswith(action.stage) for r in runs)
    assert all(r.parameters == {"action": view["id"]} for r in runs)


async def test_no_name_fact_or_letter_text_reaches_prefect(orchestrated):
    app, _ = orchestrated
    await asyncio.to_thread(seed, app)
    ref = await asyncio.to_thread(open_at_gate, app, "urgent-appeal", beneficiaries=[SECRET_NAME], language="en")
    await asyncio.to_thread(app.services.approve_stage, reference=ref, supervisor=SUP_OHCHR)
    await asyncio.to_thread(app.services.approve_stage, reference=ref, supervisor=SUP_IACHR)
    await _until(lambda: app.services.get_action(ref)["status"] == "waiting")

    async with get_client() as client:
        for _ in range(100):  # logs reach the API in batches, every few seconds
            runs = await client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(like_=ref)))
            logs = await client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[r.id for r in runs])))
            if any(ref in log.message for log in logs):
                break
            await asyncio.sleep(0.2)
    assert runs and logs
    seen = " ".join([r.name for r in runs] + [repr(r.parameters) for r in runs] + [l.message for l in logs])
    for secret in (SECRET_NAME, "Secretname", "FACTS-SECRET-7731", "mission@hnd-geneva.test", "Test action"):
        assert secret not in seen
    assert ref in seen  # the reference is what identifies the action


async def test_opening_an_action_starts_a_run_that_stops_at_the_officers_work_step(orchestrated):
    app, messages = orchestrated
    await asyncio.to_thread(seed, app)
    action = await asyncio.to_thread(app.services.open_action, type="country-communication", country="GTM",
                                     title="t", officer="olivia.officer@ohchr.test")
    async with get_client() as client:
        async def completed():
            runs = await client.read_flow_runs(flow_run_filter=FlowRunFilter(
                name=FlowRunFilterName(like_=action.reference)))
            return runs and all(r.state.is_completed() for r in runs) and runs
        for _ in range(300):
            runs = await completed()
            if runs:
                break
            await asyncio.sleep(0.1)
    assert runs and runs[0].name == f"{action.reference} drafting"
    assert app.services.get_action(action.reference)["status"] == "in_progress"
