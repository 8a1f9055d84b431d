"""Run the Alembic history programmatically (CLI ``hotline db upgrade`` and start-up)."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

import hotline
from alembic import command

# The migrations live beside src/ in the repository (one history for SQLite and PostgreSQL).
REPO_ROOT = Path(hotline.__file__).resolve().parents[2]
ALEMBIC_DIR = REPO_ROOT / "alembic"
ALEMBIC_INI = REPO_ROOT / "alembic.ini"


def alembic_config(database_url: str | None = None) -> Config:
    if not ALEMBIC_INI.is_file():
        raise FileNotFoundError(f"alembic.ini not found at {ALEMBIC_INI}")
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    if database_url is not None:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def _upgrade_on(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _downgrade_on(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply migrations through the given engine (the app's own connection pool)."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade_on, revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade_on, revision)


def _current_on(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(_current_on)


@functools.cache
def head_revision() -> str | None:
    """The migration head of this code. Read once per process: finding it loads and compiles
    every migration script (tenths of a second of CPU, on the event loop), and /readyz asks for
    it on every probe; the scripts do not change under a running process."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
