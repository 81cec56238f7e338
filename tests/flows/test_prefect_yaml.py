"""prefect.yaml declares the same deployments that `coordination serve` serves."""

from pathlib import Path

import yaml
from prefect.flows import load_flow_from_entrypoint

from flows.deployments import DEPLOYMENTS

ROOT = Path(__file__).resolve().parents[2]


def _declared() -> dict[str, dict]:
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    return {d["name"]: d for d in config["deployments"]}


def test_prefect_yaml_declares_every_served_deployment_and_nothing_else():
    assert set(_declared()) == {d.name for d in DEPLOYMENTS}


def test_each_entrypoint_loads_the_flow_that_serve_uses():
    declared = _declared()
    for deployment in DEPLOYMENTS:
        flow = load_flow_from_entrypoint(str(ROOT / declared[deployment.name]["entrypoint"]))
        assert flow.name == deployment.flow.name == deployment.name


def test_schedules_agree_and_every_deployment_is_on_the_process_pool():
    declared = _declared()
    for deployment in DEPLOYMENTS:
        schedules = declared[deployment.name].get("schedules", [])
        expected = [deployment.schedule] if deployment.schedule else []
        assert [{k: v for k, v in s.items() if k != "timezone"} for s in schedules] == expected
        assert declared[deployment.name]["work_pool"]["name"] == "coordination"
