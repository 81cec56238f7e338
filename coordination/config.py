"""Typed settings, read once from the environment (COORDINATION_*) at the entry point."""

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from coordination.domain import DeadlineKind
from coordination.domain.reminders import DEFAULT_POLICIES, ReminderPolicy, check_policy

PACKAGE_DIR = Path(__file__).resolve().parent
Seconds = Annotated[float, Field(ge=0, le=86400, allow_inf_nan=False)]  # a wait: finite, at most a day


class ReminderPolicySetting(BaseModel):
    """A kind's reminder policy as configured; what is left out keeps the kind's default."""

    model_config = {"extra": "forbid"}

    before: tuple[int, ...] | None = None  # days before the due time, e.g. [3, 1]
    on_the_day: bool | None = None
    escalate_every: int | None = None  # days between escalations; 0 turns them off
    on_open: bool | None = None  # also when the deadline is set (approval SLAs: the request to decide)

    def over(self, default: ReminderPolicy) -> ReminderPolicy:
        return ReminderPolicy(
            before=default.before if self.before is None else tuple(self.before),
            on_the_day=default.on_the_day if self.on_the_day is None else self.on_the_day,
            escalate_every=default.escalate_every if self.escalate_every is None else self.escalate_every,
            on_open=default.on_open if self.on_open is None else self.on_open,
        )


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "coordination"


def default_templates_dir() -> Path:
    bundled = PACKAGE_DIR / "templates" / "letters"  # wheel installs
    return bundled if bundled.is_dir() else PACKAGE_DIR.parent / "templates" / "letters"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COORDINATION_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    templates_dir: Path = Field(default_factory=default_templates_dir)
    mail_from: str = "joint-actions@coordination.localhost"

    smtp_host: str | None = None
    smtp_port: int | None = Field(None, ge=1, le=65535)  # default by TLS mode: 465 (tls), 587 (starttls), 25 (none)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_tls: Literal["none", "starttls", "tls"] = "starttls"
    smtp_timeout: float = Field(30.0, gt=0, le=3600, allow_inf_nan=False)
    # delivery retries: within a run (seconds to wait before each new try), then across runs
    smtp_retry_delays: tuple[Seconds, ...] = (1.0, 4.0)
    outbox_backoff_seconds: Seconds = 30.0  # doubled after each failed run, up to an hour
    outbox_max_attempts: int = Field(12, ge=1, le=1000)  # 4xx answers only; an unreachable server never fails a message

    # email addresses with a literal IP domain (name@[192.0.2.1]) are refused unless this is set
    allow_ip_addresses: bool = False

    # reminders: JSON by deadline kind, e.g.
    # COORDINATION_REMINDER_POLICIES='{"state_reply": {"before": [5, 1], "escalate_every": 2}}'
    reminder_policies: dict[DeadlineKind, ReminderPolicySetting] = Field(default_factory=dict)
    # where the web app is reached (reminder emails link to {base_url}/actions/{reference});
    # sessions are signed with secret_key (unset: one is generated once and kept in
    # data_dir/web-secret-key, mode 0600)
    base_url: str = "http://127.0.0.1:8000"
    secret_key: SecretStr | None = None
    # keys the audit chain and signs its checkpoints; unset: generated once into
    # data_dir/audit-key (0600). Every machine writing the same database needs the same key.
    audit_key: SecretStr | None = None
    # a session ends at sign-out, after this absolute limit, or after this long without a request
    session_max_age_seconds: int = Field(default=8 * 3600, ge=300, le=7 * 24 * 3600)
    session_idle_minutes: int = Field(default=120, ge=5, le=480)

    # bounds on what comes in, the same on the command line and the web
    max_field_chars: int = Field(100_000, ge=1, le=10_000_000)  # per text field (letter field, title, comment…)
    max_request_bytes: int = Field(4 * 1024 * 1024, ge=1024, le=1024**3)  # a larger web request answers 413
    pdf_timeout_seconds: float = Field(60.0, gt=0, le=3600)  # a PDF taking longer is stopped

    @field_validator("reminder_policies")
    @classmethod
    def _check_policies(cls, configured: dict[DeadlineKind, ReminderPolicySetting]) -> dict:
        """A combination that cannot work (a negative day, say) fails here, at start-up."""
        for kind, setting in configured.items():
            check_policy(kind, setting.over(DEFAULT_POLICIES[kind]))
        return configured

    @property
    def policies(self) -> dict[DeadlineKind, ReminderPolicy]:
        """Every kind's reminder policy: the configured parts over the defaults."""
        return {kind: self.reminder_policies.get(kind, ReminderPolicySetting()).over(default)
                for kind, default in DEFAULT_POLICIES.items()}

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'coordination.db'}"

    @property
    def audit_key_file(self) -> Path:
        return self.data_dir / "audit-key"

    @property
    def audit_checkpoints_file(self) -> Path:
        return self.data_dir / "audit-checkpoints"

    @property
    def mail_domain(self) -> str:
        return self.mail_from.rpartition("@")[2] or "coordination.localhost"
