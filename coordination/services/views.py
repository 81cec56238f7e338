"""Read models: what `action show --json` and `action list --json` print, from the domain's
action and the plain rows of `ports` (its audit history, its outbox rows, the actions' own rows)."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from coordination.domain import JointAction
from coordination.domain.vocabulary import shown_status

from .ports import ActionRow, AuditEntry, OutboxEntry


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def action_view(action: JointAction, history: Sequence[AuditEntry], outbox: Sequence[OutboxEntry], *,
                pdf_sha256: Mapping[int, str] | None = None) -> dict[str, Any]:
    """`pdf_sha256`: the dispatched versions' PDF hashes by letter version id (shown as each letter's)."""
    pdfs = pdf_sha256 or {}
    versions = {l.current.id: (l.name, l.current.version) for l in action.letters}
    return {
        "id": action.id,
        "reference": action.reference,
        "type": action.type.value,
        "title": action.title,
        "status": action.status.value,
        "outcome": action.outcome.value if action.outcome else None,
        "closure_reason": action.closure_reason,
        "shown_status": shown_status(action.status.value, action.outcome.value if action.outcome else None),
        "stage": action.stage,
        "round": action.round,
        "country": action.country,
        "language": action.language,
        "beneficiaries": list(action.beneficiaries),
        "opened_by": action.opened_by,
        "opened_at": _iso(action.opened_at),
        "submitted_by": action.submitted_by,
        "references": [r.value for r in action.references],
        "approvals": [
            {
                "stage": a.stage, "round": a.round, "organisation": a.organisation.value, "approver": a.approver,
                "decision": a.decision.value, "comment": a.comment, "decided_at": _iso(a.decided_at),
                "letters_sha256": a.letters_sha256, "void": a.void,
            }
            for a in action.approvals
        ],
        "letters": [
            {
                "name": l.name, "stage": l.stage, "cycle": l.cycle, "language": l.language,
                "version": l.current.version, "sha256": l.current.sha256, "status": l.status.value,
                "last_editor": l.last_editor, "dispatched_at": _iso(l.dispatched_at),
                "pdf_sha256": pdfs.get(l.current.id) if l.dispatched_at and l.current.id is not None else None,
                "fields": dict(l.current.fields),
            }
            for l in action.current_letters
        ],
        "deadlines": [
            {
                "kind": d.kind.value, "stage": d.stage, "organisation": d.organisation.value if d.organisation else None,
                "due_at": _iso(d.due_at), "status": d.status.value, "closed_at": _iso(d.closed_at),
            }
            for d in action.deadlines
        ],
        "links": [
            {"other": l.other, "relation": l.relation.value, "inverse": l.inverse, "note": l.note,
             "linked_by": l.linked_by, "linked_at": _iso(l.linked_at)}
            for l in action.links
        ],
        "replies": [
            {"stage": r.stage, "received_on": r.received_on.isoformat(), "acknowledgement_only": r.acknowledgement_only,
             "recorded_by": r.recorded_by}
            for r in action.replies
        ],
        "automatic_steps": automatic_steps_view(action),
        "outbox": [
            {
                "letter": versions.get(o.letter_version_id, (None, None))[0],
                "version": versions.get(o.letter_version_id, (None, None))[1],
                "recipient": o.recipient, "recipient_kind": o.recipient_kind, "message_id": o.message_id,
                "status": o.status, "attempts": o.attempts, "last_error": o.last_error, "sent_at": _iso(o.sent_at),
            }
            for o in outbox
        ],
        "history": [
            {"id": e.id, "at": _iso(e.occurred_at), "actor": e.actor, "event": e.event, "details": e.payload}
            for e in history
        ],
    }


def automatic_steps_view(action: JointAction) -> dict[str, Any]:
    """How its automatic steps have been failing: `stopped` once the reruns are spent (with the
    failure's message, since when, and what to do); `retry_at` while a rerun waits."""
    s = action.steps
    return {
        "stopped": s.stopped_at is not None, "stopped_at": _iso(s.stopped_at), "reruns": s.reruns,
        "failure": s.failure, "retry_at": _iso(s.retry_at),
        "what_to_do": (f"fix the cause, then advance the action again: coordination action advance {action.reference}"
                       if s.stopped_at is not None else None),
    }


def summary_view(record: ActionRow, references: list[str]) -> dict[str, Any]:
    return {
        "id": record.id,
        "reference": references[0] if references else None,
        "references": references,
        "type": record.type,
        "country": record.country,
        "title": record.title,
        "stage": record.stage,
        "status": record.status,
        "outcome": record.outcome,
        "shown_status": shown_status(record.status, record.outcome),
        "updated_at": _iso(record.updated_at),
    }
