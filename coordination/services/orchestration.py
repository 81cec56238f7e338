"""What the orchestration asks of the system of record: which actions have automatic steps
due (the reminder sweep is in `reminders.py`)."""

from datetime import datetime

from coordination.domain import DEFINITIONS, ActionType, DeadlineKind, Status

from .ports import Clock, RunRequest, UnitsOfWork


def due_runs(*, now: datetime | None = None, uow: UnitsOfWork, clock: Clock) -> list[RunRequest]:
    """Actions whose automatic steps are due: ready ones, and waits whose deadline has passed."""
    now = now or clock()
    with uow(read_only=True) as tx:
        rows = tx.actions.with_automatic_steps_due(now=now)
    requests = []
    for row in rows:
        stage = DEFINITIONS[ActionType(row.type)].stage(row.stage)
        if stage.has_automatic_steps(Status(row.status), [DeadlineKind(row.due_kind)] if row.due_kind else []):
            requests.append(RunRequest(row.id, row.reference, row.type, row.stage, row.round))
    return list({r.idempotency_key: r for r in requests}.values())
