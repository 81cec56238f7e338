"""Accounts for the web app: passwords, sign-in with throttling, interface language, letter
versions seen, calendar addresses. The CLI sets passwords through the same functions.

Sign-in never hashes inside a transaction: the stored hash is read in a read-only unit of
work that is closed, the password verified (argon2, ~0.3 s), and the outcome recorded in a
short write. Failures are counted per client address and per account key (the normalised
email's hash, for emails that are no account too), and answered the same way whichever:

    client  from its 5th failure, blocked 1, 2, 4, 8 … seconds, at most 15 minutes
    account from its 10th failure, blocked 5, 10, 20, 40, 60 seconds at most (a stranger
            cannot lock a colleague out for long)

While a key is blocked the answer is 429 with Retry-After, before any hashing; a success
clears both counters. A key's count starts again a day after its first failure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coordination.bootstrap import App

import hashlib
import hmac
import math
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import select

from coordination.adapters.keys import secret_file
from coordination.adapters.records import CredentialRecord, LetterViewRecord, SignInFailureRecord, UserRecord
from coordination.adapters.repositories import _insert, _user
from coordination.config import Settings
from coordination.domain import CoordinationError, InvalidInput, NotPermitted, User
from coordination.domain.letters import sha256_hex
from coordination.domain.passwords import check_password

from . import sessions

from coordination.domain.vocabulary import INTERFACE_LANGUAGES as LANGUAGES  # their one source
_hasher = PasswordHasher()
_dummies: dict[int, str] = {}
# argon2 takes ~0.3 s and several cores per hash: a few at a time, so that guessers queue for the
# processor among themselves (holding no lock) instead of starving every other request of it
_HASHING = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) // 2))
FORGET_AFTER = timedelta(days=1)


class SignInRefused(CoordinationError):
    """Wrong email or password (401), or too many failures from this client or for this account (429)."""

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    @property
    def locked(self) -> bool:
        return self.retry_after is not None


def secret_key(settings: Settings) -> str:
    """COORDINATION_SECRET_KEY, or one generated once and kept in the data directory (0600)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    return secret_file(Path(settings.data_dir) / "web-secret-key")


def _dummy_hash() -> str:
    """A hash made with the current parameters, verified for emails that are no account (same cost)."""
    key = id(_hasher)
    if key not in _dummies:
        _dummies[key] = _hasher.hash("not the password of anyone")
    return _dummies[key]


def _verify(hashed: str | None, password: str) -> bool:
    """Argon2 verification, always paid: a missing hash is checked against the dummy one."""
    dummy = _dummy_hash()
    with _HASHING:
        try:
            return _hasher.verify(hashed or dummy, password or "") and hashed is not None
        except (VerificationError, InvalidHashError):
            return False


def _hash(password: str) -> str:
    with _HASHING:
        return _hasher.hash(password)


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


def _refuse_if_blocked(uow, keys: list[str], now: datetime) -> None:  # type: ignore[no-untyped-def]
    until = uow.session.exec(select(sa.func.max(SignInFailureRecord.blocked_until))
                             .where(SignInFailureRecord.key.in_(keys))).one()
    if until is not None:
        until = until if until.tzinfo else until.replace(tzinfo=now.tzinfo)
    if until is not None and until > now:
        seconds = max(1, math.ceil((until - now).total_seconds()))
        raise SignInRefused(f"too many failed sign-ins: try again in {seconds} second(s)", retry_after=seconds)


def _count_failure(uow, keys: list[str], now: datetime) -> None:  # type: ignore[no-untyped-def]
    """One more failure for each key (an upsert: concurrent failures all count); block if due."""
    table = SignInFailureRecord.__table__
    insert = _insert(uow.session)
    at = sa.bindparam("at", now, type_=table.c.first_failed_at.type)
    stale = table.c.first_failed_at < sa.bindparam("stale", now - FORGET_AFTER, type_=table.c.first_failed_at.type)
    for key in keys:
        statement = insert(table).values(key=key, failures=1, first_failed_at=now, blocked_until=None)
        statement = statement.on_conflict_do_update(index_elements=["key"], set_={
            "failures": sa.case((stale, 1), else_=table.c.failures + 1),
            "first_failed_at": sa.case((stale, at), else_=table.c.first_failed_at),
        }).returning(table.c.failures)
        failures = uow.session.execute(statement).scalar_one()
        delay = (_client_delay if key.startswith("client:") else _account_delay)(failures)
        if delay:
            uow.session.execute(sa.update(table).where(table.c.key == key)
                                .values(blocked_until=now + timedelta(seconds=delay)))


def _clear_failures(uow, keys: list[str]) -> None:  # type: ignore[no-untyped-def]
    uow.session.execute(sa.delete(SignInFailureRecord).where(SignInFailureRecord.key.in_(keys)))


# ---------------------------------------------------------------- passwords

def set_password(app: App, *, email: str, password: str) -> User:
    """Set a user's password (an admin's command, the demo): it follows the password rule, ends
    the user's sessions and lifts any throttling of the account. The hash is argon2id."""
    with app.uow(read_only=True) as uow:
        user = uow.users.require(email, active=False)
    check_password(password, email=user.email)
    hashed = _hash(password)  # outside any transaction
    now = app.clock()
    with app.uow() as uow:
        user = uow.users.require(email, active=False)
        _store_password(uow, user, hashed, now=now, actor="admin", event="PasswordSet", reason="password set")
        _clear_failures(uow, [_account_key(user.email)])
        uow.commit()
    return user


def _store_password(uow, user: User, hashed: str, *, now: datetime, actor: str, event: str,  # type: ignore[no-untyped-def]
                    reason: str) -> None:
    record = uow.session.get(CredentialRecord, user.id) or CredentialRecord(user_id=user.id)
    record.password_hash, record.updated_at = hashed, now
    uow.session.add(record)
    sessions.end_sessions(uow, user_id=user.id, reason=reason, now=now)
    uow.audit.append(now=now, actor=actor, event=event, subject=user.email,
                     organisation=user.organisation.value if actor == user.email else None,
                     payload={"hash_sha256": sha256_hex(hashed)})


def change_password(app: App, *, user: User, current: str, new: str, client: str | None = None) -> str:
    """A person changes their own password (the account page): the current one is checked
    (a wrong one counts as a failed sign-in), the new one follows the rule. Every session of
    theirs ends; returns the token of a new one for the browser that made the change."""
    check_password(new, email=user.email)
    keys = _keys(user.email, client)
    now = app.clock()
    with app.uow(read_only=True) as uow:
        _refuse_if_blocked(uow, keys, now)
        record = uow.session.get(CredentialRecord, user.id)
        stored = record.password_hash if record is not None else None
    good = _verify(stored, current)
    hashed = _hash(new) if good else None
    now = app.clock()
    with app.uow() as uow:
        if not good:
            _count_failure(uow, keys, now)
            uow.commit()
            raise NotPermitted("the current password is not right")
        person = uow.users.require(user.email)
        record = uow.session.get(CredentialRecord, person.id)
        if record is None or record.password_hash != stored:  # changed meanwhile: check again
            raise NotPermitted("the password was changed meanwhile: sign in again")
        _store_password(uow, person, hashed, now=now, actor=person.email, event="PasswordChanged",
                        reason="password changed")
        _clear_failures(uow, keys)
        token = sessions.open_session(uow, user_id=person.id, settings=app.settings, now=now)
        uow.commit()
    return token


# ---------------------------------------------------------------- signing in

@dataclass(frozen=True)
class SignedIn:
    user: User
    language: str | None
    token: str  # the new session's, for the cookie


def sign_in(app: App, *, email: str, password: str, client: str | None = None) -> SignedIn:
    """Check a password and open a session. Known, unknown and disabled accounts cost the same
    (one argon2 verification) and are refused alike; see the module's note on throttling."""
    email = (email or "").strip()
    keys = _keys(email, client)
    now = app.clock()
    with app.uow(read_only=True) as uow:
        _refuse_if_blocked(uow, keys, now)
        record = uow.session.exec(select(UserRecord).where(UserRecord.email == email.lower())).first() \
            if "@" in email else None
        credential = uow.session.get(CredentialRecord, record.id) if record is not None else None
        stored = (credential.password_hash if credential is not None and record.disabled_at is None else None)
    good = _verify(stored, password)  # outside any transaction: no lock is held while hashing
    rehashed = _hash(password) if good and _hasher.check_needs_rehash(stored) else None
    now = app.clock()
    with app.uow() as uow:
        if good:
            record = uow.session.get(UserRecord, record.id)
            credential = uow.session.get(CredentialRecord, record.id) if record is not None else None
            good = (record is not None and record.disabled_at is None and credential is not None
                    and credential.password_hash == stored)  # not changed or disabled meanwhile
        if not good:
            _count_failure(uow, keys, now)
            uow.commit()
            raise SignInRefused("wrong email or password")
        _clear_failures(uow, keys)
        user = _user(record)
        if rehashed is not None:
            credential.password_hash = rehashed
            uow.session.add(credential)
            uow.audit.append(now=now, actor=user.email, organisation=user.organisation.value,
                             event="PasswordRehashed", subject=user.email, payload={"hash_sha256": sha256_hex(rehashed)})
        token = sessions.open_session(uow, user_id=user.id, settings=app.settings, now=now)
        language = credential.language
        uow.commit()
    return SignedIn(user, language, token)


def set_language(app: App, *, user: User, language: str) -> None:
    """Remember a user's interface language."""
    if language not in LANGUAGES:
        raise InvalidInput(f"unknown language {language!r} (one of: {', '.join(LANGUAGES)})")
    with app.uow() as uow:
        record = uow.session.get(CredentialRecord, user.id) or CredentialRecord(user_id=user.id)
        record.language, record.updated_at = language, app.clock()
        uow.session.add(record)
        uow.commit()


def letters_seen(app: App, *, user: User, letter_ids: list[int]) -> dict[int, set[int]]:
    """The versions of each letter this user has seen on the action page."""
    if not letter_ids:
        return {}
    with app.uow(read_only=True) as uow:
        rows = uow.session.exec(select(LetterViewRecord.letter_id, LetterViewRecord.version).where(
            LetterViewRecord.user_id == user.id, LetterViewRecord.letter_id.in_(letter_ids)))
        seen: dict[int, set[int]] = {}
        for letter_id, version in rows:
            seen.setdefault(letter_id, set()).add(version)
        return seen


def record_letters_seen(app: App, *, user: User, versions: list[tuple[int, int, int]]) -> None:
    """Remember (letter id, version id, version) as seen by this user; seeing it again changes nothing."""
    if not versions or user.id is None:
        return
    now = app.clock()
    with app.uow() as uow:
        insert = _insert(uow.session)
        for letter_id, version_id, version in versions:
            uow.session.execute(insert(LetterViewRecord).values(
                user_id=user.id, letter_id=letter_id, letter_version_id=version_id, version=version,
                seen_at=now,
            ).on_conflict_do_nothing())
        uow.commit()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())



def calendar_token(settings: Settings, email: str, generation: int = 0) -> str:
    """The secret part of a person's calendar address: a signature of their email (and, once
    renewed, of the address's generation) with the web app's key. Renewing it makes the old
    address answer 404; a new COORDINATION_SECRET_KEY, or a new key file, revokes every address."""
    key = secret_key(settings).encode()
    message = f"calendar:{email}" if generation == 0 else f"calendar:{email}:{generation}"
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:40]


def calendar_address(app: App, user: User) -> str:
    """The address of this person's calendar feed, as it is now."""
    with app.uow(read_only=True) as uow:
        record = uow.session.get(CredentialRecord, user.id)
    token = calendar_token(app.settings, user.email, record.calendar_generation if record else 0)
    return f"{app.settings.base_url.rstrip('/')}/calendar/{token}.ics"


def calendar_owner(app: App, token: str) -> str | None:
    """Whose calendar address this is (an enabled user's, current generation), or None."""
    with app.uow(read_only=True) as uow:
        rows = uow.session.exec(select(UserRecord.email, CredentialRecord.calendar_generation)
                                .join(CredentialRecord, CredentialRecord.user_id == UserRecord.id, isouter=True)
                                .where(UserRecord.disabled_at.is_(None))).all()
    found = None
    for email, generation in rows:
        if hmac.compare_digest(calendar_token(app.settings, email, generation or 0), token):
            found = email
    return found


def renew_calendar(app: App, *, email: str, actor: str | None = None) -> str:
    """A new calendar address for this person; the old one stops working. Returns the new one."""
    now = app.clock()
    with app.uow() as uow:
        user = uow.users.require(email, active=False)
        record = uow.session.exec(select(CredentialRecord).where(CredentialRecord.user_id == user.id)
                                  .with_for_update()).first() or CredentialRecord(user_id=user.id, updated_at=now)
        record.calendar_generation = (record.calendar_generation or 0) + 1
        record.updated_at = now
        uow.session.add(record)
        uow.audit.append(now=now, actor=actor or "admin", event="CalendarAddressRenewed", subject=user.email,
                         organisation=user.organisation.value if actor == user.email else None,
                         payload={"generation": record.calendar_generation})
        uow.commit()
    return f"{app.settings.base_url.rstrip('/')}/calendar/" \
           f"{calendar_token(app.settings, user.email, record.calendar_generation)}.ics"
