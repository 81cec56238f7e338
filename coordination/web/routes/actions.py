"""The actions: their list, opening one, its page, and the letter versions its page showed."""

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from coordination.domain import ActionType, CoordinationError, InvalidInput, Status, User
from coordination.domain.bounds import ascii_int
from coordination.domain.countries import DEFAULT_LANGUAGE
from coordination.services.actions import stage_names

from ..deps import acting, core, reads, signed_in, translator_for
from ..errors import describe
from ..forms import new_action_choices
from ..pages import done, render, show_action, status_of

router = APIRouter()

MAX_VERSION_ID = 2**31 - 1
MAX_SHOWN = 100  # letter versions one page may say it showed
MAX_FILTER = 400  # characters of a filter read (the search itself refuses beyond its bound)


FILTERS = ("q", "type", "stage", "status", "country")


@router.get("/actions")
def actions(request: Request, user: User = Depends(signed_in)) -> Response:
    """The actions, a page at a time, searched and filtered; the filters stay in the address, so
    that a search can be bookmarked, shared and paged through."""
    wanted = {name: request.query_params.get(name, "").strip()[:MAX_FILTER] for name in FILTERS}
    page = ascii_int(request.query_params.get("page"), low=1, high=10**6) or 1
    choices = {"statuses": [s.value for s in Status], "types": [t.value for t in ActionType],
               "stages": stage_names(), "countries": sorted(DEFAULT_LANGUAGE)}
    try:
        found = core(request).services.list_actions(
            search=wanted["q"], type=wanted["type"] or None, stage=wanted["stage"] or None,
            status=wanted["status"] or None, country=wanted["country"] or None, page=page,
            uow=reads(request))
    except InvalidInput as error:
        return render(request, "actions.html", {**choices, "filters": wanted, "found": None,
                                                "error": describe(error, translator_for(request))},
                      status=status_of(error))
    kept = {name: value for name, value in wanted.items() if value}

    def page_link(number: int) -> str:
        return "/actions?" + urlencode({**kept, "page": number})

    return render(request, "actions.html", {
        **choices, "filters": wanted, "found": found,
        "previous": page_link(found.page - 1) if found.page > 1 else None,
        "next": page_link(found.page + 1) if found.page < found.pages else None,
    })


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
    return done(request, t("Opened {reference}.").format(reference=action.reference), f"/actions/{action.reference}")


@router.get("/actions/{reference}")
def action(request: Request, reference: str, diff: str | None = None, user: User = Depends(signed_in)) -> Response:
    """The action page; it writes nothing (the versions it shows are posted back by the page, below)."""
    frm = request.query_params.get("from")  # ?diff=LETTER&from=N: that letter's changes since version N
    base = ascii_int(frm, low=1)  # anything else ('²', '-1', 10**100) is ignored
    return show_action(request, user, reference, diff=diff, diff_from=base)


@router.post("/actions/{reference}/seen")
def letters_seen(request: Request, reference: str, version: list[str] = Form([]),
                 user: User = Depends(acting)) -> Response:
    """The action page, once shown, posts the letter versions it showed (static/seen.js): the next
    time, the page shows what changed since. Versions that are not the action's are ignored."""
    ids = {n for n in (ascii_int(v, low=1, high=MAX_VERSION_ID) for v in version[:MAX_SHOWN]) if n is not None}
    core(request).services.mark_letters_seen(reference=reference, user=user, versions=sorted(ids))
    return Response(status_code=204, headers={"Cache-Control": "no-store"})
