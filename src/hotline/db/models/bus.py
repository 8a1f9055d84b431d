"""The cross-replica event log behind the bus bridge (``hotline.bus_bridge``, PostgreSQL only).

One row per published message: its ``id`` (a bigserial) is the cluster-wide position a stream
resumes from on any replica; ``message`` is the JSON text as published. Rows are pruned by age
(minutes), so the table stays small; nothing else reads it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db.base import Base, BigIntPK


class BusEventRow(Base):
    __tablename__ = "bus_event"
    # A resume reads one topic's rows after a position; the pruner deletes by age.
    __table_args__ = (
        Index("ix_bus_event_topic_id", "topic", "id"),
        Index("ix_bus_event_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    topic: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    # Set by the database (the writer inserts in bulk, and the lag is measured on its clock).
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
