"""Schema migrations and the audit trail's verification."""

from coordination.adapters.audit import ChainReport, verify_chain
from coordination.adapters.database import upgrade
from coordination.bootstrap import App


def initialise_database(app: App) -> tuple[str | None, str]:
    """Upgrade the schema to head; running it again changes nothing."""
    return upgrade(app.engine, audit_key=app.seal.key)


def verify_audit(app: App) -> ChainReport:
    """The chain, its head and checkpoints: every finding, named."""
    with app.uow(read_only=True) as uow:
        return verify_chain(uow.audit)


def checkpoint_audit(app: App) -> str:
    """Sign the chain's head as it is now and append it to the checkpoints; returns the line."""
    with app.uow(read_only=True) as uow:
        head = uow.audit.head()
        if head is None:
            from coordination.domain import InvalidState

            raise InvalidState("the audit trail's head row is missing: run `coordination audit verify`")
        return app.seal.checkpoint(head.seq, head.hash)
