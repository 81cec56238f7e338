"""The audit trail: an append-only chain of events, each hash an HMAC under a key kept
outside the database, and signed checkpoints of the chain's head kept outside it too.

    event #n.hash = HMAC-SHA256(key, event #n-1.hash + canonical JSON of event #n)
    audit_head    = (n, event #n.hash), locked by every append: the chain never forks
    checkpoints   = "n hash time signature" lines appended after each commit that appended

Someone who can write the database but not read the key cannot recompute the chain after
an edit; deleting the last events (and rewinding the head) leaves a checkpoint that names
more events than there are, or a hash that is no longer the event's.
"""

import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from coordination.domain import InvalidState
from coordination.domain.letters import canonical_json
from coordination.services.ports import AuditEntry

from .records import AuditEventRecord, AuditHeadRecord

if TYPE_CHECKING:  # the replay is imported by `audit verify` alone
    from .audit_replay import ReplayReport

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


@dataclass(frozen=True)
class Checkpoint:
    count: int
    hash: str
    at: str
    line: int  # where it is in the file


@dataclass(frozen=True)
class AuditSeal:
    """The audit key and where the signed checkpoints go."""

    key: bytes
    checkpoints: Path | None = None

    def chain_hash(self, prev_hash: str, record: AuditEventRecord) -> str:
        """HMAC-SHA256(key, previous hash + canonical JSON of the event)."""
        text = (prev_hash + canonical_json(_body(record))).encode("utf-8")
        return hmac.new(self.key, text, hashlib.sha256).hexdigest()

    def sign(self, count: int, digest: str, at: str) -> str:
        return hmac.new(self.key, f"checkpoint {count} {digest} {at}".encode(), hashlib.sha256).hexdigest()

    def checkpoint(self, count: int, digest: str, now: datetime | None = None) -> str:
        """Append a signed checkpoint of the head; one short line, written with O_APPEND."""
        at = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        line = f"{count} {digest} {at} {self.sign(count, digest, at)}\n"
        if self.checkpoints is not None:
            fd = os.open(self.checkpoints, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.write(fd, line.encode())
            finally:
                os.close(fd)
        return line.strip()

    def read_checkpoints(self) -> Iterator[Checkpoint | str]:
        """Each checkpoint of the file, or a finding (str) for a line that is not one of ours."""
        if self.checkpoints is None or not self.checkpoints.exists():
            return
        with open(self.checkpoints, encoding="utf-8", errors="replace") as file:
            for number, text in enumerate(file, 1):
                parts = text.split()
                if len(parts) != 4 or not (parts[0].isascii() and parts[0].isdecimal()):
                    yield f"checkpoint line {number} of {self.checkpoints} is not a checkpoint"
                    continue
                count, digest, at, signature = parts
                if not hmac.compare_digest(self.sign(int(count), digest, at).encode(), signature.encode()):
                    yield f"checkpoint line {number} of {self.checkpoints} is not signed with this audit key"
                    continue
                yield Checkpoint(int(count), digest, at, number)


class AuditLog:
    def __init__(self, session: Session, seal: AuditSeal) -> None:
        self.session = session
        self.seal = seal
        self.appended: tuple[int, str] | None = None  # the head after this transaction's appends

    def append(
        self, *, now: datetime, actor: str, event: str, payload: dict, organisation: str | None = None,
        action_id: int | None = None, subject: str | None = None,
    ) -> AuditEventRecord:
        return self.append_many([dict(now=now, actor=actor, event=event, payload=payload, organisation=organisation,
                                      action_id=action_id, subject=subject)])[0]

    def append_many(self, events: list[dict]) -> list[AuditEventRecord]:
        """Append events in order (keyword arguments of `append`), locking the head once."""
        if not events:
            return []
        # Lock the head row: concurrent transactions append one after the other.
        head = self.session.exec(select(AuditHeadRecord).where(AuditHeadRecord.id == 1).with_for_update()).first()
        if head is None:
            raise InvalidState("the audit trail's head row is missing, so nothing can be recorded: the database was "
                               "changed outside the application; run `coordination audit verify`")
        records = []
        for e in events:
            record = AuditEventRecord(
                id=head.seq + 1, occurred_at=e["now"], actor=e["actor"], organisation=e.get("organisation"),
                action_id=e.get("action_id"), subject=e.get("subject"), event=e["event"],
                payload=json.loads(canonical_json(e["payload"])), prev_hash=head.hash, hash="",
            )
            record.hash = self.seal.chain_hash(head.hash, record)
            head.seq, head.hash = record.id, record.hash
            records.append(record)
        self.session.add_all(records)
        self.session.add(head)
        self.session.flush()
        self.appended = (head.seq, head.hash)
        return records

    def committed(self) -> None:
        """After the commit: a signed checkpoint of the head this transaction left."""
        if self.appended is not None:
            count, digest = self.appended
            self.appended = None
            try:
                self.seal.checkpoint(count, digest)
            except OSError:
                pass  # the commit stands; the next commit's checkpoint covers this one

    def history(self, action_id: int) -> list[AuditEntry]:
        query = select(AuditEventRecord).where(AuditEventRecord.action_id == action_id).order_by(AuditEventRecord.id)
        return [AuditEntry(e.id, e.occurred_at, e.actor, e.organisation, e.action_id, e.subject, e.event, e.payload)
                for e in self.session.exec(query)]

    def head(self) -> AuditHeadRecord | None:
        return self.session.get(AuditHeadRecord, 1)

    def events(self) -> Iterator[AuditEventRecord]:
        query = select(AuditEventRecord).order_by(AuditEventRecord.id).execution_options(yield_per=1000)
        return iter(self.session.exec(query))

    def verify_chain(self) -> "ChainReport":
        """The keyed chain, its head and the checkpoints (`verify_chain`)."""
        return verify_chain(self)

    def replay(self) -> "ReplayReport":
        """The events replayed and compared with the tables (`audit_replay.replay`)."""
        from .audit_replay import replay

        return replay(self.session)


@dataclass
class ChainReport:
    events: int = 0
    head: tuple[int, str] | None = None
    checkpoints: int = 0
    findings: list[str] | None = None


def verify_chain(log: AuditLog, *, limit: int = 50) -> ChainReport:
    """Walk the chain, the head and the checkpoints; each finding names what does not hold."""
    report = ChainReport(findings=[])
    findings = report.findings
    prev, expected = GENESIS, 1
    hashes_at: dict[int, str] = {}
    wanted = {}
    checkpoints = []
    for item in log.seal.read_checkpoints():
        if isinstance(item, str):
            findings.append(item)
        else:
            checkpoints.append(item)
            wanted.setdefault(item.count, []).append(item)
    report.checkpoints = len(checkpoints)
    broken = 0
    for record in log.events():
        label = f"audit event #{record.id} ({record.event}{' on ' + record.subject if record.subject else ''})"
        if record.id != expected:
            findings.append(f"audit events #{expected} to #{record.id - 1} are missing" if record.id > expected + 1
                            else f"audit event #{expected} is missing" if record.id > expected
                            else f"{label} is out of order")
            broken += 1
        elif record.prev_hash != prev:
            findings.append(f"{label} does not follow the previous event's hash: events were removed or reordered")
            broken += 1
        elif log.seal.chain_hash(prev, record) != record.hash:
            findings.append(f"{label} does not match its keyed hash: it was changed, inserted or re-hashed "
                            "without the audit key")
            broken += 1
        if broken >= limit:
            findings.append(f"… stopped after {limit} broken events")
            break
        if record.id in wanted:
            hashes_at[record.id] = record.hash
        prev, expected = record.hash, max(expected, record.id) + 1
        report.events += 1
    last = expected - 1
    head = log.head()
    if head is None:
        findings.append("the audit trail's head row (audit_head) is missing")
    else:
        report.head = (head.seq, head.hash)
        if head.seq != last:
            findings.append(f"the audit head records event #{head.seq} but the chain ends at event #{last}: "
                            + ("events were removed from the end" if head.seq > last else
                               "the head was rewound or changed"))
        elif head.hash != prev:
            findings.append(f"the audit head records event #{head.seq} with another hash than the chain's: "
                            "the head was changed, or the events after it removed")
    for count, its in sorted(wanted.items()):
        point = its[-1]
        if count > last:
            findings.append(f"checkpoint line {point.line} ({point.at}) records {count} events but the trail "
                            f"holds {last}: events #{last + 1} to #{count} were deleted")
        elif count > 0 and hashes_at.get(count) is not None and hashes_at[count] != point.hash:
            findings.append(f"checkpoint line {point.line} ({point.at}) records another hash for event #{count}: "
                            "the trail was rewritten")
    if last > 0 and not checkpoints and log.seal.checkpoints is not None:
        findings.append(f"no checkpoint of the audit trail in {log.seal.checkpoints}: truncation cannot be ruled out "
                        "(the file is written after each change; restore it, or run `coordination audit checkpoint`)")
    return report
