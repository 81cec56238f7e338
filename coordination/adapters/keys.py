"""Secrets kept outside the database, in files of the data directory readable by its owner only.

    data directory (0700)
      coordination.db     the SQLite database (and its -wal, -shm), 0600
      web-secret-key      signs the web app's cookies and calendar addresses (COORDINATION_SECRET_KEY)
      audit-key           keys the audit chain and its checkpoints (COORDINATION_AUDIT_KEY)
      audit-checkpoints   signed (count, hash) of the chain's head, one line per commit
      demo-passwords.txt  the demo accounts' passwords
      errors.log          tracebacks of unexpected errors (the command line and the web show one line)

Each key file is generated once (os.O_EXCL: two processes starting together agree on
one), mode 0600; every file above is created 0600, and one found wider is narrowed at
start-up (`tighten`).
"""

import hashlib
import hmac
import os
import secrets
import stat
import traceback
from datetime import UTC, datetime
from pathlib import Path

from coordination.config import Settings

PRIVATE_FILES = ("coordination.db", "coordination.db-wal", "coordination.db-shm", "coordination.db-journal",
                 "web-secret-key", "audit-key", "audit-checkpoints", "demo-passwords.txt", "errors.log")
ERRORS_LOG = "errors.log"


def private_dir(path: Path) -> Path:
    """Create a directory readable by its owner only (0700); an existing one is left as it is."""
    path = Path(path)
    if not path.exists():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def secret_file(path: Path) -> str:
    """The secret kept in `path`, generated once (mode 0600) if the file does not exist."""
    path = Path(path)
    if not path.exists():
        private_dir(path.parent)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(48))
    value = path.read_text().strip()
    if not value:
        raise ValueError(f"{path} is empty: remove it to generate a new key, or restore it from a backup")
    return value


def web_secret_key(settings: Settings) -> str:
    """COORDINATION_SECRET_KEY, or one generated once and kept in the data directory (0600)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    return secret_file(Path(settings.data_dir) / "web-secret-key")


class KeySigner:
    """The `Signer` port: HMAC-SHA256 under the web app's secret key, read at each signature
    (a new COORDINATION_SECRET_KEY, or a new key file, changes every signature at once)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def sign(self, message: str) -> str:
        key = web_secret_key(self.settings).encode()
        return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def append_private(path: Path, text: str) -> None:
    """Append `text` to a file readable by its owner only (created 0600, in a 0700 directory if new)."""
    path = Path(path)
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, text.encode("utf-8", errors="replace"))
    finally:
        os.close(fd)


def log_error(data_dir: Path, error: BaseException, where: str) -> Path:
    """The traceback of an unexpected error, appended to the data directory's errors.log; its path."""
    path = Path(data_dir) / ERRORS_LOG
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    append_private(path, f"--- {at} {where}\n{trace}\n")
    return path


def tighten(data_dir: Path, database: Path | None = None) -> None:
    """Narrow what a version before these rules (or a copy, or an umask) left readable by others:
    the private files to 0600, and the data directory holding them to 0700."""
    data_dir = Path(data_dir)
    files = [data_dir / name for name in PRIVATE_FILES]
    if database is not None:
        files += [database, *(database.with_name(database.name + suffix) for suffix in ("-wal", "-shm", "-journal"))]
    found = False
    for path in files:
        found = _narrow(path, 0o600) or found
    if found:  # a directory of ours; never a shared one such as /tmp (sticky) or one of another user
        _narrow(data_dir, 0o700, directory=True)


def _narrow(path: Path, mode: int, *, directory: bool = False) -> bool:
    """chmod `path` to `mode` if it exists (a regular file, or a directory) and is wider; True if it exists."""
    try:
        status = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    kind_ok = stat.S_ISDIR(status.st_mode) if directory else stat.S_ISREG(status.st_mode)
    if not kind_ok:
        return False
    if directory and (status.st_mode & stat.S_ISVTX or status.st_uid != os.getuid()):
        return True
    if stat.S_IMODE(status.st_mode) & ~mode:
        try:
            os.chmod(path, stat.S_IMODE(status.st_mode) & mode)
        except OSError:
            pass
    return True
