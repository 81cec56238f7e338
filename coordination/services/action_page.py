"""The action page: one read of everything it shows, and the letter versions it showed a person.

`read_action_page` loads the action once, in one read-only unit of work, with its history, its
outbox and the versions of its letters this person has seen; the changes of each letter since
the version they last saw (or decided on, or asked for) are computed from that one load. It
writes nothing: the page posts back the versions it showed (`mark_letters_seen`).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from coordination.domain import (
    Approval,
    Command,
    CoordinationError,
    Decision,
    JointAction,
    Organisation,
    User,
)
from coordination.domain.deadlines import Deadline
from coordination.domain.letters import Letter

from .actions import FieldChange, dispatched_pdf_sha256s, letter_changes, stored
from .ports import Clock, UnitsOfWork
from .views import action_view


class LetterChanges(NamedTuple):
    """A letter's changes from version `old` to version `new`; `asked`: the person asked for them
    (?diff=LETTER&from=N), rather than being shown what changed since they last looked."""

    old: int
    new: int
    fields: list[FieldChange]
    asked: bool


@dataclass(frozen=True)
class ActionPage:
    action: JointAction
    view: dict[str, Any]  # as `action show --json` prints it: history and outbox included
    commands: frozenset[Command]  # the forms to offer this person (the domain's `commands_for`)
    decision_refused: CoordinationError | None  # why a supervisor awaited here may not decide now
    editable: frozenset[str]  # the letters whose form to offer
    changeable: list[Deadline]  # the open deadlines whose extend and cancel forms to offer
    changes: dict[str, LetterChanges]  # by letter name
    decisions: list[Approval]  # of the gate's current round
    approved: frozenset[Organisation]  # organisations that approved in this round
    shown: list[int]  # the ids of the letter versions the page shows (what it posts back as seen)
    now: datetime


def read_action_page(
    *, reference: str, user: User, diff: str | None = None, diff_from: int | None = None,
    since: Mapping[str, int] | None = None, uow: UnitsOfWork, clock: Clock,
) -> ActionPage:
    """The action page for this person.

    Each letter shows its changes since a base version: `diff_from` for the letter `diff` names
    (?diff=LETTER&from=N); else the version given in `since` (a decision refused because the
    letters changed since the version decided on); else the last version the person saw before
    the current one; else, if they decided on the action (on the command line, say), the version
    current when they last decided."""
    now = clock()
    with uow(read_only=True) as tx:
        action = tx.actions.get(reference)
        letters = action.current_letters
        ids = [letter.id for letter in letters if letter.id is not None]
        seen = tx.letter_views.seen(user_id=user.id, letter_ids=ids) if user.id is not None and ids else {}
        view = action_view(action, tx.audit.history(stored(action.id)), tx.outbox.for_action(stored(action.id)),
                           pdf_sha256=dispatched_pdf_sha256s(tx, action))
    decided = [a.decided_at for a in action.approvals if a.approver == user.email]
    changes = {}
    for letter in letters:
        base = _base(letter, seen.get(letter.id, set()) if letter.id is not None else set(), decided,
                     diff_from if diff == letter.name else None, (since or {}).get(letter.name),
                     asked=diff == letter.name)
        if base is not None and base < letter.current.version:
            try:
                old, new, fields = letter_changes(letter, base, letter.current.version)
            except CoordinationError:
                continue  # a version asked for in the address that does not exist: no changes shown
            changes[letter.name] = LetterChanges(old, new, fields, diff == letter.name)
    decisions = action.round_decisions()
    return ActionPage(
        action=action, view=view, commands=action.commands_for(user),
        decision_refused=action.decision_refused(user),
        editable=frozenset(letter.name for letter in action.letters_editable_by(user)),
        changeable=action.deadlines_changeable_by(user),
        changes=changes, decisions=decisions,
        approved=frozenset(a.organisation for a in decisions if a.decision is Decision.APPROVED),
        shown=[letter.current.id for letter in letters if letter.id is not None and letter.current.id is not None],
        now=now,
    )


def _base(
    letter: Letter, seen: set[int], decided: list[datetime], asked_from: int | None, stale_from: int | None, *,
    asked: bool,
) -> int | None:
    """The version a letter's changes are shown from (see `read_action_page`), or None."""
    current = letter.current.version
    base = asked_from if asked else max((v for v in seen if v < current), default=None)
    if stale_from is not None:
        base = stale_from
    if base is None and not asked and decided:  # decided elsewhere (CLI, email link) before an edit
        base = max((v.version for v in letter.versions if v.created_at <= max(decided)), default=None)
    return base


def mark_letters_seen(
    *, reference: str, user: User, versions: Sequence[int], uow: UnitsOfWork, clock: Clock,
) -> int:
    """Remember the letter versions the action page showed this person: the base of what it shows
    as changed the next time they look. The page posts them once shown (a GET writes nothing);
    versions that are not this action's letters' are ignored. Returns how many were new."""
    if not versions or user.id is None:
        return 0
    now = clock()
    with uow() as tx:
        action_id = tx.actions.find_id(reference)
        recorded = tx.letter_views.record(user_id=user.id, action_id=action_id, version_ids=versions, now=now)
        tx.commit()
    return recorded
