"""The FastAPI app: signed session cookie, CSRF on every form, error pages, interface language.

    request ─▶ guard (an error after the answer was sent is logged, never shown)
            ─▶ errors: an unexpected exception is a 500 page, its traceback in errors.log
            ─▶ security headers (HSTS under https) on every answer, error pages included
            ─▶ session (signed cookie, HttpOnly, SameSite=Lax, Secure on https)
            ─▶ body limit: a request body over COORDINATION_MAX_REQUEST_BYTES answers 413
            ─▶ route: signed in? the cookie's token names a session row that has not ended, expired
                      or idled out, of a user who is not disabled (services/sessions.py);
                      if not, pages redirect to /sign-in and forms answer 401
                      CSRF token of the form = the session's? (else 403)
                      service call; a refusal is shown in the page: 403 / 404 / 409 / 422 / 503

Every error page (404, 405, 413, 422, 500, …) is rendered here, by `error_page`.
"""

import secrets
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

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
from coordination.adapters.keys import log_error
from coordination.bootstrap import require_database
from coordination.domain import (
    Conflict,
    CoordinationError,
    InvalidInput,
    InvalidState,
    NotFound,
    NotPermitted,
    Unavailable,
)

from coordination.domain import User
from coordination.domain.vocabulary import INTERFACE_LANGUAGES
from coordination.services.accounts import SignInRefused, secret_key
from coordination.services.sessions import current_user
from .charts import bar_chart
from .errors import describe
from .i18n import FIELD_LABELS, LANGUAGE_NAMES, label, negotiate, translator

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals.update(bar_chart=bar_chart, LANGUAGES=INTERFACE_LANGUAGES, LANGUAGE_NAMES=LANGUAGE_NAMES,
                             FIELD_LABELS=FIELD_LABELS)
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
                         (Conflict, 409), (Unavailable, 503)):
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
    return chosen if chosen in INTERFACE_LANGUAGES else negotiate(request.headers.get("accept-language", ""))


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


def security_headers(base_url: str) -> dict[str, str]:
    """The headers every answer carries (a route may set its own Content-Security-Policy)."""
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "SAMEORIGIN",
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-src 'self'; "
                                   "frame-ancestors 'self'; form-action 'self'; base-uri 'none'",
    }
    if base_url.lower().startswith("https://"):
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


class SecurityHeaders:
    """ASGI middleware: the security headers on every answer that does not set its own."""

    def __init__(self, app, *, base_url: str) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.headers = [(k.lower().encode("latin-1"), v.encode("latin-1"))
                        for k, v in security_headers(base_url).items()]

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message) -> None:  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((k, v) for k, v in self.headers if k not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)


class RequestTooLarge(HTTPException):
    """A request body over the limit, found while it streamed in: the 413 error page."""

    def __init__(self) -> None:
        super().__init__(413, "This request is larger than this site accepts.")


class BodyLimit:
    """ASGI middleware: a body declared (Content-Length) or streamed over `limit` bytes answers 413."""

    def __init__(self, app, *, limit: int, too_large) -> None:  # type: ignore[no-untyped-def]
        self.app, self.limit, self.too_large = app, limit, too_large

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = next((v for k, v in scope.get("headers", []) if k.lower() == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or len(declared) > 15 or int(declared) > self.limit):
            return await self._refuse(scope, receive, send)
        received = 0
        started = False

        async def counted():  # type: ignore[no-untyped-def]
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise RequestTooLarge()
            return message

        async def watched(message) -> None:  # type: ignore[no-untyped-def]
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except RequestTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        response = await self.too_large(Request(scope, receive))
        await response(scope, receive, send)


class Guard:
    """Outermost: an exception already answered with the 500 page (and logged) stops here."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        started = False

        async def watched(message) -> None:  # type: ignore[no-untyped-def]
            nonlocal started
            started = started or message.get("type") == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception:
            if not started or scope["type"] != "http":
                raise


class WebApp(FastAPI):
    def build_middleware_stack(self):  # type: ignore[no-untyped-def]
        return Guard(super().build_middleware_stack())


def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    """An error page of this app: in the user's language when a session is there, else plain."""
    if "session" in request.scope:
        t = translator(language(request))
        return render(request, "error.html", {"title": t(title), "message": message}, status=status)
    return HTMLResponse(f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{message}</p>",
                        status_code=status, headers={"Cache-Control": "no-store"})


def create_app(core: App) -> FastAPI:
    """The web app over an App (settings, database, renderer) built by `bootstrap`."""
    from .routes import router

    require_database(core.settings)
    web = WebApp(title="Joint actions", docs_url=None, redoc_url=None, openapi_url=None)
    web.state.core = core
    settings = core.settings

    async def too_large(request: Request) -> Response:
        t = translator(language(request)) if "session" in request.scope else (lambda text: text)
        limit = f"{settings.max_request_bytes / 1024 / 1024:g} MiB"
        return error_page(request, 413, "Request too large", t(
            "This request is larger than this site accepts ({limit}).").format(limit=limit))

    web.add_middleware(BodyLimit, limit=settings.max_request_bytes, too_large=too_large)
    web.add_middleware(SessionMiddleware, secret_key=secret_key(settings), session_cookie=SESSION_COOKIE,
                       max_age=settings.session_max_age_seconds, same_site="lax",
                       https_only=settings.base_url.startswith("https://"))
    web.add_middleware(SecurityHeaders, base_url=settings.base_url)
    web.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    web.include_router(router)

    @web.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        """A 500 page with the security headers (it is sent from outside the other middleware)."""
        try:
            log_error(settings.data_dir, error, f"{request.method} {request.url.path}")
        except OSError:
            pass
        try:
            response = error_page(request, 500, "Something went wrong", translator(language(request))(
                "An unexpected error occurred; it was logged. Try again, or tell your administrator.")
                if "session" in request.scope else "An unexpected error occurred; it was logged.")
        except Exception:  # the page itself could not be rendered
            response = HTMLResponse("<!doctype html><title>Error</title><h1>Error</h1>", status_code=500)
        response.headers.update({k: v for k, v in security_headers(settings.base_url).items()
                                 if k not in response.headers})
        return response

    @web.exception_handler(sa.exc.DBAPIError)
    async def database_error(request: Request, error: sa.exc.DBAPIError) -> Response:
        """The database refused or was not there: a page saying so, never a 500."""
        if isinstance(error, sa.exc.IntegrityError):
            status, message = 409, "another change to the same record won the race; nothing was written — try again"
        elif isinstance(error, sa.exc.DataError):
            status, message = 422, "a value the database cannot store (a NUL character, a number too large)"
        elif isinstance(error, sa.exc.OperationalError):
            status, message = 503, "the database is busy or cannot be reached; try again in a moment"
        else:
            return await unexpected(request, error)
        return error_page(request, status, "Refused", message)

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
        return render(request, "error.html", {"title": t("Refused"), "message": describe(error, t)},
                      status=status_of(error))

    @web.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        t = translator(language(request))
        fields = sorted({str(e["loc"][-1]) for e in error.errors() if e.get("loc")})
        return render(request, "error.html", {"title": t("Invalid form"), "message": t(
            "Check these fields and send the form again:") + " " + ", ".join(fields)}, status=422)

    @web.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if (error.status_code in (404, 405) and request.method in ("GET", "HEAD")
                and await run_in_threadpool(session_user, request) is None):
            return await sign_in_required(request, SignInRequired())  # nothing is shown signed out
        t = translator(language(request))
        title = {404: "Page not found", 405: "Not allowed", 413: "Request too large"}.get(error.status_code, "Error")
        return error_page(request, error.status_code, title, t(str(error.detail)))

    return web
