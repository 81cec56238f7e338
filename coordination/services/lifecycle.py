"""The whole life of an action (issue 12): withdraw it before dispatch, close it by hand after,
reopen it, and link it to another action.

Withdrawing and closing cancel the action's open deadlines (the domain's rule) and its
letters still in the outbox (`tx.outbox.cancel_for_action`), audited as `OutboxCancelled`
with their Message-IDs, so that `audit verify` knows why they were never sent.
"""

from collections.abc import Callable
from datetime import datetime

from coordination.config import Settings
from coordination.domain import JointAction, LinkRelation, Outcome, Ports, User
from coordination.domain.ports import AddressCheck, BusinessCalendar

from .actions import _change, schedule, stored
from .inputs import choice, text
from .ports import Clock, Scheduler, UnitsOfWork

# what ends an action: the domain's `withdraw` or `close`, with the person's arguments
Ending = Callable[[JointAction, User, datetime], None]


def _end(
    reference: str, email: str, reason: str, end: Ending, *,
    uow: UnitsOfWork, clock: Clock, scheduler: Scheduler, settings: Settings,
) -> JointAction:
    """Load the action locked, let the domain end it, cancel its unsent letters, save, commit."""
    text(settings, "the reason", reason, required=False)  # a missing one is the domain's refusal
    now = clock()
    with uow() as tx:
        user = tx.users.require(email)
        action = tx.actions.get(reference, for_update=True)
        end(action, user, now)
        tx.actions.save(action, now=now, by=user)
        cancelled = tx.outbox.cancel_for_action(stored(action.id), now=now)
        if cancelled:
            tx.audit.append(now=now, actor=user.email, organisation=user.organisation.value,
                            event="OutboxCancelled", action_id=action.id, subject=action.reference,
                            payload={"message_ids": cancelled, "status": action.status.value})
        schedule(scheduler, tx.commit())
    return action


def withdraw_action(
    *, reference: str, as_: str, reason: str,
    uow: UnitsOfWork, clock: Clock, scheduler: Scheduler, settings: Settings,
) -> JointAction:
    """Withdraw an action before any letter went out: its deadlines are cancelled, nothing is sent."""
    return _end(reference, as_, reason, lambda a, u, now: a.withdraw(u, reason=reason, now=now),
                uow=uow, clock=clock, scheduler=scheduler, settings=settings)


def close_action(
    *, reference: str, as_: str, outcome: str, reason: str,
    uow: UnitsOfWork, clock: Clock, scheduler: Scheduler, settings: Settings,
) -> JointAction:
    """Close an action by hand after dispatch, with its outcome: deadlines and unsent letters cancelled."""
    chosen = choice(Outcome, outcome, "outcome")
    return _end(reference, as_, reason,
                lambda a, u, now: a.close(u, outcome=chosen, reason=reason, now=now),
                uow=uow, clock=clock, scheduler=scheduler, settings=settings)


def reopen_action(
    *, reference: str, as_: str, reason: str,
    uow: UnitsOfWork, clock: Clock, scheduler: Scheduler, calendar: BusinessCalendar, addresses: AddressCheck,
    settings: Settings,
) -> JointAction:
    """Reopen an action withdrawn or closed by hand, at the stage and status it had."""
    text(settings, "the reason", reason, required=False)

    def reopen(a: JointAction, u: User, p: Ports, now: datetime) -> None:
        a.reopen(u, reason=reason, now=now, ports=p)

    action, _ = _change(reference, as_, reopen, uow=uow, clock=clock, scheduler=scheduler, calendar=calendar,
                        addresses=addresses)
    return action


def link_actions(
    *, reference: str, other: str, relation: str, as_: str, note: str | None = None,
    uow: UnitsOfWork, clock: Clock, scheduler: Scheduler, settings: Settings,
) -> JointAction:
    """Link an action to another; the link shows on both. `follows_up`: `reference` follows `other` up."""
    chosen = choice(LinkRelation, relation, "relation")
    note = text(settings, "the note", note, required=False)
    now = clock()
    with uow() as tx:
        user = tx.users.require(as_)
        first, second = tx.actions.find_id(reference), tx.actions.find_id(other)
        # both locked, in the order of their ids, so that two links made at once do not deadlock
        locked = {i: tx.actions.get_by_id(i, for_update=True) for i in sorted({first, second})}
        action, linked = locked[first], locked[second]
        action.link(user, linked, relation=chosen, note=note, now=now)
        tx.actions.save(action, now=now, by=user)
        tx.actions.save(linked, now=now, by=user)
        schedule(scheduler, tx.commit())
    return action
