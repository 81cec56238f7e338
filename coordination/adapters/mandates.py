"""Repositories of the directory of signatories (issue 13, part 1): the mandates and their holders."""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from coordination.domain import InvalidInput
from coordination.domain.mandates import CATALOGUE, CODES, Holder, Mandate
from coordination.domain.vocabulary import Gender, Organisation

from .records import MandateHolderRecord, MandateRecord


def catalogue_rows(now: datetime, mandates: Iterable[Mandate] = CATALOGUE) -> list[dict[str, Any]]:
    """The seeded mandates as rows: what the migration inserts, and what the tests reset to."""
    return [{"code": m.code, "organisation": m.organisation.value,
             "titles": {lang: dict(by_gender) for lang, by_gender in m.titles.items()},
             "resolution": m.resolution, "source": m.source, "verified": m.verified, "updated_at": now}
            for m in mandates]


def _mandate(r: MandateRecord) -> Mandate:
    seeded = {m.code: m for m in CATALOGUE}.get(r.code)
    return Mandate(r.code, Organisation(r.organisation), {k: dict(v) for k, v in (r.titles or {}).items()},
                   r.resolution, r.source, r.verified, seeded.signs_for_iachr if seeded else False)


def _holder(r: MandateHolderRecord) -> Holder:
    return Holder(r.mandate, r.name, Gender(r.gender), r.starts_on, r.ends_on, r.id)


class MandateRepository:
    """The mandates, in the catalogue's order (the order of the signature blocks)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self) -> list[Mandate]:
        rows = {r.code: r for r in self.session.exec(select(MandateRecord))}
        order = [c for c in CODES if c in rows] + sorted(set(rows) - set(CODES))
        return [_mandate(rows[c]) for c in order]

    def get(self, code: str, *, for_update: bool = False) -> Mandate:
        record = self.session.get(MandateRecord, code, with_for_update=for_update)
        if record is None:
            raise InvalidInput.unknown("mandate", code, CODES)
        return _mandate(record)

    def update(self, mandate: Mandate, *, now: datetime) -> None:
        record = self.session.get(MandateRecord, mandate.code, with_for_update=True)
        assert record is not None
        record.titles = {lang: dict(by_gender) for lang, by_gender in mandate.titles.items()}
        record.resolution, record.source, record.verified = mandate.resolution, mandate.source, mandate.verified
        record.updated_at = now
        self.session.add(record)
        self.session.flush()


class HolderRepository:
    """The holders' terms, by mandate and start."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self, mandate: str | None = None, *, for_update: bool = False) -> list[Holder]:
        query = select(MandateHolderRecord).order_by(col(MandateHolderRecord.mandate), col(MandateHolderRecord.starts_on))
        if mandate is not None:
            query = query.where(MandateHolderRecord.mandate == mandate)
        if for_update:
            query = query.with_for_update()
        return [_holder(r) for r in self.session.exec(query)]

    def add(self, holder: Holder, *, now: datetime) -> Holder:
        record = MandateHolderRecord(mandate=holder.mandate, name=holder.name, gender=holder.gender.value,
                                     starts_on=holder.starts_on, ends_on=holder.ends_on, created_at=now,
                                     updated_at=now)
        self.session.add(record)
        self.session.flush()
        return _holder(record)

    def end(self, holder_id: int, on: date, *, now: datetime) -> Holder:
        record = self.session.get(MandateHolderRecord, holder_id, with_for_update=True)
        assert record is not None
        record.ends_on, record.updated_at = on, now
        self.session.add(record)
        self.session.flush()
        return _holder(record)

