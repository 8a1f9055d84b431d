"""The small interfaces the work-order use cases need from the outside world.

``hotline`` implements them on SQLAlchemy (``WorkOrderStore``), on the in-app inbox
(``Notifier``) and on the system clock (``Clock``); ``workorders.fakes`` implements them in
memory for tests.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from workorders.escalation import EscalationKey, Recipient
from workorders.model import WorkOrder, WorkOrderEvent


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class WorkOrderStore(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[None]:
        """One unit of work: committed when the block ends normally, rolled back on an error.

        Row locks taken by ``get_for_update`` are held until the block ends.
        """
        ...

    async def get(self, order_id: str) -> WorkOrder:
        """The order, or OrderNotFoundError."""
        ...

    async def get_for_update(self, order_id: str) -> WorkOrder | None:
        """The order, locked until the transaction ends; None if another transaction holds it.

        On PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED. OrderNotFoundError if it does not exist.
        """
        ...

    async def add(self, order: WorkOrder) -> None: ...

    async def save(self, order: WorkOrder) -> None:
        """Store ``order``, whose ``revision`` must be one more than the stored one.

        Raises ConcurrentUpdateError otherwise: the caller worked on a stale copy.
        """
        ...

    async def append_event(self, event: WorkOrderEvent) -> None: ...

    async def events(self, order_id: str) -> list[WorkOrderEvent]:
        """The order's history in ``seq`` order."""
        ...

    async def next_serial(self, day: date) -> int:
        """1, 2, 3 ... per local day: the running number in the order's reference."""
        ...

    async def open_order_ids(self) -> list[str]:
        """Ids of orders whose deadlines still matter (model.OPEN_STATUSES)."""
        ...

    async def select_due_for_escalation(self, now: datetime, limit: int) -> list[str]:
        """Ids with ``next_escalation_at <= now``, earliest first, skipping locked rows.

        Backed by an index on next_escalation_at.
        """
        ...

    async def record_escalation(self, key: EscalationKey) -> bool:
        """Record that a step was applied; False if this key was recorded before.

        A unique constraint over the key's fields makes this the exactly-once guarantee, even
        when two service instances sweep at the same time.
        """
        ...


@dataclass(frozen=True)
class Addressee:
    """A notification's recipient as the domain knows it; the adapter resolves it to users."""

    kind: Recipient
    user_id: str | None = None  # known for the handler and the dispatcher
    department_id: str | None = None  # for the liaison and the department head


class Notifier(Protocol):
    async def notify(self, recipient: Addressee, kind: str, order_id: str, message: str) -> None:
        """Deliver (or queue) one notification. The in-app inbox stores it in the same
        transaction; adapters that leave the process (email, SMS) should use an outbox."""
        ...
