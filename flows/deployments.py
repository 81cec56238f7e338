"""The deployments, in one place: `coordination serve` applies these, prefect.yaml declares
the same for `prefect deploy --all` (a test keeps the two in step)."""

from dataclasses import dataclass, field
from typing import Any

from prefect import Flow

from coordination.services.ports import deployment_name

from .actions import country_communication, precautionary_measure, urgent_appeal
from .delivery import outbox_sender
from .maintenance import deadline_reminders, reconciler


@dataclass(frozen=True)
class Deployment:
    flow: Flow
    schedule: dict[str, Any] = field(default_factory=dict)  # to_deployment(interval=… | cron=…)

    @property
    def name(self) -> str:
        return self.flow.name

    @property
    def full_name(self) -> str:
        return deployment_name(self.flow.name)


DEPLOYMENTS = [
    Deployment(precautionary_measure),
    Deployment(urgent_appeal),
    Deployment(country_communication),
    Deployment(reconciler, {"interval": 60}),
    Deployment(outbox_sender, {"interval": 60}),
    Deployment(deadline_reminders, {"cron": "*/5 * * * *"}),
]
