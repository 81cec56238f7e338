"""Secrets kept outside the database, in files of the data directory readable by its owner only.

    data directory (0700)
      web-secret-key      signs the web app's cookies and calendar addresses (COORDINATION_SECRET_KEY)
      audit-key           keys the audit chain and its checkpoints (COORDINATION_AUDIT_KEY)
      audit-checkpoints   signed (count, hash) of the chain's head, one line per commit

Each key file is generated once (os.O_EXCL: two processes starting together agree on
one), mode 0600.
"""

import os
import secrets
from pathlib import Path


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
