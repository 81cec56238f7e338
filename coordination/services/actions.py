"""Joint actions' use cases: open, edit letters, submit, decide, skip, record replies, advance."""

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from coordination.adapters.scheduling import RunRequest
from coordination.adapters.unit_of_work import UnitOfWork
from coordination.bootstrap import App
from coordination.domain import ActionType, InvalidInput, JointAction, Ports, Status, User
from coordination.domain.letters import Letter, sha256_hex
from coordination.domain.text import is_blank

from .inputs import text
from .views import action_view, summary_view


def _parse(enum, value: str, what: str):  # type: ignore[no-untyped-def]
    try:
        return enum(value)
    except ValueError:
        raise InvalidInput(f"unknown {what} {value!r} (one of: {', '.join(e.value for e in enum)})") from None


def _ports(app: App, uow: UnitOfWork) -> Ports:
    """What the domain reaches outside through: business days, reference numbers, the address check."""
    return Ports(app.calendar, uow.numbers, app.addresses)


def _save(
    app: App, uow: UnitOfWork, action: JointAction, actor: User | None, *, now: datetime, opened: bool = False,
    then: Callable[[], None] | None = None,
) -> None:
    """Write the action and one audit event per domain event, then commit: all or nothing.

    `now` is the time the domain was given, so that the events' times are the rows' times.
    Then, if the action has automatic steps to run (or was just opened), ask for its next
    flow run; if Prefect cannot take it now, the reconciler starts it later.
    """
    uow.actions.save(action, now=now)
    if then is not None:  # more rows of the same transaction, which need the saved ids
        then()
    for event in action.events:
        organisation = actor.organisation.value if actor and event.actor == actor.email else None
        uow.audit.append(now=now, actor=event.actor or "system", organisation=organisation, event=event.name,
                         payload=event.payload(), action_id=action.id, subject=action.reference)
    action.events.clear()
    uow.commit()
    if opened or action.status is Status.READY:
        app.scheduler.request(RunRequest(action.id, action.reference, action.type.value, action.stage, action.round,
                                         ready=action.status is Status.READY))


def open_action(
    app: App, *, type: str, country: str, title: str, officer: str,
    language: str | None = None, beneficiaries: list[str] | None = None,
) -> JointAction:
    """Open a joint action; it gets its JAM reference and enters its first stage."""
    action_type = _parse(ActionType, type, "action type")
    text(app, "the title", title, required=False, lines=False)  # a missing one is the domain's refusal
    for name in beneficiaries or []:
        text(app, "a beneficiary's name", name, required=False, lines=False)
    now = app.clock()
    with app.uow() as uow:
        user = uow.users.require(officer)
        action = JointAction.open(
            type=action_type, country=country, title=title, officer=user, now=now,
            ports=_ports(app, uow), language=language, beneficiaries=beneficiaries or [],
        )
        _save(app, uow, action, user, now=now, opened=True)
    return action


def edit_letter(
    app: App, *, reference: str, field: str, value: str, editor: str, letter: str | None = None
) -> Letter:
    """Set one field of a draft letter, making a new version."""
    text(app, f"field {field!r}", value, required=False)
    now = app.clock()
    with app.uow() as uow:
        user = uow.users.require(editor)
        action = uow.actions.get(reference, for_update=True)
        edited = action.edit_letter(user, field=field, value=value, letter=letter, now=now,
                                    ports=_ports(app, uow))
        _save(app, uow, action, user, now=now)
    return edited


def edit_letter_fields(app: App, *, reference: str, letter: str, values: dict[str, str], editor: str) -> Letter | None:
    """Set the fields that changed, all in one transaction: a refused value writes none of them.

    Returns the letter, or None when nothing changed. The rules are the domain's, through
    the same `JointAction.edit_letter` and save as the `letter set` command.
    """
    now = app.clock()
    with app.uow() as uow:
        user = uow.users.require(editor)
        action = uow.actions.get(reference, for_update=True)
        target = action.letter(letter)
        spec = action.definition.letter(target.name)
        ports = _ports(app, uow)
        changed = False
        for f in spec.fields:
            if f.name not in values:
                continue
            value = values[f.name].replace("\r\n", "\n")
            current = target.current.fields.get(f.name)
            if value == (current or "") or (current is not None and value.strip() == current.strip()):
                continue
            text(app, f"field {f.name!r}", value, required=False)
            before = target.current
            target = action.edit_letter(user, field=f.name, value=value, letter=target.name, now=now,
                                        ports=ports)
            changed = changed or target.current is not before
        if not changed:
            return None
        _save(app, uow, action, user, now=now)
        return target


def _transition(app: App, reference: str, email: str, change) -> JointAction:  # type: ignore[no-untyped-def]
    now = app.clock()
    with app.uow() as uow:
        user = uow.users.require(email)
        action = uow.actions.get(reference, for_update=True)
        change(action, user, _ports(app, uow), now)
        _save(app, uow, action, user, now=now)
    return action


def submit_stage(app: App, *, reference: str, officer: str) -> JointAction:
    return _transition(app, reference, officer, lambda a, u, p, now: a.submit(u, now=now, ports=p))


def approve_stage(
    app: App, *, reference: str, supervisor: str, comment: str | None = None, seen: list[str] | None = None,
) -> tuple[JointAction, bool]:
    """Approve for the supervisor's organisation; returns the action and whether the gate was met.

    `seen`: the sha256 (or its first 12 characters) of each letter as the supervisor saw it;
    a decision on letters that changed since is refused (`StaleLetters`)."""
    comment = text(app, "the comment", comment, required=False)
    met: list[bool] = []
    action = _transition(app, reference, supervisor, lambda a, u, p, now: met.append(
        a.approve(u, now=now, ports=p, comment=comment, seen=seen)))
    return action, met[0]


def reject_stage(
    app: App, *, reference: str, supervisor: str, comment: str, seen: list[str] | None = None,
) -> JointAction:
    if is_blank(comment):
        raise InvalidInput("a rejection needs a comment saying what must change")
    text(app, "the comment", comment, required=False)
    return _transition(app, reference, supervisor,
                       lambda a, u, p, now: a.reject(u, comment=comment, now=now, seen=seen))


def skip_stage(app: App, *, reference: str, officer: str, reason: str) -> JointAction:
    text(app, "the reason", reason, required=False)  # a missing one is the domain's refusal
    return _transition(app, reference, officer, lambda a, u, p, now: a.skip(u, reason=reason, now=now, ports=p))


def record_reply(
    app: App, *, reference: str, officer: str, received_on: date, acknowledgement_only: bool = False
) -> JointAction:
    return _transition(app, reference, officer, lambda a, u, p, now: a.record_reply(
        u, received_on=received_on, acknowledgement_only=acknowledgement_only, now=now, ports=p))


@dataclass(frozen=True)
class Advanced:
    action: JointAction
    messages: int  # outbox rows written


def advance_action(app: App, *, reference: str | int) -> Advanced:
    """Run the automatic steps (dispatch, deadlines) up to the next wait; safe to run again."""
    with app.uow() as uow:
        action = uow.actions.get(reference, for_update=True)
        now = app.clock()
        address_book = uow.recipients.for_country(action.country)
        entries = action.advance(now=now, ports=_ports(app, uow), address_book=address_book)
        if not entries and not action.events:
            return Advanced(action, 0)

        def write_outbox() -> None:
            letters = {(l.name, l.cycle): l for l in action.letters}
            renditions, messages = [], []
            for letter in {(e.letter, e.cycle): letters[(e.letter, e.cycle)] for e in entries}.values():
                renditions.append(_freeze(app, uow, action, letter, address_book, now))
            for entry in entries:
                letter = letters[(entry.letter, entry.cycle)]
                version_id = letter.current.id
                message_id = f"<{sha256_hex(f'{version_id}:{entry.recipient.lower()}')[:32]}@{app.settings.mail_domain}>"
                uow.outbox.add(action_id=action.id, letter_version_id=version_id, recipient=entry.recipient,
                               recipient_kind=entry.recipient_kind, message_id=message_id, now=now)
                messages.append({"letter": letter.name, "cycle": letter.cycle, "version": letter.current.version,
                                 "message_id": message_id, "recipient_sha256": sha256_hex(entry.recipient)})
            if messages or renditions:
                # what was queued and frozen, as hashes: `audit verify` compares them with the tables
                uow.audit.append(now=now, actor="system", event="DispatchQueued", action_id=action.id,
                                 subject=action.reference,
                                 payload={"messages": messages, "renditions": [r for r in renditions if r]})

        _save(app, uow, action, None, now=now, then=write_outbox)
    return Advanced(action, len(entries))


def _freeze(app: App, uow: UnitOfWork, action: JointAction, letter: Letter, address_book, now) -> dict | None:  # type: ignore[no-untyped-def]
    """Store what is sent, once: a dispatched letter is never rendered again. Returns its hashes."""
    if uow.outbox.rendition(letter.current.id) is not None:
        return None
    text, html = (app.renderer.render(action, letter, on=now.date(), fmt=fmt, recipients=address_book, created=now)
                  for fmt in ("txt", "html"))
    uow.outbox.freeze_rendering(letter.current.id, subject=text.subject, text=text.text, html=html.text)
    return {"letter": letter.name, "cycle": letter.cycle, "version": letter.current.version,
            **rendition_hashes(text.subject, text.text, html.text)}


def rendition_hashes(subject: str, text: str, html: str) -> dict[str, str]:
    """The hashes the audit trail keeps of a frozen rendition."""
    return {"subject_sha256": sha256_hex(subject), "text_sha256": sha256_hex(text), "html_sha256": sha256_hex(html)}


def get_action(app: App, reference: str) -> dict:
    """Everything about one action, as `action show --json` prints it."""
    with app.uow(read_only=True) as uow:
        action = uow.actions.get(reference)
        return action_view(action, uow.audit.history(action.id), uow.outbox.for_action(action.id))


def list_actions(app: App, *, status: str | None = None, type: str | None = None) -> list[dict]:
    wanted_status = _parse(Status, status, "status") if status else None
    wanted_type = _parse(ActionType, type, "action type") if type else None
    with app.uow(read_only=True) as uow:
        return [summary_view(r, refs) for r, refs in uow.actions.find(status=wanted_status, type=wanted_type)]


@dataclass(frozen=True)
class LetterDocument:
    action: JointAction
    letter: Letter
    format: str
    language: str
    frozen: bool  # True: exactly what was dispatched
    content: str | bytes


def render_letter(
    app: App, *, reference: str, letter: str | None = None, fmt: str = "txt", language: str | None = None,
) -> LetterDocument:
    """A letter's current version as text, HTML or PDF; a dispatched letter as it was sent."""
    if fmt not in ("txt", "html", "pdf"):
        raise InvalidInput(f"unknown format {fmt!r} (one of: txt, html, pdf)")
    with app.uow(read_only=True) as uow:
        action = uow.actions.get(reference)
        chosen = action.letter_to_show(letter)
        frozen = uow.outbox.rendition(chosen.current.id) if chosen.dispatched_at else None
        as_sent = frozen is not None and language in (None, chosen.language)
        address_book = [] if as_sent else uow.recipients.for_country(action.country)
    if as_sent:  # exactly what was sent
        content = {"txt": frozen.rendered_text, "html": frozen.rendered_html}.get(fmt)
        if fmt == "pdf":
            content = app.renderer.pdf(frozen.rendered_html)
        return LetterDocument(action, chosen, fmt, chosen.language, True, content)
    on = app.clock().date()
    rendered = app.renderer.render(action, chosen, on=on, fmt="txt" if fmt == "txt" else "html",
                                   language=language, recipients=address_book)
    content = app.renderer.pdf(rendered.text) if fmt == "pdf" else rendered.text
    return LetterDocument(action, chosen, fmt, rendered.language, False, content)


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str | None
    after: str | None
    diff: list[str]


def diff_letter(
    app: App, *, reference: str, letter: str, from_version: int | None = None, to_version: int | None = None,
) -> tuple[Letter, int, int, list[FieldChange]]:
    """What changed in a letter between two versions, field by field (default: the last edit)."""
    with app.uow(read_only=True) as uow:
        chosen = uow.actions.get(reference).letter(letter)
    versions = {v.version: v for v in chosen.versions}
    for v in (from_version, to_version):  # what the user asked for is checked before any default
        if v is not None and v not in versions:
            raise InvalidInput(f"letter {letter!r} has versions 1 to {chosen.current.version}, not {v}")
    to_version = chosen.current.version if to_version is None else to_version
    from_version = max(1, to_version - 1) if from_version is None else from_version
    if from_version > to_version:
        raise InvalidInput(f"--from ({from_version}) must not be after --to ({to_version})")
    before, after = versions[from_version].fields, versions[to_version].fields
    changes = []
    for name in after:
        if before.get(name) != after.get(name):
            lines = difflib.unified_diff((before.get(name) or "").splitlines(), (after.get(name) or "").splitlines(),
                                         f"{name} (v{from_version})", f"{name} (v{to_version})", lineterm="")
            changes.append(FieldChange(name, before.get(name), after.get(name), list(lines)))
    return chosen, from_version, to_version, changes
