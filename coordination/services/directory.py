"""Users, the address book of State recipients and the mandates whose holders sign letters: an admin's use
cases, from the command line (the actor is "admin") or the administration pages (the actor is the
admin signed in, checked here to be an enabled admin). Every change is audited with its actor."""

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from coordination.config import Settings
from coordination.domain import (
    InvalidInput,
    InvalidState,
    NotPermitted,
    Organisation,
    Recipient,
    RecipientKind,
    Role,
    User,
)
from coordination.domain.countries import normalise_country
from coordination.domain.forms_of_address import checked_office
from coordination.domain.mandates import CODES, LANGUAGES, Holder, Mandate, check_term, holder_on
from coordination.domain.ports import AddressCheck
from coordination.domain.text import is_blank
from coordination.domain.vocabulary import Gender

from .inputs import choice, text
from .ports import Clock, UnitOfWork, UnitsOfWork
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
        raise NotPermitted("only an admin may change users, the address book, the mandates or their holders",
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


# ---------------------------------------------------------------- mandates and their holders

def _day(value: date | str | None, field: str) -> date | None:
    """A date as given (the command line parses it; the pages send ISO text)."""
    if value is None or isinstance(value, date):
        return value
    if is_blank(value):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)", field=field, value=value) from None


def _code(value: str) -> str:
    code = (value or "").strip().lower()
    if code not in CODES:
        raise InvalidInput.unknown("mandate", value, CODES)
    return code


def list_mandates(*, uow: UnitsOfWork) -> list[Mandate]:
    """The mandates whose holders sign letters, in the order of the signature blocks."""
    with uow(read_only=True) as tx:
        return tx.mandates.all()


def set_mandate(
    *, code: str, resolution: str | None = None, source: str | None = None, verified: bool | None = None,
    titles: Mapping[str, str] | None = None, actor: str = ADMIN, uow: UnitsOfWork, clock: Clock, settings: Settings,
) -> Mandate:
    """Correct a mandate: its titles (`{"es:f": "Relatora Especial sobre …"}`, per letter language
    and grammatical gender), the resolution of its last renewal ("" clears it), its source, and
    whether an admin checked the entry against that source. Letters already bound keep theirs."""
    code = _code(code)
    changes: dict[str, Any] = {}
    for key, value in (titles or {}).items():
        language, _, gender = key.partition(":")
        if language not in LANGUAGES:
            raise InvalidInput.unknown("letter language", language, LANGUAGES, field="title")
        choice(Gender, gender, "gender", field="title")
        title = text(settings, f"the title ({key})", value, lines=False)
        changes.setdefault("titles", {})[key] = (title or "").strip()
    if resolution is not None:
        text(settings, "the resolution", resolution, required=False, lines=False)
        changes["resolution"] = resolution.strip() or None
    if source is not None:
        changes["source"] = (text(settings, "the source", source, lines=False) or "").strip()
    if verified is not None:
        changes["verified"] = verified
    now = clock()
    with uow() as tx:
        actor = check_admin(tx, actor)
        mandate = tx.mandates.get(code, for_update=True)
        titles_now = {lang: dict(by_gender) for lang, by_gender in mandate.titles.items()}
        for key, title in changes.get("titles", {}).items():
            language, _, gender = key.partition(":")
            titles_now.setdefault(language, {})[gender] = title
        changed = replace(mandate, titles=titles_now, resolution=changes.get("resolution", mandate.resolution),
                          source=changes.get("source", mandate.source),
                          verified=changes.get("verified", mandate.verified))
        if changed == mandate:
            return mandate  # nothing to change: nothing written
        tx.mandates.update(changed, now=now)
        tx.audit.append(now=now, actor=actor, event="MandateChanged", subject=code, payload={
            **changes, "previous": {"resolution": mandate.resolution, "source": mandate.source,
                                    "verified": mandate.verified,
                                    "titles": {k: mandate.title(*k.split(":")) for k in changes.get("titles", {})}}})
        tx.commit()
    return changed


def list_signatories(*, mandate: str | None = None, on: date | str | None = None, uow: UnitsOfWork) -> list[Holder]:
    """The holders' terms, of one mandate or all, and only those holding on a day if one is given."""
    code = _code(mandate) if mandate else None
    day = _day(on, "on")
    with uow(read_only=True) as tx:
        holders = tx.holders.all(code)
    return [h for h in holders if day is None or h.holds_on(day)]


def set_signatory(
    *, mandate: str, name: str, gender: str, starts_on: date | str, ends_on: date | str | None = None,
    actor: str = ADMIN, uow: UnitsOfWork, clock: Clock, settings: Settings,
) -> Holder:
    """A new term of a mandate: who holds it (name and grammatical gender, as an admin enters them,
    never guessed), from when, until when (open if not given). A term overlapping another of the
    mandate, or ending before it starts, is refused."""
    code = _code(mandate)
    if is_blank(name):
        raise InvalidInput("a holder needs a name", field="name")
    text(settings, "the name", name, lines=False)
    start = _day(starts_on, "from")
    if start is None:
        raise InvalidInput("a term needs the day it starts", field="from")
    holder = Holder(code, name.strip(), choice(Gender, (gender or "").strip().lower(), "gender", field="gender"),
                    start, _day(ends_on, "until"))
    now = clock()
    with uow() as tx:
        actor = check_admin(tx, actor)
        tx.mandates.get(code, for_update=True)  # one change to a mandate's terms at a time
        check_term(holder, tx.holders.all(code))
        saved = tx.holders.add(holder, now=now)
        tx.audit.append(now=now, actor=actor, event="HolderAdded", subject=code, payload={
            "id": saved.id, "name": saved.name, "gender": saved.gender.value, "from": saved.starts_on.isoformat(),
            "until": saved.ends_on.isoformat() if saved.ends_on else None})
        tx.commit()
    return saved


def end_signatory(
    *, mandate: str, on: date | str, actor: str = ADMIN, uow: UnitsOfWork, clock: Clock,
) -> Holder:
    """End the term holding a mandate on a day: its holder signs until that day, inclusive."""
    code = _code(mandate)
    day = _day(on, "on")
    if day is None:
        raise InvalidInput("say the last day of the term", field="on")
    now = clock()
    with uow() as tx:
        actor = check_admin(tx, actor)
        tx.mandates.get(code, for_update=True)
        holder = holder_on(tx.holders.all(code), code, day)
        if holder is None or holder.id is None:
            raise InvalidState(f"no term of {code} holds on {day.isoformat()}: nothing to end", field="on",
                               value=day.isoformat())
        if holder.ends_on == day:
            return holder
        ended = tx.holders.end(holder.id, day, now=now)
        tx.audit.append(now=now, actor=actor, event="HolderEnded", subject=code, payload={
            "id": holder.id, "name": holder.name, "until": day.isoformat(),
            "previous": holder.ends_on.isoformat() if holder.ends_on else None})
        tx.commit()
    return ended
