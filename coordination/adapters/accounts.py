"""The web app's tables: credentials (password hash, language, calendar generation), sessions,
failed sign-ins and the letter versions each user has seen. The rules are in
`coordination/services/accounts.py` and `sessions.py`; here is only how they are stored."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from coordination.services.ports import Credential, SessionRow

from .records import CredentialRecord, SessionRecord, SignInFailureRecord, UserRecord
from .repositories import _insert


def _credential(r: CredentialRecord) -> Credential:
    return Credential(r.user_id, r.password_hash, r.language, r.calendar_generation or 0)


class CredentialRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, user_id: int) -> Credential | None:
        record = self.session.get(CredentialRecord, user_id)
        return None if record is None else _credential(record)

    def _record(self, user_id: int) -> CredentialRecord:
        return self.session.get(CredentialRecord, user_id) or CredentialRecord(user_id=user_id)

    def set_password(self, user_id: int, password_hash: str, *, now: datetime) -> None:
        record = self._record(user_id)
        record.password_hash, record.updated_at = password_hash, now
        self.session.add(record)

    def rehash(self, user_id: int, password_hash: str) -> None:
        record = self.session.get(CredentialRecord, user_id)
        record.password_hash = password_hash
        self.session.add(record)

    def set_language(self, user_id: int, language: str, *, now: datetime) -> None:
        record = self._record(user_id)
        record.language, record.updated_at = language, now
        self.session.add(record)

    def renew_calendar(self, user_id: int, *, now: datetime) -> int:
        record = self.session.exec(select(CredentialRecord).where(CredentialRecord.user_id == user_id)
                                   .with_for_update()).first() or CredentialRecord(user_id=user_id, updated_at=now)
        record.calendar_generation = (record.calendar_generation or 0) + 1
        record.updated_at = now
        self.session.add(record)
        return record.calendar_generation

    def calendar_generations(self) -> list[tuple[str, int]]:
        rows = self.session.exec(select(UserRecord.email, CredentialRecord.calendar_generation)
                                 .join(CredentialRecord, CredentialRecord.user_id == UserRecord.id, isouter=True)
                                 .where(UserRecord.disabled_at.is_(None))).all()
        return [(email, generation or 0) for email, generation in rows]


class SessionRepository:
    """Sessions by their token's hash (sessions.id)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str) -> SessionRow | None:
        row = self.session.get(SessionRecord, key)
        return None if row is None else SessionRow(row.user_id, row.last_seen_at, row.expires_at, row.ended_at)

    def open(self, key: str, *, user_id: int, now: datetime, expires_at: datetime, forget_before: datetime) -> None:
        self.session.execute(sa.delete(SessionRecord).where(SessionRecord.user_id == user_id,
                                                            SessionRecord.expires_at < forget_before))
        self.session.add(SessionRecord(id=key, user_id=user_id, created_at=now, last_seen_at=now,
                                       expires_at=expires_at))

    def _update_open(self, key: str, **values: object) -> None:
        self.session.execute(sa.update(SessionRecord)
                             .where(SessionRecord.id == key, SessionRecord.ended_at.is_(None)).values(**values))

    def touch(self, key: str, *, now: datetime) -> None:
        self._update_open(key, last_seen_at=now)

    def end(self, key: str, *, now: datetime, reason: str) -> None:
        self._update_open(key, ended_at=now, end_reason=reason)

    def end_all(self, user_id: int, *, now: datetime, reason: str) -> int:
        result = self.session.execute(sa.update(SessionRecord)
                                      .where(SessionRecord.user_id == user_id, SessionRecord.ended_at.is_(None))
                                      .values(ended_at=now, end_reason=reason))
        return result.rowcount or 0


class SignInFailureRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def blocked_until(self, keys: list[str]) -> datetime | None:
        return self.session.exec(select(sa.func.max(SignInFailureRecord.blocked_until))
                                 .where(SignInFailureRecord.key.in_(keys))).one()

    def count(self, key: str, *, now: datetime, forget_before: datetime) -> int:
        """An upsert: concurrent failures all count."""
        table = SignInFailureRecord.__table__
        at = sa.bindparam("at", now, type_=table.c.first_failed_at.type)
        stale = table.c.first_failed_at < sa.bindparam("stale", forget_before, type_=table.c.first_failed_at.type)
        statement = _insert(self.session)(table).values(key=key, failures=1, first_failed_at=now, blocked_until=None)
        statement = statement.on_conflict_do_update(index_elements=["key"], set_={
            "failures": sa.case((stale, 1), else_=table.c.failures + 1),
            "first_failed_at": sa.case((stale, at), else_=table.c.first_failed_at),
        }).returning(table.c.failures)
        return self.session.execute(statement).scalar_one()

    def block(self, key: str, *, until: datetime) -> None:
        table = SignInFailureRecord.__table__
        self.session.execute(sa.update(table).where(table.c.key == key).values(blocked_until=until))

    def clear(self, keys: list[str]) -> None:
        self.session.execute(sa.delete(SignInFailureRecord).where(SignInFailureRecord.key.in_(keys)))
