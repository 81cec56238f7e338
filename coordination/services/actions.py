"""Joint actions' use cases: open, edit letters, submit, decide, skip, record replies, advance.

Each takes what the person asked for, then (keyword-only) the ports it needs: `uow` opens a
unit of work, `clock` tells the time, `scheduler` starts flow runs, `renderer` makes letters,
`calendar` and `addresses` are the domain's ports, `settings` the bounds. The composition root
gives these (`app.services.open_action(type=…, …)`); tests give fakes.
"""

import difflib
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from coordination.config import Settings
from coordination.domain import (
    DEFINITIONS,
    ActionType,
    Approval,
    InvalidInput,
    InvalidState,
    JointAction,
    Ports,
    Status,
    User,
)
from coordination.domain.bounds import MAX_PER_PAGE, PER_PAGE
from coordination.domain.countries import DEFAULT_LANGUAGE
from coordination.domain.letters import Letter, sha256_hex
from coordination.domain.ports import AddressCheck, BusinessCalendar
from coordination.domain.text import is_blank
from coordination.domain.vocabulary import TEMPLATE_FORMATS, LetterFormat

from .inputs import choice, text
from .ports import ActionFilters, Clock, Renderer, RunRequest, Scheduler, UnitOfWork, UnitsOfWork
from .signing import signer_directory, signers_to_show
from .views import action_view, summary_view


def schedule(scheduler: Scheduler, runs: Iterable[RunRequest]) -> None:
    """Hand the flow runs a commit called for to the scheduler (if it cannot take one now,
    the reconciler starts it later)."""
    for run in runs:
        scheduler.request(run)


def stored(value: int | None) -> int:
    """The id of a loaded or saved row (the domain's objects have none until they are saved)."""
    if value is None:
        raise InvalidState("an object that was never saved has no id")
    return value


def _domain_ports(uow: UnitOfWork, calendar: BusinessCalendar, addresses: AddressCheck) -> Ports:
    """What the domain reaches outside through: business days, reference numbers, the address check,
    and who holds each mandate on a day (the signers bound to letters going to their gate)."""
    return Ports(calendar, uow.numbers, addresses, signer_directory(uow))


def open_action(
    *, type: str, country: str, title: str, officer: str, language: str | None = None,
    beneficiaries: list[str] | None = None,
    uow: UnitsOfWork, clock: Clock, scheduler: Scheduler, calendar: BusinessCalendar, addresses: AddressCheck,
    settings: Settings,
) -> JointAction:
    """Open a joint action; it gets its JAM reference and enters its first stage."""
    action_type = choice(ActionType, type, "action type", field="type")
    text(settings, "the title", title, required=False, lines=False)  # a missing one is the domain's refusal
    for name in beneficiaries or []:
        text(settings, "a beneficiary's name", name, required=False, lines=False)
    now = clock()
    with uow() as tx:
        user = tx.users.require(officer)
        action = JointAction.open(
            type=action_type, country=country, title=title, officer=user, now=now,
            ports=_domain_ports(tx, calendar, addresses), language=language, beneficiaries=beneficiaries or [],
        )
        tx.actions.save(action, now=now, by=user)
        schedule(scheduler, tx.commit())
    return action


@dataclass(frozen=True)
class Edited:
    """A letter edit: the letter as it now stands, and the approvals the edit voided (their
    approvers): an edit at the gate sends the letters back to both organisations' decision."""

    letter: Letter
    voided: tuple[str, ...] = ()


def _standing(action: JointAction) -> list[Approval]:
    """The approvals that stand (the domain voids them in place when an edit reopens the gate)."""
    return [a for a in action.approvals if not a.void]


def _voided(standing: list[Approval]) -> tuple[str, ...]:
    """Of the approvals that stood before an edit, the approvers of those it voided."""
    return tuple(a.approver for a in standing if a.void)


def edit_letter(
    *, reference: str, field: str, value: str, editor: str, letter: str | None = None,
    uow: UnitsOfWork, clock: Clock, scheduler: Scheduler, calendar: BusinessCalendar, addresses: AddressCheck,
    settings: Settings,
) -> Edited:
    """Set one field of a draft letter, making a new version."""
    text(settings, f"field {field!r}", value, required=False)
    now = clock()
    with uow() as tx:
        user = tx.users.require(editor)
        action = tx.actions.get(reference, for_update=True)
        standing = _standing(action)
        edited = action.edit_letter(user, field=field, value=value, letter=letter, now=now,
                                    ports=_domain_ports(tx, calendar, addresses))
        tx.actions.save(action, now=now, by=user)
        schedule(scheduler, tx.commit())
    return Edited(edited, _voided(standing))


def edit_letter_fields(
    *, reference: str, letter: str | None, values: dict[str, str], editor: str,
    uow: UnitsOfWork, clock: Clock, scheduler: Scheduler, calendar: BusinessCalendar, addresses: AddressCheck,
    settings: Settings,
) -> Edited | None:
    """Set the fields that changed, as one new version of the letter (a form saved once is one
    version): a refused value writes none of them.

    Returns the edit, or None when nothing changed. The rules are the domain's, through
    `JointAction.edit_letter_fields`, which the `letter set` command's `edit_letter` also uses.
    """
    now = clock()
    with uow() as tx:
        user = tx.users.require(editor)
        action = tx.actions.get(reference, for_update=True)
        target = action.letter(letter) if letter is not None else action.letter_to_edit(None)
        spec = action.definition.letter(target.name)
        ports = _domain_ports(tx, calendar, addresses)
        unknown = {name: value for name, value in values.items() if spec.field(name) is None}
        if unknown:  # the domain refuses a field the letter does not have (and so writes nothing)
            action.edit_letter_fields(user, values=unknown, letter=target.name, now=now, ports=ports)
        standing = _standing(action)
        changed: dict[str, str] = {}
        for f in spec.fields:
            if f.name not in values:
                continue
            value = values[f.name].replace("\r\n", "\n")
            current = target.current.fields.get(f.name)
            if value == (current or "") or (current is not None and value.strip() == current.strip()):
                continue
            text(settings, f"field {f.name!r}", value, required=False)
            changed[f.name] = value
        before = target.current
        if changed:
            target = action.edit_letter_fields(user, values=changed, letter=target.name, now=now, ports=ports)
        if target.current is before:
            return None
        tx.actions.save(action, now=now, by=user)
        schedule(scheduler, tx.commit())
        return Edited(target, _voided(standing))


@dataclass(frozen=True)
class Decided:
    """An approval: the action as it now stands, whether the gate was met by it, and the
    references the gate assigned (the type's own, such as "UA HND 1/2026")."""

    action: JointAction
    gate_met: bool
    assigned: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[Any]:
        """`action, met = approve_stage(…)`."""
        return iter((self.action, self.gate_met))


def _change(
    reference: str, email: str, change: Callable[[JointAction, User, Ports, datetime], Any], *,
    uow: UnitsOfWork, clock: Clock, scheduler: Scheduler, calendar: BusinessCalendar, addresses: AddressCheck,
) -> tuple[JointAction, Any]:
    """One person's change to one action, in one unit of work: load it locked, let the domain
    decide, save it, commit (its events become audit rows) and start the flow run it calls for."""
    now = clock()
    with uow() as tx:
        user = tx.users.require(email)
        action = tx.actions.get(reference, for_update=True)
        result = change(action, user, _domain_ports(tx, calendar, addresses), now)
        tx.actions.save(action, now=now, by=user)
        schedule(scheduler, tx.commit())
    return action, result


def submit_stage(
    *, reference: str, officer: str,
    uow: UnitsOfWork, clock: Clock, scheduler: Scheduler, calendar: BusinessCalendar, addresses: AddressCheck,
) -> JointAction:
    """Submit the stage's letters for the supervisors' decisions."""
    action, _ = _change(reference, officer, lambda a, u, p, now: a.submit(u, now=now, ports=p),
                        uow=uow, clock=clock, scheduler=scheduler, calendar=calendar, addresses=addresses)
    return action


def approve_stage(
    *, reference: str, supervisor: str, comment: str | None = None, seen: list[str] | None = None,
    uow: UnitsOfWork, clock: Clock, scheduler: Scheduler, calendar: BusinessCalendar, addresses: AddressCheck,
    settings: Settings,
) -> Decided:
    """Approve for the supervisor's organisation; says whether the gate was met.

    `seen`: the sha256 (or its first 12 characters) of each letter as the supervisor saw it;
    a decision on letters that changed since is refused (`StaleLetters`)."""
    comment = text(settings, "the comment", comment, required=False)

    def approve(a: JointAction, u: User, p: Ports, now: datetime) -> tuple[bool, tuple[str, ...]]:
        known = {r.value for r in a.references}
        met = a.approve(u, now=now, ports=p, comment=comment, seen=seen)
        return met, tuple(r.value for r in a.references if r.value not in known)

    action, (met, assigned) = _change(reference, supervisor, approve, uow=uow, clock=clock, scheduler=scheduler,
                                      calendar=calendar, addresses=addresses)
    return Decided(action, bool(met), assigned)


def reject_stage(
    *, reference: str, supervisor: str, comment: str, seen: list[str] | None = None,
    uow: UnitsOfWork, clock: Clock, scheduler: Scheduler, calendar: BusinessCalendar, addresses: AddressCheck,
    settings: Settings,
) -> JointAction:
    """Reject for the supervisor's organisation, saying what must change: the stage goes back to draft."""
    if is_blank(comment):
        raise InvalidInput("a rejection needs a comment saying what must change")
    text(settings, "the comment", comment, required=False)
    action, _ = _change(reference, supervisor,
                        lambda a, u, p, now: a.reject(u, comment=comment, now=now, seen=seen),
                        uow=uow, clock=clock, scheduler=scheduler, calendar=calendar, addresses=addresses)
    return action


def skip_stage(
    *, reference: str, officer: str, reason: str,
    uow: UnitsOfWork, clock: Clock, scheduler: Scheduler, calendar: BusinessCalendar, addresses: AddressCheck,
    settings: Settings,
) -> JointAction:
    """Skip an optional stage, with the reason."""
    text(settings, "the reason", reason, required=False)  # a missing one is the domain's refusal
    action, _ = _change(reference, officer, lambda a, u, p, now: a.skip(u, reason=reason, now=now, ports=p),
                        uow=uow, clock=clock, scheduler=scheduler, calendar=calendar, addresses=addresses)
    return action


def record_reply(
    *, reference: str, officer: str, received_on: date, acknowledgement_only: bool = False,
    uow: UnitsOfWork, clock: Clock, scheduler: Scheduler, calendar: BusinessCalendar, addresses: AddressCheck,
) -> JointAction:
    """Record the State's reply (or its acknowledgement only)."""
    action, _ = _change(reference, officer, lambda a, u, p, now: a.record_reply(
        u, received_on=received_on, acknowledgement_only=acknowledgement_only, now=now, ports=p),
        uow=uow, clock=clock, scheduler=scheduler, calendar=calendar, addresses=addresses)
    return action


@dataclass(frozen=True)
class Advanced:
    action: JointAction
    messages: int  # outbox rows written


def resolve(reference: str, *, uow: UnitsOfWork) -> int:
    """The id of the action a person names by reference (JAM, or its type's own)."""
    with uow(read_only=True) as tx:
        return int(tx.actions.find_id(reference))


def advance_action(
    *, reference: str,
    uow: UnitsOfWork, clock: Clock, scheduler: Scheduler, calendar: BusinessCalendar, addresses: AddressCheck,
    renderer: Renderer, settings: Settings,
) -> Advanced:
    """`run_automatic_steps` for the action a person names by reference."""
    return run_automatic_steps(resolve(reference, uow=uow), uow=uow, clock=clock, scheduler=scheduler,
                               calendar=calendar, addresses=addresses, renderer=renderer, settings=settings,
                               why="advanced by hand")


def run_automatic_steps(
    action_id: int, *, expected_type: ActionType | None = None,
    uow: UnitsOfWork, clock: Clock, scheduler: Scheduler, calendar: BusinessCalendar, addresses: AddressCheck,
    renderer: Renderer, settings: Settings, why: str = "a run succeeded",
) -> Advanced:
    """Run the automatic steps (dispatch, deadlines) up to the next wait; safe to run again.

    `expected_type`: the flow's own type; an action of another type is refused before anything is written.
    Once they ran, the count of their failed runs is cleared (`why`: in the audit trail)."""
    with uow() as tx:
        action = tx.actions.get_by_id(action_id, for_update=True)
        if expected_type is not None and action.type is not expected_type:
            raise InvalidState(f"action {action_id} is a {action.type.value}, not a {expected_type.value}")
        now = clock()
        address_book = tx.recipients.for_country(action.country)
        entries = action.advance(now=now, ports=_domain_ports(tx, calendar, addresses), address_book=address_book)
        action.resume_automatic_steps(None, why)
        if not entries and not action.events:
            return Advanced(action, 0)
        tx.actions.save(action, now=now)  # the letters' versions get their ids, which the outbox rows name
        letters = {(l.name, l.cycle): l for l in action.letters}
        renditions, messages = [], []
        for letter in {(e.letter, e.cycle): letters[(e.letter, e.cycle)] for e in entries}.values():
            renditions.append(_freeze(tx, renderer, action, letter, address_book, now))
        for entry in entries:
            letter = letters[(entry.letter, entry.cycle)]
            version_id = stored(letter.current.id)
            message_id = f"<{sha256_hex(f'{version_id}:{entry.recipient.lower()}')[:32]}@{settings.mail_domain}>"
            tx.outbox.add(action_id=stored(action.id), letter_version_id=version_id, recipient=entry.recipient,
                          recipient_kind=entry.recipient_kind, message_id=message_id, now=now)
            messages.append({"letter": letter.name, "cycle": letter.cycle, "version": letter.current.version,
                             "message_id": message_id, "recipient_sha256": sha256_hex(entry.recipient)})
        if messages or renditions:
            # what was queued and frozen, as hashes: `audit verify` compares them with the tables
            tx.audit.append(now=now, actor="system", event="DispatchQueued", action_id=action.id,
                            subject=action.reference,
                            payload={"messages": messages, "renditions": [r for r in renditions if r]})
        schedule(scheduler, tx.commit())
    return Advanced(action, len(entries))


def _freeze(
    tx: UnitOfWork, renderer: Renderer, action: JointAction, letter: Letter, address_book: Any, now: datetime,
) -> dict[str, Any] | None:
    """Store what is sent, once: a dispatched letter is never rendered again. Returns its hashes."""
    if tx.outbox.rendition(stored(letter.current.id)) is not None:
        return None
    signers = signers_to_show(tx, action, letter, now.date(), sending=True)  # an approved letter's: those of its version
    text, html = (renderer.render(action, letter, on=now.date(), fmt=fmt, recipients=address_book, created=now,
                                  signers=signers)
                  for fmt in TEMPLATE_FORMATS)
    # the PDF is made once, here, and kept: every message attaches it and a download gives it;
    # its sha256 lets anyone check a copy against what was dispatched
    pdf = renderer.pdf(html.text)
    pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    tx.outbox.freeze_rendering(stored(letter.current.id), subject=text.subject, text=text.text, html=html.text,
                               pdf=pdf)
    return {"letter": letter.name, "cycle": letter.cycle, "version": letter.current.version,
            **rendition_hashes(text.subject, text.text, html.text), "pdf_sha256": pdf_sha256}


def dispatched_pdf_sha256s(tx: UnitOfWork, action: JointAction) -> dict[int, str]:
    """The PDF sha256 recorded at dispatch for each dispatched current letter, by version id."""
    return tx.outbox.pdf_sha256s([stored(l.current.id) for l in action.current_letters if l.dispatched_at])


def rendition_hashes(subject: str, text: str, html: str) -> dict[str, str]:
    """The hashes the audit trail keeps of a frozen rendition."""
    return {"subject_sha256": sha256_hex(subject), "text_sha256": sha256_hex(text), "html_sha256": sha256_hex(html)}


def get_action(reference: str, *, uow: UnitsOfWork) -> dict[str, Any]:
    """Everything about one action, as `action show --json` prints it."""
    with uow(read_only=True) as tx:
        action = tx.actions.get(reference)
        return action_view(action, tx.audit.history(stored(action.id)), tx.outbox.for_action(stored(action.id)),
                           pdf_sha256=dispatched_pdf_sha256s(tx, action))


MAX_SEARCH = 200  # characters of a search


@dataclass(frozen=True)
class ActionList:
    """One page of the actions a search found, and how many it found in all."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def stage_names(type: ActionType | None = None) -> list[str]:
    """The stages of this action type (or of every type), in order, each once."""
    types = [type] if type else list(DEFINITIONS)
    return list(dict.fromkeys(stage.name for t in types for stage in DEFINITIONS[t].stages))


def list_actions(
    *, status: str | None = None, type: str | None = None, stage: str | None = None, country: str | None = None,
    search: str | None = None, page: int = 1, per_page: int = PER_PAGE, uow: UnitsOfWork,
) -> ActionList:
    """A page of the actions, oldest first, of a status, type, stage and State, matching `search`
    (a reference, the State's code or name, a beneficiary, the title or a letter's current field
    values); a value outside its vocabulary is refused with the choices."""
    wanted_status = choice(Status, status, "status") if status else None
    wanted_type = choice(ActionType, type, "action type", field="type") if type else None
    if stage and stage not in stage_names(wanted_type):
        raise InvalidInput.unknown("stage", stage, stage_names(wanted_type))
    state = country.strip().upper() if country else None
    if state and state not in DEFAULT_LANGUAGE:
        raise InvalidInput.unknown("country", country, sorted(DEFAULT_LANGUAGE))
    if not 1 <= page <= 10**6:
        raise InvalidInput(f"there is no page {page}", field="page", value=page)
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"a page holds 1 to {MAX_PER_PAGE} actions, not {per_page}", field="per_page",
                           value=per_page)
    wanted = " ".join((search or "").split())
    if len(wanted) > MAX_SEARCH:
        raise InvalidInput(f"a search is at most {MAX_SEARCH} characters", field="search", value=wanted[:20])
    filters = ActionFilters(status=wanted_status.value if wanted_status else None,
                            type=wanted_type.value if wanted_type else None, stage=stage or None, country=state,
                            text=wanted or None)
    with uow(read_only=True) as tx:
        total, rows = tx.queries.search_actions(filters, offset=(page - 1) * per_page, limit=per_page)
    return ActionList([summary_view(r, refs) for r, refs in rows], total, page, per_page)


@dataclass(frozen=True)
class LetterDocument:
    action: JointAction
    letter: Letter
    format: str
    language: str
    frozen: bool  # True: exactly what was dispatched
    content: str | bytes


def render_letter(
    *, reference: str, letter: str | None = None, fmt: str = LetterFormat.TXT.value, language: str | None = None,
    uow: UnitsOfWork, clock: Clock, renderer: Renderer,
) -> LetterDocument:
    """A letter's current version as text, HTML or PDF; a dispatched letter as it was sent."""
    fmt = choice(LetterFormat, fmt, "format")
    with uow(read_only=True) as tx:
        action = tx.actions.get(reference)
        chosen = action.letter_to_show(letter)
        frozen = tx.outbox.rendition(stored(chosen.current.id)) if chosen.dispatched_at else None
        as_sent = frozen is not None and language in (None, chosen.language)
        address_book = [] if as_sent else tx.recipients.for_country(action.country)
        on = clock().date()
        signers = [] if as_sent else signers_to_show(tx, action, chosen, on)
        kept = tx.outbox.frozen_pdfs([stored(chosen.current.id)]) if as_sent and fmt is LetterFormat.PDF else {}
    if as_sent and frozen is not None:  # exactly what was sent: the PDF kept at dispatch (made again if older)
        content: str | bytes = (kept.get(stored(chosen.current.id)) or renderer.pdf(frozen.html)) \
            if fmt is LetterFormat.PDF else (frozen.text if fmt is LetterFormat.TXT else frozen.html)
        return LetterDocument(action, chosen, fmt, chosen.language, True, content)
    rendered = renderer.render(action, chosen, on=on, fmt=LetterFormat.HTML if fmt is LetterFormat.PDF else fmt,
                               language=language, recipients=address_book,
                               signers=signers)  # a PDF is made from the HTML
    content = renderer.pdf(rendered.text) if fmt is LetterFormat.PDF else rendered.text
    return LetterDocument(action, chosen, fmt, rendered.language, False, content)


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str | None
    after: str | None
    diff: list[str]


def diff_letter(
    *, reference: str, letter: str, from_version: int | None = None, to_version: int | None = None,
    uow: UnitsOfWork,
) -> tuple[Letter, int, int, list[FieldChange]]:
    """What changed in a letter between two versions, field by field (default: the last edit)."""
    with uow(read_only=True) as tx:
        chosen = tx.actions.get(reference).letter(letter)
    return (chosen, *letter_changes(chosen, from_version, to_version))


def _signer_lines(signers: Iterable[dict[str, Any]] | None) -> str | None:
    """A version's bound signers as lines ("defenders: Ana Example"), for diffs."""
    return None if signers is None else "\n".join(f"{s['mandate']}: {s['name']}" for s in signers)


def letter_changes(
    letter: Letter, from_version: int | None = None, to_version: int | None = None,
) -> tuple[int, int, list[FieldChange]]:
    """What changed in a loaded letter between two of its versions, field by field (default: the last edit)."""
    versions = {v.version: v for v in letter.versions}
    for v in (from_version, to_version):  # what the user asked for is checked before any default
        if v is not None and v not in versions:
            raise InvalidInput(f"letter {letter.name!r} has versions 1 to {letter.current.version}, not {v}",
                               field="from_version" if v == from_version else "to_version", value=v,
                               letter=letter.name, facts={"versions": letter.current.version})
    to_version = letter.current.version if to_version is None else to_version
    from_version = max(1, to_version - 1) if from_version is None else from_version
    if from_version > to_version:
        raise InvalidInput(f"the older version ({from_version}) must not be after the newer ({to_version})",
                           field="from_version", value=from_version, letter=letter.name,
                           facts={"to_version": to_version})
    before, after = dict(versions[from_version].fields), dict(versions[to_version].fields)
    # who signs, once bound (by the system, when the letter went to its gate), reads as one more field
    before["signers"], after["signers"] = (_signer_lines(versions[n].signers) for n in (from_version, to_version))
    changes = []
    for name in after:
        if before.get(name) != after.get(name):
            lines = difflib.unified_diff((before.get(name) or "").splitlines(), (after.get(name) or "").splitlines(),
                                         f"{name} (v{from_version})", f"{name} (v{to_version})", lineterm="")
            changes.append(FieldChange(name, before.get(name), after.get(name), list(lines)))
    return from_version, to_version, changes
