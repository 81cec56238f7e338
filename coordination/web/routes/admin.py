"""The administration pages (admins only; anyone else gets 403 on every /admin route): users,
the address book of State recipients, the mandates whose holders sign letters and their terms;
and the public page of a
password-set link (`/password/{token}`), whose token is its key.

Each form makes one call into `app.services` with the admin as `actor`: the use case checks
again that the actor is an enabled admin, and audits the change under their email."""

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from coordination.domain import CoordinationError, InvalidInput, NotPermitted, Organisation, RecipientKind, Role, User
from coordination.domain.countries import DEFAULT_LANGUAGE
from coordination.domain.mandates import holder_on
from coordination.domain.vocabulary import LETTER_LANGUAGES, Gender
from coordination.services.password_links import LinkRefused

from ..deps import check_csrf, core, reads, signed_in, translator_for
from ..errors import describe
from ..pages import done, render, status_of

router = APIRouter()


def _refuse_unless_admin(request: Request, user: User) -> User:
    if not core(request).services.is_admin(user):
        raise NotPermitted("only an admin may use the administration pages", field="user", value=user.email)
    return user


def administering(request: Request) -> User:
    """A page of the administration: signed in (else to the sign-in page), and an admin (else 403)."""
    return _refuse_unless_admin(request, signed_in(request))


async def administering_form(request: Request) -> User:
    """A form of the administration: signed in (401), an admin (403), then the CSRF token (403)."""
    user = _refuse_unless_admin(request, await run_in_threadpool(signed_in, request))
    await check_csrf(request)
    return user


def _choices() -> dict[str, Any]:
    return {"organisations": list(Organisation), "roles": list(Role), "kinds": list(RecipientKind),
            "countries": sorted(DEFAULT_LANGUAGE), "letter_languages": LETTER_LANGUAGES,
            "offices": OFFICE_NAMES, "genders": GENDER_NAMES}


# the forms of address of the address book (domain/forms_of_address.py), in the interface's words
# ("none" rather than "": a blank form field reaches a route as if it were not sent at all)
OFFICE_NAMES = {"none": "none: the institution is addressed", "minister": "minister of foreign affairs",
                "ambassador": "ambassador", "permanent-representative": "permanent representative",
                "charge-d-affaires": "chargé d'affaires"}
GENDER_NAMES = {"none": "none", "f": "feminine", "m": "masculine"}


def _none(value: str | None) -> str | None:
    """The forms' "none" (no office, no gender) as the use cases take it: blank, which clears."""
    return "" if value == "none" else value


# ---------------------------------------------------------------- users

@router.get("/admin")
def admin_home(request: Request, user: User = Depends(administering)) -> Response:
    return RedirectResponse("/admin/users", status_code=303)


def _users_page(request: Request, *, error: str | None = None, form: dict[str, str] | None = None,
                status: int = 200) -> Response:
    services = core(request).services
    uow = reads(request)
    return render(request, "admin_users.html", {
        "users": services.list_users(uow=uow), "last_sign_ins": services.last_sign_ins(uow=uow),
        "form": form or {}, "error": error, **_choices()}, status=status)


@router.get("/admin/users")
def users(request: Request, user: User = Depends(administering)) -> Response:
    return _users_page(request)


@router.post("/admin/users")
def add_user(request: Request, email: str = Form(""), name: str = Form(""), organisation: str = Form(""),
             role: str = Form(""), user: User = Depends(administering_form)) -> Response:
    t = translator_for(request)
    try:
        added = core(request).services.add_user(email=email, name=name, organisation=organisation, role=role,
                                                actor=user.email)
    except CoordinationError as error:
        form = {"email": email, "name": name, "organisation": organisation, "role": role}
        return _users_page(request, error=describe(error, t), form=form, status=status_of(error))
    return done(request, t("Added {email}. Send them a link to set their password.").format(email=added.email),
                "/admin/users")


def _user_change(request: Request, message: str, call: Any) -> Response:
    """One change to a user (a service call returning the user and whether anything changed)."""
    t = translator_for(request)
    try:
        changed_user, changed = call()
    except CoordinationError as error:
        return _users_page(request, error=describe(error, t), status=status_of(error))
    said = t(message) if changed else t("{email}: nothing changed.")
    return done(request, said.format(email=changed_user.email), "/admin/users")


@router.post("/admin/users/role")
def set_role(request: Request, email: str = Form(""), role: str = Form(""),
             user: User = Depends(administering_form)) -> Response:
    return _user_change(request, "{email} has a new role; their sessions are ended.", lambda: core(
        request).services.set_role(email=email, role=role, actor=user.email))


@router.post("/admin/users/organisation")
def set_organisation(request: Request, email: str = Form(""), organisation: str = Form(""),
                     user: User = Depends(administering_form)) -> Response:
    return _user_change(request, "{email} moved to the other organisation; their sessions are ended.", lambda: core(
        request).services.set_organisation(email=email, organisation=organisation, actor=user.email))


@router.post("/admin/users/disable")
def disable_user(request: Request, email: str = Form(""), user: User = Depends(administering_form)) -> Response:
    return _user_change(request, "{email} is disabled; their sessions are ended.", lambda: core(
        request).services.disable_user(email=email, actor=user.email))


@router.post("/admin/users/enable")
def enable_user(request: Request, email: str = Form(""), user: User = Depends(administering_form)) -> Response:
    return _user_change(request, "{email} is enabled again.", lambda: core(
        request).services.enable_user(email=email, actor=user.email))


@router.post("/admin/users/password-link")
def send_password_link(request: Request, email: str = Form(""), user: User = Depends(administering_form)) -> Response:
    t = translator_for(request)
    try:
        sent = core(request).services.send_password_link(email=email, actor=user.email)
    except CoordinationError as error:
        return _users_page(request, error=describe(error, t), status=status_of(error))
    return done(request, t("A link to set a password is on its way to {email}; it works once, for 48 hours.").format(
        email=sent.user.email), "/admin/users")


# ---------------------------------------------------------------- the address book

def _recipients_page(request: Request, country: str | None, *, error: str | None = None,
                     form: dict[str, str] | None = None, status: int = 200) -> Response:
    try:
        rows = core(request).services.list_recipients(country=country or None, uow=reads(request))
    except InvalidInput as error_:
        rows, error, status = [], describe(error_, translator_for(request)), 422
    return render(request, "admin_recipients.html", {"recipients": rows, "country": (country or "").upper(),
                                                     "form": form or {}, "error": error, **_choices()}, status=status)


@router.get("/admin/recipients")
def recipients(request: Request, country: str | None = None, user: User = Depends(administering)) -> Response:
    return _recipients_page(request, country)


def _back(country: str) -> str:
    return "/admin/recipients" + (f"?country={country.strip().upper()}" if country.strip().isalpha() else "")


@router.post("/admin/recipients")
def add_recipient(request: Request, country: str = Form(""), kind: str = Form(""), email: str = Form(""),
                  name: str = Form(""), office: str = Form(""), gender: str = Form(""),
                  user: User = Depends(administering_form)) -> Response:
    t = translator_for(request)
    try:
        added = core(request).services.add_recipient(country=country, kind=kind, email=email, name=name or None,
                                                     office=_none(office) or None, gender=_none(gender) or None,
                                                     actor=user.email)
    except CoordinationError as error:
        form = {"country": country, "kind": kind, "email": email, "name": name, "office": office, "gender": gender}
        return _recipients_page(request, None, error=describe(error, t), form=form, status=status_of(error))
    return done(request, t("Added {email} to the address book of {country}.").format(
        email=added.email, country=added.country), _back(added.country))


@router.post("/admin/recipients/edit")
def edit_recipient(request: Request, country: str = Form(""), kind: str = Form(""), email: str = Form(""),
                   new_kind: str = Form(""), new_email: str = Form(""), name: str = Form(""),
                   office: str | None = Form(None), gender: str | None = Form(None),
                   user: User = Depends(administering_form)) -> Response:
    """The form sends every field (a blank name, or "none" as office, clears it); a form without the
    office and gender fields leaves them as they are."""
    t = translator_for(request)
    try:
        saved = core(request).services.edit_recipient(country=country, kind=kind, email=email, new_kind=new_kind or None,
                                                      new_email=new_email or None, name=name,
                                                      office=_none(office), gender=_none(gender), actor=user.email)
    except CoordinationError as error:
        return _recipients_page(request, None, error=describe(error, t), status=status_of(error))
    return done(request, t("Saved {email}.").format(email=saved.email), _back(saved.country))


@router.post("/admin/recipients/remove")
def remove_recipient(request: Request, country: str = Form(""), kind: str = Form(""), email: str = Form(""),
                     user: User = Depends(administering_form)) -> Response:
    t = translator_for(request)
    try:
        removed = core(request).services.remove_recipient(country=country, kind=kind, email=email, actor=user.email)
    except CoordinationError as error:
        return _recipients_page(request, None, error=describe(error, t), status=status_of(error))
    return done(request, t("Removed {email} from the address book; letters sent before keep their address.").format(
        email=removed.email), _back(removed.country))


# ---------------------------------------------------------------- mandates and their holders

def _signatories_page(request: Request, *, error: str | None = None, form: dict[str, str] | None = None,
                      status: int = 200) -> Response:
    """Each mandate with its resolution and the terms of its holders, the one holding today marked."""
    services, uow = core(request).services, reads(request)
    holders = services.list_signatories(uow=uow)
    today = core(request).clock().date()
    rows = [{"mandate": m, "terms": [h for h in holders if h.mandate == m.code],
             "current": holder_on(holders, m.code, today)} for m in services.list_mandates(uow=uow)]
    return render(request, "admin_signatories.html", {"rows": rows, "today": today.isoformat(), "form": form or {},
                                                      "error": error, "genders": [g.value for g in Gender],
                                                      **_choices()}, status=status)


@router.get("/admin/signatories")
def signatories(request: Request, user: User = Depends(administering)) -> Response:
    return _signatories_page(request)


@router.post("/admin/signatories")
def set_signatory(request: Request, mandate: str = Form(""), name: str = Form(""), gender: str = Form(""),
                  starts_on: str = Form(""), ends_on: str = Form(""),
                  user: User = Depends(administering_form)) -> Response:
    """A new term of a mandate."""
    t = translator_for(request)
    try:
        saved = core(request).services.set_signatory(mandate=mandate, name=name, gender=gender, starts_on=starts_on,
                                                     ends_on=ends_on or None, actor=user.email)
    except CoordinationError as error:
        form = {"mandate": mandate, "name": name, "gender": gender, "starts_on": starts_on, "ends_on": ends_on}
        return _signatories_page(request, error=describe(error, t), form=form, status=status_of(error))
    return done(request, t("{name} holds {mandate} from {day}.").format(
        name=saved.name, mandate=saved.mandate, day=saved.starts_on.isoformat()), "/admin/signatories")


@router.post("/admin/signatories/end")
def end_signatory(request: Request, mandate: str = Form(""), on: str = Form(""),
                  user: User = Depends(administering_form)) -> Response:
    """End the term holding a mandate on a day."""
    t = translator_for(request)
    try:
        ended = core(request).services.end_signatory(mandate=mandate, on=on, actor=user.email)
    except CoordinationError as error:
        return _signatories_page(request, error=describe(error, t), form={"end_mandate": mandate, "on": on},
                                 status=status_of(error))
    return done(request, t("The term of {name} ({mandate}) ends on {day}.").format(
        name=ended.name, mandate=ended.mandate, day=ended.ends_on.isoformat() if ended.ends_on else ""),
        "/admin/signatories")


@router.post("/admin/signatories/mandate")
def set_mandate(request: Request, code: str = Form(""), resolution: str = Form(""), verified: str = Form(""),
                user: User = Depends(administering_form)) -> Response:
    """Correct a mandate's resolution, and say whether it was checked against its source."""
    t = translator_for(request)
    try:
        saved = core(request).services.set_mandate(code=code, resolution=resolution, verified=verified == "yes",
                                                   actor=user.email)
    except CoordinationError as error:
        return _signatories_page(request, error=describe(error, t), status=status_of(error))
    return done(request, t("Saved {mandate}.").format(mandate=saved.code), "/admin/signatories")


# ---------------------------------------------------------------- the password-set link (public)

def _link_refused(request: Request, error: LinkRefused) -> Response:
    t = translator_for(request)
    status = 404 if error.reason == "unknown" else 410
    return render(request, "password_link.html", {"refused": t(str(error)), "reason": error.reason}, status=status)


@router.get("/password/{token}")
def password_link(request: Request, token: str) -> Response:
    try:
        person = core(request).services.password_link_user(token, uow=reads(request))
    except LinkRefused as error:
        return _link_refused(request, error)
    return render(request, "password_link.html", {"person": person, "token": token})


@router.post("/password/{token}", dependencies=[Depends(check_csrf)])
def use_password_link(request: Request, token: str, new_password: str = Form(""),
                      confirm_password: str = Form("")) -> Response:
    services, t = core(request).services, translator_for(request)
    try:
        person = services.password_link_user(token)
        if new_password != confirm_password:
            raise InvalidInput(t("The new password and its confirmation differ."))
        services.set_password_by_link(token=token, password=new_password)
    except LinkRefused as error:
        return _link_refused(request, error)
    except CoordinationError as error:
        return render(request, "password_link.html", {"person": person, "token": token,
                                                      "error": describe(error, t)}, status=status_of(error))
    lang = request.session.get("lang")
    request.session.clear()
    request.session.update(lang=lang, flash=t("Your password is set: sign in with it."))
    return RedirectResponse("/sign-in", status_code=303)
