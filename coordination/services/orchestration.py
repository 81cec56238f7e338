"""What the orchestration asks of the system of record: which actions have automatic steps
due (the reminder sweep is in `reminders.py`)."""

from datetime import datetime

from coordination.adapters.scheduling import RunRequest
from coordination.bootstrap import App
from coordination.domain import DEFINITIONS, ActionType, DeadlineKind, Status


def due_runs(app: App, *, now: datetime | None = None) -> list[RunRequest]:
    """Actions whose automatic steps are due: ready ones, and waits whose deadline has passed."""
    now = now or app.clock()
    with app.uow(read_only=True) as uow:
        rows = uow.actions.with_automatic_steps_due(now=now)
    requests = []
    for record, reference, due_kind in rows:
        stage = DEFINITIONS[ActionType(record.type)].stage(record.stage)
        if stage.has_automatic_steps(Status(record.status), [DeadlineKind(due_kind)] if due_kind else []):
            requests.append(RunRequest(record.id, reference, record.type, record.stage, record.round))
    return list({r.idempotency_key: r for r in requests}.values())
