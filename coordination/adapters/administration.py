"""Repositories of the administration (issue 12, part 2): password-set links."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from coordination.services.ports import PasswordLink

from .records import PasswordLinkRecord


class PasswordLinkRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, *, token_sha256: str, user_id: int, created_by: str, now: datetime, expires_at: datetime) -> int:
        """A new link; any earlier unspent link of the same person is spent by it (only the newest works)."""
        self.spend_all(user_id, now=now)
        record = PasswordLinkRecord(token_sha256=token_sha256, user_id=user_id, created_by=created_by,
                                    created_at=now, expires_at=expires_at)
        self.session.add(record)
        self.session.flush()
        assert record.id is not None
        return record.id

    def get(self, token_sha256: str, *, for_update: bool = False) -> PasswordLink | None:
        query = select(PasswordLinkRecord).where(PasswordLinkRecord.token_sha256 == token_sha256)
        record = self.session.exec(query.with_for_update() if for_update else query).first()
        if record is None or record.id is None:
            return None
        return PasswordLink(record.id, record.user_id, record.created_at, record.expires_at, record.used_at)

    def spend(self, link_id: int, *, now: datetime) -> None:
        record = self.session.get(PasswordLinkRecord, link_id)
        assert record is not None
        record.used_at = now
        self.session.add(record)

    def spend_all(self, user_id: int, *, now: datetime) -> int:
        result = self.session.execute(sa.update(PasswordLinkRecord).where(
            col(PasswordLinkRecord.user_id) == user_id, col(PasswordLinkRecord.used_at).is_(None)).values(used_at=now))
        return result.rowcount or 0  # type: ignore[attr-defined]
