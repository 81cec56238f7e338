"""Users and the address book of State recipients."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from coordination.config import Settings
from coordination.domain import InvalidInput, Organisation, Recipient, RecipientKind, Role, User
from coordination.domain.countries import normalise_country
from coordination.domain.ports import AddressCheck
from coordination.domain.text import is_blank

from .inputs import text
from .ports import Clock, UnitOfWork, UnitsOfWork
from .sessions import end_sessions


def _email(addresses: AddressCheck, value: str) -> str:
    """A person's or recipient's address: lower-cased (sign-in and the address book match it so), then checked."""
    return addresses((value or "").strip().lower())


def add_user(
    *, email: str, name: str, organisation: str, role: str,
    uow: UnitsOfWork, clock: Clock, addresses: AddressCheck, settings: Settings,
) -> User:
    """Add a person who can sign in and act (admin's use case)."""
    if is_blank(name):
        raise InvalidInput("a user needs a name")
    text(settings, "the name", name, required=False, lines=False)
    user = User(_email(addresses, email), name.strip(), Organisation(organisation), Role(role))
    now = clock()
    with uow() as tx:
        saved = tx.users.add(user, now=now)
        tx.audit.append(now=now, actor="admin", event="UserAdded", subject=saved.email,
                        payload={"organisation": saved.organisation.value, "role": saved.role.value})
        tx.commit()
    return saved


def list_users(*, uow: UnitsOfWork) -> list[User]:
    with uow(read_only=True) as tx:
        return tx.users.all()


Change = tuple[str, dict[str, Any], str | None]
"""What a change to a user did: its audit event, the event's payload, and why their sessions end (None: they do not)."""


def _change_user(
    email: str, change: Callable[[UnitOfWork, User, int, datetime], Change | None], *,
    uow: UnitsOfWork, clock: Clock,
) -> tuple[User, bool]:
    """Apply `change(tx, user, user id, now)` to a user, their row locked; it returns the audit
    event, its payload and why the sessions end, or None when there is nothing to change (then
    nothing is written). Returns the user as they now are, and whether anything changed."""
    now = clock()
    with uow() as tx:
        user = tx.users.lock(email)
        assert user.id is not None
        done = change(tx, user, user.id, now)
        if done is None:
            return user, False
        event, payload, ends = done
        if ends:
            payload["sessions_ended"] = end_sessions(tx, user_id=user.id, reason=ends, now=now)
        tx.audit.append(now=now, actor="admin", event=event, subject=user.email, payload=payload)
        changed = tx.users.by_id(user.id)
        assert changed is not None
        tx.commit()
        return changed, True


def disable_user(*, email: str, uow: UnitsOfWork, clock: Clock) -> tuple[User, bool]:
    """A disabled user cannot sign in or act, their sessions end and they are sent no reminders.
    Returns the user and whether anything changed."""
    def change(tx: UnitOfWork, user: User, user_id: int, now: datetime) -> Change | None:
        if user.disabled:
            return None
        tx.users.set_disabled(user_id, now)
        return "UserDisabled", {}, "user disabled"
    return _change_user(email, change, uow=uow, clock=clock)


def enable_user(*, email: str, uow: UnitsOfWork, clock: Clock) -> tuple[User, bool]:
    """Let a disabled user sign in and act again (with the password they had)."""
    def change(tx: UnitOfWork, user: User, user_id: int, now: datetime) -> Change | None:
        if not user.disabled:
            return None
        tx.users.set_disabled(user_id, None)
        return "UserEnabled", {}, None
    return _change_user(email, change, uow=uow, clock=clock)


def set_role(*, email: str, role: str, uow: UnitsOfWork, clock: Clock) -> tuple[User, bool]:
    """Give a user another role; their sessions end (the pages they had open showed the old one)."""
    try:
        new = Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r} (one of: {', '.join(r.value for r in Role)})") from None

    def change(tx: UnitOfWork, user: User, user_id: int, now: datetime) -> Change | None:
        if user.role is new:
            return None
        tx.users.set_role(user_id, new)
        return "RoleChanged", {"role": new.value, "previous": user.role.value}, "role changed"
    return _change_user(email, change, uow=uow, clock=clock)


def add_recipient(
    *, country: str, kind: str, email: str, name: str | None = None,
    uow: UnitsOfWork, clock: Clock, addresses: AddressCheck, settings: Settings,
) -> Recipient:
    """Add a State recipient (mission or ministry) to the address book."""
    name = text(settings, "the name", name, required=False, lines=False)
    recipient = Recipient(normalise_country(country), RecipientKind(kind), _email(addresses, email),
                          (name or "").strip() or None)
    now = clock()
    with uow() as tx:
        saved = tx.recipients.add(recipient, now=now)
        tx.audit.append(now=now, actor="admin", event="RecipientAdded", subject=saved.email,
                        payload={"country": saved.country, "kind": saved.kind.value})
        tx.commit()
    return saved
