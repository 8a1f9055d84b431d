"""Supervisors' monitors of calls (listen / whisper / barge) and the phone each one uses.

A monitor row lives from the start (the supervisor's phone rung) to its end, whatever ended it;
rows with ``ended_at`` NULL are the monitors running now. The service reads them back when it
restarts and takes over those whose legs are still up on the PBX (see ``cti.calls.monitor``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db.base import Base, TimestampMixin
from hotline.db.types import UTCDateTime


class CallMonitorRow(Base):
    """Who listens to which call, how, since when, until when and why it ended."""

    __tablename__ = "call_monitor"
    __table_args__ = (
        # The running monitors, read at every start-up and by the floor.
        Index("ix_call_monitor_running", "ended_at", "call_id"),
    )

    monitor_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), index=True)
    site: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(128))  # the call's key on its site
    agent_leg: Mapped[str] = mapped_column(String(128))  # the snooped channel
    supervisor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    endpoint: Mapped[str] = mapped_column(String(128))
    mode: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))
    end_reason: Mapped[str | None] = mapped_column(String(200))


class MonitorPhone(TimestampMixin, Base):
    """The phone a supervisor gave last on the floor (``PJSIP/8001``): rung for their next
    monitor when they have no agent phone on the call's site."""

    __tablename__ = "monitor_phone"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    endpoint: Mapped[str] = mapped_column(String(128))
