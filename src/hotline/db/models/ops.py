"""Simulation and staffing runs started from the ops pages, kept so that a restart (or another
replica) still lists them with their results.

A run's figures are stored as the pages show them (``view``: the day's and the plan's tables and
the charts in both languages), not as the simulator's objects: the page reads them back without
the simulator and a stored row never needs code to be executed to be shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.clock import utc_now
from hotline.db.base import Base


class OpsRunRow(Base):
    """One run: who started it, what it was, how far it got and, once done, what it found."""

    __tablename__ = "ops_run"
    __table_args__ = (Index("ix_ops_run_user_id_started_at", "user_id", "started_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # simulate | staff
    name: Mapped[str] = mapped_column(String(200))  # the scenario's name
    status: Mapped[str] = mapped_column(String(16))  # waiting | running | done | failed
    started_at: Mapped[datetime] = mapped_column(default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    replications: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer, default=0)
    target: Mapped[str] = mapped_column(String(64))  # as asked, e.g. "80/20, abandon <= 0.05"
    notes: Mapped[Any] = mapped_column(JSON)  # [{"key": ..., "values": {...}}]: the page's notes
    error: Mapped[str | None] = mapped_column(Text, default=None)
    view: Mapped[Any | None] = mapped_column(JSON, default=None)  # the figures, once done
