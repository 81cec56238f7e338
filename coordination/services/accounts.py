"""Accounts for the web app: passwords, sign-in with throttling, interface language, letter
versions seen, calendar addresses. The CLI sets passwords through the same functions.

Sign-in never hashes inside a transaction: the stored hash is read in a read-only unit of
work that is closed, the password verified (the `hasher`: argon2id, ~0.3 s), and the outcome
recorded in a short write. Failures are counted per client address and per account key (the normalised
email's hash, for emails that are no account too), and answered the same way whichever:

    client  from its 5th failure, blocked 1, 2, 4, 8 … seconds, at most 15 minutes
    account from its 10th failure, blocked 5, 10, 20, 40, 60 seconds at most (a stranger
            cannot lock a colleague out for long)

While a key is blocked the answer is 429 with Retry-After, before any hashing; a success
clears both counters. A key's count starts again a day after its first failure.
"""

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from coordination.config import Settings
from coordination.domain import CoordinationError, InvalidInput, NotPermitted, User
from coordination.domain.letters import sha256_hex
from coordination.domain.passwords import check_password
from coordination.domain.vocabulary import INTERFACE_LANGUAGES as LANGUAGES  # their one source

from .ports import Clock, PasswordHasher, Signer, UnitOfWork, UnitsOfWork
from .sessions import end_sessions, open_session

FORGET_AFTER = timedelta(days=1)


class SignInRefused(CoordinationError):
    """Wrong email or password (401), or too many failures from this client or for this account (429)."""

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    @property
    def locked(self) -> bool:
        return self.retry_after is not None


def _id(user: User) -> int:
    """A stored user's id (users the repositories give have one)."""
    if user.id is None:
        raise ValueError(f"user {user.email} is not stored")
    return user.id


# ---------------------------------------------------------------- throttling

def _account_key(email: str) -> str:
    return "account:" + hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:40]


def _client_key(client: str) -> str:
    return "client:" + hashlib.sha256(client.encode()).hexdigest()[:40]


def _client_delay(failures: int) -> int:
    return 0 if failures < 5 else min(2 ** min(failures - 5, 20), 900)


def _account_delay(failures: int) -> int:
    return 0 if failures < 10 else min(5 * 2 ** min(failures - 10, 20), 60)


def _keys(email: str, client: str | None) -> list[str]:
    return [_account_key(email)] + ([_client_key(client)] if client else [])


def _refuse_if_blocked(tx: UnitOfWork, keys: list[str], now: datetime) -> None:
    until = tx.sign_in_failures.blocked_until(keys)
    if until is not None:
        until = until if until.tzinfo else until.replace(tzinfo=now.tzinfo)
    if until is not None and until > now:
        seconds = max(1, math.ceil((until - now).total_seconds()))
        raise SignInRefused(f"too many failed sign-ins: try again in {seconds} second(s)", retry_after=seconds)


def _count_failure(tx: UnitOfWork, keys: list[str], now: datetime) -> None:
    """One more failure for each key (concurrent failures all count); block if due."""
    for key in keys:
        failures = tx.sign_in_failures.count(key, now=now, forget_before=now - FORGET_AFTER)
        delay = (_client_delay if key.startswith("client:") else _account_delay)(failures)
        if delay:
            tx.sign_in_failures.block(key, until=now + timedelta(seconds=delay))


# ---------------------------------------------------------------- passwords

def set_password(*, email: str, password: str, uow: UnitsOfWork, clock: Clock, hasher: PasswordHasher) -> User:
    """Set a user's password (an admin's command, the demo): it follows the password rule, ends
    the user's sessions and lifts any throttling of the account. The hash is argon2id."""
    with uow(read_only=True) as tx:
        user = tx.users.require(email, active=False)
    check_password(password, email=user.email)
    hashed = hasher.hash(password)  # outside any transaction
    now = clock()
    with uow() as tx:
        user = tx.users.require(email, active=False)
        _store_password(tx, user, hashed, now=now, actor="admin", event="PasswordSet", reason="password set")
        tx.sign_in_failures.clear([_account_key(user.email)])
        tx.commit()
    return user


def _store_password(tx: UnitOfWork, user: User, hashed: str, *, now: datetime, actor: str, event: str,
                    reason: str) -> None:
    tx.credentials.set_password(_id(user), hashed, now=now)
    end_sessions(tx, user_id=_id(user), reason=reason, now=now)
    tx.audit.append(now=now, actor=actor, event=event, subject=user.email,
                    organisation=user.organisation.value if actor == user.email else None,
                    payload={"hash_sha256": sha256_hex(hashed)})


def change_password(
    *, user: User, current: str, new: str, client: str | None = None,
    uow: UnitsOfWork, clock: Clock, hasher: PasswordHasher, settings: Settings,
) -> str:
    """A person changes their own password (the account page): the current one is checked
    (a wrong one counts as a failed sign-in), the new one follows the rule. Every session of
    theirs ends; returns the token of a new one for the browser that made the change."""
    check_password(new, email=user.email)
    keys = _keys(user.email, client)
    now = clock()
    with uow(read_only=True) as tx:
        _refuse_if_blocked(tx, keys, now)
        credential = tx.credentials.get(_id(user))
        stored = credential.password_hash if credential is not None else None
    good = hasher.verify(stored, current)
    hashed = hasher.hash(new) if good else None
    now = clock()
    with uow() as tx:
        if not good or hashed is None:
            _count_failure(tx, keys, now)
            tx.commit()
            raise NotPermitted("the current password is not right")
        person = tx.users.require(user.email)
        credential = tx.credentials.get(_id(person))
        if credential is None or credential.password_hash != stored:  # changed meanwhile: check again
            raise NotPermitted("the password was changed meanwhile: sign in again")
        _store_password(tx, person, hashed, now=now, actor=person.email, event="PasswordChanged",
                        reason="password changed")
        tx.sign_in_failures.clear(keys)
        token = open_session(tx, user_id=_id(person), settings=settings, now=now)
        tx.commit()
    return token


# ---------------------------------------------------------------- signing in

@dataclass(frozen=True)
class SignedIn:
    user: User
    language: str | None
    token: str  # the new session's, for the cookie


def sign_in(
    *, email: str, password: str, client: str | None = None,
    uow: UnitsOfWork, clock: Clock, hasher: PasswordHasher, settings: Settings,
) -> SignedIn:
    """Check a password and open a session. Known, unknown and disabled accounts cost the same
    (one argon2 verification) and are refused alike; see the module's note on throttling."""
    email = (email or "").strip()
    keys = _keys(email, client)
    now = clock()
    with uow(read_only=True) as tx:
        _refuse_if_blocked(tx, keys, now)
        found = tx.users.get(email) if "@" in email else None
        credential = tx.credentials.get(_id(found)) if found is not None else None
        stored = credential.password_hash if credential is not None and found is not None and not found.disabled \
            else None
    good = hasher.verify(stored, password)  # outside any transaction: no lock is held while hashing
    rehashed = hasher.hash(password) if good and stored is not None and hasher.needs_rehash(stored) else None
    now = clock()
    with uow() as tx:
        user = None
        if good and found is not None:
            user = tx.users.by_id(_id(found))
            credential = tx.credentials.get(_id(user)) if user is not None else None
            good = (user is not None and not user.disabled and credential is not None
                    and credential.password_hash == stored)  # not changed or disabled meanwhile
        if not good or user is None or credential is None:
            _count_failure(tx, keys, now)
            tx.commit()
            raise SignInRefused("wrong email or password")
        tx.sign_in_failures.clear(keys)
        if rehashed is not None:
            tx.credentials.rehash(_id(user), rehashed)
            tx.audit.append(now=now, actor=user.email, organisation=user.organisation.value,
                            event="PasswordRehashed", subject=user.email, payload={"hash_sha256": sha256_hex(rehashed)})
        token = open_session(tx, user_id=_id(user), settings=settings, now=now)
        language = credential.language
        tx.commit()
    return SignedIn(user, language, token)


def set_language(*, user: User, language: str, uow: UnitsOfWork, clock: Clock) -> None:
    """Remember a user's interface language, which their emails are written in too: audited,
    since it decides the language of every digest and approval request they receive."""
    if language not in LANGUAGES:
        raise InvalidInput(f"unknown language {language!r} (one of: {', '.join(LANGUAGES)})")
    now = clock()
    with uow() as tx:
        credential = tx.credentials.get(_id(user))
        if credential is not None and credential.language == language:
            return  # already so: nothing to record
        tx.credentials.set_language(_id(user), language, now=now)
        tx.audit.append(now=now, actor=user.email, organisation=user.organisation.value, event="LanguageChosen",
                        subject=user.email, payload={"language": language})
        tx.commit()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


# ---------------------------------------------------------------- calendar addresses

def calendar_token(email: str, generation: int = 0, *, signer: Signer) -> str:
    """The secret part of a person's calendar address: a signature of their email (and, once
    renewed, of the address's generation) with the web app's key. Renewing it makes the old
    address answer 404; a new COORDINATION_SECRET_KEY, or a new key file, revokes every address."""
    message = f"calendar:{email}" if generation == 0 else f"calendar:{email}:{generation}"
    return signer.sign(message)[:40]


def _calendar_url(settings: Settings, signer: Signer, email: str, generation: int) -> str:
    return f"{settings.base_url.rstrip('/')}/calendar/{calendar_token(email, generation, signer=signer)}.ics"


def calendar_address(user: User, *, uow: UnitsOfWork, settings: Settings, signer: Signer) -> str:
    """The address of this person's calendar feed, as it is now."""
    with uow(read_only=True) as tx:
        credential = tx.credentials.get(_id(user))
    return _calendar_url(settings, signer, user.email, credential.calendar_generation if credential else 0)


def calendar_owner(token: str, *, uow: UnitsOfWork, signer: Signer) -> str | None:
    """Whose calendar address this is (an enabled user's, current generation), or None."""
    with uow(read_only=True) as tx:
        rows = tx.credentials.calendar_generations()
    found = None
    for email, generation in rows:
        if hmac.compare_digest(calendar_token(email, generation, signer=signer), token):
            found = email
    return found


def renew_calendar(
    *, email: str, actor: str | None = None, uow: UnitsOfWork, clock: Clock, settings: Settings, signer: Signer,
) -> str:
    """A new calendar address for this person; the old one stops working. Returns the new one."""
    now = clock()
    with uow() as tx:
        user = tx.users.require(email, active=False)
        generation = tx.credentials.renew_calendar(_id(user), now=now)
        tx.audit.append(now=now, actor=actor or "admin", event="CalendarAddressRenewed", subject=user.email,
                        organisation=user.organisation.value if actor == user.email else None,
                        payload={"generation": generation})
        tx.commit()
    return _calendar_url(settings, signer, user.email, generation)
