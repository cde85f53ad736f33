"""The one Settings object, read from ``MASSAR_*`` variables and ``.env`` and checked at start.

Errors a deployer can cause fail here, naming the setting.
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.reminders.policy import parse_days
from backend.reminders.quiet_hours import QuietHours, parse_clock
from conversations.office_hours import OfficeHours
from conversations.people import PeopleRules

REPO_ROOT = Path(__file__).resolve().parent.parent
#: Where Telegram POSTs updates in webhook mode, under MASSAR_PUBLIC_URL.
TELEGRAM_WEBHOOK_PATH = "/webhooks/telegram"
#: What the Bot API accepts as a webhook secret_token.
_TELEGRAM_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
#: Photos, voice notes, audio and video the channels produce, and ordinary documents; never
#: types a browser would run (HTML, SVG).
MEDIA_TYPES = ",".join(
    (
        "image/jpeg", "image/png", "image/webp",
        "audio/ogg", "audio/mpeg", "audio/mp4", "audio/aac", "audio/amr", "audio/opus",
        "video/mp4", "video/3gpp",
        "application/pdf", "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text", "text/plain",
    )
)  # fmt: skip


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
    # --- Telegram delivery limits ---
    telegram_rate_per_second: float = Field(default=30.0, gt=0)
    telegram_chat_rate_per_second: float = Field(default=1.0, gt=0)
    telegram_poll_timeout: int = Field(default=25, ge=0, le=50)
    # --- end of Telegram block ---

    whatsapp_token: SecretStr | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_api_url: str = "https://graph.facebook.com/v21.0"
    # --- WhatsApp delivery settings ---
    whatsapp_rate_per_second: float = Field(default=80.0, gt=0)
    #: Approved templates per message kind and language, for messages outside the 24-hour window.
    whatsapp_templates: Path = REPO_ROOT / "backend" / "channels" / "whatsapp" / "templates.yaml"
    # --- end of WhatsApp block ---

    # --- Reminders, loans, broadcasts and surveys ---
    #: No scheduled message in this local window; ``off`` switches it off.
    quiet_hours: str = "21:00-08:00"
    #: Local time of day at which repayment reminders and surveys are sent.
    reminder_time: str = "09:00"
    #: Repayment reminders, in days from each due date (negative: before).
    repayment_reminder_days: str = "-3,0,3"
    #: Per-program offsets, as JSON: ``{"iess": "-5,0,2"}``.
    repayment_reminder_days_by_program: dict[str, str] = Field(default_factory=dict)
    #: How late an overdue reminder may still go out after downtime; then it is skipped.
    reminder_grace_hours_repayment: float = Field(default=48.0, gt=0)
    reminder_grace_hours_training_day_before: float = Field(default=12.0, gt=0)
    reminder_grace_hours_training_two_hours: float = Field(default=1.0, gt=0)
    #: Follow-up surveys, in months after acceptance.
    survey_months: str = "3,6"
    survey_grace_days: float = Field(default=14.0, gt=0)
    broadcast_grace_hours: float = Field(default=24.0, gt=0)
    reminder_batch_size: int = Field(default=500, ge=1, le=10_000)
    scheduler_interval_seconds: float = Field(default=30.0, gt=0)

    # --- The people's side: minors, the data controller, retention, stored files ---
    #: Nobody younger applies; from this age up to 18 only with a parent's or guardian's consent.
    min_application_age: int = Field(default=18, ge=1, le=18)
    controller_name: str | None = None
    controller_contact: str | None = None
    #: A person silent this long is erased by the scheduled job (the consent text says so).
    retention_days: int = Field(default=730, ge=1)
    #: How often the retention job looks for people to erase.
    retention_interval_hours: float = Field(default=6.0, gt=0)
    #: Where files people send are stored, one folder per person under ``media/``.
    data_dir: Path = Path("./data")
    # --- end of the people's side ---

    # --- Staff console (sessions) ---
    #: A console session ends after this long without a request from its browser.
    console_session_idle_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    #: How often an open inbox looks for new events, in seconds.
    console_events_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    # --- end of console block ---
    # --- Files people send (the staff console's media store; the folder is data_dir) ---
    #: Files larger than this are not fetched from the channel (WhatsApp: 5 MB images, 16 MB
    #: audio and video, 100 MB documents; Telegram bots can fetch 20 MB at most).
    media_max_bytes: int = Field(default=16 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024)
    #: The file types kept, comma-separated; others are recorded as refused.
    media_types: str = MEDIA_TYPES
    media_max_attempts: int = Field(default=6, ge=1, le=50)
    # --- end of media block ---

    office_hours: str = "mon-fri 08:30-17:00"
    handoff_wait_hours: float = Field(default=4.0, gt=0)
    content_dir: Path = REPO_ROOT / "conversations" / "content"
    locales_dir: Path = REPO_ROOT / "locales"
    resume_after_hours: float = Field(default=12.0, gt=0)
    # --- One person, several addresses ---
    #: After this long without a message, a number several people share asks who is writing.
    shared_number_ask_after_minutes: float = Field(default=30.0, gt=0, le=7 * 24 * 60)
    #: Reminders go to the person's address on this channel when they have one (else to the
    #: address they last wrote from).
    reminder_channel: Literal["telegram", "whatsapp", "webchat"] | None = None
    # --- end of addresses block ---
    dispatch_interval_seconds: float = Field(default=1.0, gt=0)
    outbox_max_attempts: int = Field(default=8, ge=1)
    outbox_batch_size: int = Field(default=100, ge=1, le=10_000)
    # --- Delivery under faults ---
    #: How long an update our side could not handle (database or network down) is retried.
    inbound_retry_minutes: float = Field(default=30.0, ge=0, le=24 * 60)
    #: Shared rate limits and per-person locks for several ``massar serve`` (``redis://...``).
    redis_url: str | None = None
    #: Prefix of every Redis key this deployment writes (two deployments may share a Redis).
    redis_prefix: str = "massar"
    # --- end of delivery block ---

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"MASSAR_TIMEZONE: unknown time zone '{value}'") from exc
        return value

    @field_validator("office_hours")
    @classmethod
    def _valid_office_hours(cls, value: str) -> str:
        try:
            OfficeHours.parse(value)
        except ValueError as exc:
            raise ValueError(f"MASSAR_OFFICE_HOURS: {exc}") from exc
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _valid_quiet_hours(cls, value: str) -> str:
        try:
            QuietHours.parse(value)
        except ValueError as exc:
            raise ValueError(f"MASSAR_QUIET_HOURS: {exc}") from exc
        return value

    @field_validator("reminder_time")
    @classmethod
    def _valid_reminder_time(cls, value: str) -> str:
        try:
            parse_clock(value)
        except ValueError as exc:
            raise ValueError(f"MASSAR_REMINDER_TIME: {exc}") from exc
        return value

    @field_validator("repayment_reminder_days", "survey_months")
    @classmethod
    def _valid_day_list(cls, value: str, info: ValidationInfo) -> str:
        try:
            numbers = parse_days(value)
        except ValueError as exc:
            raise ValueError(f"MASSAR_{str(info.field_name).upper()}: {exc}") from exc
        if info.field_name == "survey_months" and any(n <= 0 for n in numbers):
            raise ValueError("MASSAR_SURVEY_MONTHS: months must be positive, such as 3,6")
        return value

    @field_validator("repayment_reminder_days_by_program")
    @classmethod
    def _valid_program_days(cls, value: dict[str, str]) -> dict[str, str]:
        for program, days in value.items():
            try:
                parse_days(days)
            except ValueError as exc:
                raise ValueError(
                    f"MASSAR_REPAYMENT_REMINDER_DAYS_BY_PROGRAM: {program}: {exc}"
                ) from exc
        return value

    @model_validator(mode="after")
    def _channel_settings_complete(self) -> Settings:
        if self.telegram_token:
            self.telegram_webhook()
        if self.whatsapp_token:
            for name in (
                "whatsapp_phone_number_id",
                "whatsapp_app_secret",
                "whatsapp_verify_token",
            ):
                if not getattr(self, name):
                    raise ValueError(f"MASSAR_{name.upper()} is required when WhatsApp is enabled")
        return self

    def telegram_webhook(self) -> tuple[str, str] | None:
        """The webhook URL and secret in Telegram webhook mode (None when polling), checked as
        the Bot API would check them, so a refusal names the setting at start-up."""
        if self.telegram_mode != "webhook":
            return None
        secret = self.telegram_webhook_secret
        if not secret:
            raise ValueError("MASSAR_TELEGRAM_WEBHOOK_SECRET is required in webhook mode")
        if not _TELEGRAM_SECRET.match(secret.get_secret_value()):
            raise ValueError(
                "MASSAR_TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z a-z 0-9 _ -"
            )
        if not self.public_url or not self.public_url.startswith("https://"):
            raise ValueError("MASSAR_PUBLIC_URL must be an https:// URL in Telegram webhook mode")
        url = self.public_url.rstrip("/") + TELEGRAM_WEBHOOK_PATH
        return url, secret.get_secret_value()

    @property
    def people(self) -> PeopleRules:
        """The deployer's choices the conversation honours, as plain values."""
        return PeopleRules(
            min_application_age=self.min_application_age,
            controller_name=self.controller_name,
            controller_contact=self.controller_contact,
            retention_days=self.retention_days,
        )

    @field_validator("media_types")
    @classmethod
    def _valid_media_types(cls, value: str) -> str:
        types = [t.strip().lower() for t in value.split(",") if t.strip()]
        bad = [t for t in types if t.count("/") != 1 or t in ("text/html", "image/svg+xml")]
        if not types or bad:
            raise ValueError(f"MASSAR_MEDIA_TYPES: not a list of allowed file types: {value!r}")
        return ",".join(types)

    @property
    def media_type_set(self) -> frozenset[str]:
        """``MASSAR_MEDIA_TYPES`` as a set."""
        return frozenset(self.media_types.split(","))

    @property
    def zone(self) -> ZoneInfo:
        """The deployment's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def reminder_clock(self) -> time:
        """``MASSAR_REMINDER_TIME`` as a time of day."""
        return parse_clock(self.reminder_time)
