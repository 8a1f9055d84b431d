"""In-memory implementations of the ports, for tests here and in ``hotline``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from workorders.calendar import require_aware
from workorders.errors import ConcurrentUpdateError, OrderNotFoundError
from workorders.escalation import EscalationKey
from workorders.model import OPEN_STATUSES, WorkOrder, WorkOrderEvent
from workorders.ports import Addressee


@dataclass
class FixedClock:
    """A clock that says what the test tells it to."""

    current: datetime

    def __post_init__(self) -> None:
        require_aware(self.current, "clock time")

    def now(self) -> datetime:
        return self.current

    def set(self, moment: datetime) -> None:
        self.current = require_aware(moment, "clock time")


@dataclass(frozen=True)
class SentNotification:
    recipient: Addressee
    kind: str
    order_id: str
    message: str


@dataclass
class RecordingNotifier:
    sent: list[SentNotification] = field(default_factory=list)

    async def notify(self, recipient: Addressee, kind: str, order_id: str, message: str) -> None:
        self.sent.append(SentNotification(recipient, kind, order_id, message))


@dataclass
class _State:
    orders: dict[str, WorkOrder] = field(default_factory=dict)
    events: list[WorkOrderEvent] = field(default_factory=list)
    escalations: set[EscalationKey] = field(default_factory=set)
    serials: dict[date, int] = field(default_factory=dict)


class InMemoryWorkOrderStore:
    """A WorkOrderStore in a dict, with row locks and all-or-nothing transactions.

    Every method yields to the event loop once, so concurrent tasks interleave the way two
    service instances would. Nested ``transaction()`` blocks join the outer one. Unlike a
    database there is no isolation: writes are visible to other tasks before commit, so tests
    of concurrency should rely on the row locks, as the service does.
    """

    def __init__(self) -> None:
        self._state = _State()
        self._locks: dict[str, object] = {}  # order id -> owning task
        self._depth: dict[object, int] = {}
        # Per task, how to undo what its open transaction wrote; only that transaction's own
        # writes are undone, as a database would, so a concurrent task's commits survive.
        self._undo: dict[object, list[Callable[[], None]]] = {}

    # ---------------------------------------------------------------- transactions

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        owner = asyncio.current_task()
        outer = self._depth.get(owner, 0) == 0
        self._depth[owner] = self._depth.get(owner, 0) + 1
        if outer:
            self._undo[owner] = []
        try:
            yield
        except BaseException:
            if outer:
                for undo in reversed(self._undo[owner]):
                    undo()
            raise
        finally:
            self._depth[owner] -= 1
            if outer:
                del self._depth[owner], self._undo[owner]
                for order_id in [i for i, holder in self._locks.items() if holder is owner]:
                    del self._locks[order_id]

    def _on_rollback(self, undo: Callable[[], None]) -> None:
        log = self._undo.get(asyncio.current_task())
        if log is not None:
            log.append(undo)

    def _put_order(self, order: WorkOrder) -> None:
        previous = self._state.orders.get(order.id)
        self._state.orders[order.id] = order

        def restore() -> None:
            if previous is None:
                del self._state.orders[order.id]
            else:
                self._state.orders[order.id] = previous

        self._on_rollback(restore)

    # ---------------------------------------------------------------- orders

    async def get(self, order_id: str) -> WorkOrder:
        await asyncio.sleep(0)
        try:
            return self._state.orders[order_id]
        except KeyError:
            raise OrderNotFoundError(order_id) from None

    async def get_for_update(self, order_id: str) -> WorkOrder | None:
        order = await self.get(order_id)
        owner = asyncio.current_task()
        holder = self._locks.get(order_id)
        if holder is not None and holder is not owner:
            return None
        self._locks[order_id] = owner
        return order

    async def add(self, order: WorkOrder) -> None:
        await asyncio.sleep(0)
        if order.id in self._state.orders:
            raise ConcurrentUpdateError(f"work order {order.id} already exists")
        self._put_order(order)

    async def save(self, order: WorkOrder) -> None:
        await asyncio.sleep(0)
        stored = await self.get(order.id)
        if order.revision != stored.revision + 1:
            raise ConcurrentUpdateError(
                f"work order {order.reference} changed since it was read "
                f"(stored revision {stored.revision}, saving {order.revision})"
            )
        self._put_order(order)

    async def append_event(self, event: WorkOrderEvent) -> None:
        await asyncio.sleep(0)
        if any(e.order_id == event.order_id and e.seq == event.seq for e in self._state.events):
            raise ConcurrentUpdateError(f"history entry {event.seq} of {event.order_id} exists")
        self._state.events.append(event)
        self._on_rollback(lambda: self._state.events.remove(event))

    async def events(self, order_id: str) -> list[WorkOrderEvent]:
        await asyncio.sleep(0)
        return sorted((e for e in self._state.events if e.order_id == order_id), key=_seq)

    async def next_serial(self, day: date) -> int:
        await asyncio.sleep(0)
        self._state.serials[day] = self._state.serials.get(day, 0) + 1
        return self._state.serials[day]

    async def open_order_ids(self) -> list[str]:
        await asyncio.sleep(0)
        return [i for i, order in self._state.orders.items() if order.status in OPEN_STATUSES]

    async def select_due_for_escalation(self, now: datetime, limit: int) -> list[str]:
        await asyncio.sleep(0)
        due = [
            order
            for order in self._state.orders.values()
            if order.next_escalation_at is not None
            and order.next_escalation_at <= now
            and order.id not in self._locks
        ]
        due.sort(key=lambda order: (order.next_escalation_at, order.id))
        return [order.id for order in due[:limit]]

    async def record_escalation(self, key: EscalationKey) -> bool:
        await asyncio.sleep(0)
        if key in self._state.escalations:
            return False
        self._state.escalations.add(key)
        self._on_rollback(lambda: self._state.escalations.discard(key))
        return True

    # ---------------------------------------------------------------- for assertions

    @property
    def all_orders(self) -> list[WorkOrder]:
        return list(self._state.orders.values())

    @property
    def all_events(self) -> list[WorkOrderEvent]:
        return list(self._state.events)

    @property
    def recorded_escalations(self) -> set[EscalationKey]:
        return set(self._state.escalations)


def _seq(event: WorkOrderEvent) -> int:
    return event.seq
