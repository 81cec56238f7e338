"""The account page: the calendar address, a new password, signing out everywhere."""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from coordination.domain import CoordinationError, InvalidInput, User
from coordination.services.accounts import SignInRefused

from ..deps import acting, client_address, core, signed_in, translator_for
from ..errors import describe
from ..pages import done, render, sign_in_refused, status_of

router = APIRouter()


@router.get("/account")
def account(request: Request, user: User = Depends(signed_in)) -> Response:
    return render(request, "account.html", {"calendar": core(request).services.calendar_address(user)})


@router.post("/account/sign-out-everywhere")
def sign_out_everywhere(request: Request, user: User = Depends(acting)) -> Response:
    core(request).services.sign_out_everywhere(email=user.email, actor=user.email)
    lang, t = request.session.get("lang"), translator_for(request)
    request.session.clear()
    request.session.update(lang=lang, flash=t("You are signed out everywhere."))
    return RedirectResponse("/sign-in", status_code=303)


@router.post("/account/calendar")
def renew_calendar(request: Request, user: User = Depends(acting)) -> Response:
    core(request).services.renew_calendar(email=user.email, actor=user.email)
    return done(request, translator_for(request)(
        "Your calendar has a new address: subscribe to it again; the old one no longer works."), "/account")


@router.post("/account/password")
def change_password(request: Request, current_password: str = Form(""), new_password: str = Form(""),
                    confirm_password: str = Form(""), user: User = Depends(acting)) -> Response:
    services = core(request).services
    t = translator_for(request)
    if new_password != confirm_password:  # the web form's own check: its message is translated
        return render(request, "account.html", {"calendar": services.calendar_address(user), "error": t(
            "The new password and its confirmation differ.")}, status=status_of(InvalidInput("")))
    try:
        token = services.change_password(user=user, current=current_password, new=new_password,
                                         client=client_address(request))
    except SignInRefused as error:
        return sign_in_refused(request, error, {"calendar": services.calendar_address(user)}, "account.html")
    except CoordinationError as error:
        return render(request, "account.html", {"calendar": services.calendar_address(user),
                                                "error": describe(error, t)}, status=status_of(error))
    request.session["sid"] = token  # every other session of this user has ended
    return done(request, t("Your password is changed; your other sessions are signed out."), "/account")
