"""Users, the address book of State recipients and the signatories of letters: an admin's use
cases, from the command line (the actor is "admin") or the administration pages (the actor is the
admin signed in, checked here to be an enabled admin). Every change is audited with its actor."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from coordination.config import Settings
from coordination.domain import InvalidInput, NotPermitted, Organisation, Recipient, RecipientKind, Role, User
from coordination.domain.countries import normalise_country
from coordination.domain.forms_of_address import checked_office
from coordination.domain.ports import AddressCheck
from coordination.domain.text import is_blank
from coordination.domain.vocabulary import LETTER_LANGUAGES

from .inputs import choice, text
from .ports import Clock, Signatory, UnitOfWork, UnitsOfWork
from .sessions import end_sessions


def _email(addresses: AddressCheck, value: str) -> str:
    """A person's or recipient's address: lower-cased (sign-in and the address book match it so), then checked."""
    return addresses((value or "").strip().lower())


ADMIN = "admin"  # the actor the command line records: whoever runs it administers the system


def is_admin(user: User) -> bool:
    """Who administers the system (users, the address book, the signatories): an enabled admin."""
    return user.role is Role.ADMIN and not user.disabled


def check_admin(tx: UnitOfWork, actor: str) -> str:
    """The actor of an admin's change: "admin" (the command line) or an enabled admin's email
    (the pages); anyone else is refused before anything is written."""
    if actor == ADMIN:
        return actor
    person = tx.users.get(actor)
    if person is None or not is_admin(person):
        raise NotPermitted("only an admin may change users, the address book or the signatories",
                           field="user", value=actor, facts={"role": person.role.value if person else None})
    return person.email


def add_user(
    *, email: str, name: str, organisation: str, role: str, actor: str = ADMIN,
    uow: UnitsOfWork, clock: Clock, addresses: AddressCheck, settings: Settings,
) -> User:
    """Add a person who can sign in and act (admin's use case)."""
    if is_blank(name):
        raise InvalidInput("a user needs a name", field="name")
    text(settings, "the name", name, required=False, lines=False)
    user = User(_email(addresses, email), name.strip(), choice(Organisation, organisation, "organisation",
                                                               field="organisation"),
                choice(Role, role, "role", field="role"))
    now = clock()
    with uow() as tx:
        actor = check_admin(tx, actor)
        saved = tx.users.add(user, now=now)
        tx.audit.append(now=now, actor=actor, event="UserAdded", subject=saved.email,
                        payload={"organisation": saved.organisation.value, "role": saved.role.value})
        tx.commit()
    return saved


def list_users(*, uow: UnitsOfWork) -> list[User]:
    with uow(read_only=True) as tx:
        return tx.users.all()


def last_sign_ins(*, uow: UnitsOfWork) -> dict[str, datetime]:
    """Each user's latest sign-in, by email (the sessions opened), for the admin's list."""
    with uow(read_only=True) as tx:
        return tx.users.last_sign_ins()


Change = tuple[str, dict[str, Any], str | None]
"""What a change to a user did: its audit event, the event's payload, and why their sessions end (None: they do not)."""


def _change_user(
    email: str, change: Callable[[UnitOfWork, User, int, datetime], Change | None], *,
    actor: str, uow: UnitsOfWork, clock: Clock,
) -> tuple[User, bool]:
    """Apply `change(tx, user, user id, now)` to a user, their row locked; it returns the audit
    event, its payload and why the sessions end, or None when there is nothing to change (then
    nothing is written). Returns the user as they now are, and whether anything changed."""
    now = clock()
    with uow() as tx:
        actor = check_admin(tx, actor)
        user = tx.users.lock(email)
        assert user.id is not None
        if user.email == actor and user.role is Role.ADMIN:
            raise NotPermitted("an admin cannot disable themselves or change their own role or organisation "
                               "(another admin can)", field="user", value=user.email)
        done = change(tx, user, user.id, now)
        if done is None:
            return user, False
        event, payload, ends = done
        if ends:
            payload["sessions_ended"] = end_sessions(tx, user_id=user.id, reason=ends, now=now)
        tx.audit.append(now=now, actor=actor, event=event, subject=user.email, payload=payload)
        changed = tx.users.by_id(user.id)
        assert changed is not None
        tx.commit()
        return changed, True


def disable_user(*, email: str, actor: str = ADMIN, uow: UnitsOfWork, clock: Clock) -> tuple[User, bool]:
    """A disabled user cannot sign in or act, their sessions end and they are sent no reminders.
    Returns the user and whether anything changed."""
    def change(tx: UnitOfWork, user: User, user_id: int, now: datetime) -> Change | None:
        if user.disabled:
            return None
        tx.users.set_disabled(user_id, now)
        return "UserDisabled", {}, "user disabled"
    return _change_user(email, change, actor=actor, uow=uow, clock=clock)


def enable_user(*, email: str, actor: str = ADMIN, uow: UnitsOfWork, clock: Clock) -> tuple[User, bool]:
    """Let a disabled user sign in and act again (with the password they had)."""
    def change(tx: UnitOfWork, user: User, user_id: int, now: datetime) -> Change | None:
        if not user.disabled:
            return None
        tx.users.set_disabled(user_id, None)
        return "UserEnabled", {}, None
    return _change_user(email, change, actor=actor, uow=uow, clock=clock)


def set_role(*, email: str, role: str, actor: str = ADMIN, uow: UnitsOfWork, clock: Clock) -> tuple[User, bool]:
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
    return _change_user(email, change, actor=actor, uow=uow, clock=clock)


def add_recipient(
    *, country: str, kind: str, email: str, name: str | None = None, office: str | None = None,
    gender: str | None = None, actor: str = ADMIN,
    uow: UnitsOfWork, clock: Clock, addresses: AddressCheck, settings: Settings,
) -> Recipient:
    """Add a State recipient (mission or ministry) to the address book (one removed before comes back).
    `office` (who heads it: minister, ambassador…) and the grammatical `gender` of its title give the
    letters their form of address; neither: the letters address the institution itself."""
    name = text(settings, "the name", name, required=False, lines=False)
    the_kind = choice(RecipientKind, kind, "kind of recipient", field="kind")
    the_office, the_gender = checked_office(the_kind, office, gender)
    recipient = Recipient(normalise_country(country), the_kind, _email(addresses, email), (name or "").strip() or None,
                          office=the_office, gender=the_gender)
    now = clock()
    with uow() as tx:
        actor = check_admin(tx, actor)
        saved = tx.recipients.add(recipient, now=now)
        tx.audit.append(now=now, actor=actor, event="RecipientAdded", subject=saved.email,
                        payload={"country": saved.country, "kind": saved.kind.value, **_addressed(saved)})
        tx.commit()
    return saved


def _addressed(recipient: Recipient) -> dict[str, str | None]:
    """A recipient's form of address as the audit trail records it."""
    return {"office": recipient.office.value if recipient.office else None,
            "gender": recipient.gender.value if recipient.gender else None}


def set_organisation(*, email: str, organisation: str, actor: str = ADMIN, uow: UnitsOfWork,
                     clock: Clock) -> tuple[User, bool]:
    """Move a user to the other organisation; their sessions end (their inbox and rights change)."""
    new = choice(Organisation, organisation, "organisation", field="organisation")

    def change(tx: UnitOfWork, user: User, user_id: int, now: datetime) -> Change | None:
        if user.organisation is new:
            return None
        tx.users.set_organisation(user_id, new)
        return ("OrganisationChanged", {"organisation": new.value, "previous": user.organisation.value},
                "organisation changed")
    return _change_user(email, change, actor=actor, uow=uow, clock=clock)


# ---------------------------------------------------------------- the address book

def list_recipients(*, country: str | None = None, uow: UnitsOfWork) -> list[Recipient]:
    """The address book, or one State's part of it; removed recipients are not in it."""
    iso3 = normalise_country(country) if country else None
    with uow(read_only=True) as tx:
        return tx.recipients.listing(iso3)


def _key(country: str, kind: str, email: str) -> tuple[str, RecipientKind, str]:
    """A recipient's key, as it was added: the State, the kind of recipient and the address."""
    return (normalise_country(country), choice(RecipientKind, kind, "kind of recipient", field="kind"),
            (email or "").strip().lower())


def edit_recipient(
    *, country: str, kind: str, email: str, new_kind: str | None = None, new_email: str | None = None,
    name: str | None = None, office: str | None = None, gender: str | None = None, actor: str = ADMIN,
    uow: UnitsOfWork, clock: Clock, addresses: AddressCheck, settings: Settings,
) -> Recipient:
    """Change a recipient's kind, address, name or form of address. `name`, `office` and `gender`:
    None keeps what is stored, "" clears it (an office cleared takes its gender with it: the letters
    then address the institution). Letters already dispatched keep the address and the form of
    address they were sent with (the outbox holds their text)."""
    iso3, old_kind, old_email = _key(country, kind, email)
    to_kind = choice(RecipientKind, new_kind, "kind of recipient", field="kind") if new_kind else old_kind
    to_email = _email(addresses, new_email) if new_email else old_email
    name = text(settings, "the name", name, required=False, lines=False)
    now = clock()
    with uow() as tx:
        actor = check_admin(tx, actor)
        found = tx.recipients.find(iso3, old_kind, old_email)
        assert found.id is not None
        to_name = found.name if name is None else (name.strip() or None)
        stored = _addressed(found)
        wanted_office = stored["office"] if office is None else office
        wanted_gender = gender if gender is not None else (None if office == "" else stored["gender"])
        to_office, to_gender = checked_office(to_kind, wanted_office, wanted_gender)
        saved = tx.recipients.update(found.id, kind=to_kind, email=to_email, name=to_name,
                                     office=to_office, gender=to_gender)
        tx.audit.append(now=now, actor=actor, event="RecipientChanged", subject=saved.email, payload={
            "country": iso3, "kind": saved.kind.value, "name": saved.name, **_addressed(saved),
            "previous": {"kind": found.kind.value, "email": found.email, "name": found.name, **stored}})
        tx.commit()
    return saved


def remove_recipient(*, country: str, kind: str, email: str, actor: str = ADMIN, uow: UnitsOfWork,
                     clock: Clock) -> Recipient:
    """Take a recipient out of the address book: no later dispatch goes to it. Its row is kept, so
    that the outbox and the audit trail of past dispatches still read whole."""
    iso3, the_kind, the_email = _key(country, kind, email)
    now = clock()
    with uow() as tx:
        actor = check_admin(tx, actor)
        found = tx.recipients.find(iso3, the_kind, the_email)
        assert found.id is not None
        tx.recipients.remove(found.id, now=now)
        tx.audit.append(now=now, actor=actor, event="RecipientRemoved", subject=found.email,
                        payload={"country": found.country, "kind": found.kind.value})
        tx.commit()
    return found


# ---------------------------------------------------------------- signatories

def list_signatories(*, uow: UnitsOfWork) -> list[Signatory]:
    with uow(read_only=True) as tx:
        return tx.signatories.all()


def set_signatory(
    *, organisation: str, name: str, title: str, titles: dict[str, str] | None = None,
    form_of_address: str | None = None, actor: str = ADMIN, uow: UnitsOfWork, clock: Clock, settings: Settings,
) -> Signatory:
    """Who signs the letters of an organisation: a name, a title (and, optionally, the title in
    each letter language: en, es, fr, pt) and a form of address. Letters show the name above
    the "On behalf of …" line."""
    org = choice(Organisation, organisation, "organisation", field="organisation")
    if is_blank(name):
        raise InvalidInput("a signatory needs a name", field="name")
    if is_blank(title):
        raise InvalidInput("a signatory needs a title", field="title")
    text(settings, "the name", name, lines=False)
    text(settings, "the title", title, lines=False)
    clean: dict[str, str] = {}
    for language, value in (titles or {}).items():
        if language not in LETTER_LANGUAGES:
            raise InvalidInput.unknown("letter language", language, LETTER_LANGUAGES, field="titles")
        if not is_blank(value):
            text(settings, f"the title ({language})", value, lines=False)
            clean[language] = value.strip()
    address = text(settings, "the form of address", form_of_address, required=False, lines=False)
    signatory = Signatory(org.value, name.strip(), title.strip(), clean, (address or "").strip() or None)
    now = clock()
    with uow() as tx:
        actor = check_admin(tx, actor)
        previous = tx.signatories.get(org.value)
        tx.signatories.set(signatory, by=actor, now=now)
        tx.audit.append(now=now, actor=actor, event="SignatorySet", subject=org.value, payload={
            "name": signatory.name, "title": signatory.title, "titles": clean,
            "form_of_address": signatory.form_of_address,
            "previous": previous.name if previous is not None else None})
        tx.commit()
    return signatory
