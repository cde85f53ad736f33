"""The one Settings object, read from ``MASSAR_*`` variables and ``.env`` and checked at start.

Errors a deployer can cause fail here, naming the setting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Deployment settings; see the README's table for each one."""

    model_config = SettingsConfigDict(env_prefix="MASSAR_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./massar.db"
    timezone: str = "Africa/Tunis"
    default_language: Literal["ar", "fr", "en", "pt"] = "fr"

    telegram_token: SecretStr | None = None
    telegram_driver: Literal["aiogram", "ptb"] = "aiogram"
    telegram_mode: Literal["polling", "webhook"] = "polling"
    telegram_api_url: str = "https://api.telegram.org"
    telegram_webhook_secret: SecretStr | None = None
    public_url: str | None = None
    # --- Telegram delivery limits (issue #3 owns this block) ---
    telegram_rate_per_second: float = Field(default=30.0, gt=0)
    telegram_chat_rate_per_second: float = Field(default=1.0, gt=0)
    # --- end of Telegram block ---

    whatsapp_token: SecretStr | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_api_url: str = "https://graph.facebook.com/v21.0"
    # --- WhatsApp delivery settings (issue #4 owns this block) ---
    whatsapp_rate_per_second: float = Field(default=80.0, gt=0)
    # --- end of WhatsApp block ---

    content_dir: Path = REPO_ROOT / "conversations" / "content"
    locales_dir: Path = REPO_ROOT / "locales"
    resume_after_hours: float = Field(default=12.0, gt=0)
    dispatch_interval_seconds: float = Field(default=1.0, gt=0)
    outbox_max_attempts: int = Field(default=8, ge=1)
    outbox_batch_size: int = Field(default=100, ge=1, le=10_000)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"MASSAR_TIMEZONE: unknown time zone '{value}'") from exc
        return value

    @model_validator(mode="after")
    def _channel_settings_complete(self) -> Settings:
        if self.telegram_token and self.telegram_mode == "webhook":
            if not self.telegram_webhook_secret:
                raise ValueError("MASSAR_TELEGRAM_WEBHOOK_SECRET is required in webhook mode")
            if not self.public_url:
                raise ValueError("MASSAR_PUBLIC_URL is required in Telegram webhook mode")
        if self.whatsapp_token:
            for name in (
                "whatsapp_phone_number_id",
                "whatsapp_app_secret",
                "whatsapp_verify_token",
            ):
                if not getattr(self, name):
                    raise ValueError(f"MASSAR_{name.upper()} is required when WhatsApp is enabled")
        return self

    @property
    def zone(self) -> ZoneInfo:
        """The deployment's time zone."""
        return ZoneInfo(self.timezone)
