"""Typed settings, read once from the environment (COORDINATION_*) at the entry point."""

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent


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

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'coordination.db'}"

    @property
    def mail_domain(self) -> str:
        return self.mail_from.rpartition("@")[2] or "coordination.localhost"
