"""Schema migrations and the audit trail's verification."""

from coordination.adapters.audit import Verification
from coordination.adapters.database import upgrade
from coordination.bootstrap import App


def initialise_database(app: App) -> tuple[str | None, str]:
    """Upgrade the schema to head; running it again changes nothing."""
    return upgrade(app.engine)


def verify_audit(app: App) -> Verification:
    with app.uow(read_only=True) as uow:
        return uow.audit.verify()
