"""Work orders (工单), their append-only history, SLA policies, escalations and the inbox.

The domain values live in ``workorders.model``; ``hotline.workorders.mapping`` converts between
them and these rows. The taxpayer's personal data sits in its own ``taxpayer_*`` columns so that
masking and auditing have one place to look.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from hotline.clock import utc_now
from hotline.db.base import Base, BigIntPK

OPEN_PREDICATE = (
    "status IN ('acknowledged', 'dispatched', 'in_progress', 'new', 'resolved', 'returned')"
)
"""The open statuses (``workorders.model.OPEN_STATUSES``) as the console's partial indexes'
predicate; queries list them in this order so PostgreSQL sees that the index applies."""


class WorkOrderRow(Base):
    __tablename__ = "work_order"
    # Indexes: the sweeper's next_escalation_at (a range scan, so a sweep with nothing due stays
    # cheap), the lists' department (+ status) and deadline, the agent's and handler's own
    # orders, the call, and the taxpayer (duplicates to merge). Every sweeper update moves
    # next_escalation_at, so each further index costs every escalation: keep the list short.
    # The console (migration wo_console): its inbox lists open orders by nearest deadline, so
    # two partial indexes hold only open orders (a few percent of the table) in deadline order,
    # centre-wide and per department; names and words in the subject are searched (a trigram
    # GIN index on PostgreSQL makes ILIKE '%...%' an index scan; SQLite gets a plain index).
    __table_args__ = (
        Index("ix_work_order_department_id_status", "department_id", "status"),
        Index(
            "ix_work_order_open_resolve_due",
            "resolve_due_at",
            postgresql_where=text(OPEN_PREDICATE),
            sqlite_where=text(OPEN_PREDICATE),
            # Covering on PostgreSQL: the inbox's capped totals (overdue, a category and a
            # priority, words in the subject) are answered from this small index alone (open
            # orders only), without a visit to the table per open order.
            postgresql_include=["status", "category", "priority", "id", "subject"],
        ),
        # One state's open orders (the inbox's state filter, a search with ``status=``) by
        # nearest deadline, without walking the other states' entries (migration t15).
        Index(
            "ix_work_order_open_status_due",
            "status",
            "resolve_due_at",
            postgresql_where=text(OPEN_PREDICATE),
            sqlite_where=text(OPEN_PREDICATE),
            postgresql_include=["category", "priority", "subject"],
        ),
        Index(
            "ix_work_order_open_department_due",
            "department_id",
            "resolve_due_at",
            postgresql_where=text(OPEN_PREDICATE),
            sqlite_where=text(OPEN_PREDICATE),
        ),
        Index("ix_work_order_taxpayer_name", "taxpayer_name"),
        Index(
            "ix_work_order_subject_trgm",
            "subject",
            postgresql_using="gin",
            postgresql_ops={"subject": "gin_trgm_ops"},
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    category: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    taxpayer_name: Mapped[str] = mapped_column(String(120), default="")
    taxpayer_phone: Mapped[str] = mapped_column(String(32), default="", index=True)
    taxpayer_number: Mapped[str] = mapped_column(String(32), default="", index=True)
    taxpayer_organisation: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(index=True)  # the list sorts by it
    policy_version: Mapped[int]
    # The call it came from; a purged call record leaves the order in place.
    call_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("call.id", ondelete="SET NULL"), index=True
    )
    call_summary_id: Mapped[str | None] = mapped_column(String(64))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="SET NULL")
    )
    handler_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    dispatcher_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answer: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[int | None] = mapped_column(SmallInteger)
    dispatched_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    resolution_started_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    followed_up_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    deadline_version: Mapped[int] = mapped_column(default=0)
    ack_due_at: Mapped[datetime | None]
    resolve_due_at: Mapped[datetime | None] = mapped_column(index=True)
    follow_up_due_at: Mapped[datetime | None]
    # Working durations as text ("2 working days"), pauses as [[start, end], ...] ISO strings.
    granted_extensions: Mapped[list[str]] = mapped_column(JSON, default=list)
    paused_intervals: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    paused_since: Mapped[datetime | None]
    extension_request: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    supervised: Mapped[bool] = mapped_column(default=False)
    overdue: Mapped[bool] = mapped_column(default=False)
    merged_into: Mapped[str | None] = mapped_column(ForeignKey("work_order.id"))
    escalations_done: Mapped[list[str]] = mapped_column(JSON, default=list)
    next_escalation_at: Mapped[datetime | None] = mapped_column(index=True)
    history_length: Mapped[int] = mapped_column(default=0)
    revision: Mapped[int] = mapped_column(default=0)


class WorkOrderEventRow(Base):
    """One history entry; rows are inserted, never updated or deleted."""

    __tablename__ = "work_order_event"

    order_id: Mapped[str] = mapped_column(
        ForeignKey("work_order.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(32), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str | None] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class WorkOrderSerial(Base):
    """The running number of the day in order references (12366-20261122-0001)."""

    __tablename__ = "work_order_serial"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class SlaPolicyRow(Base):
    """One version of the SLA policy: targets per category x priority, as data."""

    __tablename__ = "sla_policy"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # {"enquiry/normal": {"acknowledge": "4 working hours", "resolve": ..., "follow_up": ...}}
    targets: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    created_by: Mapped[str] = mapped_column(String(64), default="system")


class EscalationRow(Base):
    """An escalation step applied to an order; the unique key makes it exactly-once."""

    __tablename__ = "escalation"
    __table_args__ = (UniqueConstraint("order_id", "clock", "step", "deadline_version"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("work_order.id", ondelete="CASCADE"))
    clock: Mapped[str] = mapped_column(String(16))
    step: Mapped[str] = mapped_column(String(64))
    deadline_version: Mapped[int]
    applied_at: Mapped[datetime] = mapped_column(default=utc_now)


class NotificationRow(Base):
    """The in-app inbox: one row per recipient."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_recipient_user_id_read_at", "recipient_user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    recipient_user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str | None] = mapped_column(
        ForeignKey("work_order.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    read_at: Mapped[datetime | None]
