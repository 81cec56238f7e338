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

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coordination.bootstrap import App

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from coordination.adapters.records import SessionRecord, UserRecord
from coordination.adapters.repositories import _user
from coordination.config import Settings
from coordination.domain import User

TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often per session
FORGET_AFTER = timedelta(days=7)  # a user's rows that ended this long ago are deleted at their next sign-in


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _lapsed(row: SessionRecord, settings: Settings, now: datetime) -> str | None:
    """Why an open session can no longer be used: past its absolute limit, or idle too long."""
    if now >= row.expires_at:
        return "expired"
    if now - row.last_seen_at >= timedelta(minutes=settings.session_idle_minutes):
        return "idle"
    return None


def open_session(uow, *, user_id: int, settings: Settings, now: datetime) -> str:  # type: ignore[no-untyped-def]
    """A new session for this user in the caller's transaction; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    uow.session.execute(sa.delete(SessionRecord).where(SessionRecord.user_id == user_id,
                                                       SessionRecord.expires_at < now - FORGET_AFTER))
    uow.session.add(SessionRecord(id=_hash(token), user_id=user_id, created_at=now, last_seen_at=now,
                                  expires_at=now + timedelta(seconds=settings.session_max_age_seconds)))
    return token


def end_sessions(uow, *, user_id: int, reason: str, now: datetime) -> int:  # type: ignore[no-untyped-def]
    """End every open session of this user in the caller's transaction; returns how many."""
    result = uow.session.execute(sa.update(SessionRecord)
                                 .where(SessionRecord.user_id == user_id, SessionRecord.ended_at.is_(None))
                                 .values(ended_at=now, end_reason=reason))
    return result.rowcount or 0


def current_user(app: App, token: object) -> User | None:
    """The user of the session this token opened, or None when it is unknown, ended, expired,
    idle too long, or its user was disabled or removed."""
    if not isinstance(token, str) or not token:
        return None
    now = app.clock()
    key = _hash(token)
    with app.uow(read_only=True) as uow:
        row = uow.session.get(SessionRecord, key)
        if row is None or row.ended_at is not None:
            return None
        lapsed = _lapsed(row, app.settings, now)
        record = uow.session.get(UserRecord, row.user_id)
        user = _user(record) if record is not None and record.disabled_at is None and lapsed is None else None
        touch = user is not None and now - row.last_seen_at >= TOUCH_EVERY
    if lapsed is not None or touch:  # a lapsed session is ended for good; a live one is seen now
        values = {"ended_at": now, "end_reason": lapsed} if lapsed else {"last_seen_at": now}
        with app.uow() as uow:
            uow.session.execute(sa.update(SessionRecord)
                                .where(SessionRecord.id == key, SessionRecord.ended_at.is_(None)).values(**values))
            uow.commit()
    return user


def end_session(app: App, token: object, *, reason: str = "signed out") -> None:
    """Sign-out: the session of this token ends, for every copy of the cookie."""
    if not isinstance(token, str) or not token:
        return
    with app.uow() as uow:
        uow.session.execute(sa.update(SessionRecord)
                            .where(SessionRecord.id == _hash(token), SessionRecord.ended_at.is_(None))
                            .values(ended_at=app.clock(), end_reason=reason))
        uow.commit()


def sign_out_everywhere(app: App, *, email: str, actor: str | None = None) -> int:
    """End every session of this person (from their account page, or an admin's command);
    returns how many were open."""
    now = app.clock()
    with app.uow() as uow:
        record = uow.users.record(email)
        ended = end_sessions(uow, user_id=record.id, reason="signed out everywhere", now=now)
        uow.audit.append(now=now, actor=actor or "admin", event="SessionsEnded", subject=record.email,
                         organisation=record.organisation if actor == record.email else None,
                         payload={"sessions": ended, "reason": "signed out everywhere"})
        uow.commit()
    return ended
