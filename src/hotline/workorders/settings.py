"""Settings of work-order attachments and of the notices that leave the process.

They sit beside ``hotline.config`` (which includes them) so that the attachment store, the
outbox writer and the delivery worker read one typed tree each, not the whole configuration.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, field_validator

# Types an office sends with a tax question: scans, photos, PDFs, spreadsheets and documents.
# HTML, SVG and scripts are absent on purpose: served back, they could run in the browser.
DEFAULT_ATTACHMENT_TYPES = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/msword",
    "application/vnd.ms-excel",
)


class AttachmentSettings(BaseModel):
    """Files on work orders: where they are kept and what is accepted."""

    directory: Path = Field(
        default=Path("var/attachments"), description="where attachment files are stored"
    )
    max_bytes: int = Field(default=10 * 1024 * 1024, ge=1, le=1024 * 1024 * 1024)
    allowed_types: tuple[str, ...] = Field(
        default=DEFAULT_ATTACHMENT_TYPES,
        description="content types accepted, as sniffed from the bytes (not as declared)",
    )
    max_per_order: int = Field(default=50, ge=1, le=10_000)
    scan_command: str | None = Field(
        default=None,
        description=(
            "a virus scanner run on each file before it is accepted, the file's path appended "
            "(exit 0 clean, 1 infected), e.g. 'clamscan --no-summary'"
        ),
    )
    scan_clamd: str | None = Field(
        default=None,
        description="clamd's socket (a Unix path or host:port); used instead of scan_command",
    )
    scan_timeout_s: float = Field(default=60.0, gt=0, le=600)


class SmtpSettings(BaseModel):
    """The centre's mail relay; notices go by e-mail only when ``host`` is set."""

    host: str | None = None
    port: int = Field(default=587, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = True
    use_tls: bool = False
    sender: str = "hotline@localhost"
    timeout_s: float = Field(default=10.0, gt=0, le=300)


class WebhookSettings(BaseModel):
    """An outgoing webhook (an SMS gateway's); on only when ``url`` is set."""

    url: str | None = None
    secret: SecretStr | None = Field(
        default=None, description="HMAC-SHA256 key: the body's signature is sent in a header"
    )
    timeout_s: float = Field(default=10.0, gt=0, le=300)

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value


class NoticeSettings(BaseModel):
    """Notices outside the browser: the outbox's channels and the delivery worker's retries."""

    smtp: SmtpSettings = SmtpSettings()
    webhook: WebhookSettings = WebhookSettings()
    worker_enabled: bool = True
    poll_interval_s: float = Field(default=5.0, gt=0, le=3600)
    max_attempts: int = Field(default=8, ge=1, le=100)
    # Waits between attempts: base, 2 x base, 4 x base ... capped at max_backoff_s.
    backoff_s: float = Field(default=30.0, gt=0, le=86_400)
    max_backoff_s: float = Field(default=3600.0, gt=0, le=7 * 86_400)
    batch_size: int = Field(default=50, ge=1, le=1000)
    # Sent and skipped notices are deleted after this many days (failed ones stay for the admin).
    keep_sent_days: int = Field(default=30, ge=1, le=3650)

    def channels(self) -> tuple[str, ...]:
        """The channels configured now: an outbox row is written for each of them."""
        enabled: list[str] = []
        if self.smtp.host:
            enabled.append("email")
        if self.webhook.url:
            enabled.append("webhook")
        return tuple(enabled)
