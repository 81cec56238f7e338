"""Pages: templates in the user's language, error pages, the HTTP status of a refusal, and the
action page (shown by its GET and again, with the refusal, by the forms it offers)."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel.dates import format_datetime
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from coordination.domain import (
    Conflict,
    CoordinationError,
    InvalidInput,
    InvalidState,
    LinkRelation,
    NotFound,
    NotPermitted,
    Outcome,
    StaleLetters,
    Unavailable,
    User,
)
from coordination.domain.mandates import BY_CODE, SELECTABLE
from coordination.domain.vocabulary import INTERFACE_LANGUAGES, LETTER_LANGUAGES, Organisation
from coordination.services.accounts import SignInRefused

from .charts import bar_chart
from .deps import core, csrf_token, language, reads, translator_for
from .errors import describe, field_label, letter_title, void_reason
from .i18n import FIELD_LABELS, LANGUAGE_NAMES, label, translator

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
# the mandates a letter may select, by organisation, as the letter form's checkboxes (labelled from the catalogue)
MANDATE_CHOICES = [(org.value, [BY_CODE[c] for c in SELECTABLE if BY_CODE[c].organisation is org])
                   for org in (Organisation.OHCHR, Organisation.IACHR)]
templates.env.globals.update(bar_chart=bar_chart, LANGUAGES=INTERFACE_LANGUAGES, LANGUAGE_NAMES=LANGUAGE_NAMES,
                             FIELD_LABELS=FIELD_LABELS, LETTER_LANGUAGES=LETTER_LANGUAGES,
                             MANDATE_CHOICES=MANDATE_CHOICES)


def status_of(error: CoordinationError) -> int:
    """The HTTP status of a refusal: the same classes the CLI turns into one line on stderr."""
    if isinstance(error, SignInRefused):
        return 429 if error.retry_after is not None else 401
    for kind, status in ((NotFound, 404), (NotPermitted, 403), (InvalidInput, 422), (InvalidState, 409),
                         (Conflict, 409), (Unavailable, 503)):
        if isinstance(error, kind):
            return status
    return 400


def render(request: Request, name: str, context: Mapping[str, Any] | None = None, *, status: int = 200) -> HTMLResponse:
    """A page in the user's language, with the CSRF token for its forms and the pending flash message."""
    lang = language(request)
    t = translator(lang)

    def when(value, fmt: str = "d MMM y, HH:mm") -> str:  # type: ignore[no-untyped-def]
        if value is None:
            return ""
        return format_datetime(value, fmt, tzinfo=None, locale=lang) + " UTC"

    def number(value: Any) -> str:
        """A figure with one decimal (10.0, 10,0 in Spanish); counts as they are."""
        return format_decimal(value, "#,##0.0", locale=lang) if isinstance(value, float) else str(value)

    ctx = {
        "t": t, "lang": lang, "label": lambda kind, value: label(t, kind, value), "when": when,
        "letter_title": lambda name: letter_title(name, t), "number": number,
        "field_label": lambda letter, field: field_label(letter, field, t),
        "void_reason": lambda reason: void_reason(reason, t),
        "user": getattr(request.state, "user", None), "csrf_token": csrf_token(request),
        "flash": request.session.pop("flash", None), "path": request.url.path,
        **(context or {}),
    }
    response = templates.TemplateResponse(request, name, ctx, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    """An error page of this app: in the user's language when a session is there, else plain."""
    if "session" in request.scope:
        t = translator(language(request))
        return render(request, "error.html", {"title": t(title), "message": message}, status=status)
    return HTMLResponse(f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{message}</p>",
                        status_code=status, headers={"Cache-Control": "no-store"})


def sign_in_refused(request: Request, error: SignInRefused, context: dict[str, Any],
                    page: str = "sign_in.html") -> HTMLResponse:
    """A refused password (401), or too many failures (429 with Retry-After), in `page`."""
    t = translator_for(request)
    if error.retry_after is None:
        message = t(str(error))
    else:
        message = t("Too many failed sign-ins: try again in {seconds} seconds.").format(seconds=error.retry_after)
    response = render(request, page, {**context, "error": message}, status=status_of(error))
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def local(target: str | None) -> str:
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


def done(request: Request, message: str, to: str) -> RedirectResponse:
    """A form's success: the message shown once on the next page, and a redirect (303) to it."""
    request.session["flash"] = message
    return RedirectResponse(to, status_code=303)


# ---------------------------------------------------------------- the action page

def show_action(request: Request, user: User, reference: str, *, error: str | None = None, status: int = 200,
                form: dict[str, Any] | None = None, diff: str | None = None, diff_from: int | None = None,
                since: dict[str, int] | None = None) -> HTMLResponse:
    """The action page, one read (`read_action_page`); `since` shows each named letter's changes from
    the version given (a stale decision). Only the page itself (200) posts back the versions it shows."""
    page = core(request).services.read_action_page(reference=reference, user=user, diff=diff, diff_from=diff_from,
                                                   since=since, uow=reads(request))
    action = page.action
    return render(request, "action.html", {
        "action": action, "view": page.view, "stage": action.current_stage, "stages": action.definition.stages,
        "changes": page.changes, "decisions": page.decisions, "approved": page.approved,
        "specs": {letter.name: action.definition.letter(letter.name) for letter in action.current_letters},
        "commands": page.commands, "editable": page.editable, "changeable": page.changeable,
        "outcomes": [o.value for o in Outcome], "relations": [r.value for r in LinkRelation],
        "not_deciding": describe(page.decision_refused, translator_for(request)) if page.decision_refused else None, "shown": page.shown if status == 200 else [],
        "error": error, "form": form or {}, "now": page.now, "today": page.now.date().isoformat(),
    }, status=status)


def refused(request: Request, user: User, reference: str, error: CoordinationError,
            form: dict[str, Any] | None = None) -> HTMLResponse:
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


def moved(request: Request, action: Any, message: str,
          then: tuple[str, dict[str, str]] | None = None) -> RedirectResponse:
    """A change that moved the action on: the message (and `then`, a second sentence with its
    values), and back to its page."""
    t = translator_for(request)
    said = t(message).format(reference=action.reference, stage=label(t, "stage", action.stage))
    if then is not None:
        said += " " + t(then[0]).format(**then[1])
    return done(request, said, f"/actions/{action.reference}")
