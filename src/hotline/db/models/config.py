"""Versions of the centre's configuration document (hotline.centre): append-only history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.clock import utc_now
from hotline.db.base import Base


class ConfigVersion(Base):
    """One published version. Never updated: a rollback publishes a copy of an older version.

    The version in force is the one with the latest ``effective_at`` not in the future (ties:
    the higher id); a version published for later waits here, so the timer survives a restart.
    """

    __tablename__ = "config_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # the version number
    base_version: Mapped[int | None] = mapped_column(Integer)  # what the publisher edited
    document: Mapped[Any] = mapped_column(JSON)  # the validated document, as plain data
    source: Mapped[str] = mapped_column(Text, default="")  # the YAML as written (comments kept)
    reason: Mapped[str] = mapped_column(String(500))
    published_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(default=utc_now)
    effective_at: Mapped[datetime] = mapped_column(index=True)
    rollback_of: Mapped[int | None] = mapped_column(Integer)  # the version a rollback restored
