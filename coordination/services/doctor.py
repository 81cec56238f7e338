"""`coordination doctor`: stored data that today's checks at input would refuse.

Addresses are checked when they are typed (adapters/addresses.py); a database written
before those checks, or by hand, may still hold some that would be refused now. The doctor
reads every stored address that can still be used — the current value of each letter
field of email type, the address book, the users, and the outbox rows not yet sent —
and names each one that does not pass, with where it is and why. It changes nothing:
correct a letter field with `letter set`, a recipient or user by replacing it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coordination.bootstrap import App

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import select

from coordination.adapters.records import (
    ActionRecord,
    LetterRecord,
    LetterVersionRecord,
    OutboxRecord,
    RecipientRecord,
    ReferenceRecord,
    UserRecord,
)
from coordination.domain import ActionType, ReferenceKind
from coordination.domain.stages import DEFINITIONS, FieldKind


@dataclass(frozen=True)
class Finding:
    where: str  # e.g. "JAM-0001-2026 letter acknowledgement field requester_email", "recipient #3 (HND …)"
    value: str
    why: str

    def __str__(self) -> str:
        return f"{self.where}: invalid email address {self.value!r}: {self.why}"


@dataclass(frozen=True)
class DoctorReport:
    checked: int  # addresses read
    findings: list[Finding]


def _email_fields() -> dict[tuple[str, str], list[str]]:
    """(action type, letter) → its fields of email type, from the stage definitions."""
    found: dict[tuple[str, str], list[str]] = {}
    for action_type, definition in DEFINITIONS.items():
        for stage in definition.stages:
            for letter in stage.letters:
                names = [f.name for f in letter.fields if f.kind is FieldKind.EMAIL]
                if names:
                    found[(ActionType(action_type).value, letter.name)] = names
    return found


def check_addresses(app: App) -> DoctorReport:
    """Every stored address that would be refused at input today, one finding each."""
    problem = app.addresses.problem
    findings: list[Finding] = []
    checked = 0

    def check(where: str, value: str | None) -> None:
        nonlocal checked
        if value is None:
            return
        checked += 1
        why = problem(value)
        if why:
            findings.append(Finding(where, value, why))

    fields = _email_fields()
    with app.uow(read_only=True) as uow:
        s = uow.session
        if fields:
            latest = (select(LetterVersionRecord.letter_id, sa.func.max(LetterVersionRecord.version).label("version"))
                      .group_by(LetterVersionRecord.letter_id).subquery())
            query = (select(ReferenceRecord.value, ActionRecord.type, LetterRecord.name, LetterRecord.cycle,
                            LetterVersionRecord.fields)
                     .join(LetterRecord, LetterRecord.action_id == ActionRecord.id)
                     .join(latest, latest.c.letter_id == LetterRecord.id)
                     .join(LetterVersionRecord, sa.and_(LetterVersionRecord.letter_id == LetterRecord.id,
                                                        LetterVersionRecord.version == latest.c.version))
                     .join(ReferenceRecord, sa.and_(ReferenceRecord.action_id == ActionRecord.id,
                                                    ReferenceRecord.kind == ReferenceKind.JAM.value))
                     .where(LetterRecord.name.in_({name for _, name in fields}))
                     .order_by(ActionRecord.id, LetterRecord.id))
            for reference, type_, letter, cycle, values in s.exec(query):
                for name in fields.get((type_, letter), []):
                    cycle_note = f" (cycle {cycle})" if cycle > 1 else ""
                    check(f"{reference} letter {letter}{cycle_note} field {name}", (values or {}).get(name))
        for r in s.exec(select(RecipientRecord).order_by(RecipientRecord.id)):
            check(f"recipient #{r.id} ({r.kind} of {r.country})", r.email)
        for u in s.exec(select(UserRecord).order_by(UserRecord.id)):
            check(f"user #{u.id}", u.email)
        queued = (select(OutboxRecord, ReferenceRecord.value)
                  .outerjoin(ReferenceRecord, sa.and_(ReferenceRecord.action_id == OutboxRecord.action_id,
                                                      ReferenceRecord.kind == ReferenceKind.JAM.value))
                  .where(OutboxRecord.status.in_(("pending", "sending"))).order_by(OutboxRecord.id))
        for row, reference in s.exec(queued):
            what = f"{reference} letter" if row.kind == "letter" else "reminder digest"
            check(f"outbox #{row.id} ({what}, {row.status})", row.recipient)
    return DoctorReport(checked, findings)
