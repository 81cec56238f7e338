"""The web app in a thread of its own, as `coordination serve` and the browser tests run it."""

import socket
import threading
import time
from typing import TYPE_CHECKING

from coordination.bootstrap import App

if TYPE_CHECKING:
    import uvicorn


class WebServer:
    """uvicorn on a socket bound here, so that a port in use is reported at once."""

    def __init__(self, app: App, *, host: str = "127.0.0.1", port: int = 8000) -> None:
        self.app, self.host, self.port = app, host, port
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, *, timeout: float = 20.0) -> "WebServer":
        import uvicorn

        from .app import create_app

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]  # port 0: a free one
        config = uvicorn.Config(create_app(self.app), log_level="warning", access_log=False, lifespan="off")
        self.server = server = uvicorn.Server(config)
        self.thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="coordination-web",
                                       daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the web app did not start on {self.url}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(10)
        self.server = self.thread = None
