"""The annual report: per action type and State, what became of the actions opened in a year.

Its figures are counts, medians and days, never a name, a title, a beneficiary or a fact, so
that it may leave the system (a spreadsheet, a public annual report). It reads narrow rows
(`tx.queries.report_actions`, `report_decisions`: aggregates in SQL, streamed) and computes
the medians here, in one pass.

Every figure is about the year's *cohort*: the actions opened from 1 January to 31 December
(UTC). "Dispatched" counts those whose first letter went to the State (at any time since),
"replied" those with a reply recorded, "closed" those closed by now, by outcome.
"""

import csv
import io
import json
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from coordination.domain import InvalidInput, NotPermitted, Organisation, Role, Status, User
from coordination.domain.bounds import ascii_int

from .inputs import choice
from .ports import ReportAction, ReportDecision, UnitsOfWork

FIRST_YEAR, LAST_YEAR = 2000, 2100
READERS = (Role.SUPERVISOR, Role.ADMIN)  # who may download it on the web (the command line is the operator's)
COMPLETED = "completed"  # the outcome of an action closed by reaching its last stage (not by hand)


class ReportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


@dataclass
class ReportLine:
    """One action type in one State."""

    type: str
    country: str
    opened: int = 0
    dispatched: int = 0
    replied: int = 0
    withdrawn: int = 0
    closed: int = 0
    closed_by_outcome: dict[str, int] = field(default_factory=dict)
    median_days_to_dispatch: float | None = None  # from opening to the first letter dispatched
    median_days_to_reply: float | None = None  # from the first dispatch (its day) to the first reply
    median_days_to_decision: dict[str, float | None] = field(default_factory=dict)  # by organisation


@dataclass(frozen=True)
class AnnualReport:
    year: int
    lines: list[ReportLine]


def may_read_report(user: User) -> bool:
    """Supervisors and administrators may download the report on the web."""
    return user.role in READERS


def annual_report(year: int | str, *, reader: User | None = None, uow: UnitsOfWork) -> AnnualReport:
    """The report of the actions opened in `year` (a number, or its digits as a page's address
    gives them); refused to a `reader` who may not read it, before anything else."""
    if reader is not None and not may_read_report(reader):
        raise NotPermitted("only supervisors and administrators may download the annual report",
                           field="report", facts={"role": reader.role.value})
    number = ascii_int(year, low=FIRST_YEAR, high=LAST_YEAR) if isinstance(year, str) else year
    if number is None or not FIRST_YEAR <= number <= LAST_YEAR:
        shown = str(year)[:12]
        raise InvalidInput(f"the year must be from {FIRST_YEAR} to {LAST_YEAR}, not {shown!r}", field="year",
                           value=shown)
    year = number
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    with uow(read_only=True) as tx:
        tally = _Tally()
        for action in tx.queries.report_actions(start, end):
            tally.action(action)
        for decision in tx.queries.report_decisions(start, end):
            tally.decision(decision)
    return AnnualReport(year, tally.lines())


class _Tally:
    """Counts and the days each median is taken of, per (type, State): one pass over the rows."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], ReportLine] = {}
        self.to_dispatch: dict[tuple[str, str], list[float]] = {}
        self.to_reply: dict[tuple[str, str], list[float]] = {}
        self.to_decision: dict[tuple[str, str], dict[str, list[float]]] = {}

    def _line(self, key: tuple[str, str]) -> ReportLine:
        return self.counts.setdefault(key, ReportLine(*key))

    def action(self, row: ReportAction) -> None:
        key = (row.type, row.country)
        line = self._line(key)
        line.opened += 1
        if row.first_dispatch is not None:
            line.dispatched += 1
            self.to_dispatch.setdefault(key, []).append(_days(row.first_dispatch - row.opened_at))
        if row.first_reply is not None:
            line.replied += 1
            if row.first_dispatch is not None:
                self.to_reply.setdefault(key, []).append(float((row.first_reply - row.first_dispatch.date()).days))
        if row.status == Status.CLOSED.value:
            line.closed += 1
            outcome = row.outcome or COMPLETED
            line.closed_by_outcome[outcome] = line.closed_by_outcome.get(outcome, 0) + 1
        elif row.status == Status.WITHDRAWN.value:
            line.withdrawn += 1

    def decision(self, row: ReportDecision) -> None:
        key = (row.type, row.country)
        self._line(key)
        self.to_decision.setdefault(key, {}).setdefault(row.organisation, []).append(
            _days(row.decided_at - row.gate_opened_at))

    def lines(self) -> list[ReportLine]:
        lines = []
        for key, line in sorted(self.counts.items()):
            line.median_days_to_dispatch = _median(self.to_dispatch.get(key))
            line.median_days_to_reply = _median(self.to_reply.get(key))
            decided = self.to_decision.get(key, {})
            line.median_days_to_decision = {o.value: _median(decided.get(o.value)) for o in Organisation}
            line.closed_by_outcome = dict(sorted(Counter(line.closed_by_outcome).items()))
            lines.append(line)
        return lines


def _days(span: timedelta) -> float:
    return max(0.0, span.total_seconds() / 86400)


def _median(days: list[float] | None) -> float | None:
    return round(statistics.median(days), 2) if days else None


# ---------------------------------------------------------------- its two formats

CSV_COLUMNS = ["type", "country", "opened", "dispatched", "replied", "median_days_to_reply", "withdrawn", "closed",
               "closed_by_outcome", "median_days_to_dispatch",
               *(f"median_days_to_decision_{o.value}" for o in Organisation)]


def report_as_dict(report: AnnualReport) -> dict[str, Any]:
    return {"year": report.year, "lines": [
        {"type": l.type, "country": l.country, "opened": l.opened, "dispatched": l.dispatched, "replied": l.replied,
         "median_days_to_reply": l.median_days_to_reply, "withdrawn": l.withdrawn, "closed": l.closed,
         "closed_by_outcome": l.closed_by_outcome, "median_days_to_dispatch": l.median_days_to_dispatch,
         "median_days_to_decision": l.median_days_to_decision}
        for l in report.lines]}


def report_document(report: AnnualReport, fmt: str) -> str:
    """The report as CSV (one line per type and State; outcomes as `outcome=count; …`) or JSON."""
    if choice(ReportFormat, fmt, "format") is ReportFormat.JSON:
        return json.dumps(report_as_dict(report), indent=2, ensure_ascii=False) + "\n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for l in report.lines:
        writer.writerow([l.type, l.country, l.opened, l.dispatched, l.replied, _cell(l.median_days_to_reply),
                         l.withdrawn, l.closed,
                         "; ".join(f"{k}={v}" for k, v in l.closed_by_outcome.items()),
                         _cell(l.median_days_to_dispatch),
                         *(_cell(l.median_days_to_decision.get(o.value)) for o in Organisation)])
    return out.getvalue()


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
