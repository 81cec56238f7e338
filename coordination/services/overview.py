"""Figures for the overview page: open actions, overdue deadlines, States' replies, time to dispatch.

The counts are the read model's (`tx.queries`); the rates, means and medians are computed here.
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime

from coordination.domain import DeadlineStatus

from .ports import Clock, FirstDispatch, StateReplyOwed, UnitsOfWork


@dataclass(frozen=True)
class ReplyFigures:
    country: str
    asked: int  # replies owed whose deadline has passed or which came in
    replied: int
    rate: float  # 0..1
    mean_days: float | None  # from dispatch to the reply


@dataclass(frozen=True)
class Overview:
    by_stage: list[tuple[str, str, int]]  # type, stage, open actions
    by_country: list[tuple[str, int]]
    overdue: list[tuple[str, int]]  # deadline kind, count
    replies: list[ReplyFigures]
    to_dispatch: list[tuple[str, float, int]]  # type, median days from opening to first dispatch, actions
    # status, outcome (None: withdrawn, or closed at its last stage), actions; each its own row
    ended: list[tuple[str, str | None, int]] = field(default_factory=list)


def get_overview(*, now: datetime | None = None, uow: UnitsOfWork, clock: Clock) -> Overview:
    """The overview's figures at `now` (default: the clock's)."""
    now = now or clock()
    with uow(read_only=True) as tx:
        q = tx.queries
        by_stage = q.open_by_stage()
        by_country = q.open_by_country()
        overdue = q.overdue_by_kind(now)
        owed = q.state_replies_owed()
        replies = q.replies_received()
        dispatch = q.first_dispatches()
        ended = q.ended()
    return Overview(by_stage, by_country, overdue, _replies(owed, replies, now), _to_dispatch(dispatch), ended)


def _replies(owed: list[StateReplyOwed], replies: dict[tuple[int, str], date], now: datetime) -> list[ReplyFigures]:
    per: dict[str, list[int | None]] = {}
    for r in owed:
        received = replies.get((r.action_id, r.stage))
        if r.status == DeadlineStatus.OPEN.value and r.due_at > now and received is None:
            continue  # not due yet: neither a reply nor a silence
        per.setdefault(r.country, []).append(
            None if received is None else max(0, (received - r.created_at.date()).days))
    figures = []
    for country, days in sorted(per.items()):
        answered = [d for d in days if d is not None]
        figures.append(ReplyFigures(country, len(days), len(answered), len(answered) / len(days),
                                    statistics.fmean(answered) if answered else None))
    return figures


def _to_dispatch(rows: list[FirstDispatch]) -> list[tuple[str, float, int]]:
    per: dict[str, list[float]] = {}
    for row in rows:
        first = row.first
        if first is not None:
            first = first if first.tzinfo else first.replace(tzinfo=row.opened_at.tzinfo)
            per.setdefault(row.type, []).append(max(0.0, (first - row.opened_at).total_seconds() / 86400))
    return [(t, statistics.median(v), len(v)) for t, v in sorted(per.items())]
