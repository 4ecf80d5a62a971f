"""The one settings class. Read from CELLULE_* environment variables, never built at import time."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CELLULE_", extra="ignore")

    data_dir: Path = PROJECT_DIR / "data"
    database_url: str = ""  # empty: a SQLite file in data_dir
    default_locale: str = "fr"
    timezone: str = "Europe/Paris"  # the reader's, for displayed times

    slack_bot_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_signing_secret: SecretStr | None = None

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_sender: str = "cellule@localhost"

    @field_validator("slack_bot_token", "slack_signing_secret", "smtp_password", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value in ("", None) else value

    @field_validator("slack_bot_token")
    @classmethod
    def _refuse_placeholder_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("xoxb-", "xoxp-")):
            raise ValueError("CELLULE_SLACK_BOT_TOKEN must be a Slack bot token (xoxb-…)")
        return value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'cellule.db'}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
