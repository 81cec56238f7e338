"""FastAPI dependencies: the App behind the web app, the request's unit of work for reading, the
signed-in user, the CSRF check and the interface language. Imports nothing of the app or its routes."""

import hmac
import secrets
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

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


class RequestReads:
    """The request's unit of work for reading: the first read opens it, every later read of the
    request (the session check, then the page) shares it, and it closes with the request, so that a
    page is one unit of work and one consistent view. A write opens a unit of work of its own."""

    def __init__(self, app: App) -> None:
        self._app = app
        self._tx: Any = None
        self._closed = False

    def __call__(self, *, read_only: bool = False) -> Any:
        if not read_only or self._closed:
            return self._app.uow(read_only=read_only)
        return _Shared(self)

    def _open(self) -> Any:
        if self._tx is None:
            self._tx = self._app.uow(read_only=True).__enter__()
        return self._tx

    def close(self) -> None:
        self._closed = True
        if self._tx is not None:
            tx, self._tx = self._tx, None
            tx.__exit__(None, None, None)


class _Shared:
    def __init__(self, reads: RequestReads) -> None:
        self.reads = reads

    def __enter__(self) -> Any:
        return self.reads._open()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        pass  # closed with the request


def reads(request: Request) -> Any:
    """A GET's unit of work for reading (pass it as `uow=` to a use case): shared by all its reads.
    Any other request opens a unit of work per use case, so that what it shows after a write is read
    after the write."""
    if request.method not in ("GET", "HEAD"):
        return core(request).uow
    found = getattr(request.state, "reads", None)
    if found is None:
        found = request.state.reads = RequestReads(core(request))
    return found  # type: ignore[no-any-return]


def close_reads(request: Request) -> Iterator[None]:
    """A dependency of every route: the request's reads end with it."""
    try:
        yield
    finally:
        found = getattr(request.state, "reads", None)
        if found is not None:
            found.close()


def session_user(request: Request) -> User | None:
    """The signed-in user of this request, or None (no cookie, or its session ended)."""
    if not request.session.get("sid"):
        return None
    return core(request).services.current_user(  # type: ignore[no-any-return]
        request.session.get("sid"), uow=reads(request))


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
