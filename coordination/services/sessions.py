"""Sessions kept on the server: one row per sign-in, so that signing out ends it for every copy
of the cookie.

    sign-in ─▶ a random token, in the (signed) cookie; only its sha256 is stored (sessions.id)
    request ─▶ the row of the token's hash holds while it is not ended, not past `expires_at`
               (COORDINATION_SESSION_MAX_AGE_SECONDS, 8 hours), not idle for longer than
               COORDINATION_SESSION_IDLE_MINUTES (2 hours) and its user is not disabled;
               otherwise the request is signed out. `last_seen_at` moves at most once a minute.
    ends   ─▶ sign-out (that session); sign out everywhere, a new password, a new role or
               disabling the user (all of that user's sessions)

A copy of the sessions table opens no session: it holds hashes only.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from coordination.config import Settings
from coordination.domain import User

from .ports import Clock, SessionRow, UnitOfWork, UnitsOfWork

TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often per session
FORGET_AFTER = timedelta(days=7)  # a user's rows that ended this long ago are deleted at their next sign-in


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _lapsed(row: SessionRow, settings: Settings, now: datetime) -> str | None:
    """Why an open session can no longer be used: past its absolute limit, or idle too long."""
    if now >= row.expires_at:
        return "expired"
    if now - row.last_seen_at >= timedelta(minutes=settings.session_idle_minutes):
        return "idle"
    return None


def open_session(tx: UnitOfWork, *, user_id: int, settings: Settings, now: datetime) -> str:
    """A new session for this user in the caller's transaction; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    tx.sessions.open(_hash(token), user_id=user_id, now=now, forget_before=now - FORGET_AFTER,
                     expires_at=now + timedelta(seconds=settings.session_max_age_seconds))
    return token


def end_sessions(tx: UnitOfWork, *, user_id: int, reason: str, now: datetime) -> int:
    """End every open session of this user in the caller's transaction; returns how many."""
    return tx.sessions.end_all(user_id, now=now, reason=reason)


def current_user(token: object, *, uow: UnitsOfWork, clock: Clock, settings: Settings) -> User | None:
    """The user of the session this token opened, or None when it is unknown, ended, expired,
    idle too long, or its user was disabled or removed."""
    if not isinstance(token, str) or not token:
        return None
    now = clock()
    key = _hash(token)
    with uow(read_only=True) as tx:
        row = tx.sessions.get(key)
        if row is None or row.ended_at is not None:
            return None
        lapsed = _lapsed(row, settings, now)
        found = tx.users.by_id(row.user_id)
        user = found if found is not None and not found.disabled and lapsed is None else None
        touch = user is not None and now - row.last_seen_at >= TOUCH_EVERY
    if lapsed is not None or touch:  # a lapsed session is ended for good; a live one is seen now
        with uow() as tx:
            if lapsed is not None:
                tx.sessions.end(key, now=now, reason=lapsed)
            else:
                tx.sessions.touch(key, now=now)
            tx.commit()
    return user


def end_session(token: object, *, reason: str = "signed out", uow: UnitsOfWork, clock: Clock) -> None:
    """Sign-out: the session of this token ends, for every copy of the cookie."""
    if not isinstance(token, str) or not token:
        return
    with uow() as tx:
        tx.sessions.end(_hash(token), now=clock(), reason=reason)
        tx.commit()


def sign_out_everywhere(*, email: str, actor: str | None = None, uow: UnitsOfWork, clock: Clock) -> int:
    """End every session of this person (from their account page, or an admin's command);
    returns how many were open."""
    now = clock()
    with uow() as tx:
        user = tx.users.lock(email)
        assert user.id is not None
        ended = end_sessions(tx, user_id=user.id, reason="signed out everywhere", now=now)
        tx.audit.append(now=now, actor=actor or "admin", event="SessionsEnded", subject=user.email,
                        organisation=user.organisation.value if actor == user.email else None,
                        payload={"sessions": ended, "reason": "signed out everywhere"})
        tx.commit()
    return ended
