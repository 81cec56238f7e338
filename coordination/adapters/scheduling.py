"""Starting the next flow run of a joint action through its Prefect deployment.

Spoken over Prefect's REST API with httpx, so that the command line does not pay for
importing Prefect. Deployment `<type>/<type>` gets a run with the idempotency key
`<action id>:<stage>:<round>`: asking twice gives the same run. The run's only parameter is
the action's id and its name is the JAM reference and stage — nothing else reaches Prefect.
"""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx

RUNTIME_FILE = "serve.json"
RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 0.0)  # written by `coordination serve`: where its Prefect API is


@dataclass(frozen=True)
class RunRequest:
    action_id: int
    reference: str
    action_type: str
    stage: str
    round: int
    ready: bool = True  # automatic steps are pending (False: just opened, the run only looks)

    @property
    def idempotency_key(self) -> str:
        return f"{self.action_id}:{self.stage}:{self.round}"

    @property
    def run_name(self) -> str:
        return f"{self.reference} {self.stage}"


class FlowScheduler(Protocol):
    def request(self, run: RunRequest) -> bool:
        """Ask for the run; True if Prefect has it, False if it is left to the reconciler."""
        ...


class NoScheduler:
    """No Prefect API known: the run waits for the reconciler of `coordination serve`."""

    def __init__(self, announce: Callable[[str], None]) -> None:
        self.announce = announce

    def request(self, run: RunRequest) -> bool:
        if run.ready:
            self.announce(f"{run.reference} is queued for its automatic steps: `coordination serve` will run them "
                          f"(or run `coordination action advance {run.reference}` now).")
        return False


class PrefectScheduler:
    def __init__(self, api_url: str, announce: Callable[[str], None], *, timeout: float = 3.0) -> None:
        self.api_url = api_url.rstrip("/")
        self.announce = announce
        self.timeout = timeout
        self._deployments: dict[str, str] = {}

    def request(self, run: RunRequest) -> bool:
        try:
            with httpx.Client(base_url=self.api_url, timeout=self.timeout) as client:
                deployment_id = self._deployment_id(client, run.action_type)
                self._call(client, "POST", f"/deployments/{deployment_id}/create_flow_run", json={
                    "name": run.run_name,
                    "parameters": {"action": run.action_id},
                    "idempotency_key": run.idempotency_key,
                })
        except (httpx.HTTPError, KeyError) as error:
            self.announce(f"{run.reference} is queued: Prefect at {self.api_url} could not take the run "
                          f"({type(error).__name__}); the reconciler will start it.")
            return False
        return True

    @staticmethod
    def _call(client: httpx.Client, method: str, url: str, **kwargs) -> httpx.Response:  # type: ignore[no-untyped-def]
        """One request; a busy server (429, 502, 503: its SQLite locked) is asked again shortly."""
        for delay in RETRY_DELAYS:
            response = client.request(method, url, **kwargs)
            if response.status_code not in (429, 502, 503):
                break
            time.sleep(delay)
        response.raise_for_status()
        return response

    def _deployment_id(self, client: httpx.Client, action_type: str) -> str:
        if action_type not in self._deployments:
            response = self._call(client, "GET", f"/deployments/name/{action_type}/{action_type}")
            self._deployments[action_type] = response.json()["id"]
        return self._deployments[action_type]


def prefect_api_url(data_dir: Path, environ: dict[str, str]) -> str | None:
    """PREFECT_API_URL if set, else the API of the `coordination serve` using this data directory."""
    if environ.get("PREFECT_API_URL"):
        return environ["PREFECT_API_URL"]
    try:
        return json.loads((data_dir / RUNTIME_FILE).read_text())["prefect_api_url"]
    except (OSError, ValueError, KeyError):
        return None
