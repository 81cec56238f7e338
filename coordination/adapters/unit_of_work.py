"""One transaction per use case: repositories share it; nothing is kept unless committed."""

import sqlalchemy as sa
from sqlmodel import Session

from coordination.services.ports import RunRequest

from .accounts import CredentialRepository, SessionRepository, SignInFailureRepository
from .administration import PasswordLinkRepository
from .audit import AuditLog, AuditSeal
from .database import READ_ONLY
from .mandates import HolderRepository, MandateRepository
from .pages import InboxQueries, LetterViewRepository
from .queries import ReadModel
from .repositories import (
    ActionRepository,
    DeadlineRepository,
    OutboxRepository,
    RecipientRepository,
    SqlReferenceNumbers,
    UserRepository,
)


class UnitOfWork:
    def __init__(self, engine: sa.Engine, seal: AuditSeal, *, read_only: bool = False) -> None:
        self.engine = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
        self.seal = seal
        self.read_only = read_only

    def __enter__(self) -> "UnitOfWork":
        self.session = Session(self.engine, expire_on_commit=False)
        self.users = UserRepository(self.session)
        self.credentials = CredentialRepository(self.session)
        self.sessions = SessionRepository(self.session)
        self.sign_in_failures = SignInFailureRepository(self.session)
        self.recipients = RecipientRepository(self.session)
        self.password_links = PasswordLinkRepository(self.session)
        self.mandates = MandateRepository(self.session)
        self.holders = HolderRepository(self.session)
        self.actions = ActionRepository(self.session)
        self.outbox = OutboxRepository(self.session)
        self.deadlines = DeadlineRepository(self.session)
        self.numbers = SqlReferenceNumbers(self.session)
        self.audit = AuditLog(self.session, self.seal)
        self.inbox = InboxQueries(self.session)
        self.letter_views = LetterViewRepository(self.session)
        self.queries = ReadModel(self.session)
        return self

    def __exit__(self, *exc: object) -> None:
        # close() ends the transaction, rolling back whatever was not committed, and
        # leaves loaded records readable (a rollback() would expire them first).
        self.session.close()

    def commit(self) -> list[RunRequest]:
        """Audit the saved actions' new events, commit, and return the flow runs they call for."""
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        runs = []
        for saved in self.actions.saved:
            action, by = saved.action, saved.by
            self.audit.append_many([dict(
                now=saved.now, actor=event.actor or "system",
                organisation=by.organisation.value if by is not None and event.actor == by.email else None,
                event=event.name, payload=event.payload(), action_id=action.id, subject=action.reference,
            ) for event in action.events])
            action.events.clear()
            run = RunRequest.for_action(action, opened=saved.opened)
            if run is not None:
                runs.append(run)
        self.actions.saved.clear()
        self.session.commit()
        self.audit.committed()  # a signed checkpoint of the head, outside the database
        return runs
