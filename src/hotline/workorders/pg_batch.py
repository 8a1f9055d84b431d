"""Many-row writes on PostgreSQL as one array per column (``unnest``), for the sweeper's batches.

A sweep writes thousands of escalation keys, history entries, inbox rows and order updates.
Through ``executemany`` SQLAlchemy prepares every row's parameters in Python (type processors,
JSON encoding), which profiling showed costing more than PostgreSQL spent on the rows. Here each
statement takes one array per column, encoded by asyncpg, so the Python work per row is
building a few list items. The statements are fixed texts: asyncpg prepares each once per
connection whatever the number of rows.

SQLite takes the portable ``executemany`` path in ``store``; both are tested.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from workorders.escalation import EscalationKey, SlaClock
from workorders.model import WorkOrder

_RECORD_ESCALATIONS = text(
    """
    INSERT INTO escalation (order_id, clock, step, deadline_version, applied_at)
    SELECT k.order_id, k.clock, k.step, k.deadline_version, CAST(:applied_at AS timestamptz)
    FROM unnest(
        CAST(:order_id AS text[]), CAST(:clock AS text[]), CAST(:step AS text[]),
        CAST(:deadline_version AS integer[])
    ) AS k(order_id, clock, step, deadline_version)
    ON CONFLICT DO NOTHING
    RETURNING order_id, clock, step, deadline_version
    """
)

_SAVE_ESCALATED = text(
    """
    UPDATE work_order AS w SET
        escalations_done = CAST(v.escalations_done AS json),
        overdue = v.overdue,
        supervised = v.supervised,
        history_length = v.history_length,
        next_escalation_at = v.next_escalation_at,
        revision = v.revision
    FROM unnest(
        CAST(:id AS text[]), CAST(:escalations_done AS text[]), CAST(:overdue AS boolean[]),
        CAST(:supervised AS boolean[]), CAST(:history_length AS integer[]),
        CAST(:next_escalation_at AS timestamptz[]), CAST(:revision AS integer[])
    ) AS v(id, escalations_done, overdue, supervised, history_length, next_escalation_at,
           revision)
    WHERE w.id = v.id AND w.revision = v.revision - 1
    """
)

_INSERT_EVENTS = text(
    """
    INSERT INTO work_order_event
        (order_id, seq, action, from_status, to_status, actor, actor_role, at, reason, data)
    SELECT e.order_id, e.seq, e.action, e.from_status, e.to_status, e.actor, e.actor_role,
           e.at, e.reason, CAST(e.data AS json)
    FROM unnest(
        CAST(:order_id AS text[]), CAST(:seq AS integer[]), CAST(:action AS text[]),
        CAST(:from_status AS text[]), CAST(:to_status AS text[]), CAST(:actor AS text[]),
        CAST(:actor_role AS text[]), CAST(:at AS timestamptz[]), CAST(:reason AS text[]),
        CAST(:data AS text[])
    ) AS e(order_id, seq, action, from_status, to_status, actor, actor_role, at, reason, data)
    """
)

_INSERT_NOTIFICATIONS = text(
    """
    INSERT INTO notification (recipient_user_id, kind, order_id, message, created_at, read_at)
    SELECT n.recipient_user_id, n.kind, n.order_id, n.message, n.created_at, NULL
    FROM unnest(
        CAST(:recipient_user_id AS integer[]), CAST(:kind AS text[]),
        CAST(:order_id AS text[]), CAST(:message AS text[]), CAST(:created_at AS timestamptz[])
    ) AS n(recipient_user_id, kind, order_id, message, created_at)
    """
)

_EVENT_COLUMNS = (
    "order_id",
    "seq",
    "action",
    "from_status",
    "to_status",
    "actor",
    "actor_role",
    "at",
    "reason",
)
_NOTIFICATION_COLUMNS = ("recipient_user_id", "kind", "order_id", "message", "created_at")


def _aware(moments: list[Any]) -> list[Any]:
    # The UTCDateTime column type refuses naive datetimes; these statements bypass it, so the
    # same rule is kept here rather than letting asyncpg read a naive value as UTC.
    for moment in moments:
        if isinstance(moment, datetime) and moment.tzinfo is None:
            raise ValueError(f"naive datetime {moment!r}: timestamps must be timezone-aware")
    return moments


async def record_escalations(
    connection: AsyncConnection, keys: Sequence[EscalationKey], applied_at: datetime
) -> set[EscalationKey]:
    rows = await connection.execute(
        _RECORD_ESCALATIONS,
        {
            "order_id": [key.order_id for key in keys],
            "clock": [key.clock.value for key in keys],
            "step": [key.step for key in keys],
            "deadline_version": [key.deadline_version for key in keys],
            "applied_at": _aware([applied_at])[0],
        },
    )
    return {
        EscalationKey(order_id, SlaClock(clock), step, version)
        for order_id, clock, step, version in rows
    }


async def save_escalated(connection: AsyncConnection, orders: Sequence[WorkOrder]) -> int:
    """The number of orders updated (fewer than given if a revision did not match)."""
    result = await connection.execute(
        _SAVE_ESCALATED,
        {
            "id": [order.id for order in orders],
            "escalations_done": [json.dumps(sorted(order.escalations_done)) for order in orders],
            "overdue": [order.overdue for order in orders],
            "supervised": [order.supervised for order in orders],
            "history_length": [order.history_length for order in orders],
            "next_escalation_at": _aware([order.next_escalation_at for order in orders]),
            "revision": [order.revision for order in orders],
        },
    )
    return int(result.rowcount)


async def insert_events(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """History rows as ``mapping.event_values`` gives them (``data`` already plain JSON)."""
    columns: dict[str, list[Any]] = {name: [row[name] for row in rows] for name in _EVENT_COLUMNS}
    columns["data"] = [json.dumps(row["data"]) for row in rows]
    _aware(columns["at"])
    await connection.execute(_INSERT_EVENTS, columns)


async def insert_notifications(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Inbox rows as ``InboxNotifier`` buffers them (unread)."""
    columns = {name: [row[name] for row in rows] for name in _NOTIFICATION_COLUMNS}
    _aware(columns["created_at"])
    await connection.execute(_INSERT_NOTIFICATIONS, columns)
