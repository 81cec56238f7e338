"""`coordination serve` starts the web app in a thread; a port in use is reported, not fatal."""

import socket

import httpx

from coordination.config import Settings
from coordination.serve import _start_web


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_starts_the_web_app_and_prints_its_address(database_url, tmp_path):
    said: list[str] = []
    port = _free_port()
    web = _start_web(Settings(data_dir=tmp_path, database_url=database_url), port, said.append)
    try:
        assert said == [f"Web app:      http://127.0.0.1:{port}  (links in emails: http://127.0.0.1:8000)"]
        assert httpx.get(f"http://127.0.0.1:{port}/sign-in").status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 303
    finally:
        web.stop()
    assert (tmp_path / "web-secret-key").stat().st_mode & 0o777 == 0o600


def test_a_web_port_in_use_is_reported_and_serve_goes_on(tmp_path):
    said: list[str] = []
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert _start_web(Settings(data_dir=tmp_path), port, said.append) is None
    assert said[0].startswith(f"Web app:      not started: port {port} is not free")
    assert _start_web(Settings(data_dir=tmp_path), None, said.append) is None
