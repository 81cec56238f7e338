"""Figures for the overview page: open actions, overdue deadlines, States' replies, time to dispatch."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coordination.bootstrap import App

import statistics
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import select

from coordination.adapters.records import ActionRecord, DeadlineRecord, LetterRecord, ReplyRecord
from coordination.domain import DeadlineKind, DeadlineStatus, Status


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


def overview(app: App, now: datetime) -> Overview:
    open_ = ActionRecord.status != Status.CLOSED.value
    with app.uow(read_only=True) as uow:
        s = uow.session
        by_stage = [tuple(r) for r in s.exec(
            select(ActionRecord.type, ActionRecord.stage, sa.func.count()).where(open_)
            .group_by(ActionRecord.type, ActionRecord.stage).order_by(ActionRecord.type, ActionRecord.stage))]
        by_country = [tuple(r) for r in s.exec(
            select(ActionRecord.country, sa.func.count()).where(open_)
            .group_by(ActionRecord.country).order_by(sa.func.count().desc(), ActionRecord.country))]
        overdue = [tuple(r) for r in s.exec(
            select(DeadlineRecord.kind, sa.func.count())
            .where(DeadlineRecord.status == DeadlineStatus.OPEN.value, DeadlineRecord.due_at <= now)
            .group_by(DeadlineRecord.kind).order_by(DeadlineRecord.kind))]
        owed = list(s.exec(
            select(ActionRecord.country, DeadlineRecord.status, DeadlineRecord.due_at, DeadlineRecord.created_at,
                   DeadlineRecord.action_id, DeadlineRecord.stage)
            .join(ActionRecord, ActionRecord.id == DeadlineRecord.action_id)
            .where(DeadlineRecord.kind == DeadlineKind.STATE_REPLY.value,
                   DeadlineRecord.status != DeadlineStatus.CANCELLED.value)))
        replies = {(r.action_id, r.stage): r.received_on for r in s.exec(select(ReplyRecord))}
        dispatch = list(s.exec(
            select(ActionRecord.type, ActionRecord.opened_at, sa.func.min(LetterRecord.dispatched_at))
            .join(LetterRecord, LetterRecord.action_id == ActionRecord.id)
            .where(LetterRecord.dispatched_at.is_not(None)).group_by(ActionRecord.id)))
    return Overview(by_stage, by_country, overdue, _replies(owed, replies, now), _to_dispatch(dispatch))


def _replies(owed, replies, now) -> list[ReplyFigures]:  # type: ignore[no-untyped-def]
    per: dict[str, list] = {}
    for country, status, due_at, created_at, action_id, stage in owed:
        received = replies.get((action_id, stage))
        if status == DeadlineStatus.OPEN.value and due_at > now and received is None:
            continue  # not due yet: neither a reply nor a silence
        per.setdefault(country, []).append(
            None if received is None else max(0, (received - created_at.date()).days))
    figures = []
    for country, days in sorted(per.items()):
        answered = [d for d in days if d is not None]
        figures.append(ReplyFigures(country, len(days), len(answered), len(answered) / len(days),
                                    statistics.fmean(answered) if answered else None))
    return figures


def _to_dispatch(rows) -> list[tuple[str, float, int]]:  # type: ignore[no-untyped-def]
    per: dict[str, list[float]] = {}
    for type_, opened_at, first in rows:
        if first is not None:
            first = first if first.tzinfo else first.replace(tzinfo=opened_at.tzinfo)
            per.setdefault(type_, []).append(max(0.0, (first - opened_at).total_seconds() / 86400))
    return [(t, statistics.median(v), len(v)) for t, v in sorted(per.items())]
