"""``UTCDateTime`` hands back aware UTC datetimes on both databases, whatever the value; on
SQLite the stored text has a one-step reading (``result_processor``), held here to the general
one on the same text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import cast

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.db.types import UTCDateTime

MOMENTS = [
    datetime(2026, 12, 7, 9, 30, 12, 123456, tzinfo=UTC),
    datetime(2026, 12, 7, 9, 30, 12, tzinfo=UTC),  # no microseconds: still stored with six zeros
    datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=8))),
    datetime(1, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
]


@pytest.mark.asyncio
async def test_every_moment_reads_back_as_the_same_aware_utc_datetime(engine: AsyncEngine) -> None:
    table = Table(
        "utc_datetime_probe",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("at", UTCDateTime()),
        prefixes=["TEMPORARY"],
    )
    async with engine.connect() as connection:
        await connection.run_sync(table.metadata.create_all)
        await connection.execute(
            insert(table), [{"id": n, "at": at} for n, at in enumerate([*MOMENTS, None])]
        )
        read = list(await connection.scalars(select(table.c.at).order_by(table.c.id)))
        await connection.rollback()
    assert read == [*MOMENTS, None]
    assert all(at.tzinfo is UTC for at in read[:-1])


@pytest.mark.parametrize(
    "stored",
    [
        "2026-12-07 09:30:12.123456",
        "2026-12-07 09:30:12.000000",
        "0001-01-01 00:00:00.000001",
        # Shapes SQLAlchemy does not write, stored by hand: the general reading.
        "2026-12-07 09:30:12",
        "2026-12-07",
        "2026-12-07T09:30:12.123456",
        None,
    ],
)
def test_the_one_step_reading_equals_the_general_one(stored: str | None) -> None:
    dialect = sqlite.dialect()
    column_type = cast(UTCDateTime, UTCDateTime().dialect_impl(dialect))
    one_step = column_type.result_processor(dialect, None)
    assert one_step is not None
    parse = column_type.impl_instance.result_processor(dialect, None)
    assert parse is not None
    general = column_type.process_result_value(parse(stored), dialect)
    read = one_step(stored)
    assert read == general
    assert (read.tzinfo if read else None) is (general.tzinfo if general else None)
    assert read is None or read.tzinfo is UTC


@pytest.mark.asyncio
async def test_text_stored_by_hand_in_sqlite_is_read_the_general_way(engine: AsyncEngine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite stores datetimes as text")
    table = Table(
        "utc_datetime_text",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("at", UTCDateTime()),
        prefixes=["TEMPORARY"],
    )
    async with engine.connect() as connection:
        await connection.run_sync(table.metadata.create_all)
        await connection.execute(
            text("INSERT INTO utc_datetime_text (id, at) VALUES (1, '2026-12-07 09:30:12')")
        )
        read = await connection.scalar(select(table.c.at))
        await connection.rollback()
    assert read == datetime(2026, 12, 7, 9, 30, 12, tzinfo=UTC)
