"""Fixtures shared by the integration tests: the command line (`invoke`, `cli`) and a real
SMTP server on loopback with an app configured for it (`smtp`, `mail_app`)."""

from .test_cli import cli, invoke  # noqa: F401
from .test_delivery import mail_app, smtp  # noqa: F401
