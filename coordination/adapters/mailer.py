"""Mail out over SMTP with aiosmtplib: one connection per batch, errors sorted into
transient (retry later) and permanent (give up, record why), as `services.ports` names them.
The envelope (MAIL FROM, RCPT TO) is given explicitly, so what is delivered is exactly the
stored addresses. The message itself is the services' (`services.delivery.build_message`)."""

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal

import aiosmtplib

from coordination.config import Settings
from coordination.services.ports import (  # noqa: F401 — the errors are the services' to sort
    Mailer,
    PermanentDeliveryError,
    TransientDeliveryError,
    UnreachableServer,
)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int | None = None
    username: str | None = None
    password: str | None = None
    tls: Literal["none", "starttls", "tls"] = "starttls"
    timeout: float = 30.0


def smtp_settings(settings: Settings) -> SmtpSettings | None:
    """The SMTP server of the settings (COORDINATION_SMTP_HOST, _PORT, _TLS, …), or None when none is configured."""
    if not settings.smtp_host:
        return None
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpSettings(settings.smtp_host, settings.smtp_port, settings.smtp_username, password, settings.smtp_tls,
                        settings.smtp_timeout)


def _classify(error: Exception) -> Exception:
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = [e.code for e in error.recipients]
        permanent = all(code >= 500 for code in codes)
        text = "; ".join(f"{e.code} {e.message}" for e in error.recipients)
        return (PermanentDeliveryError if permanent else TransientDeliveryError)(text)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        kind = PermanentDeliveryError if error.code >= 500 else TransientDeliveryError
        return kind(f"{error.code} {error.message}".strip())
    return UnreachableServer(f"{type(error).__name__}: {error}")


class SmtpMailer:
    """An SMTP connection held open for a batch of messages."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._client: aiosmtplib.SMTP | None = None

    def _new_client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.host, port=s.port, username=s.username or None, password=s.password or None,
            use_tls=s.tls == "tls", start_tls=True if s.tls == "starttls" else False, timeout=s.timeout,
        )

    async def __aenter__(self) -> "SmtpMailer":
        await self.connect()
        return self

    async def connect(self) -> None:
        self._client = self._new_client()
        try:
            await self._client.connect()
        except (aiosmtplib.SMTPException, OSError) as error:
            self._client = None
            raise _classify(error) from error

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None and self._client.is_connected:
            try:
                await self._client.quit()
            except (aiosmtplib.SMTPException, OSError):
                self._client.close()
        self._client = None

    async def send(self, message: EmailMessage, *, sender: str, recipients: list[str]) -> None:
        if self._client is None or not self._client.is_connected:
            await self.connect()  # the server dropped us between messages
        assert self._client is not None  # connect() leaves a client or raises
        try:
            await self._client.send_message(message, sender=sender, recipients=recipients)
        except (aiosmtplib.SMTPException, OSError) as error:
            if isinstance(error, (aiosmtplib.SMTPServerDisconnected, OSError)):
                self._client = None
            raise _classify(error) from error
        except Exception:
            # anything else (aiosmtplib's ValueError on a control character, say) may leave the
            # session inside a mail transaction: drop the connection, the next message opens a new one
            self._drop()
            raise

    def _drop(self) -> None:
        if self._client is not None:
            try:
                self._client.close()
            except Exception:  # noqa: BLE001 — closing a broken connection cannot fail the batch
                pass
        self._client = None

