"""Settings: one validated tree, read once at start-up and passed down.

Sources, highest precedence first: keyword arguments (tests), environment variables with the
prefix ``HOTLINE_`` (nested sections use ``__``, e.g. ``HOTLINE_AUTH__TOKEN_TTL_MINUTES``), the
optional TOML config file named by ``HOTLINE_CONFIG_FILE`` (default ``./hotline.toml`` when it
exists), then defaults.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from hotline.softphone.settings import SoftphoneSettings
from hotline.workorders.settings import AttachmentSettings, NoticeSettings

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./hotline.db"
# The placeholder earlier versions shipped as the default: it is public, so a token signed with it
# proves nothing. Refused outside the test profile, like any secret shorter than 32 characters.
PUBLISHED_JWT_SECRET = "dev-only-insecure-jwt-secret-change-me"
MIN_JWT_SECRET_LENGTH = 32


class Profile(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class LoginSettings(BaseModel):
    """Login throttling and lockout (see ``hotline.auth.throttle``)."""

    window_s: float = Field(default=60.0, gt=0, le=3600)
    address_failures: int = Field(
        default=20, ge=1, description="failed logins from one address per window"
    )
    user_failures: int = Field(default=5, ge=1, description="failed logins for one user per window")
    lockout_after: int = Field(default=10, ge=1, description="failures in a row that lock a user")
    lockout_s: float = Field(default=900.0, gt=0, le=86_400)


def _random_jwt_secret() -> SecretStr:
    return SecretStr(secrets.token_urlsafe(48))


class AuthSettings(BaseModel):
    # Unset: a random secret for this process (tokens end with it; the production profile
    # refuses to start without one set, as several replicas must share it).
    jwt_secret: SecretStr = Field(default_factory=_random_jwt_secret)
    jwt_algorithm: str = "HS256"
    token_ttl_minutes: int = Field(default=480, ge=1, le=7 * 24 * 60)
    issuer: str = "hotline"
    login: LoginSettings = LoginSettings()
    principal_cache_s: float = Field(
        default=2.0,
        ge=0,
        le=60,
        description=(
            "how long a checked token's user and roles are reused without a database read; "
            "changes made in this process apply at once, those of other processes within this "
            "time (0: read on every request)"
        ),
    )

    @property
    def secret_is_ephemeral(self) -> bool:
        """True when no secret was configured and this process made up its own."""
        return "jwt_secret" not in self.model_fields_set


class LogSettings(BaseModel):
    level: str = "INFO"
    json_output: bool = Field(default=False, alias="json")

    @field_validator("level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return upper


class WorkOrderSettings(BaseModel):
    sweep_enabled: bool = True
    sweep_interval_s: float = Field(default=30.0, gt=0, le=3600)
    # A batch is one transaction: its rows stay locked until it commits.
    sweep_batch_size: int = Field(default=500, ge=1, le=5_000)
    # Each worker holds a database connection while it sweeps: stay within the pool (5 + 10).
    sweep_workers: int = Field(default=2, ge=1, le=8)


class CtiDatabaseSettings(BaseModel):
    """The CTI engine's own connection pool and write queue, apart from the API's pool, so that
    API load never starves call handling (and call handling never waits for the database)."""

    pool_size: int = Field(default=4, ge=2, le=50)
    # A full queue makes the call path wait (back-pressure), it never drops a write.
    queue_max: int = Field(default=50_000, ge=100, le=5_000_000)
    batch_max: int = Field(default=200, ge=1, le=5_000)
    alarm_lag_s: float = Field(default=5.0, gt=0, le=3600)


class DeskSettings(BaseModel):
    """The agent desktop (src/hotline/web/desk)."""

    # A call cannot leave wrap-up without its summary unless the centre makes it optional.
    summary_required: bool = True
    # Cookies marked Secure (only sent over https): on in production behind TLS.
    secure_cookies: bool = False


class RecordingSettings(BaseModel):
    """Which calls are recorded (ARI bridge recording from the agent's answer to the end of
    talk) and how long recordings are kept; see docs/cti.md."""

    mode: Literal["off", "all", "percent"] = "off"
    percent: int = Field(
        default=100, ge=0, le=100, description="with mode 'percent': the share of calls recorded"
    )
    lines: list[str] = Field(
        default_factory=list, description="record only these business lines (empty: every line)"
    )
    retention_days: int = Field(default=180, ge=1, le=3650)
    voicemail_retention_days: int = Field(
        default=180, ge=1, le=3650, description="voicemails left by diverted callers"
    )
    voicemail_dir: str | None = Field(
        default=None,
        description=(
            "read voicemails (<name>.wav) from this directory, e.g. Asterisk's recordings spool "
            "mounted on this host, instead of over ARI"
        ),
    )
    purge_interval_s: float = Field(default=3600.0, gt=0, le=86_400)


class FloorSettings(BaseModel):
    """The supervisors' floor (``/floor``, docs/floor.md): the service-level target its tiles are
    measured against and the thresholds that raise its alerts. Zero switches an alert off."""

    service_level_target: float = Field(
        default=0.8, gt=0, le=1, description="share of offered calls answered within 20 s"
    )
    service_level_min_offered: int = Field(
        default=10, ge=0, description="calls offered today before a low service level alerts"
    )
    waiting_alert: int = Field(default=5, ge=0, description="callers waiting in one queue")
    longest_wait_alert_s: float = Field(default=60.0, ge=0, description="the oldest caller's wait")
    abandoned_alert: int = Field(default=20, ge=0, description="calls abandoned today in a queue")
    ringing_alert_s: float = Field(default=30.0, ge=0, description="an agent's phone ringing")
    on_call_alert_s: float = Field(default=900.0, ge=0, description="one call, talk and hold")
    wrap_up_alert_s: float = Field(default=120.0, ge=0, description="wrap-up after a call")
    not_ready_alert_s: float = Field(default=900.0, ge=0, description="not ready, any reason")
    heavy_caller_calls: int = Field(
        default=30, ge=0, description="calls from one number in heavy_caller_days that alert"
    )
    heavy_caller_days: int = Field(
        default=30, ge=1, le=366, description="the period a heavy caller's calls are counted in"
    )


class ClusterSettings(BaseModel):
    """Several instances on one PostgreSQL database: the call engine runs on the lease holder
    (``hotline.cluster``; docs/cluster.md). Ignored on SQLite, where the instance always leads."""

    instance_id: str = Field(
        default="",
        max_length=200,
        description="this instance's name in the lease and /readyz (empty: host name and pid)",
    )
    advertise_url: str = Field(
        default="",
        max_length=500,
        description="the URL other instances forward call actions to, e.g. http://10.0.0.5:8000",
    )
    lease_ttl_s: float = Field(
        default=3.0, ge=0.5, le=60, description="a leader not renewed for this long is replaced"
    )
    renew_interval_s: float = Field(
        default=1.0, gt=0, le=20, description="how often the leader renews (a third of the TTL)"
    )
    poll_interval_s: float = Field(
        default=0.5, gt=0, le=20, description="how often a standby tries to take the lease"
    )
    forward_timeout_s: float = Field(
        default=10.0, gt=0, le=120, description="a request forwarded to the leader, at most"
    )

    @model_validator(mode="after")
    def _renew_inside_ttl(self) -> ClusterSettings:
        if self.renew_interval_s * 2 > self.lease_ttl_s:
            raise ValueError(
                "cluster.renew_interval_s must be at most half of cluster.lease_ttl_s, so that "
                "one late renewal does not cost the lease"
            )
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_",
        env_nested_delimiter="__",
        extra="forbid",
        populate_by_name=True,
    )

    profile: Profile = Profile.DEVELOPMENT
    database_url: str = DEFAULT_DATABASE_URL
    database_echo: bool = False
    # The API's pool; a request uses one connection at a time from it.
    database_pool_size: int = Field(default=5, ge=1, le=200)
    database_pool_overflow: int = Field(default=10, ge=0, le=200)
    database_pool_timeout_s: float = Field(default=30.0, gt=0, le=600)
    cti_database: CtiDatabaseSettings = CtiDatabaseSettings()
    gc_freeze_after_start: bool = Field(
        default=True,
        description="move what start-up built out of the garbage collector's walks "
        "(gc.freeze; never under the test profile): shorter collection pauses on the loop",
    )
    # 8: on the quiet machine fewer places served more reads with a shorter tail than 24
    # (BENCHMARKS.md, issue 11); a read over its hold budget leaves the line, so a slow one (a
    # year's report, a stalled database) cannot keep the short reads waiting.
    api_concurrency: int = Field(
        default=8,
        ge=0,
        le=1000,
        description="API reads served at once; the others wait in arrival order, so that under "
        "load every read waits about as long as the others (hotline.admission); 0: no limit",
    )
    api_read_hold_budget_s: float = Field(
        default=0.1,
        ge=0,
        le=60,
        description="how long an API read keeps its place in that line before it goes on "
        "outside it, so a slow read never holds up the short ones (0: until its response starts)",
    )
    auto_migrate: bool = Field(
        default=True, description="apply migrations at start-up (the embedded default)"
    )
    timezone: str = "Asia/Shanghai"
    ari_rest_transport: Literal["http", "websocket"] = Field(
        default="http",
        description=(
            "how ARI commands are sent: plain HTTP, or REST over a websocket "
            "(Asterisk 22+; many times less CPU per command)"
        ),
    )
    loop_lag_alarm_ms: float = Field(
        default=100.0, gt=0, description="event-loop lag that logs a warning (event_loop_stalled)"
    )
    metrics_token: SecretStr | None = Field(
        default=None, description="bearer token a Prometheus scraper presents at /metrics"
    )
    auth: AuthSettings = Field(default_factory=AuthSettings)  # a new random secret each time
    log: LogSettings = LogSettings()
    workorders: WorkOrderSettings = WorkOrderSettings()
    softphone: SoftphoneSettings = SoftphoneSettings()
    desk: DeskSettings = DeskSettings()
    recording: RecordingSettings = RecordingSettings()
    attachments: AttachmentSettings = AttachmentSettings()
    notices: NoticeSettings = NoticeSettings()
    floor: FloorSettings = FloorSettings()
    cluster: ClusterSettings = ClusterSettings()

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must start with sqlite+aiosqlite:// or postgresql+asyncpg:// "
                f"(got {value.split('://', 1)[0]}://...)"
            )
        return value

    @model_validator(mode="after")
    def _refuse_guessable_secrets(self) -> Settings:
        secret = self.auth.jwt_secret.get_secret_value()
        guessable = secret == PUBLISHED_JWT_SECRET or len(secret) < MIN_JWT_SECRET_LENGTH
        if guessable and self.profile is not Profile.TEST and not self.auth.secret_is_ephemeral:
            raise ValueError(
                "auth.jwt_secret: refused, it is the published placeholder or shorter than "
                f"{MIN_JWT_SECRET_LENGTH} characters; set HOTLINE_AUTH__JWT_SECRET to at "
                f"least {MIN_JWT_SECRET_LENGTH} random characters (or leave it unset outside "
                "production for a random one per process)"
            )
        return self

    @model_validator(mode="after")
    def _production_refuses_defaults(self) -> Settings:
        if self.profile is Profile.PRODUCTION:
            if self.auth.secret_is_ephemeral:
                raise ValueError(
                    "auth.jwt_secret: the production profile needs a configured secret shared "
                    "by every replica; set HOTLINE_AUTH__JWT_SECRET to at least "
                    f"{MIN_JWT_SECRET_LENGTH} random characters"
                )
            if self.database_url.startswith("sqlite"):
                raise ValueError(
                    "database_url: the production profile needs PostgreSQL "
                    "(HOTLINE_DATABASE_URL=postgresql+asyncpg://...)"
                )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = _config_file()
        if config_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)


def _config_file() -> Path | None:
    named = os.environ.get("HOTLINE_CONFIG_FILE")
    if named:
        path = Path(named)
        if not path.is_file():
            raise ConfigFileMissingError(named)
        return path
    default = Path("hotline.toml")
    return default if default.is_file() else None


def load_settings(**overrides: Any) -> Settings:
    """Build the settings once; raise a ``SettingsError`` whose message names each bad field."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(_describe(exc), exc.errors()) from None


class SettingsError(Exception):
    """Invalid configuration; the message names the setting and the problem (in English, for
    logs and the service's start-up). ``errors`` are pydantic's own entries, for the command
    line to word in its reader's language (hotline.cli_settings)."""

    def __init__(self, message: str, errors: Sequence[Mapping[str, Any]] = ()) -> None:
        super().__init__(message)
        self.errors: list[Mapping[str, Any]] = list(errors)


class ConfigFileMissingError(FileNotFoundError):
    """``HOTLINE_CONFIG_FILE`` names a file that is not there (``named``: as it was given)."""

    def __init__(self, named: str) -> None:
        super().__init__(f"HOTLINE_CONFIG_FILE={named}: no such file")
        self.named = named


def _describe(exc: Any) -> str:
    lines = ["invalid settings:"]
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"]) or "(settings)"
        env_name = "HOTLINE_" + "__".join(str(p).upper() for p in err["loc"]) if err["loc"] else ""
        message = err["msg"].removeprefix("Value error, ")
        hint = f" (env {env_name})" if env_name else ""
        lines.append(f"  {loc}{hint}: {message}")
    return "\n".join(lines)
