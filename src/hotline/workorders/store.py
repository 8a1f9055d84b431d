"""``SqlWorkOrderStore``: the work-order port on SQLAlchemy (async), for SQLite and PostgreSQL.

One store instance serves one task at a time (a request, one sweeper): ``transaction()`` opens
a session and keeps it until the block ends; nested blocks join it. Reads outside a transaction
use a short session of their own.

Locking. On PostgreSQL ``get_for_update`` is ``SELECT ... FOR UPDATE SKIP LOCKED``: a row held by
another transaction is skipped (``None``), never waited for, so two service instances sweeping
at once divide the due orders between them. SQLite has no row locks: it admits one writer at a
time, and a second writer that read a stale copy is refused by the revision check in ``save``
(``ConcurrentUpdateError``). Either way the unique key of ``escalation`` is what makes every
escalation step exactly-once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any, TypeVar

import structlog
from sqlalchemy import Insert, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import EscalationRow, WorkOrderSerial
from hotline.workorders.mapping import (
    EVENT_TABLE,
    ORDER_TABLE,
    event_from_row,
    event_values,
    order_from_row,
    order_values,
)
from workorders.errors import ConcurrentUpdateError, OrderNotFoundError
from workorders.escalation import EscalationKey
from workorders.model import OPEN_STATUSES, WorkOrder, WorkOrderEvent

log = structlog.get_logger(__name__)

T = TypeVar("T")

_OPEN = sorted(status.value for status in OPEN_STATUSES)


class SqlWorkOrderStore:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._session: AsyncSession | None = None

    # ---------------------------------------------------------------- transactions

    @property
    def session(self) -> AsyncSession:
        """The open transaction's session (the inbox notifier writes through it)."""
        if self._session is None:
            raise RuntimeError("no work-order transaction is open")
        return self._session

    @property
    def is_postgresql(self) -> bool:
        return bool(self._sessionmaker.kw["bind"].dialect.name == "postgresql")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        if self._session is not None:
            yield
            return
        async with self._sessionmaker() as session:
            self._session = session
            try:
                async with session.begin():
                    yield
            except DBAPIError as exc:
                # A lock timeout, a serialisation failure, SQLite's "database is locked": the
                # caller's copy may be stale, and the use cases treat that as "try again".
                first_line = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
                log.warning("workorder_transaction_failed", error=first_line)
                raise ConcurrentUpdateError(
                    f"the database refused the change: {first_line}"
                ) from exc
            finally:
                self._session = None

    async def _read(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        if self._session is not None:
            return await work(self._session)
        async with self._sessionmaker() as session:
            return await work(session)

    def _insert(self, table: Any) -> Insert:
        dialect = postgresql if self.is_postgresql else sqlite
        result: Insert = dialect.insert(table)
        return result

    # ---------------------------------------------------------------- orders

    async def get(self, order_id: str) -> WorkOrder:
        async def work(session: AsyncSession) -> WorkOrder:
            row = (
                await session.execute(select(ORDER_TABLE).where(ORDER_TABLE.c.id == order_id))
            ).first()
            if row is None:
                raise OrderNotFoundError(order_id)
            return order_from_row(row)

        return await self._read(work)

    async def get_for_update(self, order_id: str) -> WorkOrder | None:
        session = self.session
        query = select(ORDER_TABLE).where(ORDER_TABLE.c.id == order_id)
        if self.is_postgresql:
            query = query.with_for_update(skip_locked=True)
        row = (await session.execute(query)).first()
        if row is not None:
            return order_from_row(row)
        exists = await session.scalar(select(ORDER_TABLE.c.id).where(ORDER_TABLE.c.id == order_id))
        if exists is None:
            raise OrderNotFoundError(order_id)
        return None

    async def add(self, order: WorkOrder) -> None:
        await self.session.execute(insert(ORDER_TABLE).values(order_values(order)))

    async def save(self, order: WorkOrder) -> None:
        values = order_values(order)
        del values["id"]
        result = await self.session.execute(
            update(ORDER_TABLE)
            .where(ORDER_TABLE.c.id == order.id, ORDER_TABLE.c.revision == order.revision - 1)
            .values(values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentUpdateError(
                f"work order {order.reference} changed since it was read; reload and retry"
            )

    async def append_event(self, event: WorkOrderEvent) -> None:
        await self.session.execute(insert(EVENT_TABLE).values(event_values(event)))

    async def events(self, order_id: str) -> list[WorkOrderEvent]:
        async def work(session: AsyncSession) -> list[WorkOrderEvent]:
            rows = await session.execute(
                select(EVENT_TABLE)
                .where(EVENT_TABLE.c.order_id == order_id)
                .order_by(EVENT_TABLE.c.seq)
            )
            return [event_from_row(row) for row in rows]

        return await self._read(work)

    async def next_serial(self, day: date) -> int:
        statement = self._insert(WorkOrderSerial.__table__).values(day=day, last=1)
        upsert = statement.on_conflict_do_update(  # type: ignore[attr-defined]
            index_elements=["day"], set_={"last": WorkOrderSerial.__table__.c.last + 1}
        ).returning(WorkOrderSerial.__table__.c.last)
        value = await self.session.scalar(upsert)
        assert isinstance(value, int)
        return value

    async def open_order_ids(self) -> list[str]:
        async def work(session: AsyncSession) -> list[str]:
            rows = await session.scalars(
                select(ORDER_TABLE.c.id)
                .where(ORDER_TABLE.c.status.in_(_OPEN))
                .order_by(ORDER_TABLE.c.created_at)
            )
            return list(rows)

        return await self._read(work)

    async def select_due_for_escalation(self, now: datetime, limit: int) -> list[str]:
        # A plain read on the index: the rows are locked one at a time by get_for_update, each
        # in its own transaction, which skips those another sweeper holds.
        async def work(session: AsyncSession) -> list[str]:
            rows = await session.scalars(
                select(ORDER_TABLE.c.id)
                .where(ORDER_TABLE.c.next_escalation_at <= now)
                .order_by(ORDER_TABLE.c.next_escalation_at, ORDER_TABLE.c.id)
                .limit(limit)
            )
            return list(rows)

        return await self._read(work)

    async def record_escalation(self, key: EscalationKey) -> bool:
        table = EscalationRow.__table__
        statement = self._insert(table).values(
            order_id=key.order_id,
            clock=key.clock.value,
            step=key.step,
            deadline_version=key.deadline_version,
        )
        # ON CONFLICT DO NOTHING rather than catching the IntegrityError: on PostgreSQL an error
        # would abort the whole transaction, and with it the order's other steps.
        inserted = await self.session.scalar(
            statement.on_conflict_do_nothing().returning(table.c.id)  # type: ignore[attr-defined]
        )
        return inserted is not None
