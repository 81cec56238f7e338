"""Users and the address book of State recipients."""

from coordination.bootstrap import App
from coordination.domain import InvalidInput, Organisation, Recipient, RecipientKind, Role, User
from coordination.domain.countries import normalise_country


def _email(app: App, value: str) -> str:
    """A person's or recipient's address: lower-cased (sign-in and the address book match it so), then checked."""
    return app.addresses((value or "").strip().lower())


def add_user(app: App, *, email: str, name: str, organisation: str, role: str) -> User:
    """Add a person who can sign in and act (admin's use case)."""
    if not name or not name.strip():
        raise InvalidInput("a user needs a name")
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


def add_recipient(app: App, *, country: str, kind: str, email: str, name: str | None = None) -> Recipient:
    """Add a State recipient (mission or ministry) to the address book."""
    recipient = Recipient(normalise_country(country), RecipientKind(kind), _email(app, email), (name or "").strip() or None)
    now = app.clock()
    with app.uow() as uow:
        saved = uow.recipients.add(recipient, now=now)
        uow.audit.append(now=now, actor="admin", event="RecipientAdded", subject=saved.email,
                         payload={"country": saved.country, "kind": saved.kind.value})
        uow.commit()
    return saved
