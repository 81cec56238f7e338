"""Schema migrations and the audit trail's verification."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coordination.bootstrap import App

from dataclasses import dataclass

from coordination.adapters.audit import verify_chain
from coordination.adapters.audit_replay import replay
from coordination.adapters.database import upgrade


def initialise_database(app: App) -> tuple[str | None, str]:
    """Upgrade the schema to head; running it again changes nothing."""
    return upgrade(app.engine, audit_key=app.seal.key)


@dataclass(frozen=True)
class AuditVerification:
    events: int  # in the chain
    checkpoints: int
    actions: int  # replayed and compared with their rows
    legacy: int  # actions opened before the trail carried what a replay needs
    findings: list[str]  # empty: everything holds


def verify_audit(app: App) -> AuditVerification:
    """The keyed chain, its head and checkpoints, and a replay of the events against the tables."""
    with app.uow(read_only=True) as uow:
        chain = verify_chain(uow.audit)
        replayed = replay(uow.session)
    return AuditVerification(chain.events, chain.checkpoints, replayed.actions, replayed.legacy,
                             chain.findings + replayed.findings)


def checkpoint_audit(app: App) -> str:
    """Sign the chain's head as it is now and append it to the checkpoints; returns the line."""
    with app.uow(read_only=True) as uow:
        head = uow.audit.head()
        if head is None:
            from coordination.domain import InvalidState

            raise InvalidState("the audit trail's head row is missing: run `coordination audit verify`")
        return app.seal.checkpoint(head.seq, head.hash)
