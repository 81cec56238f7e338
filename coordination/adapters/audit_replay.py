"""Replaying the audit trail: the state its events describe, compared with the tables.

The chain (audit.py) proves that the events were not changed without the key; this
replay proves that the tables still say what the events say. Each event is folded into
the state it describes — per joint action: its stage, status, round and submitter, its
references, letters and versions (as hashes), decisions, deadlines, replies, queued
messages (their delivery or cancellation, and whether a failure was reported to the officer), whether
it was withdrawn or closed by hand (outcome, reason), its links to other actions, frozen
renditions (as hashes) and the failed runs of its automatic steps (reruns, failure, stop); and, apart from actions, the people with their roles and whether
they are disabled, passwords (as hashes of the stored hash), calendar address generations
and the address book — and the
result is compared with the rows, naming each difference.

Actions opened before the events carried what the replay needs (their ActionOpened has
no `details_sha256`) are left to the chain alone, and counted.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from coordination.domain.letters import content_sha256, sha256_hex
from coordination.domain.model import details_sha256

from .records import (
    ActionLinkRecord,
    ActionRecord,
    ApprovalRecord,
    AuditEventRecord,
    CredentialRecord,
    DeadlineRecord,
    LetterRecord,
    LetterVersionRecord,
    OutboxRecord,
    RecipientRecord,
    ReferenceRecord,
    ReplyRecord,
    UserRecord,
)

CHUNK = 500  # actions replayed and compared at a time
MAX_PER_ACTION = 20  # findings named per action before "…"


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


@dataclass
class Projection:
    """One joint action as its events describe it."""

    id: int
    reference: str = ""
    opened: dict | None = None  # the ActionOpened payload, with opened_by
    stage: str | None = None
    status: str | None = None
    round: int = 1
    submitted_by: str | None = None
    references: set[tuple[str, str]] = field(default_factory=set)
    letters: dict[tuple[str, int], dict] = field(default_factory=dict)
    cycles: dict[str, int] = field(default_factory=dict)  # the latest cycle of each letter
    approvals: list[dict] = field(default_factory=list)
    deadlines: list[dict] = field(default_factory=list)
    replies: list[tuple] = field(default_factory=list)
    messages: dict[str, dict] = field(default_factory=dict)
    renditions: dict[tuple[str, int, int], dict] = field(default_factory=dict)
    outcome: str | None = None
    status_before: str | None = None
    closure_reason: str | None = None
    links: list[dict] = field(default_factory=list)
    # failed runs of the automatic steps: reruns made, the failure, the next rerun's time, when they stopped
    steps: tuple = (0, None, None, None)
    unknown: list[str] = field(default_factory=list)

    @property
    def replayable(self) -> bool:
        return self.opened is not None and bool(self.opened.get("details_sha256"))

    def letter(self, name: str) -> dict | None:
        return self.letters.get((name, self.cycles.get(name, 0)))

    def apply(self, e: AuditEventRecord) -> None:
        handler = getattr(self, f"_on_{e.event}", None)
        if handler is None:
            return
        try:
            handler(e, e.payload)
        except (KeyError, TypeError, ValueError, AttributeError):
            self.unknown.append(f"{self.reference or f'joint action #{self.id}'}: audit event #{e.id} ({e.event}) "
                                f"does not carry what a {e.event} event carries")

    # ---------------------------------------------------------------- the action

    def _on_ActionOpened(self, e, p) -> None:  # type: ignore[no-untyped-def]
        self.opened = {**p, "opened_by": e.actor}
        self.reference = p["reference"]
        self.references.add(("jam", p["reference"]))

    def _on_ReferenceAssigned(self, e, p) -> None:  # type: ignore[no-untyped-def]
        self.references.add((p["kind"], p["reference"]))

    def _on_StageEntered(self, e, p) -> None:  # type: ignore[no-untyped-def]
        self.stage, self.status = p["stage"], p["status"]
        self.round, self.submitted_by = p.get("round", self.round), p.get("submitted_by")

    def _on_GateOpened(self, e, p) -> None:  # type: ignore[no-untyped-def]
        self.stage, self.status, self.round, self.submitted_by = p["stage"], "awaiting_approval", p["round"], \
            p["submitted_by"]

    def _on_StageSubmitted(self, e, p) -> None:  # type: ignore[no-untyped-def]
        self.submitted_by = e.actor

    # ---------------------------------------------------------------- letters

    def _on_LetterStarted(self, e, p) -> None:  # type: ignore[no-untyped-def]
        self.letters[(p["letter"], p["cycle"])] = {"status": "draft", "dispatched_at": None,
                                                   "versions": {1: (p["sha256"], None)}}
        self.cycles[p["letter"]] = p["cycle"]

    def _on_LetterEdited(self, e, p) -> None:  # type: ignore[no-untyped-def]
        letter = self.letters.get((p["letter"], p.get("cycle", 1)))
        if letter is not None:
            letter["versions"][p["version"]] = (p["sha256"], e.actor)

    def _on_SignersBound(self, e, p) -> None:  # type: ignore[no-untyped-def]
        letter = self.letters.get((p["letter"], p.get("cycle", 1)))
        if letter is not None:
            letter["versions"][p["version"]] = (p["sha256"], None)  # a version made by the system

    def _set_status(self, names: Iterable[str], status: str, at: datetime | None = None) -> None:
        for name in names:
            letter = self.letter(name)
            if letter is not None:
                letter["status"] = status
                if at is not None:
                    letter["dispatched_at"] = at

    def _on_GateMet(self, e, p) -> None:  # type: ignore[no-untyped-def]
        self._set_status(p.get("letters", ()), "approved")

    def _on_StageSkipped(self, e, p) -> None:  # type: ignore[no-untyped-def]
        self._set_status(p.get("withdrawn", ()), "withdrawn")

    def _on_LettersDispatched(self, e, p) -> None:  # type: ignore[no-untyped-def]
        self._set_status(p["letters"], "dispatched", e.occurred_at)

    def _on_DispatchQueued(self, e, p) -> None:  # type: ignore[no-untyped-def]
        for m in p.get("messages", ()):
            self.messages[m["message_id"]] = {**m, "status": "queued"}
        for r in p.get("renditions", ()):
            self.renditions[(r["letter"], r["cycle"], r["version"])] = r

    def _on_LetterDelivered(self, e, p) -> None:  # type: ignore[no-untyped-def]
        if p.get("message_id") in self.messages:
            self.messages[p["message_id"]]["status"] = "sent"

    def _on_DeliveryFailed(self, e, p) -> None:  # type: ignore[no-untyped-def]
        if p.get("message_id") in self.messages:
            self.messages[p["message_id"]]["status"] = "failed"

    def _on_DeliveryFailureReported(self, e, p) -> None:  # type: ignore[no-untyped-def]
        for message_id in p["message_ids"]:
            if message_id in self.messages:
                self.messages[message_id]["reported"] = True

    # ---------------------------------------------------------------- decisions

    def _on_ApprovalGranted(self, e, p) -> None:  # type: ignore[no-untyped-def]
        self.approvals.append({"stage": p["stage"], "round": p["round"], "organisation": p["organisation"],
                               "approver": e.actor, "decision": "approved", "comment": p.get("comment"),
                               "letters_sha256": p["letters_sha256"], "void": False})

    def _on_StageRejected(self, e, p) -> None:  # type: ignore[no-untyped-def]
        self.approvals.append({"stage": p["stage"], "round": p["round"], "organisation": p["organisation"],
                               "approver": e.actor, "decision": "rejected", "comment": p["comment"],
                               "letters_sha256": p.get("letters_sha256"), "void": False})

    def _on_ApprovalsVoided(self, e, p) -> None:  # type: ignore[no-untyped-def]
        for a in self.approvals:
            if (a["stage"], a["round"]) == (p["stage"], p["round"]) and a["approver"] in p["approvers"] \
                    and a["decision"] == "approved":
                a["void"] = True

    # ---------------------------------------------------------------- deadlines and replies

    def _open_deadline(self, kind: str, organisation: str | None) -> dict | None:
        return next((d for d in self.deadlines if d["status"] == "open" and d["kind"] == kind
                     and organisation in (None, d["organisation"])), None)

    def _on_DeadlineSet(self, e, p) -> None:  # type: ignore[no-untyped-def]
        self.deadlines.append({"kind": p["kind"], "organisation": p["organisation"], "stage": p.get("stage"),
                               "round": p.get("round"), "due_at": _time(p["due_at"]), "status": "open"})

    def _on_DeadlineClosed(self, e, p) -> None:  # type: ignore[no-untyped-def]
        deadline = self._open_deadline(p["kind"], p.get("organisation"))
        if deadline is not None:
            deadline["status"] = p["status"]

    def _on_DeadlineExtended(self, e, p) -> None:  # type: ignore[no-untyped-def]
        deadline = self._open_deadline(p["kind"], p.get("organisation"))
        if deadline is not None:
            deadline["due_at"] = _time(p["due_at"])

    # ---------------------------------------------------------------- withdrawn, closed by hand, reopened

    def _on_ActionWithdrawn(self, e, p) -> None:  # type: ignore[no-untyped-def]
        self.status, self.outcome, self.status_before = p["status"], None, p["status_before"]
        self.closure_reason = p["reason"]

    def _on_ActionClosedByHand(self, e, p) -> None:  # type: ignore[no-untyped-def]
        self.status, self.outcome, self.status_before = p["status"], p["outcome"], p["status_before"]
        self.closure_reason = p["reason"]

    def _on_ActionReopened(self, e, p) -> None:  # type: ignore[no-untyped-def]
        self.stage, self.status, self.outcome, self.status_before = p["stage"], p["status"], None, None
        self.closure_reason = None

    def _on_OutboxCancelled(self, e, p) -> None:  # type: ignore[no-untyped-def]
        for message_id in p["message_ids"]:
            if message_id in self.messages:
                self.messages[message_id]["status"] = "cancelled"

    def _on_ActionLinked(self, e, p) -> None:  # type: ignore[no-untyped-def]
        self.links.append({"other": p["other"], "relation": p["relation"], "inverse": bool(p.get("inverse")),
                           "note": p.get("note"), "linked_by": e.actor})

    # ---------------------------------------------------------------- automatic steps that fail

    def _on_AutomaticStepsFailed(self, e, p) -> None:  # type: ignore[no-untyped-def]
        self.steps = (self.steps[0], p["reason"], _time(p["retry_at"]), None)

    def _on_AutomaticStepsRetried(self, e, p) -> None:  # type: ignore[no-untyped-def]
        self.steps = (p["rerun"], self.steps[1], None, None)

    def _on_AutomaticStepsStopped(self, e, p) -> None:  # type: ignore[no-untyped-def]
        self.steps = (p["reruns"], p["reason"], None, _time(p["at"]))

    def _on_AutomaticStepsResumed(self, e, p) -> None:  # type: ignore[no-untyped-def]
        self.steps = (0, None, None, None)

    def _on_ReplyRecorded(self, e, p) -> None:  # type: ignore[no-untyped-def]
        self.replies.append((p["stage"], date.fromisoformat(p["received_on"]), bool(p["acknowledgement_only"]),
                             e.actor))


# ---------------------------------------------------------------- comparing an action with its rows

def _differs(findings: list[str], where: str, what: str, stored: object, told: object) -> None:
    if stored != told:
        findings.append(f"{where}: {what} is {stored!r} but the audit trail says {told!r}")


def _compare_action(session: Session, x: Projection, record: ActionRecord | None) -> list[str]:
    where = x.reference or f"joint action #{x.id}"
    if record is None:
        return [f"{where}: the audit trail opened it but its row in joint_actions is gone"]
    f: list[str] = []
    o = x.opened or {}
    for column, told in (("type", o.get("type")), ("country", o.get("country")), ("language", o.get("language")),
                         ("opened_by", o.get("opened_by")), ("stage", x.stage), ("status", x.status),
                         ("round", x.round), ("submitted_by", x.submitted_by), ("outcome", x.outcome),
                         ("status_before", x.status_before), ("closure_reason", x.closure_reason)):
        _differs(f, where, f"joint_actions.{column}", getattr(record, column), told)
    for column, told in zip(("steps_reruns", "steps_failure", "steps_retry_at", "steps_stopped_at"), x.steps,
                            strict=True):
        _differs(f, where, f"joint_actions.{column}", getattr(record, column), told)
    if details_sha256(record.title, list(record.beneficiaries)) != o.get("details_sha256"):
        f.append(f"{where}: the title or beneficiaries in joint_actions are not those it was opened with")

    refs = {(r.kind, r.value) for r in session.exec(select(ReferenceRecord).where(ReferenceRecord.action_id == x.id))}
    for kind, value in sorted(refs - x.references):
        f.append(f"{where}: reference {value} ({kind}) is not in the audit trail")
    for kind, value in sorted(x.references - refs):
        f.append(f"{where}: reference {value} ({kind}) of the audit trail is missing")

    f += _compare_letters(session, x, where, record.language)
    f += _compare_rows(where, "approvals", [
        {"stage": a.stage, "round": a.round, "organisation": a.organisation, "approver": a.approver,
         "decision": a.decision, "comment": a.comment, "letters_sha256": a.letters_sha256, "void": a.void}
        for a in session.exec(select(ApprovalRecord).where(ApprovalRecord.action_id == x.id).order_by(ApprovalRecord.id))
    ], x.approvals)
    f += _compare_rows(where, "deadlines", [
        {"kind": d.kind, "organisation": d.organisation, "stage": d.stage, "round": d.round, "due_at": d.due_at,
         "status": d.status}
        for d in session.exec(select(DeadlineRecord).where(DeadlineRecord.action_id == x.id).order_by(DeadlineRecord.id))
    ], x.deadlines)
    f += _compare_rows(where, "replies", [
        {"reply": (r.stage, r.received_on, r.acknowledgement_only, r.recorded_by)}
        for r in session.exec(select(ReplyRecord).where(ReplyRecord.action_id == x.id).order_by(ReplyRecord.id))
    ], [{"reply": r} for r in x.replies])
    f += _compare_rows(where, "action_links", [
        {"other": other, "relation": l.relation, "inverse": l.inverse, "note": l.note, "linked_by": l.linked_by}
        for l, other in session.exec(
            select(ActionLinkRecord, ReferenceRecord.value)
            .join(ReferenceRecord, sa.and_(ReferenceRecord.action_id == ActionLinkRecord.other_id,
                                           ReferenceRecord.kind == "jam"))
            .where(ActionLinkRecord.action_id == x.id).order_by(ActionLinkRecord.id))
    ], x.links)
    f += _compare_outbox(session, x, where)
    return f


def _compare_rows(where: str, table: str, stored: list[dict], told: list[dict]) -> list[str]:
    """Rows in creation order against the events' list, column by column."""
    f: list[str] = []
    for index, (row, expected) in enumerate(zip(stored, told, strict=False), 1):
        for column, value in expected.items():
            if column in row and row[column] != value:
                f.append(f"{where}: {table} row {index} {column} is {row[column]!r} but the audit trail says "
                         f"{value!r}")
    if len(stored) > len(told):
        f.append(f"{where}: {len(stored) - len(told)} {table} row(s) are not in the audit trail")
    elif len(stored) < len(told):
        f.append(f"{where}: {len(told) - len(stored)} {table} row(s) of the audit trail are missing")
    return f


def _compare_letters(session: Session, x: Projection, where: str, language: str) -> list[str]:
    f: list[str] = []
    letters = {(l.name, l.cycle): l for l in session.exec(select(LetterRecord).where(LetterRecord.action_id == x.id))}
    versions: dict[int, list[LetterVersionRecord]] = defaultdict(list)
    if letters:
        query = select(LetterVersionRecord).where(LetterVersionRecord.letter_id.in_([l.id for l in letters.values()]))
        for v in session.exec(query):
            versions[v.letter_id].append(v)
    for key in sorted(set(letters) - set(x.letters)):
        f.append(f"{where}: letter {key[0]} (cycle {key[1]}) is not in the audit trail")
    for key, told in sorted(x.letters.items()):
        name = f"{key[0]}" + (f" (cycle {key[1]})" if key[1] > 1 else "")
        row = letters.get(key)
        if row is None:
            f.append(f"{where}: letter {name} of the audit trail is missing")
            continue
        _differs(f, where, f"letter {name} status", row.status, told["status"])
        _differs(f, where, f"letter {name} language", row.language, language)
        if told["dispatched_at"] is not None:
            _differs(f, where, f"letter {name} dispatched_at", row.dispatched_at, told["dispatched_at"])
        stored = {v.version: v for v in versions.get(row.id, [])}
        for number in sorted(set(stored) - set(told["versions"])):
            f.append(f"{where}: letter {name} v{number} is not in the audit trail")
        for number, (sha, editor) in sorted(told["versions"].items()):
            v = stored.get(number)
            if v is None:
                f.append(f"{where}: letter {name} v{number} of the audit trail is missing")
                continue
            _differs(f, where, f"letter {name} v{number} sha256", v.sha256, sha)
            _differs(f, where, f"letter {name} v{number} edited_by", v.edited_by, editor)
            signers = tuple(v.signers) if v.signers is not None else None
            if content_sha256(key[0], row.language, v.fields, signers) != v.sha256:
                f.append(f"{where}: letter {name} v{number}: its fields or signers are not the content whose "
                         "sha256 was recorded (letter_versions.fields changed, or letter_versions.signers)")
            frozen = x.renditions.get((key[0], key[1], number))
            if v.rendered_text is not None or v.rendered_html is not None or v.rendered_subject is not None:
                if frozen is None:
                    f.append(f"{where}: letter {name} v{number} has a frozen rendition the audit trail never "
                             "recorded")
                else:
                    for part, value in (("subject", v.rendered_subject), ("text", v.rendered_text),
                                        ("html", v.rendered_html)):
                        if sha256_hex(value or "") != frozen[f"{part}_sha256"]:
                            f.append(f"{where}: letter {name} v{number}: the frozen {part} is not what was "
                                     f"dispatched (letter_versions.rendered_{part} changed)")
                    if "pdf_sha256" in frozen and v.rendered_pdf_sha256 != frozen["pdf_sha256"]:
                        f.append(f"{where}: letter {name} v{number}: the PDF's sha256 is not the one recorded at "
                                 "dispatch (letter_versions.rendered_pdf_sha256 changed)")
                    if v.rendered_pdf is not None and hashlib.sha256(v.rendered_pdf).hexdigest() != frozen.get(
                            "pdf_sha256", v.rendered_pdf_sha256):
                        f.append(f"{where}: letter {name} v{number}: the PDF kept is not the one dispatched "
                                 "(letter_versions.rendered_pdf changed)")
            elif frozen is not None:
                f.append(f"{where}: letter {name} v{number}: the frozen rendition the audit trail recorded is gone")
    return f


def _compare_outbox(session: Session, x: Projection, where: str) -> list[str]:
    f: list[str] = []
    rows = list(session.exec(
        select(OutboxRecord, LetterRecord.name, LetterRecord.cycle, LetterVersionRecord.version)
        .outerjoin(LetterVersionRecord, LetterVersionRecord.id == OutboxRecord.letter_version_id)
        .outerjoin(LetterRecord, LetterRecord.id == LetterVersionRecord.letter_id)
        .where(OutboxRecord.action_id == x.id, OutboxRecord.kind == "letter")))
    stored = {row.message_id: (row, name, cycle, version) for row, name, cycle, version in rows}
    for message_id in sorted(set(stored) - set(x.messages)):
        f.append(f"{where}: outbox message {message_id} is not in the audit trail")
    for message_id, told in sorted(x.messages.items()):
        found = stored.get(message_id)
        if found is None:
            f.append(f"{where}: outbox message {message_id} of the audit trail is missing")
            continue
        row, name, cycle, version = found
        if (name, cycle, version) != (told["letter"], told["cycle"], told["version"]):
            f.append(f"{where}: outbox message {message_id} now carries another letter version")
        if sha256_hex(row.recipient) != told["recipient_sha256"]:
            f.append(f"{where}: outbox message {message_id} now goes to another recipient ({row.recipient!r})")
        f += _status(where, f"outbox message {message_id}", row.status, told["status"])
        reported = told.get("reported", False)
        if (row.failure_reported_at is not None) != reported:
            f.append(f"{where}: outbox message {message_id}'s failure is "
                     f"{'marked' if row.failure_reported_at else 'not marked'} reported to the officer but the audit "
                     f"trail says it was {'reported' if reported else 'never reported'}")
    return f


def _status(where: str, what: str, stored: str, told: str) -> list[str]:
    """`queued` in the trail: pending or sending (deferrals are not events); sent and failed are."""
    if told == "queued" and stored in ("pending", "sending"):
        return []
    if stored != told:
        said = "not yet delivered" if told == "queued" else told
        return [f"{where}: {what} is {stored!r} but the audit trail says {said!r}"]
    return []


# ---------------------------------------------------------------- people, address book, digests

@dataclass
class Directory:
    users: dict[str, dict] = field(default_factory=dict)
    passwords: dict[str, str | None] = field(default_factory=dict)  # None: set before hashes were recorded
    calendars: dict[str, int] = field(default_factory=dict)  # calendar address generations, once renewed
    languages: dict[str, str] = field(default_factory=dict)  # interface languages, once chosen
    recipients: defaultdict = field(default_factory=lambda: defaultdict(int))
    addressed: dict[tuple, tuple] = field(default_factory=dict)  # (country, kind, email): (office, gender)
    digests: dict[str, dict] = field(default_factory=dict)

    malformed: list[str] = field(default_factory=list)

    def apply(self, e: AuditEventRecord) -> None:
        try:
            self._apply(e)
        except (KeyError, TypeError, ValueError, AttributeError):
            self.malformed.append(f"audit event #{e.id} ({e.event}) does not carry what a {e.event} event carries")

    def _apply(self, e: AuditEventRecord) -> None:
        p, who = e.payload, e.subject
        if e.event == "UserAdded":
            self.users[who] = {"organisation": p["organisation"], "role": p["role"], "disabled": False}
        elif e.event == "RoleChanged" and who in self.users:
            self.users[who]["role"] = p["role"]
        elif e.event == "OrganisationChanged" and who in self.users:
            self.users[who]["organisation"] = p["organisation"]
        elif e.event in ("UserDisabled", "UserEnabled") and who in self.users:
            self.users[who]["disabled"] = e.event == "UserDisabled"
        elif e.event in ("PasswordSet", "PasswordRehashed", "PasswordChanged"):
            self.passwords[who] = p.get("hash_sha256")
        elif e.event == "CalendarAddressRenewed":
            self.calendars[who] = int(p["generation"])
        elif e.event == "LanguageChosen":
            self.languages[who] = p["language"]
        elif e.event == "RecipientAdded":
            self.recipients[(p["country"], p["kind"], who)] += 1
            self._address((p["country"], p["kind"], who), p)
        elif e.event == "RecipientRemoved":
            self.recipients[(p["country"], p["kind"], who)] -= 1
        elif e.event == "RecipientChanged":
            self.recipients[(p["country"], p["previous"]["kind"], p["previous"]["email"])] -= 1
            self.recipients[(p["country"], p["kind"], who)] += 1
            self.addressed.pop((p["country"], p["previous"]["kind"], p["previous"]["email"]), None)
            self._address((p["country"], p["kind"], who), p)
        elif e.event == "DigestQueued":
            self.digests[p["message_id"]] = {"recipient": who, "sha256": p["sha256"], "status": "queued"}
        elif e.event in ("DigestDelivered", "DeliveryFailed") and p.get("message_id") in self.digests:
            self.digests[p["message_id"]]["status"] = "sent" if e.event == "DigestDelivered" else "failed"


    def _address(self, key: tuple, p: dict) -> None:
        """The form of address an event recorded (events from before forms of address record none)."""
        if "office" in p:
            self.addressed[key] = (p["office"], p["gender"])
        else:
            self.addressed.pop(key, None)


def _compare_directory(session: Session, d: Directory) -> list[str]:
    from coordination.domain.letters import canonical_json

    f: list[str] = []
    users = {u.email: u for u in session.exec(select(UserRecord))}
    for email in sorted(set(users) - set(d.users)):
        f.append(f"user {email} is not in the audit trail (added outside the application)")
    for email, told in sorted(d.users.items()):
        u = users.get(email)
        if u is None:
            f.append(f"user {email} of the audit trail is missing from users")
            continue
        _differs(f, f"user {email}", "organisation", u.organisation, told["organisation"])
        _differs(f, f"user {email}", "role", u.role, told["role"])
        _differs(f, f"user {email}", "disabled", u.disabled_at is not None, told["disabled"])
    ids = {u.id: u.email for u in users.values()}
    for c in session.exec(select(CredentialRecord)):
        email = ids.get(c.user_id)
        if (c.calendar_generation or 0) != d.calendars.get(email, 0):
            f.append(f"user {email}: the calendar address is generation {c.calendar_generation or 0} but the audit "
                     f"trail says {d.calendars.get(email, 0)} (an old address may work again)")
        if email in d.languages and c.language != d.languages[email]:
            f.append(f"user {email}: the interface language is {c.language!r} but the audit trail says "
                     f"{d.languages[email]!r} (their emails' language changed outside the application)")
        if c.password_hash is None:
            continue
        if email not in d.passwords:
            f.append(f"user {email}: a password hash is stored that the audit trail never recorded being set")
        elif d.passwords[email] is not None and sha256_hex(c.password_hash) != d.passwords[email]:
            f.append(f"user {email}: the stored password hash is not the one last set (credentials changed)")
    stored = defaultdict(int)
    for r in session.exec(select(RecipientRecord).where(RecipientRecord.removed_at.is_(None))):
        stored[(r.country, r.kind, r.email)] += 1
        told_address = d.addressed.get((r.country, r.kind, r.email))
        if told_address is not None and (r.office, r.gender) != told_address:
            f.append(f"address book: {r.email} as {r.kind} of {r.country} is addressed as {r.office} ({r.gender}) but "
                     f"the audit trail says {told_address[0]} ({told_address[1]})")
    for key in sorted(set(stored) | set(d.recipients)):
        if stored.get(key, 0) != d.recipients.get(key, 0):
            country, kind, email = key
            f.append(f"address book: {email} as {kind} of {country} is stored {stored.get(key, 0)} time(s) but the "
                     f"audit trail says {d.recipients.get(key, 0)}")
    digests = {r.message_id: r for r in session.exec(select(OutboxRecord).where(OutboxRecord.kind == "digest"))}
    since = _first_digest_event(session)
    for message_id in sorted(set(digests) - set(d.digests)):
        if since is not None and digests[message_id].created_at >= since:
            f.append(f"outbox digest {message_id} is not in the audit trail")
    for message_id, told in sorted(d.digests.items()):
        row = digests.get(message_id)
        if row is None:
            f.append(f"outbox digest {message_id} of the audit trail is missing")
            continue
        if row.recipient != told["recipient"]:
            f.append(f"outbox digest {message_id} now goes to {row.recipient!r}, not {told['recipient']!r}")
        if sha256_hex(canonical_json([row.subject, row.body_text, row.body_html])) != told["sha256"]:
            f.append(f"outbox digest {message_id}: its subject or text changed since it was queued")
        f += _status("outbox digest", message_id, row.status, told["status"])
    return f


def _first_digest_event(session: Session) -> datetime | None:
    """Digests queued before the trail recorded them (DigestQueued) are left to the chain alone."""
    return session.exec(select(AuditEventRecord.occurred_at).where(AuditEventRecord.event == "DigestQueued")
                        .order_by(AuditEventRecord.id).limit(1)).first()


# ---------------------------------------------------------------- the replay

@dataclass
class ReplayReport:
    actions: int = 0  # compared with their rows
    legacy: int = 0  # opened before the trail carried what a replay needs
    findings: list[str] = field(default_factory=list)


def _action_ids(session: Session) -> list[int]:
    opened = select(AuditEventRecord.action_id).where(AuditEventRecord.event == "ActionOpened",
                                                      AuditEventRecord.action_id.is_not(None))
    return sorted(set(session.exec(select(ActionRecord.id))) | set(session.exec(opened)))


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def replay(session: Session) -> ReplayReport:
    """Fold the events into the state they describe and name every difference with the tables."""
    report = ReplayReport()
    for ids in _chunks(_action_ids(session)):
        projections = {i: Projection(i) for i in ids}
        query = (select(AuditEventRecord).where(AuditEventRecord.action_id.in_(ids))
                 .order_by(AuditEventRecord.id))
        for event in session.exec(query):
            projections[event.action_id].apply(event)
        records = {r.id: r for r in session.exec(select(ActionRecord).where(ActionRecord.id.in_(ids)))}
        for action_id, x in projections.items():
            if x.opened is None:
                r = records[action_id]
                report.findings.append(f"joint action #{action_id} ({r.type}, {r.country}) has no ActionOpened in "
                                       "the audit trail: it was inserted outside the application")
                continue
            if not x.replayable:
                report.legacy += 1
                continue
            report.actions += 1
            found = x.unknown + _compare_action(session, x, records.get(action_id))
            if len(found) > MAX_PER_ACTION:
                found = found[:MAX_PER_ACTION] + [f"{x.reference}: … and {len(found) - MAX_PER_ACTION} more"]
            report.findings += found
    directory = Directory()
    query = (select(AuditEventRecord).where(AuditEventRecord.action_id.is_(None))
             .order_by(AuditEventRecord.id).execution_options(yield_per=1000))
    for event in session.exec(query):
        directory.apply(event)
    report.findings += directory.malformed + _compare_directory(session, directory)
    return report
