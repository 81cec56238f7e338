"""A fake unit of work and fake ports for the service tests that check rules: in memory, no
database, no Prefect, no templates. What a unit of work keeps is copied in on commit only, so a
refused use case visibly writes nothing; the integration tests prove the real adapters."""

import copy
import dataclasses
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from coordination.adapters.fakes import FakeNumbers
from coordination.domain import JointAction, NotFound, NotPermitted, Recipient, User
from coordination.domain.mandates import CATALOGUE
from coordination.fictional import FICTIONAL_HOLDERS
from coordination.services.ports import RunRequest


@dataclass
class Store:
    """What the fake database holds between units of work."""

    users: dict[str, User] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)
    recipients: list[Recipient] = field(default_factory=list)
    actions: dict[int, JointAction] = field(default_factory=dict)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    renditions: dict[int, dict[str, str]] = field(default_factory=dict)
    audit: list[dict[str, Any]] = field(default_factory=list)
    numbers: FakeNumbers = field(default_factory=FakeNumbers)
    next_id: int = 1
    version_ids: int = 0
    commits: int = 0


class _Users:
    def __init__(self, tx: "FakeUnitOfWork") -> None:
        self.tx = tx

    def require(self, email: str, *, active: bool = True) -> User:
        user = self.tx.store.users.get(email.strip().lower())
        if user is None:
            raise NotFound(f"unknown user {email!r}")
        if active and user.email in self.tx.store.disabled:
            raise NotPermitted(f"{user.email} is disabled")
        return user


class _Recipients:
    def __init__(self, tx: "FakeUnitOfWork") -> None:
        self.tx = tx

    def for_country(self, country: str) -> list[Recipient]:
        return [r for r in self.tx.store.recipients if r.country == country]


class _Actions:
    def __init__(self, tx: "FakeUnitOfWork") -> None:
        self.tx = tx
        self.saved: list[tuple[JointAction, User | None, datetime, bool]] = []
        self.pending: dict[int, JointAction] = {}

    def find_id(self, reference: str) -> int:
        wanted = " ".join(reference.split()).upper()
        for action_id, action in {**self.tx.store.actions, **self.pending}.items():
            if any(r.value.upper() == wanted for r in action.references):
                return action_id
        raise NotFound(f"unknown joint action {reference!r}")

    def get(self, reference: str, *, for_update: bool = False) -> JointAction:
        return self.get_by_id(self.find_id(reference), for_update=for_update)

    def get_by_id(self, action_id: int, *, for_update: bool = False) -> JointAction:
        if action_id in self.pending:
            return self.pending[action_id]
        if action_id not in self.tx.store.actions:
            raise NotFound(f"unknown joint action #{action_id}")
        return copy.deepcopy(self.tx.store.actions[action_id])

    def save(self, action: JointAction, *, now: datetime, by: User | None = None) -> None:
        opened = action.id is None
        if opened:
            action.id = self.tx.store.next_id + len(self.pending)
        for letter in action.letters:
            for index, version in enumerate(letter.versions):
                if version.id is None:
                    self.tx.store.version_ids += 1
                    letter.versions[index] = dataclasses.replace(version, id=self.tx.store.version_ids)
        self.pending[action.id] = action
        if not any(a is action for a, *_ in self.saved):
            self.saved.append((action, by, now, opened))


class _Outbox:
    def __init__(self, tx: "FakeUnitOfWork") -> None:
        self.tx = tx
        self.added: list[dict[str, Any]] = []
        self.frozen: dict[int, dict[str, str]] = {}
        self.pdfs: dict[int, bytes] = {}
        self.cancelled: list[str] = []  # Message-IDs, cancelled at the commit

    def add(self, **row: Any) -> None:
        self.added.append(row)

    def rendition(self, letter_version_id: int) -> dict[str, str] | None:
        return self.tx.store.renditions.get(letter_version_id) or self.frozen.get(letter_version_id)

    def freeze_rendering(self, letter_version_id: int, *, subject: str, text: str, html: str,
                         pdf: bytes | None = None) -> None:
        self.frozen[letter_version_id] = {"subject": subject, "text": text, "html": html}
        if pdf is not None:
            self.pdfs[letter_version_id] = pdf

    def frozen_pdfs(self, letter_version_ids: Any) -> dict[int, bytes]:
        return {i: self.pdfs[i] for i in letter_version_ids if i in self.pdfs}

    def pdf_sha256s(self, letter_version_ids: Any) -> dict[int, str]:
        return {i: hashlib.sha256(pdf).hexdigest() for i, pdf in self.frozen_pdfs(letter_version_ids).items()}

    def cancel_for_action(self, action_id: int, *, now: Any) -> list[str]:
        self.cancelled = [row["message_id"] for row in self.tx.store.outbox
                          if row["action_id"] == action_id and row.get("status", "pending") == "pending"]
        return list(self.cancelled)


class _Audit:
    def __init__(self) -> None:
        self.appended: list[dict[str, Any]] = []

    def append(self, **event: Any) -> None:
        self.appended.append(event)


class _Mandates:
    """The catalogue, unchanged."""

    def all(self) -> list[Any]:
        return list(CATALOGUE)


class _Holders:
    """The fictional holders of every mandate."""

    def all(self, mandate: str | None = None, *, for_update: bool = False) -> list[Any]:
        return [h for h in FICTIONAL_HOLDERS if mandate in (None, h.mandate)]


class FakeUnitOfWork:
    def __init__(self, store: Store, *, read_only: bool) -> None:
        self.store = store
        self.read_only = read_only

    def __enter__(self) -> "FakeUnitOfWork":
        self.users = _Users(self)
        self.recipients = _Recipients(self)
        self.mandates = _Mandates()
        self.holders = _Holders()
        self.actions = _Actions(self)
        self.outbox = _Outbox(self)
        self.audit = _Audit()
        self.numbers = FakeNumbers()  # numbers taken count only if the unit of work commits, as in the database
        self.numbers.issued.update(self.store.numbers.issued)
        self.deadlines = None
        return self

    def __exit__(self, *exc: object) -> None:
        pass  # what was not committed is forgotten

    def commit(self) -> list[RunRequest]:
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        runs = []
        for action, by, now, opened in self.actions.saved:
            for event in action.events:
                self.audit.appended.append({"now": now, "actor": event.actor or "system", "event": event.name,
                                            "action_id": action.id, "by": by.email if by else None})
            action.events.clear()
            run = RunRequest.for_action(action, opened=opened)
            if run is not None:
                runs.append(run)
        for action_id, action in self.actions.pending.items():
            self.store.actions[action_id] = copy.deepcopy(action)
        self.store.next_id = max(self.store.actions, default=0) + 1
        self.store.outbox += self.outbox.added
        for row in self.store.outbox:
            if row["message_id"] in self.outbox.cancelled:
                row["status"] = "cancelled"
        self.store.renditions |= self.outbox.frozen
        self.store.audit += self.audit.appended
        self.store.numbers.issued.update(self.numbers.issued)
        self.store.commits += 1
        return runs


class FakeUnitsOfWork:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    def __call__(self, *, read_only: bool = False) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store, read_only=read_only)


class FakeScheduler:
    def __init__(self) -> None:
        self.requested: list[RunRequest] = []

    def request(self, run: RunRequest) -> bool:
        self.requested.append(run)
        return True


@dataclass(frozen=True)
class FakeRendered:
    subject: str
    text: str
    language: str


class FakeRenderer:
    """Letters as one line naming the letter, its version and format."""

    def render(self, action: JointAction, letter: Any, *, on: Any, fmt: str = "txt", language: str | None = None,
               recipients: Any = (), created: datetime | None = None, signers: Any = ()) -> FakeRendered:
        lang = language or letter.language
        return FakeRendered(f"{action.reference} {letter.name}",
                            f"{letter.name} v{letter.current.version} {fmt} {lang}", lang)

    def pdf(self, html: str) -> bytes:
        return b"%PDF-fake " + html.encode()
