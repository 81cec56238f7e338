"""What the orchestration asks of the system of record: which actions have automatic steps
due (the reminder sweep is in `reminders.py`)."""

from datetime import datetime

from .ports import Clock, RunRequest, UnitsOfWork
from coordination.domain import DEFINITIONS, ActionType, DeadlineKind, Status


def due_runs(*, now: datetime | None = None, uow: UnitsOfWork, clock: Clock) -> list[RunRequest]:
    """Actions whose automatic steps are due: ready ones, and waits whose deadline has passed."""
    now = now or clock()
    with uow(read_only=True) as tx:
        rows = tx.actions.with_automatic_steps_due(now=now)
    requests = []
    for record, reference, due_kind in rows:
        stage = DEFINITIONS[ActionType(record.type)].stage(record.stage)
        if stage.has_automatic_steps(Status(record.status), [DeadlineKind(due_kind)] if due_kind else []):
            requests.append(RunRequest(record.id, reference, record.type, record.stage, record.round))
    return list({r.idempotency_key: r for r in requests}.values())
