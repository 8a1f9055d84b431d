"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """``TIMESTAMP WITH TIME ZONE`` that always hands back aware UTC datetimes.

    SQLite stores no offset and returns naive values; PostgreSQL returns aware values in the
    session zone. Both become aware UTC here; a naive value on the way in is refused, not guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def result_processor(
        self, dialect: Dialect, coltype: object
    ) -> Callable[[Any], datetime | None] | None:
        """On SQLite, the text SQLAlchemy stored (``2026-12-07 09:30:12.123456``, always that
        shape) is read as an aware UTC datetime in one step: parsing it and then giving it a zone
        with ``datetime.replace`` cost about 1.1 us a value, most of it ``replace``, and a list
        page reads 150 to 250 of them. Anything else takes the general way above."""
        general = super().result_processor(dialect, coltype)
        if dialect.name != "sqlite" or general is None:
            return general

        def read(value: Any) -> datetime | None:
            if type(value) is str and len(value) == 26 and value[10] == " " and value[19] == ".":
                return datetime.fromisoformat(value + "+00:00")
            return general(value)

        return read
