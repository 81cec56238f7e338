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

Every error page (404, 405, 413, 422, 500, …) is answered by the handlers here, rendered by
`pages.error_page`. This module only builds the app: app.py imports routes/, the routes import
deps.py and pages.py, and those import neither.
"""

from urllib.parse import quote

import sqlalchemy as sa
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from coordination.adapters.keys import log_error
from coordination.bootstrap import App, require_database
from coordination.domain import CoordinationError

from .deps import CsrfRefused, SignInRequired, close_reads, language, session_user
from .errors import describe
from .i18n import FIELD_LABELS, translator
from .middleware import BodyLimit, SecurityHeaders, WebApp, security_headers
from .pages import HERE, error_page, render, status_of
from .routes import router

SESSION_COOKIE = "coordination_session"


def create_app(core: App) -> FastAPI:
    """The web app over an App (settings, database, renderer) built by `bootstrap`."""
    require_database(core.settings)
    web = WebApp(title="Joint actions", docs_url=None, redoc_url=None, openapi_url=None,
                 dependencies=[Depends(close_reads)])
    web.state.core = core
    settings = core.settings

    async def too_large(request: Request) -> Response:
        t = translator(language(request)) if "session" in request.scope else (lambda text: text)
        limit = f"{settings.max_request_bytes / 1024 / 1024:g} MiB"
        return error_page(request, 413, "Request too large", t(
            "This request is larger than this site accepts ({limit}).").format(limit=limit))

    web.add_middleware(BodyLimit, limit=settings.max_request_bytes, too_large=too_large)
    web.add_middleware(SessionMiddleware, secret_key=core.secret_key(), session_cookie=SESSION_COOKIE,
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
        t = translator(language(request)) if "session" in request.scope else (lambda text: text)
        return error_page(request, status, "Refused", t(message))

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
        names = sorted({str(e["loc"][-1]) for e in error.errors() if e.get("loc")})
        fields = [t(FIELD_LABELS[name]) if name in FIELD_LABELS else name for name in names]  # as the form labels them
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
