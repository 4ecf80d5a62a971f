"""The one settings class. Read from CELLULE_* environment variables, never built at import time."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent
MIN_SECRET_CHARS = 16  # a shorter API token or signing secret can be guessed


class Settings(BaseSettings):
    # hide_input_in_errors: a refused secret is never echoed in the error that refuses it.
    model_config = SettingsConfigDict(env_prefix="CELLULE_", extra="ignore", hide_input_in_errors=True)

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

    # Server mode (`cellule up`): Prefect keeps its own database, never Cellule's.
    prefect_database_url: str = ""  # empty: Prefect's own SQLite under data_dir/prefect-server
    prefect_port: int = 4200
    http_host: str = "127.0.0.1"
    http_port: int = 8000

    # HTTP intake API: bearer tokens (comma-separated) and/or an HMAC signing secret. Neither: it refuses all.
    api_tokens: SecretStr | None = None
    api_signing_secret: SecretStr | None = None

    # Review platforms, for publishing approved replies (`cellule review publish --connector …`). Without
    # credentials only the manual connector is offered: a person posts the approved text and records where.
    review_decision_days: int = Field(default=7, ge=1, le=90)  # a platform decision later than this: remind
    google_business_api_url: str = "https://mybusiness.googleapis.com"
    google_business_access_token: SecretStr | None = None  # OAuth 2.0, scope business.manage
    google_business_account_id: str | None = None
    google_business_location_id: str | None = None
    trustpilot_api_url: str = "https://api.trustpilot.com"
    trustpilot_access_token: SecretStr | None = None  # a business user's OAuth 2.0 token
    trustpilot_business_user_id: str | None = None

    @field_validator("google_business_access_token", "trustpilot_access_token", mode="before")
    @classmethod
    def _empty_platform_token_is_unset(cls, value: object) -> object:
        return None if value in ("", None) else value

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "smtp_password",
        "api_tokens",
        "api_signing_secret",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value in ("", None) else value

    @field_validator("slack_bot_token")
    @classmethod
    def _refuse_placeholder_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("xoxb-", "xoxp-")):
            raise ValueError("CELLULE_SLACK_BOT_TOKEN must be a Slack bot token (xoxb-…)")
        return value

    @field_validator("api_tokens", "api_signing_secret")
    @classmethod
    def _refuse_guessable_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None:
            return None
        raw = value.get_secret_value()
        secrets = _split_tokens(raw) if info.field_name == "api_tokens" else (raw,)
        if not secrets or any(len(secret) < MIN_SECRET_CHARS for secret in secrets):
            raise ValueError(
                f"needs at least {MIN_SECRET_CHARS} characters per secret (try `openssl rand -hex 32`)"
            )
        return value

    @property
    def api_token_list(self) -> tuple[str, ...]:
        """The accepted bearer tokens (CELLULE_API_TOKENS, comma-separated: rotate by listing old and new)."""
        return _split_tokens(self.api_tokens.get_secret_value()) if self.api_tokens else ()

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'cellule.db'}"


def _split_tokens(raw: str) -> tuple[str, ...]:
    return tuple(token.strip() for token in raw.split(",") if token.strip())


@lru_cache
def get_settings() -> Settings:
    return Settings()
