"""A database of each kind for one module's fuzzing: a SQLite copy, or a scratch PostgreSQL
database of its own (so the module-long app never shares rows with the per-test databases)."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.fixtures.database import DEFAULT_ADMIN_URL, postgres_status


def postgres_admin_url() -> str:
    # The same server the shared fixtures use.
    return os.environ.get("HOTLINE_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)


def sqlite_copy(template: Path, workdir: Path) -> str:
    database = workdir / "robustness.db"
    shutil.copyfile(template, database)
    return f"sqlite+aiosqlite:///{database}"


async def _execute(admin_url: str, statement: str) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@contextmanager
def postgres_scratch(admin_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database (the app migrates it at start-up), dropped afterwards.
    Use after the shared ``postgres_database`` fixture, which skips when PostgreSQL is absent."""
    assert postgres_status().available
    name = f"hotline_fuzz_{uuid.uuid4().hex[:10]}"
    asyncio.run(_execute(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def require_postgres(request: pytest.FixtureRequest) -> None:
    """Skip (or, where CI requires it, fail) exactly like the shared database fixtures do."""
    request.getfixturevalue("postgres_database")
