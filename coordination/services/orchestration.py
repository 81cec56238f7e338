"""What the orchestration asks of the system of record: which actions have automatic steps
due, and what to do with a run of them that failed (the reminder sweep is in `reminders.py`)."""

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


def automatic_steps_failed(run: RunRequest, *, reason: str, uow: UnitsOfWork, clock: Clock) -> str:
    """The reconciler found the action's run failed (`reason`: the run's failure message): count it
    in the system of record, where the page and the digests read it. Returns "rerun" when its
    wait is over (the reconciler then runs it again), "waiting", "stopped" (its reruns are spent:
    left failed until a person advances it), or "moved on" (the action is no longer at that run's stage)."""
    with uow() as tx:
        action = tx.actions.get_by_id(run.action_id, for_update=True)
        if (action.stage, action.round) != (run.stage, run.round):
            return "moved on"
        now = clock()
        verdict = action.automatic_steps_failed(reason, now=now)
        if action.events:
            tx.actions.save(action, now=now)
            tx.commit()  # the run it calls for is the failed one: the reconciler reruns it, not the scheduler
    return verdict
