"""Alembic environment: async engines, one history for SQLite and PostgreSQL.

Called two ways: by ``hotline db upgrade`` / the app start-up, which pass an open connection in
``config.attributes["connection"]``; or by the ``alembic`` command, which builds an engine from
``HOTLINE_DATABASE_URL`` (or ``sqlalchemy.url``).
"""

from __future__ import annotations

import asyncio
import os

from sqlalchemy import Connection

import hotline.db.models  # noqa: F401  (registers every table)
from alembic import context
from hotline.config import DEFAULT_DATABASE_URL
from hotline.db.base import Base
from hotline.db.session import create_engine

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def _run(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


def _database_url() -> str:
    return (
        config.get_main_option("sqlalchemy.url")
        or os.environ.get("HOTLINE_DATABASE_URL")
        or DEFAULT_DATABASE_URL
    )


async def _run_async() -> None:
    engine = create_engine(_database_url())
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_async())


if context.is_offline_mode():
    context.configure(url=_database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
