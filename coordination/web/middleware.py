"""ASGI middleware of the web app: security headers on every answer, the request body limit, and the
guard that stops an exception already answered with the 500 page."""

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException


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
