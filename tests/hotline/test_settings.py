from __future__ import annotations

from pathlib import Path

import pytest

from hotline.config import (
    DEFAULT_DATABASE_URL,
    PUBLISHED_JWT_SECRET,
    Profile,
    SettingsError,
    load_settings,
)


def test_defaults_are_the_embedded_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOTLINE_DATABASE_URL", raising=False)
    settings = load_settings()
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.profile is Profile.DEVELOPMENT
    assert settings.is_sqlite


def test_environment_selects_postgresql_and_nested_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_DATABASE_URL", "postgresql+asyncpg://u@db/hotline")
    monkeypatch.setenv("HOTLINE_AUTH__TOKEN_TTL_MINUTES", "30")
    settings = load_settings()
    assert settings.database_url == "postgresql+asyncpg://u@db/hotline"
    assert settings.auth.token_ttl_minutes == 30


def test_config_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "hotline.toml"
    config.write_text('timezone = "Asia/Shanghai"\n[auth]\ntoken_ttl_minutes = 15\n')
    monkeypatch.setenv("HOTLINE_CONFIG_FILE", str(config))
    assert load_settings().auth.token_ttl_minutes == 15


def test_missing_config_file_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_CONFIG_FILE", "/nowhere/hotline.toml")
    with pytest.raises(FileNotFoundError, match=r"/nowhere/hotline\.toml"):
        load_settings()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"HOTLINE_DATABASE_URL": "mysql://x/y"}, "database_url (env HOTLINE_DATABASE_URL)"),
        ({"HOTLINE_AUTH__TOKEN_TTL_MINUTES": "0"}, "auth.token_ttl_minutes"),
        ({"HOTLINE_PROFILE": "staging"}, "profile"),
        ({"HOTLINE_LOG__LEVEL": "LOUD"}, "log.level"),
    ],
)
def test_invalid_settings_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError, match="invalid settings") as info:
        load_settings()
    assert message in str(info.value)


def test_production_refuses_to_start_without_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_PROFILE", "production")
    monkeypatch.setenv("HOTLINE_DATABASE_URL", "postgresql+asyncpg://u@db/hotline")
    with pytest.raises(SettingsError, match="needs a configured secret"):
        load_settings()
    monkeypatch.setenv("HOTLINE_AUTH__JWT_SECRET", "x" * 40)
    assert load_settings().profile is Profile.PRODUCTION


@pytest.mark.parametrize("profile", ["development", "production"])
@pytest.mark.parametrize("secret", [PUBLISHED_JWT_SECRET, "short-secret"])
def test_the_published_placeholder_or_a_short_secret_is_refused_outside_tests(
    monkeypatch: pytest.MonkeyPatch, profile: str, secret: str
) -> None:
    monkeypatch.setenv("HOTLINE_PROFILE", profile)
    monkeypatch.setenv("HOTLINE_DATABASE_URL", "postgresql+asyncpg://u@db/hotline")
    monkeypatch.setenv("HOTLINE_AUTH__JWT_SECRET", secret)
    with pytest.raises(SettingsError, match="published placeholder or shorter than 32") as info:
        load_settings()
    assert secret not in str(info.value)  # the message never echoes the secret


def test_the_test_profile_takes_any_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_PROFILE", "test")
    monkeypatch.setenv("HOTLINE_AUTH__JWT_SECRET", "short")
    assert load_settings().auth.jwt_secret.get_secret_value() == "short"


def test_an_unset_secret_is_random_for_each_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOTLINE_AUTH__JWT_SECRET", raising=False)
    first, second = load_settings().auth, load_settings().auth
    assert first.secret_is_ephemeral
    secret = first.jwt_secret.get_secret_value()
    assert len(secret) >= 32
    assert secret not in (PUBLISHED_JWT_SECRET, second.jwt_secret.get_secret_value())


def test_the_demo_makes_a_new_secret_each_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from hotline.demo.runner import demo_settings

    monkeypatch.setenv("HOTLINE_AUTH__JWT_SECRET", "z" * 40)  # even when one is set
    secrets = {demo_settings(Path("demo.db")).auth.jwt_secret.get_secret_value() for _ in "abc"}
    assert len(secrets) == 3
    assert "z" * 40 not in secrets


def test_production_refuses_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_PROFILE", "production")
    monkeypatch.setenv("HOTLINE_AUTH__JWT_SECRET", "y" * 40)
    with pytest.raises(SettingsError, match="production profile needs PostgreSQL"):
        load_settings()


def test_secrets_do_not_show_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_AUTH__JWT_SECRET", "super-secret-value-1234567890-abcdef")
    settings = load_settings()
    assert "super-secret" not in repr(settings)
    assert "super-secret" not in str(settings.model_dump())
