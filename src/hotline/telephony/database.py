"""The CTI engine's own database access: a connection pool apart from the API's, and the write
queue its bookkeeping goes through (see :mod:`hotline.db.write_queue` for why and how)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hotline.config import Settings
from hotline.db.fence import WRITE_FENCE_KEY, WriteFence, fenced_sessionmaker
from hotline.db.session import create_engine, create_sessionmaker
from hotline.db.write_queue import WriteQueue
from hotline.deps import AppState

HEALTH_CHECK = "cti_writes"


@dataclass
class CtiDatabase:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    writes: WriteQueue

    async def close(self) -> None:
        """Write what is still queued, then close the pool."""
        await self.writes.stop()
        await self.engine.dispose()


def open_cti_database(settings: Settings, fence: WriteFence | None = None) -> CtiDatabase:
    """A pool of ``cti_database.pool_size`` connections: the writer holds one at a time, the
    call path's reads take the others, so a read never waits behind the writer. ``fence``: the
    leader lease's term, checked by the database in every batch the writer commits."""
    cti = settings.cti_database
    engine = create_engine(
        settings.database_url,
        echo=settings.database_echo,
        pool_size=cti.pool_size,
        max_overflow=0,
    )
    # Under a lease every commit on this pool proves the term: the queue's batches at their
    # head, the engine's other writes (outbox, purge) just before they commit.
    sessionmaker = (
        create_sessionmaker(engine) if fence is None else fenced_sessionmaker(engine, fence)
    )
    writes = WriteQueue(
        sessionmaker,
        name="cti",
        max_items=cti.queue_max,
        batch_max=cti.batch_max,
        alarm_lag_s=cti.alarm_lag_s,
        fence=fence,
    )
    return CtiDatabase(engine, sessionmaker, writes)


async def start_cti_database(state: AppState) -> CtiDatabase:
    """Open the CTI database, start its writer, and show its lag in /readyz and /metrics. Under
    a leader lease (``hotline.cluster``) the writes carry the current term's fencing token."""
    fence = state.extras.get(WRITE_FENCE_KEY)
    database = open_cti_database(state.settings, fence if isinstance(fence, WriteFence) else None)
    database.writes.start()
    # A second start in the same app finds the gauges registered already.
    with contextlib.suppress(ValueError):
        database.writes.register_metrics(state.metrics.registry)
    state.health_checks[HEALTH_CHECK] = database.writes.health
    return database


async def stop_cti_database(state: AppState, database: CtiDatabase) -> None:
    state.health_checks.pop(HEALTH_CHECK, None)
    await database.close()
