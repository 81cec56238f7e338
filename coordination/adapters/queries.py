"""Read models in SQL: the search of the actions, the overview's and the annual report's figures,
and the stored addresses the doctor checks.

What no aggregate holds, read across the tables and returned as plain values and the small
frozen rows of `services.ports`; the services compute and word the results.
"""

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from functools import cache

import sqlalchemy as sa
from babel import Locale
from babel.core import get_global
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from coordination.domain import ENDED, DeadlineKind, DeadlineStatus, ReferenceKind
from coordination.domain.countries import DEFAULT_LANGUAGE
from coordination.domain.state_names import STATE_NAMES
from coordination.domain.vocabulary import LETTER_LANGUAGES
from coordination.services.ports import (
    ActionFilters,
    ActionRow,
    FirstDispatch,
    LetterFieldValues,
    ReportAction,
    ReportDecision,
    StateReplyOwed,
    StoredAddress,
)

from .records import (
    ActionRecord,
    ApprovalRecord,
    DeadlineRecord,
    LetterRecord,
    LetterVersionRecord,
    OutboxRecord,
    RecipientRecord,
    ReferenceRecord,
    ReplyRecord,
    UserRecord,
)

LIKE_ESCAPE = "\\"
MIN_NAME_MATCH = 3  # letters of a State's name before it is matched (else "a" names half the world)


def like_pattern(text: str) -> str:
    """`text` anywhere, taken literally: its %, _ and the escape character itself escaped."""
    escaped = text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    return f"%{escaped}%"


@cache
def _state_names() -> tuple[tuple[str, str], ...]:
    """(lower-case name, ISO alpha-3 code) of every State an action can address, in each letter
    language: as the letters name them (the reviewed table's short and formal names of the OAS
    member States, domain/state_names.py) and as CLDR does (Babel)."""
    alpha3 = {alpha2s[0]: code for code, alpha2s in get_global("territory_aliases").items()
              if code in DEFAULT_LANGUAGE and alpha2s}
    names = [(name.lower(), iso3) for (iso3, _), entry in STATE_NAMES.items() for name in (entry.short, entry.formal)]
    for language in sorted(LETTER_LANGUAGES):
        for alpha2, name in Locale.parse(language).territories.items():
            if alpha2 in alpha3:
                names.append((name.lower(), alpha3[alpha2]))
    return tuple(names)


def states_named(text: str) -> list[str]:
    """The ISO codes of the States whose name (in a letter language) contains `text`."""
    wanted = text.lower()
    if len(wanted) < MIN_NAME_MATCH:
        return []
    return sorted({code for name, code in _state_names() if wanted in name})


class ReadModel:
    def __init__(self, session: Session) -> None:
        self.session = session

    # ------------------------------------------------------------ the actions' search

    def search_actions(self, filters: ActionFilters, *, offset: int, limit: int,
                       ) -> tuple[int, list[tuple[ActionRow, list[str]]]]:
        """One count and one page in SQL, then the page's references: never every action."""
        conditions = self._conditions(filters)
        total = self.session.exec(select(sa.func.count()).select_from(ActionRecord).where(*conditions)).one()
        records = list(self.session.exec(select(ActionRecord).where(*conditions).order_by(ActionRecord.id)
                                         .offset(offset).limit(limit)))
        refs: dict[int, list[str]] = {}
        if records:
            query = (select(ReferenceRecord.action_id, ReferenceRecord.value)
                     .where(ReferenceRecord.action_id.in_([r.id for r in records])).order_by(ReferenceRecord.id))
            for action_id, value in self.session.exec(query):
                refs.setdefault(action_id, []).append(value)
        return total, [(ActionRow(id=r.id, reference=refs.get(r.id, [""])[0], type=r.type, country=r.country,
                                  title=r.title, stage=r.stage, status=r.status, updated_at=r.updated_at,
                                  outcome=r.outcome),
                        refs.get(r.id, [])) for r in records if r.id is not None]

    def _conditions(self, filters: ActionFilters) -> list[sa.ColumnElement[bool]]:
        conditions: list[sa.ColumnElement[bool]] = []
        for column, wanted in ((ActionRecord.status, filters.status), (ActionRecord.type, filters.type),
                               (ActionRecord.stage, filters.stage), (ActionRecord.country, filters.country)):
            if wanted:
                conditions.append(column == wanted)
        if filters.text:
            conditions.append(self._matching(filters.text))
        return conditions

    def _matching(self, text: str) -> sa.ColumnElement[bool]:
        """The actions whose reference, State, beneficiary, title or a current letter field matches."""
        pattern = like_pattern(text.lower())

        def like(column: sa.ColumnElement[str]) -> sa.ColumnElement[bool]:
            return sa.func.lower(column).like(pattern, escape=LIKE_ESCAPE)

        reference = select(ReferenceRecord.id).where(ReferenceRecord.action_id == ActionRecord.id,
                                                     like(ReferenceRecord.value))
        beneficiary = self._json_values(ActionRecord.beneficiaries, array=True)
        beneficiaries = select(sa.literal(1)).select_from(beneficiary).where(like(beneficiary.c.value))
        later = aliased(LetterVersionRecord)
        latest = (select(sa.func.max(later.version)).where(later.letter_id == LetterRecord.id)
                  .correlate(LetterRecord).scalar_subquery())
        field = self._json_values(LetterVersionRecord.fields, array=False)
        fields = (select(LetterRecord.id).select_from(LetterRecord)
                  .join(LetterVersionRecord, LetterVersionRecord.letter_id == LetterRecord.id).join(field, sa.true())
                  .where(LetterRecord.action_id == ActionRecord.id, LetterVersionRecord.version == latest,
                         like(field.c.value)))
        states = [text.strip().upper(), *states_named(text.strip())]
        return sa.or_(sa.exists(reference), ActionRecord.country.in_(states), sa.exists(beneficiaries),
                      like(ActionRecord.title), sa.exists(fields))

    def _json_values(self, column: object, *, array: bool) -> sa.TableValuedAlias:
        """The values of a JSON array or object as text rows, not its keys nor its escapes (a
        table-valued function in FROM, which both databases read as lateral): json_each on
        SQLite; json_array_elements_text or json_each_text on PostgreSQL."""
        if self.session.get_bind().dialect.name == "postgresql":
            if array:
                return sa.func.json_array_elements_text(column).table_valued("value")
            return sa.func.json_each_text(column).table_valued("key", "value")
        return sa.func.json_each(column).table_valued("value")

    # ------------------------------------------------------------ the overview

    def open_by_stage(self) -> list[tuple[str, str, int]]:
        """(type, stage, open actions), by type and stage."""
        query = (select(ActionRecord.type, ActionRecord.stage, sa.func.count())
                 .where(ActionRecord.status.not_in([s.value for s in ENDED]))
                 .group_by(ActionRecord.type, ActionRecord.stage).order_by(ActionRecord.type, ActionRecord.stage))
        return [(type_, stage, count) for type_, stage, count in self.session.exec(query)]

    def open_by_country(self) -> list[tuple[str, int]]:
        """(country, open actions), most first."""
        query = (select(ActionRecord.country, sa.func.count())
                 .where(ActionRecord.status.not_in([s.value for s in ENDED]))
                 .group_by(ActionRecord.country).order_by(sa.func.count().desc(), ActionRecord.country))
        return [(country, count) for country, count in self.session.exec(query)]

    def ended(self) -> list[tuple[str, str | None, int]]:
        """(status, outcome, actions) of the ended ones: withdrawn, closed at the last stage (no
        outcome), closed by hand with each outcome."""
        query = (select(ActionRecord.status, ActionRecord.outcome, sa.func.count())
                 .where(ActionRecord.status.in_([s.value for s in ENDED]))
                 .group_by(ActionRecord.status, ActionRecord.outcome)
                 .order_by(ActionRecord.status, ActionRecord.outcome))
        return [(status, outcome, count) for status, outcome, count in self.session.exec(query)]

    def overdue_by_kind(self, now: datetime) -> list[tuple[str, int]]:
        """(deadline kind, open deadlines due by `now`), by kind."""
        query = (select(DeadlineRecord.kind, sa.func.count())
                 .where(DeadlineRecord.status == DeadlineStatus.OPEN.value, DeadlineRecord.due_at <= now)
                 .group_by(DeadlineRecord.kind).order_by(DeadlineRecord.kind))
        return [(kind, count) for kind, count in self.session.exec(query)]

    def state_replies_owed(self) -> list[StateReplyOwed]:
        query = (select(ActionRecord.country, DeadlineRecord.status, DeadlineRecord.due_at, DeadlineRecord.created_at,
                        DeadlineRecord.action_id, DeadlineRecord.stage)
                 .join(ActionRecord, ActionRecord.id == DeadlineRecord.action_id)
                 .where(DeadlineRecord.kind == DeadlineKind.STATE_REPLY.value,
                        DeadlineRecord.status != DeadlineStatus.CANCELLED.value))
        return [StateReplyOwed(*row) for row in self.session.exec(query)]

    def replies_received(self) -> dict[tuple[int, str], date]:
        """When each (action, stage)'s reply came in."""
        return {(r.action_id, r.stage): r.received_on for r in self.session.exec(select(ReplyRecord))}

    def first_dispatches(self) -> list[FirstDispatch]:
        """Each action with a dispatched letter: its type, opening and first dispatch."""
        query = (select(ActionRecord.type, ActionRecord.opened_at, sa.func.min(LetterRecord.dispatched_at))
                 .join(LetterRecord, LetterRecord.action_id == ActionRecord.id)
                 .where(LetterRecord.dispatched_at.is_not(None)).group_by(ActionRecord.id))
        return [FirstDispatch(*row) for row in self.session.exec(query)]

    # ------------------------------------------------------------ the annual report

    def report_actions(self, start: datetime, end: datetime) -> Iterator[ReportAction]:
        """One narrow row per action opened in [start, end), streamed: its first dispatch and
        first reply found by aggregates in SQL."""
        dispatch = (select(LetterRecord.action_id, sa.func.min(LetterRecord.dispatched_at).label("first"))
                    .where(LetterRecord.dispatched_at.is_not(None)).group_by(LetterRecord.action_id).subquery())
        reply = (select(ReplyRecord.action_id, sa.func.min(ReplyRecord.received_on).label("first"))
                 .group_by(ReplyRecord.action_id).subquery())
        outcome = ActionRecord.outcome  # how an action closed by hand ended (none: its last stage)
        query = (select(ActionRecord.type, ActionRecord.country, ActionRecord.status, outcome,
                        ActionRecord.opened_at, dispatch.c.first, reply.c.first)
                 .outerjoin(dispatch, dispatch.c.action_id == ActionRecord.id)
                 .outerjoin(reply, reply.c.action_id == ActionRecord.id)
                 .where(ActionRecord.opened_at >= start, ActionRecord.opened_at < end).order_by(ActionRecord.id))
        for type_, country, status, ended, opened_at, first_dispatch, first_reply in self.session.exec(query):
            yield ReportAction(type_, country, status, ended, opened_at, _aware(first_dispatch), _day(first_reply))

    def report_decisions(self, start: datetime, end: datetime) -> Iterator[ReportDecision]:
        """Each decision at a gate of an action opened in [start, end), with when that gate opened
        for the deciding organisation: its approval deadline's creation (one per gate, round and
        organisation, set as the gate opens)."""
        gate = (select(DeadlineRecord.action_id, DeadlineRecord.stage, DeadlineRecord.round,
                       DeadlineRecord.organisation, sa.func.min(DeadlineRecord.created_at).label("opened"))
                .where(DeadlineRecord.kind == DeadlineKind.APPROVAL_SLA.value)
                .group_by(DeadlineRecord.action_id, DeadlineRecord.stage, DeadlineRecord.round,
                          DeadlineRecord.organisation).subquery())
        query = (select(ActionRecord.type, ActionRecord.country, ApprovalRecord.organisation, gate.c.opened,
                        ApprovalRecord.decided_at)
                 .join(ApprovalRecord, ApprovalRecord.action_id == ActionRecord.id)
                 .join(gate, sa.and_(gate.c.action_id == ApprovalRecord.action_id, gate.c.stage == ApprovalRecord.stage,
                                     gate.c.round == ApprovalRecord.round,
                                     gate.c.organisation == ApprovalRecord.organisation))
                 .where(ActionRecord.opened_at >= start, ActionRecord.opened_at < end)
                 .order_by(ApprovalRecord.id))
        for type_, country, organisation, opened, decided_at in self.session.exec(query):
            gate_opened = _aware(opened)
            if gate_opened is not None:
                yield ReportDecision(type_, country, organisation, gate_opened, decided_at)

    # ------------------------------------------------------------ stored addresses (the doctor)

    def current_letter_fields(self, letters: Iterable[str]) -> list[LetterFieldValues]:
        """The current version's fields of every letter of these names, by action and letter."""
        names = set(letters)
        if not names:
            return []
        latest = (select(LetterVersionRecord.letter_id, sa.func.max(LetterVersionRecord.version).label("version"))
                  .group_by(LetterVersionRecord.letter_id).subquery())
        query = (select(ReferenceRecord.value, ActionRecord.type, LetterRecord.name, LetterRecord.cycle,
                        LetterVersionRecord.fields)
                 .join(LetterRecord, LetterRecord.action_id == ActionRecord.id)
                 .join(latest, latest.c.letter_id == LetterRecord.id)
                 .join(LetterVersionRecord, sa.and_(LetterVersionRecord.letter_id == LetterRecord.id,
                                                    LetterVersionRecord.version == latest.c.version))
                 .join(ReferenceRecord, sa.and_(ReferenceRecord.action_id == ActionRecord.id,
                                                ReferenceRecord.kind == ReferenceKind.JAM.value))
                 .where(LetterRecord.name.in_(names))
                 .order_by(ActionRecord.id, LetterRecord.id))
        return [LetterFieldValues(reference, type_, letter, cycle, dict(values or {}))
                for reference, type_, letter, cycle, values in self.session.exec(query)]

    def recipient_addresses(self) -> list[StoredAddress]:
        """The address book, by id."""
        return [StoredAddress(r.id, r.email, kind=r.kind, country=r.country)
                for r in self.session.exec(select(RecipientRecord).order_by(RecipientRecord.id))]

    def user_addresses(self) -> list[StoredAddress]:
        """The users, by id."""
        return [StoredAddress(u.id, u.email) for u in self.session.exec(select(UserRecord).order_by(UserRecord.id))]

    def queued_addresses(self) -> list[StoredAddress]:
        """The outbox rows not yet sent (pending or sending), by id, with their action's JAM reference."""
        query = (select(OutboxRecord, ReferenceRecord.value)
                 .outerjoin(ReferenceRecord, sa.and_(ReferenceRecord.action_id == OutboxRecord.action_id,
                                                     ReferenceRecord.kind == ReferenceKind.JAM.value))
                 .where(OutboxRecord.status.in_(("pending", "sending"))).order_by(OutboxRecord.id))
        return [StoredAddress(row.id, row.recipient, kind=row.kind, status=row.status, reference=reference)
                for row, reference in self.session.exec(query)]


def _aware(value: datetime | str | None) -> datetime | None:
    """An aggregate's time as the records give it: aware UTC (SQLite's MIN() may lose the column's type)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _day(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value
