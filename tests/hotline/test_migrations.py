"""One Alembic history for both databases, matching the models exactly."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

import hotline.db.models  # noqa: F401
from hotline.db import migrate
from hotline.db.base import Base

pytestmark = pytest.mark.asyncio


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "render_as_batch": connection.dialect.name == "sqlite"},
    )
    return list(compare_metadata(context, Base.metadata))


async def test_migrations_match_the_models(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        diff = await connection.run_sync(_diff)
    assert diff == []


async def test_database_is_at_the_single_head(engine: AsyncEngine) -> None:
    assert await migrate.current_revision(engine) == migrate.head_revision()


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_downgrade_to_base_and_back(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine, "head")
    await migrate.downgrade(engine, "base")
    async with engine.connect() as connection:
        assert await connection.run_sync(_tables) <= {"alembic_version"}
    await migrate.upgrade(engine, "head")
    async with engine.connect() as connection:
        assert {"user", "agent", "agent_skill", "audit_log"} <= await connection.run_sync(_tables)


async def test_roles_are_seeded(engine: AsyncEngine) -> None:
    from sqlalchemy import select

    from hotline.db.models import RoleRow
    from hotline.roles import Role

    async with engine.connect() as connection:
        names = set((await connection.execute(select(RoleRow.name))).scalars())
    assert names == {r.value for r in Role}
