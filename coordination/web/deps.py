"""FastAPI dependencies: the App behind the web app, the signed-in user, the CSRF check and the
interface language. Imports nothing of the app or its routes."""

import hmac
import secrets
from collections.abc import Callable

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from coordination.bootstrap import App
from coordination.domain import User
from coordination.domain.vocabulary import INTERFACE_LANGUAGES

from .i18n import negotiate, translator


class SignInRequired(Exception):
    """No signed-in user: pages redirect to the sign-in page, forms are refused with 401."""


class CsrfRefused(Exception):
    """A form posted without the session's CSRF token."""


def core(request: Request) -> App:
    """The App (settings, database, services) the web app was created over."""
    return request.app.state.core  # type: ignore[no-any-return]


def session_user(request: Request) -> User | None:
    """The signed-in user of this request, or None (no cookie, or its session ended)."""
    if not request.session.get("sid"):
        return None
    return core(request).services.current_user(request.session.get("sid"))  # type: ignore[no-any-return]


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
    if not isinstance(token, str) or not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise CsrfRefused()


async def acting(request: Request) -> User:
    """A form's sender: signed in first (401), then the form's CSRF token (403)."""
    user = await run_in_threadpool(signed_in, request)
    await check_csrf(request)
    return user


def client_address(request: Request) -> str | None:
    """The client's address, as sign-in throttling counts failures by it."""
    return request.client.host if request.client else None


def language(request: Request) -> str:
    chosen = request.session.get("lang")
    return chosen if chosen in INTERFACE_LANGUAGES else negotiate(request.headers.get("accept-language", ""))


def translator_for(request: Request) -> Callable[[str], str]:
    return translator(language(request))


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token  # type: ignore[no-any-return]
