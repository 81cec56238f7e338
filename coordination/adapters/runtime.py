"""Where a running `coordination serve` listens, for the commands run beside it.

`serve` writes `serve.json` into the data directory (mode 0600, removed when it stops): its
Prefect API, its web app's address and, when it runs its own mail sink, the sink's address.
A command run with the same data directory reads it, so that `coordination outbox send` delivers
to serve's sink and digests link to serve's web app — unless a setting says otherwise
(COORDINATION_SMTP_HOST, COORDINATION_BASE_URL), and only while that serve is running.
"""

import json
import os
from pathlib import Path
from typing import Any

from coordination.config import Settings

RUNTIME_FILE = "serve.json"


def write_runtime(data_dir: Path, *, prefect_api_url: str, web_url: str | None,
                  mail: tuple[str, int] | None) -> Path:
    path = data_dir / RUNTIME_FILE
    data: dict[str, Any] = {"prefect_api_url": prefect_api_url, "pid": os.getpid(), "web_url": web_url}
    if mail is not None:
        data["mail_sink"] = {"host": mail[0], "port": mail[1]}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        json.dump(data, file)
    return path


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def _load(data_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((data_dir / RUNTIME_FILE).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_runtime(data_dir: Path) -> dict[str, Any] | None:
    """What the serve of this data directory wrote, or None (none running, or the file is unreadable)."""
    data = _load(data_dir)
    return data if data is not None and _alive(data.get("pid")) else None


def prefect_api_url(data_dir: Path, environ: dict[str, str]) -> str | None:
    """PREFECT_API_URL if set, else the API of the `coordination serve` using this data directory
    (a serve that is gone leaves the request to fail and the reconciler to start the run)."""
    if environ.get("PREFECT_API_URL"):
        return environ["PREFECT_API_URL"]
    url = (_load(data_dir) or {}).get("prefect_api_url")
    return url if isinstance(url, str) else None


def beside_serve(settings: Settings) -> Settings:
    """The settings, with the mail sink and web address of a serve running on the same data
    directory where the settings leave them unset."""
    runtime = read_runtime(settings.data_dir)
    if runtime is None:
        return settings
    update: dict[str, Any] = {}
    sink = runtime.get("mail_sink")
    if not settings.smtp_host and isinstance(sink, dict) and sink.get("host") and isinstance(sink.get("port"), int):
        update |= {"smtp_host": sink["host"], "smtp_port": sink["port"], "smtp_tls": "none"}
    web_url = runtime.get("web_url")
    if "base_url" not in settings.model_fields_set and isinstance(web_url, str) and web_url:
        update["base_url"] = web_url
    return settings.model_copy(update=update) if update else settings
