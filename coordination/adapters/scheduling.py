"""Starting the next flow run of a joint action through its Prefect deployment.

Spoken over Prefect's REST API with httpx, so that the command line does not pay for
importing Prefect. Deployment `<type>/<type>` gets a run with the idempotency key
`<action id>:<stage>:<round>`: asking twice gives the same run. The run's only parameter is
the action's id and its name is the JAM reference and stage — nothing else reaches Prefect.
"""

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from coordination.services.ports import RunRequest

FINISHED = ("FAILED", "CRASHED", "CANCELLED", "COMPLETED")  # a run in one of these states does no more work
RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 0.0)

if TYPE_CHECKING:  # httpx is imported by a request alone: a command that starts no run does not pay for it
    import httpx


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
        import httpx

        try:
            with httpx.Client(base_url=self.api_url, timeout=self.timeout) as client:
                self._create(client, run)
        except (httpx.HTTPError, KeyError) as error:
            self.announce(f"{run.reference} is queued: Prefect at {self.api_url} could not take the run "
                          f"({type(error).__name__}); the reconciler will start it.")
            return False
        return True

    def ensure(
        self, run: RunRequest, *, now: datetime, rerun_after: timedelta,
        on_failure: Callable[[str], str] | None = None,
    ) -> str:
        """The reconciler's request: create the run if it was never created (the idempotency key
        gives back the existing one otherwise), and schedule again one that ended more than
        `rerun_after` ago without finishing the work. A failed or crashed run is `on_failure`'s
        to judge (given the run's failure message; the system of record counts the reruns and
        their growing waits): it is scheduled again only on "rerun"; its other answers ("waiting",
        "stopped") are returned. Returns the run's state, or "rescheduled"."""
        import httpx

        with httpx.Client(base_url=self.api_url, timeout=self.timeout) as client:
            flow_run = self._create(client, run)
            state = flow_run.get("state") or {}
            kind = state.get("type")
            ended = datetime.fromisoformat(state["timestamp"]) if state.get("timestamp") else None
            if kind in ("FAILED", "CRASHED") and on_failure is not None:
                verdict = on_failure(state.get("message") or f"the run {str(kind).lower()}")
                if verdict != "rerun":
                    return verdict
            elif not (kind in FINISHED and ended is not None and now - ended > rerun_after):
                return str(kind).lower() if kind else "created"
            self._call(client, "POST", f"/flow_runs/{flow_run['id']}/set_state",
                       json={"state": {"type": "SCHEDULED", "name": "Scheduled"}, "force": True})
            return "rescheduled"

    def _create(self, client: "httpx.Client", run: RunRequest) -> dict[str, Any]:
        deployment_id = self._deployment_id(client, run)
        response = self._call(client, "POST", f"/deployments/{deployment_id}/create_flow_run", json={
            "name": run.run_name,
            "parameters": {"action": run.action_id},
            "idempotency_key": run.idempotency_key,
        })
        created: dict[str, Any] = response.json()
        return created

    @staticmethod
    def _call(client: "httpx.Client", method: str, url: str, **kwargs) -> "httpx.Response":  # type: ignore[no-untyped-def]
        """One request; a busy server (429, 502, 503: its SQLite locked) is asked again shortly."""
        for delay in RETRY_DELAYS:
            response = client.request(method, url, **kwargs)
            if response.status_code not in (429, 502, 503):
                break
            time.sleep(delay)
        response.raise_for_status()
        return response

    def _deployment_id(self, client: "httpx.Client", run: RunRequest) -> str:
        if run.deployment not in self._deployments:
            response = self._call(client, "GET", f"/deployments/name/{run.deployment}")
            self._deployments[run.deployment] = response.json()["id"]
        return self._deployments[run.deployment]
