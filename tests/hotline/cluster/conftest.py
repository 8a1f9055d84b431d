"""A PostgreSQL database for the cluster tests (the bus bridge exists on PostgreSQL only)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tests.fixtures.database import _truncate_postgres


@pytest.fixture
def pg_url(postgres_database: str) -> Iterator[str]:
    yield postgres_database
    asyncio.run(_truncate_postgres(postgres_database))
