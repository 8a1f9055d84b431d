"""The working-day calendar as data: one row per day, and the working periods of a day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.clock import utc_now
from hotline.db.base import Base

DAY_KINDS = ("working", "holiday", "adjusted_working", "weekend_rest")


class CalendarDay(Base):
    """A day's kind (working, holiday, 调休 working weekend, ordinary weekend).

    A year counts as loaded only when all of its days are present (``workorders.calendar``).
    """

    __tablename__ = "calendar_day"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('working', 'holiday', 'adjusted_working', 'weekend_rest')",
            name="kind_known",
        ),
    )

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    # "chinesecalendar" when seeded, "admin:<username>" when edited by hand.
    source: Mapped[str] = mapped_column(String(80), default="chinesecalendar")
    note: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class CalendarSetting(Base):
    """Named calendar settings; ``working_periods`` holds ``[["09:00", "17:00"], ...]``."""

    __tablename__ = "calendar_setting"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)
