"""Users and the address book of State recipients."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coordination.bootstrap import App

from coordination.domain import InvalidInput, Organisation, Recipient, RecipientKind, Role, User
from coordination.adapters.repositories import _user
from coordination.domain.countries import normalise_country
from coordination.domain.text import is_blank

from .inputs import text


def _email(app: App, value: str) -> str:
    """A person's or recipient's address: lower-cased (sign-in and the address book match it so), then checked."""
    return app.addresses((value or "").strip().lower())


def add_user(app: App, *, email: str, name: str, organisation: str, role: str) -> User:
    """Add a person who can sign in and act (admin's use case)."""
    if is_blank(name):
        raise InvalidInput("a user needs a name")
    text(app.settings, "the name", name, required=False, lines=False)
    user = User(_email(app, email), name.strip(), Organisation(organisation), Role(role))
    now = app.clock()
    with app.uow() as uow:
        saved = uow.users.add(user, now=now)
        uow.audit.append(now=now, actor="admin", event="UserAdded", subject=saved.email,
                         payload={"organisation": saved.organisation.value, "role": saved.role.value})
        uow.commit()
    return saved


def list_users(app: App) -> list[User]:
    with app.uow(read_only=True) as uow:
        return uow.users.all()


def _change_user(app: App, email: str, change) -> tuple[User, bool]:  # type: ignore[no-untyped-def]
    """Apply `change(record, now)` to a user's row, locked; it returns the audit event and its
    payload, or None when there is nothing to change (then nothing is written)."""
    from .sessions import end_sessions

    now = app.clock()
    with app.uow() as uow:
        record = uow.users.record(email)
        done = change(record, now)
        if done is None:
            return _user(record), False
        event, payload, ends = done
        uow.session.add(record)
        if ends:
            payload["sessions_ended"] = end_sessions(uow, user_id=record.id, reason=ends, now=now)
        uow.audit.append(now=now, actor="admin", event=event, subject=record.email, payload=payload)
        uow.commit()
        return _user(record), True


def disable_user(app: App, *, email: str) -> tuple[User, bool]:
    """A disabled user cannot sign in or act, their sessions end and they are sent no reminders.
    Returns the user and whether anything changed."""
    def change(record, now):  # type: ignore[no-untyped-def]
        if record.disabled_at is not None:
            return None
        record.disabled_at = now
        return "UserDisabled", {}, "user disabled"
    return _change_user(app, email, change)


def enable_user(app: App, *, email: str) -> tuple[User, bool]:
    """Let a disabled user sign in and act again (with the password they had)."""
    def change(record, now):  # type: ignore[no-untyped-def]
        if record.disabled_at is None:
            return None
        record.disabled_at = None
        return "UserEnabled", {}, None
    return _change_user(app, email, change)


def set_role(app: App, *, email: str, role: str) -> tuple[User, bool]:
    """Give a user another role; their sessions end (the pages they had open showed the old one)."""
    try:
        new = Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r} (one of: {', '.join(r.value for r in Role)})") from None

    def change(record, now):  # type: ignore[no-untyped-def]
        if record.role == new.value:
            return None
        previous, record.role = record.role, new.value
        return "RoleChanged", {"role": new.value, "previous": previous}, "role changed"
    return _change_user(app, email, change)


def add_recipient(app: App, *, country: str, kind: str, email: str, name: str | None = None) -> Recipient:
    """Add a State recipient (mission or ministry) to the address book."""
    name = text(app.settings, "the name", name, required=False, lines=False)
    recipient = Recipient(normalise_country(country), RecipientKind(kind), _email(app, email), (name or "").strip() or None)
    now = app.clock()
    with app.uow() as uow:
        saved = uow.recipients.add(recipient, now=now)
        uow.audit.append(now=now, actor="admin", event="RecipientAdded", subject=saved.email,
                         payload={"country": saved.country, "kind": saved.kind.value})
        uow.commit()
    return saved
