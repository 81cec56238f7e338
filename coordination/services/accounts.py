"""Accounts for the web app: passwords, sign-in with lock-out, interface language, letter
versions seen, calendar addresses. The CLI sets passwords through the same functions."""

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import select

from coordination.adapters.keys import secret_file
from coordination.adapters.records import CredentialRecord, LetterViewRecord, SignInFailureRecord, UserRecord
from coordination.adapters.repositories import _insert
from coordination.bootstrap import App
from coordination.config import Settings
from coordination.domain import CoordinationError, InvalidInput, User

from .directory import list_users

MIN_PASSWORD_LENGTH = 10
LANGUAGES = ("en", "es")
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password of anyone")  # unknown emails cost the same time


class SignInRefused(CoordinationError):
    """Wrong email or password, or an account locked after repeated failures."""

    def __init__(self, message: str, *, locked: bool = False) -> None:
        super().__init__(message)
        self.locked = locked


def secret_key(settings: Settings) -> str:
    """COORDINATION_SECRET_KEY, or one generated once and kept in the data directory (0600)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    return secret_file(Path(settings.data_dir) / "web-secret-key")


def _user_record(uow, email: str) -> UserRecord | None:  # type: ignore[no-untyped-def]
    return uow.session.exec(select(UserRecord).where(UserRecord.email == (email or "").strip().lower())).first()


def set_password(app: App, *, email: str, password: str) -> User:
    """Set a user's password (and lift any lock-out); the hash is argon2id."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    now = app.clock()
    with app.uow() as uow:
        user = uow.users.require(email)
        record = uow.session.get(CredentialRecord, user.id) or CredentialRecord(user_id=user.id)
        record.password_hash = _hasher.hash(password)
        record.updated_at = now
        uow.session.add(record)
        failures = uow.session.get(SignInFailureRecord, _account_key(user.email))
        if failures is not None:
            uow.session.delete(failures)
        uow.audit.append(now=now, actor="admin", event="PasswordSet", subject=user.email,
                         payload={"hash_sha256": hashlib.sha256(record.password_hash.encode()).hexdigest()})
        uow.commit()
    return user


@dataclass(frozen=True)
class SignedIn:
    user: User
    language: str | None
    stamp: str  # kept in the session: a new password ends the sessions opened with the old one


def _stamp(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def session_user(app: App, *, email: str, stamp: str | None) -> User | None:
    """The user of a session, while their password is the one they signed in with."""
    with app.uow(read_only=True) as uow:
        user = uow.users.get(email)
        if user is None:
            return None
        record = uow.session.get(CredentialRecord, user.id)
        if record is None or record.password_hash is None or not stamp or not same(_stamp(record.password_hash), stamp):
            return None
        return user


def _account_key(email: str) -> str:
    return "account:" + hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:40]


def sign_in(app: App, *, email: str, password: str) -> SignedIn:
    """Check a password; after `sign_in_max_failures` failures the account is locked for a while."""
    settings, now = app.settings, app.clock()
    with app.uow() as uow:
        user = uow.users.get(email or "") if email and "@" in email else None
        record = uow.session.exec(
            select(CredentialRecord).where(CredentialRecord.user_id == user.id).with_for_update()
        ).first() if user else None
        if record is None or record.password_hash is None:
            _verify(_DUMMY_HASH, password)
            raise SignInRefused("wrong email or password")
        failures = uow.session.get(SignInFailureRecord, _account_key(user.email))
        if failures is not None and failures.blocked_until is not None and failures.blocked_until > now:
            raise SignInRefused(_locked_message(failures.blocked_until), locked=True)
        if not _verify(record.password_hash, password):
            failures = failures or SignInFailureRecord(key=_account_key(user.email), failures=0, first_failed_at=now)
            failures.failures += 1
            locked = failures.failures >= settings.sign_in_max_failures
            if locked:
                failures.failures = 0
                failures.blocked_until = now + timedelta(seconds=settings.sign_in_lockout_seconds)
                uow.audit.append(now=now, actor=user.email, organisation=user.organisation.value,
                                 event="SignInLocked", subject=user.email, payload={})
            uow.session.add(failures)
            uow.commit()
            if locked:
                raise SignInRefused(_locked_message(failures.blocked_until), locked=True)
            raise SignInRefused("wrong email or password")
        if failures is not None or _hasher.check_needs_rehash(record.password_hash):
            if _hasher.check_needs_rehash(record.password_hash):
                record.password_hash = _hasher.hash(password)
                uow.session.add(record)
            if failures is not None:
                uow.session.delete(failures)
            uow.commit()
        return SignedIn(user, record.language, _stamp(record.password_hash))


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password or "")
    except (VerificationError, InvalidHashError):
        return False


def _locked_message(until: datetime) -> str:
    return (f"too many failed sign-ins: this account is locked until {until:%H:%M} UTC "
            "(or until an administrator sets a new password)")


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



def calendar_token(settings: Settings, email: str) -> str:
    """The secret part of a person's calendar address: a signature of their email with the
    web app's key (a new COORDINATION_SECRET_KEY, or a new key file, revokes every address)."""
    key = secret_key(settings).encode()
    return hmac.new(key, f"calendar:{email}".encode(), hashlib.sha256).hexdigest()[:40]


def calendar_owner(app: App, token: str) -> str | None:
    """Whose calendar address this is, or None."""
    for user in list_users(app):
        if hmac.compare_digest(calendar_token(app.settings, user.email), token):
            return user.email
    return None
