"""The FastAPI app: signed session cookie, CSRF on every form, error pages, interface language.

    request ─▶ security headers ─▶ session (signed cookie, HttpOnly, SameSite=Lax, Secure on https)
            ─▶ route: signed in? the cookie's token names a session row that has not ended, expired
                      or idled out, of a user who is not disabled (services/sessions.py);
                      if not, pages redirect to /sign-in and forms answer 401
                      CSRF token of the form = the session's? (else 403)
                      service call; a refusal is shown in the page: 403 / 404 / 409 / 422
"""

import secrets
from pathlib import Path
from urllib.parse import quote

from babel.dates import format_datetime
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from coordination.bootstrap import App
from coordination.domain import Conflict, CoordinationError, InvalidInput, InvalidState, NotFound, NotPermitted

from coordination.domain import User
from coordination.services.accounts import LANGUAGES, SignInRefused, secret_key
from coordination.services.sessions import current_user
from .charts import bar_chart
from .i18n import label, negotiate, translator

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals.update(bar_chart=bar_chart, LANGUAGES=LANGUAGES)
SESSION_COOKIE = "coordination_session"


class SignInRequired(Exception):
    """No signed-in user: pages redirect to the sign-in page, forms are refused with 401."""


class CsrfRefused(Exception):
    """A form posted without the session's CSRF token."""


def status_of(error: CoordinationError) -> int:
    """The HTTP status of a refusal: the same classes the CLI turns into one line on stderr."""
    if isinstance(error, SignInRefused):
        return 429 if error.retry_after is not None else 401
    for kind, status in ((NotFound, 404), (NotPermitted, 403), (InvalidInput, 422), (InvalidState, 409),
                         (Conflict, 409)):
        if isinstance(error, kind):
            return status
    return 400


def session_user(request: Request) -> User | None:
    """The signed-in user of this request, or None (no cookie, or its session ended)."""
    if not request.session.get("sid"):
        return None
    return current_user(request.app.state.core, request.session.get("sid"))


def language(request: Request) -> str:
    chosen = request.session.get("lang")
    return chosen if chosen in LANGUAGES else negotiate(request.headers.get("accept-language", ""))


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def render(request: Request, name: str, context: dict | None = None, *, status: int = 200) -> HTMLResponse:
    """A page in the user's language, with the CSRF token for its forms and the pending flash message."""
    lang = language(request)
    t = translator(lang)

    def when(value, fmt: str = "d MMM y, HH:mm") -> str:  # type: ignore[no-untyped-def]
        if value is None:
            return ""
        return format_datetime(value, fmt, tzinfo=None, locale=lang) + " UTC"

    ctx = {
        "t": t, "lang": lang, "label": lambda kind, value: label(t, kind, value), "when": when,
        "user": getattr(request.state, "user", None), "csrf_token": csrf_token(request),
        "flash": request.session.pop("flash", None), "path": request.url.path,
        **(context or {}),
    }
    response = templates.TemplateResponse(request, name, ctx, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def create_app(core: App) -> FastAPI:
    """The web app over an App (settings, database, renderer) built by `bootstrap`."""
    from .routes import router

    web = FastAPI(title="Joint actions", docs_url=None, redoc_url=None, openapi_url=None)
    web.state.core = core

    @web.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-src 'self'; "
            "frame-ancestors 'self'; form-action 'self'; base-uri 'none'")
        return response

    web.add_middleware(SessionMiddleware, secret_key=secret_key(core.settings), session_cookie=SESSION_COOKIE,
                       max_age=core.settings.session_max_age_seconds, same_site="lax",
                       https_only=core.settings.base_url.startswith("https://"))
    web.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    web.include_router(router)

    @web.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, error: SignInRequired) -> Response:
        if request.method in ("GET", "HEAD"):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/sign-in?next={quote(target, safe='')}", status_code=303)
        return render(request, "sign_in.html", {"error": translator(language(request))(
            "Your session has ended: sign in again."), "next": "/"}, status=401)

    @web.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, error: CsrfRefused) -> Response:
        t = translator(language(request))
        return render(request, "error.html", {"title": t("Form refused"), "message": t(
            "This form has expired or did not come from this site. Go back, reload the page and try again.")},
            status=403)

    @web.exception_handler(CoordinationError)
    async def refused(request: Request, error: CoordinationError) -> Response:
        t = translator(language(request))
        return render(request, "error.html", {"title": t("Refused"), "message": str(error)},
                      status=status_of(error))

    @web.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        t = translator(language(request))
        fields = sorted({str(e["loc"][-1]) for e in error.errors() if e.get("loc")})
        return render(request, "error.html", {"title": t("Invalid form"), "message": t(
            "Check these fields and send the form again:") + " " + ", ".join(fields)}, status=422)

    @web.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if request.method in ("GET", "HEAD") and await run_in_threadpool(session_user, request) is None:
            return await sign_in_required(request, SignInRequired())  # nothing is shown signed out
        t = translator(language(request))
        title = {404: t("Page not found"), 405: t("Not allowed")}.get(error.status_code, t("Error"))
        return render(request, "error.html", {"title": title, "message": t(str(error.detail))},
                      status=error.status_code)

    return web
