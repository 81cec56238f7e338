"""Users and the address book of State recipients."""

from coordination.bootstrap import App
from coordination.domain import InvalidInput, Organisation, Recipient, RecipientKind, Role, User
from coordination.domain.countries import normalise_country
from coordination.domain.letters import is_email
from coordination.domain.text import is_blank

from .inputs import text


def _email(value: str) -> str:
    email = (value or "").strip().lower()
    if not is_email(email):
        raise InvalidInput(f"invalid email address {value!r}")
    return email


def add_user(app: App, *, email: str, name: str, organisation: str, role: str) -> User:
    """Add a person who can sign in and act (admin's use case)."""
    if is_blank(name):
        raise InvalidInput("a user needs a name")
    text(app, "the name", name, required=False, lines=False)
    user = User(_email(email), name.strip(), Organisation(organisation), Role(role))
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
    name = text(app, "the name", name, required=False, lines=False)
    recipient = Recipient(normalise_country(country), RecipientKind(kind), _email(email), (name or "").strip() or None)
    now = app.clock()
    with app.uow() as uow:
        saved = uow.recipients.add(recipient, now=now)
        uow.audit.append(now=now, actor="admin", event="RecipientAdded", subject=saved.email,
                         payload={"country": saved.country, "kind": saved.kind.value})
        uow.commit()
    return saved
