"""Signing in and out, and the interface language."""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from coordination.domain import InvalidInput, User
from coordination.domain.vocabulary import INTERFACE_LANGUAGES
from coordination.services.accounts import SignInRefused

from ..deps import acting, check_csrf, client_address, core, session_user
from ..pages import local, render, sign_in_refused

router = APIRouter()


@router.get("/sign-in")
def sign_in_page(request: Request, next: str = "/") -> Response:
    if session_user(request) is not None:
        return RedirectResponse(local(next), status_code=303)
    return render(request, "sign_in.html", {"next": local(next)})


@router.post("/sign-in", dependencies=[Depends(check_csrf)])
def sign_in(request: Request, email: str = Form(""), password: str = Form(""), next: str = Form("/")) -> Response:
    try:
        signed = core(request).services.sign_in(email=email, password=password, client=client_address(request))
    except SignInRefused as error:  # the same answer for accounts that exist and those that do not
        return sign_in_refused(request, error, {"email": email, "next": local(next)})
    lang = request.session.get("lang")
    request.session.clear()  # a new session: nothing carried over from before signing in
    request.session.update(sid=signed.token, lang=signed.language or lang)
    return RedirectResponse(local(next), status_code=303)


@router.post("/sign-out")
def sign_out(request: Request, user: User = Depends(acting)) -> Response:
    core(request).services.end_session(request.session.get("sid"))  # every copy of the cookie is signed out
    request.session.clear()
    return RedirectResponse("/sign-in", status_code=303)


@router.post("/language", dependencies=[Depends(check_csrf)])
def choose_language(request: Request, lang: str = Form(...), next: str = Form("/")) -> Response:
    if lang not in INTERFACE_LANGUAGES:
        raise InvalidInput.unknown("language", lang, INTERFACE_LANGUAGES, field="lang")
    request.session["lang"] = lang
    user = session_user(request)
    if user is not None:
        core(request).services.set_language(user=user, language=lang)
    return RedirectResponse(local(next), status_code=303)
