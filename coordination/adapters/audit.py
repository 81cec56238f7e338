"""The hash-chained audit trail: append in the caller's transaction, verify by walking the chain."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, select

from coordination.domain.letters import canonical_json, sha256_hex

from .records import AuditEventRecord, AuditHeadRecord

GENESIS = "0" * 64


def _body(record: AuditEventRecord) -> dict:
    return {
        "id": record.id,
        "occurred_at": record.occurred_at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds"),
        "actor": record.actor,
        "organisation": record.organisation,
        "action_id": record.action_id,
        "subject": record.subject,
        "event": record.event,
        "payload": record.payload,
    }


def chain_hash(prev_hash: str, record: AuditEventRecord) -> str:
    """sha256(previous hash + canonical JSON of the event)."""
    return sha256_hex(prev_hash + canonical_json(_body(record)))


@dataclass(frozen=True)
class Verification:
    events: int
    failure: str | None  # names the first event that does not match


class AuditLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def append(
        self, *, now: datetime, actor: str, event: str, payload: dict, organisation: str | None = None,
        action_id: int | None = None, subject: str | None = None,
    ) -> AuditEventRecord:
        return self.append_many([dict(now=now, actor=actor, event=event, payload=payload, organisation=organisation,
                                      action_id=action_id, subject=subject)])[0]

    def append_many(self, events: list[dict]) -> list[AuditEventRecord]:
        """Append events in order (keyword arguments of `append`), locking the head once."""
        # Lock the head row: concurrent transactions append one after the other.
        head = self.session.exec(select(AuditHeadRecord).where(AuditHeadRecord.id == 1).with_for_update()).one()
        records = []
        for e in events:
            record = AuditEventRecord(
                id=head.seq + 1, occurred_at=e["now"], actor=e["actor"], organisation=e.get("organisation"),
                action_id=e.get("action_id"), subject=e.get("subject"), event=e["event"],
                payload=json.loads(canonical_json(e["payload"])), prev_hash=head.hash, hash="",
            )
            record.hash = chain_hash(head.hash, record)
            head.seq, head.hash = record.id, record.hash
            records.append(record)
        self.session.add_all(records)
        self.session.add(head)
        self.session.flush()
        return records

    def history(self, action_id: int) -> list[AuditEventRecord]:
        query = select(AuditEventRecord).where(AuditEventRecord.action_id == action_id).order_by(AuditEventRecord.id)
        return list(self.session.exec(query))

    def verify(self) -> Verification:
        prev, count, expected_id = GENESIS, 0, 1
        query = select(AuditEventRecord).order_by(AuditEventRecord.id).execution_options(yield_per=1000)
        for record in self.session.exec(query):
            label = f"audit event #{record.id} ({record.event}{' on ' + record.subject if record.subject else ''})"
            if record.id != expected_id:
                return Verification(count, f"audit event #{expected_id} is missing (next is #{record.id})")
            if record.prev_hash != prev:
                return Verification(count, f"{label} does not follow the previous event's hash")
            if chain_hash(prev, record) != record.hash:
                return Verification(count, f"{label} does not match its hash: it was changed after it was written")
            prev, count, expected_id = record.hash, count + 1, expected_id + 1
        head = self.session.get(AuditHeadRecord, 1)
        if head is not None and (head.seq, head.hash) != (count, prev):
            return Verification(count, f"the chain ends at event #{count} but its head records #{head.seq}: "
                                       "events were removed from the end")
        return Verification(count, None)
