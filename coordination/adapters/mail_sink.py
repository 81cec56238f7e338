"""A local mail sink for the embedded default: an SMTP server on loopback that keeps every
message it receives in a Maildir folder, so nothing leaves the machine."""

import mailbox
import socket
from pathlib import Path

from aiosmtpd.controller import Controller


class MaildirHandler:
    def __init__(self, folder: Path) -> None:
        self.maildir = mailbox.Maildir(folder, create=True)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.maildir.add(envelope.original_content)
        return "250 Message kept in the local mail sink"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class MailSink:
    """Start with `start()`, stop with `stop()`; messages land in `folder/new`."""

    def __init__(self, folder: Path, *, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.folder = folder
        self.host = host
        self.port = port or free_port(host)
        self._controller = Controller(MaildirHandler(folder), hostname=host, port=self.port)

    def start(self) -> "MailSink":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def messages(self) -> list[mailbox.MaildirMessage]:
        return list(mailbox.Maildir(self.folder, create=False))
