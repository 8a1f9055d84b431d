"""Row ids handed out before the row is written.

The CTI engine needs a call's id at once (it names the routing contact and every later write of
the call), but writes the row later, through the write queue. So ids are reserved in blocks,
ahead of need, and handed out from memory; the next block is fetched in the background when half
of the current one is used, so the call path reads the database only if a burst outruns it.

* PostgreSQL: the block comes from the table's own sequence (``nextval`` N times in one
  statement), so ids never collide with rows any other writer inserts.
* SQLite has no sequence: the block starts after the larger of the table's highest id and the
  last id handed out. That is safe while this process is the only writer of the table, which is
  how the embedded default runs (the CTI engine is the only code that inserts these rows); a
  deployment with several writers uses PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections import deque

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

_TABLES = frozenset({"call", "callback"})


class IdAllocator:
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], table: str, *, block: int = 64
    ) -> None:
        if table not in _TABLES:  # the name goes into SQL text: only known tables
            raise ValueError(f"no id allocation for table {table!r}")
        self._sessionmaker = sessionmaker
        self._table = table
        self._block = block
        self._free: deque[int] = deque()
        self._last = 0
        self._refill: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def prime(self) -> None:
        """Reserve the first block now (at start-up), so the first call does not wait for it."""
        await self._fill()

    async def next(self) -> int:
        while not self._free:
            await self._fill()
        value = self._free.popleft()
        if len(self._free) < self._block // 2 and self._refill is None:
            self._refill = asyncio.create_task(self._fill_ahead(), name=f"{self._table}-ids")
        return value

    async def _fill_ahead(self) -> None:
        try:
            await self._fill()
        finally:
            self._refill = None

    async def _fill(self) -> None:
        # One reservation at a time: a caller that waited for another finds the pool refilled.
        async with self._lock:
            if len(self._free) >= self._block // 2:
                return
            self._free.extend(await self._reserve())

    async def _reserve(self) -> list[int]:
        async with self._sessionmaker() as session:
            if session.get_bind().dialect.name == "postgresql":
                rows = await session.scalars(
                    text(
                        "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                        "FROM generate_series(1, :n)"
                    ),
                    {"table": self._table, "n": self._block},
                )
                return sorted(rows.all())
            highest = await session.scalar(text(f'SELECT max(id) FROM "{self._table}"'))
        start = max(int(highest or 0), self._last, *(self._free or [0])) + 1
        self._last = start + self._block - 1
        return list(range(start, start + self._block))
