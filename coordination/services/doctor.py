"""`coordination doctor`: stored data that today's checks at input would refuse.

Addresses are checked when they are typed (adapters/addresses.py); a database written
before those checks, or by hand, may still hold some that would be refused now. The doctor
reads every stored address that can still be used — the current value of each letter
field of email type, the address book, the users, and the outbox rows not yet sent —
and names each one that does not pass, with where it is and why. It changes nothing:
correct a letter field with `letter set`, a recipient or user by replacing it.

The stored values are the read model's (`tx.queries`); the check is the `addresses` port's.
"""

from dataclasses import dataclass

from coordination.domain import ActionType
from coordination.domain.stages import DEFINITIONS, FieldKind

from .ports import CheckedAddresses, UnitsOfWork


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


def check_addresses(*, uow: UnitsOfWork, addresses: CheckedAddresses) -> DoctorReport:
    """Every stored address that would be refused at input today, one finding each."""
    findings: list[Finding] = []
    checked = 0

    def check(where: str, value: str | None) -> None:
        nonlocal checked
        if value is None:
            return
        checked += 1
        why = addresses.problem(value)
        if why:
            findings.append(Finding(where, value, why))

    fields = _email_fields()
    with uow(read_only=True) as tx:
        q = tx.queries
        for letter in q.current_letter_fields({name for _, name in fields}):
            for name in fields.get((letter.action_type, letter.letter), []):
                cycle_note = f" (cycle {letter.cycle})" if letter.cycle > 1 else ""
                check(f"{letter.reference} letter {letter.letter}{cycle_note} field {name}", letter.fields.get(name))
        for r in q.recipient_addresses():
            check(f"recipient #{r.id} ({r.kind} of {r.country})", r.email)
        for u in q.user_addresses():
            check(f"user #{u.id}", u.email)
        for row in q.queued_addresses():
            what = f"{row.reference} letter" if row.kind == "letter" else "reminder digest"
            check(f"outbox #{row.id} ({what}, {row.status})", row.email)
    return DoctorReport(checked, findings)
