"""Schema migrations and the audit trail's verification.

The migrations are the `migrate` port's (Alembic, `coordination.adapters.database`); the
chain's check and the replay are the unit of work's audit trail's (`tx.audit.verify_chain()`,
`tx.audit.replay()`); checkpoints are signed by the `seal`.
"""

from dataclasses import dataclass

from coordination.domain import InvalidState

from .ports import Migrate, Seal, UnitsOfWork


def initialise_database(*, migrate: Migrate) -> tuple[str | None, str]:
    """Upgrade the schema to head; running it again changes nothing."""
    return migrate()


@dataclass(frozen=True)
class AuditVerification:
    events: int  # in the chain
    checkpoints: int
    actions: int  # replayed and compared with their rows
    legacy: int  # actions opened before the trail carried what a replay needs
    findings: list[str]  # empty: everything holds


def verify_audit(*, uow: UnitsOfWork) -> AuditVerification:
    """The keyed chain, its head and checkpoints, and a replay of the events against the tables."""
    with uow(read_only=True) as tx:
        chain = tx.audit.verify_chain()
        replayed = tx.audit.replay()
    return AuditVerification(chain.events, chain.checkpoints, replayed.actions, replayed.legacy,
                             list(chain.findings) + list(replayed.findings))


def checkpoint_audit(*, uow: UnitsOfWork, seal: Seal) -> str:
    """Sign the chain's head as it is now and append it to the checkpoints; returns the line."""
    with uow(read_only=True) as tx:
        head = tx.audit.head()
        if head is None:
            raise InvalidState("the audit trail's head row is missing", field="audit_head")
        return seal.checkpoint(head.seq, head.hash)
