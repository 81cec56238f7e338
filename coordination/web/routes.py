"""The pages and forms. Every POST checks the session, then the CSRF token, then calls a service."""

import re
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from coordination import services
from coordination.bootstrap import App
from coordination.domain import (
    CoordinationError,
    Decision,
    InvalidInput,
    NotFound,
    Role,
    StaleLetters,
    Status,
    User,
)
from coordination.domain.bounds import ascii_int, parse_date
from coordination.domain.vocabulary import INTERFACE_LANGUAGES, LetterFormat

from .app import CsrfRefused, SignInRequired, language, render, session_user, status_of
from coordination.services import accounts, sessions
from coordination.services.inbox import action_page, casework, gates_awaiting
from coordination.services.overview import overview

from .errors import describe
from .forms import new_action_choices
from .i18n import label, translator

router = APIRouter()


def core(request: Request) -> App:
    return request.app.state.core


def signed_in(request: Request) -> User:
    """The signed-in user (a dependency run in the thread pool: it reads the session row)."""
    user = session_user(request)
    if user is None:  # no session, or it ended: signed out, expired, idle, user disabled
        request.session.pop("sid", None)
        raise SignInRequired()
    request.state.user = user
    return user


async def check_csrf(request: Request) -> None:
    form = await request.form()
    token, expected = form.get("csrf_token"), request.session.get("csrf")
    if not isinstance(token, str) or not expected or not accounts.same(token, expected):
        raise CsrfRefused()


async def acting(request: Request) -> User:
    """A form's sender: signed in first (401), then the form's CSRF token (403)."""
    user = await run_in_threadpool(signed_in, request)
    await check_csrf(request)
    return user


def _local(target: str | None) -> str:
    """Only paths of this site: never an open redirect (nor a backslash, which browsers read as a
    slash, nor a control character), and nothing urlsplit cannot read."""
    target = target or "/"
    if not target.startswith("/") or target.startswith("//") or "\\" in target \
            or any(ord(c) < 32 or ord(c) == 127 for c in target) or len(target) > 2000:
        return "/"
    try:
        parts = urlsplit(target)
    except ValueError:
        return "/"
    return "/" if parts.scheme or parts.netloc else target


def _done(request: Request, message: str, to: str) -> RedirectResponse:
    request.session["flash"] = message
    return RedirectResponse(to, status_code=303)


# ---------------------------------------------------------------- signing in and out, language

def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.get("/sign-in")
def sign_in_page(request: Request, next: str = "/") -> Response:
    if session_user(request) is not None:
        return RedirectResponse(_local(next), status_code=303)
    return render(request, "sign_in.html", {"next": _local(next)})


@router.post("/sign-in", dependencies=[Depends(check_csrf)])
def sign_in(request: Request, email: str = Form(""), password: str = Form(""), next: str = Form("/")) -> Response:
    try:
        signed = accounts.sign_in(core(request), email=email, password=password, client=_client(request))
    except accounts.SignInRefused as error:  # the same answer for accounts that exist and those that do not
        return _sign_in_refused(request, error, {"email": email, "next": _local(next)})
    lang = request.session.get("lang")
    request.session.clear()  # a new session: nothing carried over from before signing in
    request.session.update(sid=signed.token, lang=signed.language or lang)
    return RedirectResponse(_local(next), status_code=303)


def _sign_in_refused(request: Request, error: "accounts.SignInRefused", context: dict,
                     page: str = "sign_in.html") -> Response:
    t = translator_for(request)
    if error.retry_after is None:
        message = t(str(error))
    else:
        message = t("Too many failed sign-ins: try again in {seconds} seconds.").format(seconds=error.retry_after)
    response = render(request, page, {**context, "error": message}, status=status_of(error))
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


@router.post("/sign-out")
def sign_out(request: Request, user: User = Depends(acting)) -> Response:
    sessions.end_session(core(request), request.session.get("sid"))  # every copy of the cookie is signed out
    request.session.clear()
    return RedirectResponse("/sign-in", status_code=303)


@router.post("/language", dependencies=[Depends(check_csrf)])
def choose_language(request: Request, lang: str = Form(...), next: str = Form("/")) -> Response:
    if lang not in INTERFACE_LANGUAGES:
        raise InvalidInput.unknown("language", lang, INTERFACE_LANGUAGES, field="lang")
    request.session["lang"] = lang
    user = session_user(request)
    if user is not None:
        accounts.set_language(core(request), user=user, language=lang)
    return RedirectResponse(_local(next), status_code=303)


def translator_for(request: Request):  # type: ignore[no-untyped-def]
    return translator(language(request))


# ---------------------------------------------------------------- the account page

@router.get("/account")
def account(request: Request, user: User = Depends(signed_in)) -> Response:
    return render(request, "account.html", {"calendar": accounts.calendar_address(core(request), user)})


@router.post("/account/sign-out-everywhere")
def sign_out_everywhere(request: Request, user: User = Depends(acting)) -> Response:
    sessions.sign_out_everywhere(core(request), email=user.email, actor=user.email)
    lang, t = request.session.get("lang"), translator_for(request)
    request.session.clear()
    request.session.update(lang=lang, flash=t("You are signed out everywhere."))
    return RedirectResponse("/sign-in", status_code=303)


@router.post("/account/calendar")
def renew_calendar(request: Request, user: User = Depends(acting)) -> Response:
    accounts.renew_calendar(core(request), email=user.email, actor=user.email)
    return _done(request, translator_for(request)(
        "Your calendar has a new address: subscribe to it again; the old one no longer works."), "/account")


@router.post("/account/password")
def change_password(request: Request, current_password: str = Form(""), new_password: str = Form(""),
                    confirm_password: str = Form(""), user: User = Depends(acting)) -> Response:
    app = core(request)
    t = translator_for(request)
    try:
        if new_password != confirm_password:
            raise InvalidInput(t("The new password and its confirmation differ."))
        token = accounts.change_password(app, user=user, current=current_password, new=new_password,
                                         client=_client(request))
    except accounts.SignInRefused as error:
        return _sign_in_refused(request, error, {"calendar": accounts.calendar_address(app, user)}, "account.html")
    except CoordinationError as error:
        return render(request, "account.html", {"calendar": accounts.calendar_address(app, user),
                                                "error": describe(error, t)}, status=status_of(error))
    request.session["sid"] = token  # every other session of this user has ended
    return _done(request, t("Your password is changed; your other sessions are signed out."), "/account")


# ---------------------------------------------------------------- inbox, lists, overview

@router.get("/")
def inbox(request: Request, user: User = Depends(signed_in)) -> Response:
    app = core(request)
    now = app.clock()
    gates = gates_awaiting(app, user, now) if user.role is Role.SUPERVISOR else []
    mine, due = casework(app, user, now)
    calendar = accounts.calendar_address(app, user)
    return render(request, "inbox.html", {"gates": gates, "mine": mine, "due": due, "now": now, "calendar": calendar})


CALENDAR_TOKEN = re.compile(r"[A-Za-z0-9_.~-]{1,200}")  # ASCII only: a calendar address's alphabet


@router.get("/calendar/{token}.ics")
def calendar_feed(request: Request, token: str) -> Response:
    """A person's deadlines as iCalendar, for calendar programs to subscribe to: the address
    is the secret (no sign-in, which a calendar program cannot do); unknown ones are 404."""
    app = core(request)
    owner = accounts.calendar_owner(app, token) if CALENDAR_TOKEN.fullmatch(token) else None
    if owner is None:
        return Response("unknown calendar\n", status_code=404, media_type="text/plain")
    return Response(app.services.calendar_feed(user=owner), media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, no-store"})


@router.get("/actions")
def actions(request: Request, status: str | None = None, user: User = Depends(signed_in)) -> Response:
    rows = core(request).services.list_actions(status=status or None)
    return render(request, "actions.html", {"rows": rows, "status": status, "statuses": [s.value for s in Status]})


@router.get("/overview")
def overview_page(request: Request, user: User = Depends(signed_in)) -> Response:
    app = core(request)
    return render(request, "overview.html", {"o": overview(app, app.clock())})


# ---------------------------------------------------------------- opening an action

@router.get("/actions/new")
def new_action(request: Request, user: User = Depends(signed_in)) -> Response:
    return render(request, "new_action.html", {**new_action_choices(), "form": {}})


@router.post("/actions")
def open_action(
    request: Request, user: User = Depends(acting), type: str = Form(...), country: str = Form(...),
    title: str = Form(...), language: str = Form(""), beneficiaries: str = Form(""),
) -> Response:
    names = [line.strip() for line in beneficiaries.splitlines() if line.strip()]
    try:
        action = core(request).services.open_action(type=type, country=country, title=title, officer=user.email,
                                      language=language or None, beneficiaries=names)
    except CoordinationError as error:
        form = {"type": type, "country": country, "title": title, "language": language, "beneficiaries": beneficiaries}
        return render(request, "new_action.html", {**new_action_choices(type), "form": form,
                                                   "error": describe(error, translator_for(request))},
                      status=status_of(error))
    t = translator_for(request)
    return _done(request, t("Opened {reference}.").format(reference=action.reference), f"/actions/{action.reference}")


# ---------------------------------------------------------------- the action page

def show_action(request: Request, user: User, reference: str, *, error: str | None = None, status: int = 200,
                form: dict | None = None, diff: str | None = None, diff_from: int | None = None,
                since: dict[str, int] | None = None) -> Response:
    """The action page; `since` shows each named letter's changes from the version given (a stale decision)."""
    app = core(request)
    action, view = action_page(app, reference)
    letters = action.current_letters
    seen = accounts.letters_seen(app, user=user, letter_ids=[l.id for l in letters if l.id is not None])
    changes = {}
    decided = [a.decided_at for a in action.approvals if a.approver == user.email]
    for letter in letters:
        current = letter.current.version
        base = diff_from if diff == letter.name else max((v for v in seen.get(letter.id, ()) if v < current),
                                                         default=None)
        if since and letter.name in since:
            base = since[letter.name]
        if base is None and diff != letter.name and decided:  # decided elsewhere (CLI, email link) before an edit
            base = max((v.version for v in letter.versions if v.created_at <= max(decided)), default=None)
        if base is not None and base < current:
            try:
                _, old, new, fields = app.services.diff_letter(reference=action.reference, letter=letter.name,
                                                           from_version=base, to_version=current)
                changes[letter.name] = (old, new, fields, diff == letter.name)
            except CoordinationError:
                pass  # a version asked for in the address that does not exist: no diff shown
    if status == 200:
        accounts.record_letters_seen(app, user=user, versions=[
            (l.id, l.current.id, l.current.version) for l in letters if l.id is not None and l.current.id is not None])
    stage = action.current_stage
    casework_forms = set()
    if user.role in (Role.OFFICER, Role.SUPERVISOR):  # the forms a caseworker can use now; the domain decides
        if action.status is Status.IN_PROGRESS:
            casework_forms.add("submit")
        if action.status is Status.WAITING and stage.accepts_reply:
            casework_forms.add("reply")
        if stage.skip_to and action.status in (Status.IN_PROGRESS, Status.AWAITING_APPROVAL):
            casework_forms.add("skip")
    decisions = [a for a in action.approvals if a.stage == action.stage and a.round == action.round and not a.void]
    context = {
        "action": action, "view": view, "stage": stage, "changes": changes, "decisions": decisions,
        "stages": action.definition.stages, "error": error, "form": form or {},
        "approved": {a.organisation for a in decisions if a.decision is Decision.APPROVED},
        "specs": {l.name: action.definition.letter(l.name) for l in letters},
        "can_casework": user.role in (Role.OFFICER, Role.SUPERVISOR), "casework_forms": casework_forms,
        "can_decide": user.role is Role.SUPERVISOR and action.status is Status.AWAITING_APPROVAL,
        "now": app.clock(), "today": app.clock().date().isoformat(),
    }
    return render(request, "action.html", context, status=status)


@router.get("/actions/{reference}")
def action(request: Request, reference: str, diff: str | None = None, user: User = Depends(signed_in)) -> Response:
    frm = request.query_params.get("from")  # ?diff=LETTER&from=N: that letter's changes since version N
    base = ascii_int(frm, low=1)  # anything else ('²', '-1', 10**100) is ignored
    return show_action(request, user, reference, diff=diff, diff_from=base)


def _refused(request: Request, user: User, reference: str, error: CoordinationError, form: dict | None = None) -> Response:
    """A refusal shown in the action page (or a 404 page for an unknown action), with its status."""
    if isinstance(error, NotFound):
        try:
            return show_action(request, user, reference, error=describe(error, translator_for(request)), status=404,
                               form=form)
        except NotFound:
            raise error from None
    if isinstance(error, StaleLetters):  # the page shows what changed since the version decided on
        t = translator_for(request)
        since = {name: seen for name, (seen, _, _) in error.changed.items() if seen}
        message = t("The letters changed since you opened this page: read the changes below and decide again.")
        return show_action(request, user, reference, error=message, status=409, form=form, since=since)
    return show_action(request, user, reference, error=describe(error, translator_for(request)),
                       status=status_of(error), form=form)


def _moved(request: Request, action, message: str) -> RedirectResponse:  # type: ignore[no-untyped-def]
    t = translator_for(request)
    return _done(request, t(message).format(reference=action.reference, stage=label(t, "stage", action.stage)),
                 f"/actions/{action.reference}")


@router.get("/actions/{reference}/letters/{letter}")
def letter_document(request: Request, reference: str, letter: str, format: str = LetterFormat.HTML.value,
                    language: str | None = None, user: User = Depends(signed_in)) -> Response:
    document = core(request).services.render_letter(reference=reference, letter=letter, fmt=format,
                                      language=language or None)
    if format == LetterFormat.PDF:
        name = f"{document.action.reference}-{document.letter.name}-v{document.letter.current.version}.pdf"
        return Response(document.content, media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
    media = "text/html; charset=utf-8" if format == LetterFormat.HTML else "text/plain; charset=utf-8"
    return Response(document.content, media_type=media, headers={
        "Cache-Control": "no-store",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                                   "frame-ancestors 'self'"})


@router.post("/actions/{reference}/letters/{letter}")
async def edit_letter(request: Request, reference: str, letter: str, user: User = Depends(acting)) -> Response:
    form = await request.form()
    values = {k.removeprefix("field_"): v for k, v in form.items() if k.startswith("field_") and isinstance(v, str)}
    try:
        edited = await run_in_threadpool(core(request).services.edit_letter_fields, reference=reference,
                                         letter=letter, values=values, editor=user.email)
    except CoordinationError as error:
        return await run_in_threadpool(_refused, request, user, reference, error, {letter: values})
    t = translator_for(request)
    message = (t("Nothing changed.") if edited is None else
               t("Saved: {letter} is now version {version}.").format(letter=edited.name, version=edited.current.version))
    return _done(request, message, f"/actions/{reference}#letter-{letter}")


@router.post("/actions/{reference}/submit")
def submit(request: Request, reference: str, user: User = Depends(acting)) -> Response:
    try:
        action = core(request).services.submit_stage(reference=reference, officer=user.email)
    except CoordinationError as error:
        return _refused(request, user, reference, error)
    return _moved(request, action, "Submitted. {reference} is now at stage {stage}.")


@router.post("/actions/{reference}/approve")
def approve(request: Request, reference: str, comment: str = Form(""), seen: list[str] = Form([]),
            user: User = Depends(acting)) -> Response:
    try:
        action, met = core(request).services.approve_stage(reference=reference, supervisor=user.email,
                                             comment=comment or None, seen=seen)
    except CoordinationError as error:
        return _refused(request, user, reference, error, {"comment": comment})
    if met:
        return _moved(request, action, "Gate met. {reference} is now at stage {stage}.")
    return _moved(request, action, "Approval recorded; {reference} still awaits the other organisation's approval.")


@router.post("/actions/{reference}/reject")
def reject(request: Request, reference: str, comment: str = Form(""), seen: list[str] = Form([]),
           user: User = Depends(acting)) -> Response:
    try:
        action = core(request).services.reject_stage(reference=reference, supervisor=user.email, comment=comment,
                                       seen=seen)  # a form without them saw no letter: refused unless there is none
    except CoordinationError as error:
        return _refused(request, user, reference, error, {"reject_comment": comment})
    return _moved(request, action, "Rejected. {reference} is back at stage {stage}.")


@router.post("/actions/{reference}/skip")
def skip(request: Request, reference: str, reason: str = Form(""), user: User = Depends(acting)) -> Response:
    try:
        action = core(request).services.skip_stage(reference=reference, officer=user.email, reason=reason)
    except CoordinationError as error:
        return _refused(request, user, reference, error, {"reason": reason})
    return _moved(request, action, "Skipped. {reference} is now at stage {stage}.")


@router.post("/actions/{reference}/reply")
def reply(request: Request, reference: str, received_on: str = Form(""), acknowledgement_only: str = Form(""),
          user: User = Depends(acting)) -> Response:
    try:
        received = parse_date("the date received", received_on)
        action = core(request).services.record_reply(reference=reference, officer=user.email, received_on=received,
                                       acknowledgement_only=bool(acknowledgement_only))
    except CoordinationError as error:
        return _refused(request, user, reference, error, {"received_on": received_on})
    return _moved(request, action, "Reply recorded. {reference} is now at stage {stage}.")

