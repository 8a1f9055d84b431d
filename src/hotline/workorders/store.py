"""``SqlWorkOrderStore``: the work-order port on SQLAlchemy Core (async), SQLite and PostgreSQL.

One store instance serves one task at a time (a request, one sweeper worker): ``transaction()``
takes a connection and keeps it until the block ends; nested blocks join it. Reads outside a
transaction use a short connection of their own. History entries and inbox rows are buffered
and written in one statement each just before the commit (fewer round trips per order).

Locking. On PostgreSQL ``get_for_update`` is ``SELECT ... FOR UPDATE SKIP LOCKED``: a row held by
another transaction is skipped (``None``), never waited for, so two service instances sweeping
at once divide the due orders between them. SQLite has no row locks: it admits one writer at a
time, and a second writer that read a stale copy is refused by the revision check in ``save``
(``ConcurrentUpdateError``). Either way the unique key of ``escalation`` is what makes every
escalation step exactly-once.

For the batched sweeper (``hotline.workorders.batch``):

* ``claim_due`` locks and loads up to ``limit`` due orders in one statement
  (``SELECT ... FOR UPDATE SKIP LOCKED``): concurrent sweepers, in one process or several, each
  get rows nobody else holds;
* ``record_escalations`` inserts many escalation keys at once (``ON CONFLICT DO NOTHING
  RETURNING``) and answers which ones this transaction recorded;
* ``save_escalated`` writes back only the columns an escalation changes, for many orders in
  one ``executemany``;
* ``pinned=True``: one connection for all of the store's transactions (no pool checkout and
  liveness ping per batch); call ``aclose()`` when done.

Fencing. A store made from a fenced sessionmaker (``hotline.db.fence``: the work orders the
call engine files, the leader's sweeper) proves the lease's term on its connection just before
each commit, since its Core connection bypasses the session's own check: a transaction of a
term that has ended raises ``FencedOut`` and commits nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any, TypeVar, cast

import structlog
from sqlalchemy import Insert, Row, Table, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from hotline.clock import utc_now
from hotline.db.fence import fence_of
from hotline.db.models import EscalationRow, NoticeOutboxRow, NotificationRow, WorkOrderSerial
from hotline.workorders import pg_batch
from hotline.workorders.mapping import (
    EVENT_TABLE,
    ORDER_TABLE,
    event_from_row,
    event_values,
    order_from_row,
    order_values,
)
from workorders.errors import ConcurrentUpdateError, OrderNotFoundError
from workorders.escalation import EscalationKey, SlaClock
from workorders.model import OPEN_STATUSES, WorkOrder, WorkOrderEvent

log = structlog.get_logger(__name__)

T = TypeVar("T")

_OPEN = sorted(status.value for status in OPEN_STATUSES)
_ESCALATION = cast(Table, EscalationRow.__table__)
_NOTIFICATION = cast(Table, NotificationRow.__table__)
_OUTBOX = cast(Table, NoticeOutboxRow.__table__)
_SERIAL = cast(Table, WorkOrderSerial.__table__)


# The sweeper's hot statements, built once: constructing a statement per call costs more Python
# time than the database spends running it.
_BY_ID = select(ORDER_TABLE).where(ORDER_TABLE.c.id == bindparam("order_id"))
_BY_ID_SKIP_LOCKED = _BY_ID.with_for_update(skip_locked=True)
_SAVE = update(ORDER_TABLE).where(
    ORDER_TABLE.c.id == bindparam("b_id"), ORDER_TABLE.c.revision == bindparam("b_revision")
)
_RECORD_ESCALATION = {
    dialect.__name__.rsplit(".", 1)[-1]: dialect.insert(_ESCALATION)
    .on_conflict_do_nothing()
    .returning(_ESCALATION.c.id)
    for dialect in (postgresql, sqlite)
}
_RECORD_ESCALATIONS = {
    dialect.__name__.rsplit(".", 1)[-1]: dialect.insert(_ESCALATION)
    .on_conflict_do_nothing()
    .returning(
        _ESCALATION.c.order_id,
        _ESCALATION.c.clock,
        _ESCALATION.c.step,
        _ESCALATION.c.deadline_version,
    )
    for dialect in (postgresql, sqlite)
}


class SqlWorkOrderStore:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        pinned: bool = False,
    ) -> None:
        self._engine: AsyncEngine = sessionmaker.kw["bind"]
        self._fence = fence_of(sessionmaker)
        self._pinned = pinned
        self._idle: AsyncConnection | None = None  # the pinned connection between transactions
        self._connection: AsyncConnection | None = None
        self._events: list[dict[str, Any]] = []
        self._notifications: list[dict[str, Any]] = []
        self._outbox: list[dict[str, Any]] = []
        # (user, kind, order) already notified in the open transaction, flushed or not.
        self._notified: set[tuple[int, str, str | None]] = set()

    # ---------------------------------------------------------------- transactions

    @property
    def connection(self) -> AsyncConnection:
        """The open transaction's connection (the inbox notifier reads through it)."""
        if self._connection is None:
            raise RuntimeError("no work-order transaction is open")
        return self._connection

    @property
    def is_postgresql(self) -> bool:
        return bool(self._engine.dialect.name == "postgresql")

    async def _acquire(self) -> AsyncConnection:
        if self._idle is not None:
            connection, self._idle = self._idle, None
            return connection
        return await self._engine.connect()

    async def _release(self, connection: AsyncConnection) -> None:
        if self._pinned and not connection.closed and not connection.invalidated:
            self._idle = connection
        else:
            await connection.close()

    async def aclose(self) -> None:
        if self._idle is not None:
            await self._idle.close()
            self._idle = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        if self._connection is not None:
            yield
            return
        connection = await self._acquire()
        self._connection = connection
        try:
            async with connection.begin():
                yield
                await self._flush()
                if self._fence is not None:  # last, so that the term's lock is held briefly
                    await self._fence.check_connection(connection)
        except DBAPIError as exc:
            # A lock timeout, a serialisation failure, SQLite's "database is locked": the
            # caller's copy may be stale, and the use cases treat that as "try again".
            first_line = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
            log.warning("workorder_transaction_failed", error=first_line)
            # The database's own text stays in the log: it may quote stored values.
            raise ConcurrentUpdateError(
                "the work order is being changed by someone else; reload it and try again"
            ) from exc
        finally:
            self._connection = None
            self._events.clear()
            self._notifications.clear()
            self._outbox.clear()
            self._notified.clear()
            await self._release(connection)

    async def _flush(self) -> None:
        connection = self.connection
        if self._events:
            if self.is_postgresql:
                await pg_batch.insert_events(connection, self._events)
            else:
                await connection.execute(insert(EVENT_TABLE), self._events)
            self._events.clear()
        if self._notifications:
            if self.is_postgresql:
                await pg_batch.insert_notifications(connection, self._notifications)
            else:
                await connection.execute(insert(_NOTIFICATION), self._notifications)
            self._notifications.clear()
        if self._outbox:
            await connection.execute(insert(_OUTBOX), self._outbox)
            self._outbox.clear()

    async def _read(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        if self._connection is not None:
            await self._flush()
            return await work(self._connection)
        connection = await self._acquire()
        try:
            return await work(connection)
        finally:
            if connection.in_transaction():
                await connection.rollback()
            await self._release(connection)

    def _insert(self, table: Table) -> Insert:
        dialect = postgresql if self.is_postgresql else sqlite
        result: Insert = dialect.insert(table)
        return result

    def add_notifications(self, rows: list[dict[str, Any]], channels: Sequence[str] = ()) -> None:
        """Inbox rows, written with the transaction (see ``InboxNotifier``), and for each of
        them one outbox row per channel in ``channels`` (e-mail, webhook): the outbox is
        committed exactly when the order's change is, and delivered later by a worker.

        One person reached through two routes by the same event (a step that tells the liaison
        and the dispatcher, when the liaison falls back to the supervisors and the dispatcher is
        one of them; a supervisor who also holds the director role) gets one row: the event, its
        kind and the order are the same, so the second row would only repeat the first. The
        memory lasts one transaction, so a rolled-back attempt does not hide its retry's rows.
        """
        self._require_transaction("notifications")
        for row in rows:
            key = (row["recipient_user_id"], row["kind"], row["order_id"])
            if key not in self._notified:
                self._notified.add(key)
                self._notifications.append(row)
                for channel in channels:
                    self._outbox.append(
                        {
                            "channel": channel,
                            "recipient_user_id": row["recipient_user_id"],
                            "kind": row["kind"],
                            "order_id": row["order_id"],
                            "message": row["message"],
                            "status": "pending",
                            "attempts": 0,
                            "next_attempt_at": row["created_at"],
                            "last_error": None,
                            "created_at": row["created_at"],
                            "sent_at": None,
                        }
                    )

    def _require_transaction(self, what: str) -> None:
        if self._connection is None:
            raise RuntimeError(f"{what} are written only inside a work-order transaction")

    # ---------------------------------------------------------------- orders

    async def get(self, order_id: str) -> WorkOrder:
        async def work(connection: AsyncConnection) -> WorkOrder:
            row = (await connection.execute(_BY_ID, {"order_id": order_id})).first()
            if row is None:
                raise OrderNotFoundError(order_id)
            return order_from_row(row)

        return await self._read(work)

    async def get_for_update(self, order_id: str) -> WorkOrder | None:
        connection = self.connection
        query = _BY_ID_SKIP_LOCKED if self.is_postgresql else _BY_ID
        row = (await connection.execute(query, {"order_id": order_id})).first()
        if row is not None:
            return order_from_row(row)
        exists = await connection.scalar(
            select(ORDER_TABLE.c.id).where(ORDER_TABLE.c.id == order_id)
        )
        if exists is None:
            raise OrderNotFoundError(order_id)
        return None

    async def add(self, order: WorkOrder) -> None:
        await self.connection.execute(insert(ORDER_TABLE).values(order_values(order)))

    async def save(self, order: WorkOrder) -> None:
        values = order_values(order)
        del values["id"]
        result = await self.connection.execute(
            _SAVE, {**values, "b_id": order.id, "b_revision": order.revision - 1}
        )
        if result.rowcount != 1:
            raise ConcurrentUpdateError(
                f"work order {order.reference} changed since it was read; reload and retry"
            )

    async def append_event(self, event: WorkOrderEvent) -> None:
        self._require_transaction("history entries")
        self._events.append(event_values(event))

    async def events(self, order_id: str) -> list[WorkOrderEvent]:
        async def work(connection: AsyncConnection) -> list[WorkOrderEvent]:
            rows = await connection.execute(
                select(EVENT_TABLE)
                .where(EVENT_TABLE.c.order_id == order_id)
                .order_by(EVENT_TABLE.c.seq)
            )
            return [event_from_row(row) for row in rows]

        return await self._read(work)

    async def next_serial(self, day: date) -> int:
        upsert = (
            self._insert(_SERIAL)
            .values(day=day, last=1)
            .on_conflict_do_update(  # type: ignore[attr-defined]
                index_elements=["day"], set_={"last": _SERIAL.c.last + 1}
            )
            .returning(_SERIAL.c.last)
        )
        value = await self.connection.scalar(upsert)
        assert isinstance(value, int)
        return value

    async def open_order_ids(self) -> list[str]:
        async def work(connection: AsyncConnection) -> list[str]:
            rows = await connection.scalars(
                select(ORDER_TABLE.c.id)
                .where(ORDER_TABLE.c.status.in_(_OPEN))
                .order_by(ORDER_TABLE.c.created_at)
            )
            return list(rows)

        return await self._read(work)

    async def select_due_for_escalation(self, now: datetime, limit: int) -> list[str]:
        # A plain read on the index: the rows are locked one at a time by get_for_update, each
        # in its own transaction, which skips those another sweeper holds.
        async def work(connection: AsyncConnection) -> list[str]:
            rows = await connection.scalars(
                select(ORDER_TABLE.c.id)
                .where(ORDER_TABLE.c.next_escalation_at <= now)
                .order_by(ORDER_TABLE.c.next_escalation_at, ORDER_TABLE.c.id)
                .limit(limit)
            )
            return list(rows)

        return await self._read(work)

    async def claim_due(
        self, now: datetime, limit: int, exclude: Collection[str] = ()
    ) -> Sequence[Row[Any]]:
        """Up to ``limit`` due orders (whole rows), locked until the transaction ends.

        On PostgreSQL the rows other transactions hold are skipped, not waited for; SQLite has
        one writer at a time and the revision check in ``save_escalated`` catches a stale row.
        ``exclude``: ids not to claim again (orders that already failed in this sweep).
        """
        # Ordered by the indexed column alone, so the index scan hands the rows over in order
        # and stops after ``limit``: a tie-breaker (say, the id) would make PostgreSQL read and
        # sort every due row for each batch, quadratic in a backlog.
        query = (
            select(ORDER_TABLE)
            .where(ORDER_TABLE.c.next_escalation_at <= now)
            .order_by(ORDER_TABLE.c.next_escalation_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if exclude:
            query = query.where(ORDER_TABLE.c.id.not_in(list(exclude)))
        return (await self.connection.execute(query)).all()

    async def record_escalation(self, key: EscalationKey) -> bool:
        # ON CONFLICT DO NOTHING rather than catching the IntegrityError: on PostgreSQL an error
        # would abort the whole transaction, and with it the order's other steps.
        inserted = await self.connection.scalar(
            _RECORD_ESCALATION[self._engine.dialect.name],
            {
                "order_id": key.order_id,
                "clock": key.clock.value,
                "step": key.step,
                "deadline_version": key.deadline_version,
                "applied_at": utc_now(),
            },
        )
        return inserted is not None

    async def record_escalations(self, keys: Sequence[EscalationKey]) -> set[EscalationKey]:
        """Record many keys in one statement; the ones recorded now (not before) come back."""
        if not keys:
            return set()
        applied_at = utc_now()
        if self.is_postgresql:
            return await pg_batch.record_escalations(self.connection, keys, applied_at)
        rows = await self.connection.execute(
            _RECORD_ESCALATIONS[self._engine.dialect.name],
            [
                {
                    "order_id": key.order_id,
                    "clock": key.clock.value,
                    "step": key.step,
                    "deadline_version": key.deadline_version,
                    "applied_at": applied_at,
                }
                for key in keys
            ],
        )
        return {
            EscalationKey(order_id, SlaClock(clock), step, version)
            for order_id, clock, step, version in rows
        }

    async def save_escalated(self, orders: Sequence[WorkOrder]) -> None:
        """Write what escalation changed for many orders at once (revisions already advanced).

        The revision check holds as in ``save``: an order whose stored revision moved (on
        PostgreSQL the rows are locked by ``claim_due``, so only on SQLite in practice) fails
        the whole batch with ``ConcurrentUpdateError``.
        """
        if not orders:
            return
        if self.is_postgresql:
            updated = await pg_batch.save_escalated(self.connection, orders)
        else:
            updated = await self._save_escalated_portably(orders)
        if updated != len(orders):
            raise ConcurrentUpdateError(
                "a work order changed while its escalation was being saved; the batch is retried"
            )

    async def _save_escalated_portably(self, orders: Sequence[WorkOrder]) -> int:
        # Only the columns an escalation changes: a smaller UPDATE, and no JSON encoding of
        # columns that did not move. SQLite's driver reports the rows an executemany changed.
        result = await self.connection.execute(
            _SAVE,
            [
                {
                    "b_id": order.id,
                    "b_revision": order.revision - 1,
                    "escalations_done": sorted(order.escalations_done),
                    "overdue": order.overdue,
                    "supervised": order.supervised,
                    "history_length": order.history_length,
                    "next_escalation_at": order.next_escalation_at,
                    "revision": order.revision,
                }
                for order in orders
            ],
        )
        if not self._engine.dialect.supports_sane_multi_rowcount:
            raise RuntimeError(f"{self._engine.dialect.name}: cannot check the revisions")
        return int(result.rowcount)
