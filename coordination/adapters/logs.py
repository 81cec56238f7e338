"""Third-party libraries' log records go to a file in the data directory, not to the console.

WeasyPrint and fontTools log warnings about fonts and CSS while a letter becomes a PDF ("'created'
timestamp seems very low", "Ignored `…`, unknown property"): nothing a person running
`coordination serve` or a command can act on, and enough lines to bury the ones that matter. Their
loggers stop propagating to the root logger (where Prefect's console handler, or Python's last-resort
handler, would print them) and write to `third-party.log` (0600) instead, created at the first
record. Our own loggers and every other library's are left as they are: an error of ours still
reaches the console.
"""

import logging
import os
from pathlib import Path

THIRD_PARTY_LOGGERS = ("fontTools", "weasyprint")
THIRD_PARTY_LOG = "third-party.log"


class _PrivateFile(logging.FileHandler):
    """A log file only its owner reads, opened at the first record (a command that logs nothing
    leaves no file)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, mode="a", encoding="utf-8", delay=True)

    def _open(self):  # type: ignore[no-untyped-def]
        Path(self.baseFilename).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return open(fd, "a", encoding=self.encoding)  # noqa: SIM115 - the handler closes it


def route_third_party_logs(data_dir: Path, names: tuple[str, ...] = THIRD_PARTY_LOGGERS) -> Path:
    """Send the records of `names`' loggers (WARNING and up) to `data_dir`/third-party.log, and no
    longer to the console; again for another data directory replaces the file. Its path."""
    path = Path(data_dir) / THIRD_PARTY_LOG
    for name in names:
        logger = logging.getLogger(name)
        for handler in [h for h in logger.handlers if isinstance(h, _PrivateFile)]:
            logger.removeHandler(handler)
            handler.close()
        handler = _PrivateFile(path)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)  # WeasyPrint's progress lines (INFO) are not worth a file either
        logger.propagate = False
    return path
