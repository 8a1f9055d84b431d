"""The ARI ``Date`` type.

Asterisk writes timestamps as ``2026-11-22T05:32:06.878+0000``: milliseconds and a ``+HHMM``
offset without a colon (never ``Z``). Models parse them into aware datetimes and write them back
in the same shape, so that an emulator serialising our models produces what Asterisk sends.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, PlainSerializer


def _require_aware(value: datetime) -> datetime:
    # A naive timestamp would silently compare wrong against UTC call records.
    if value.tzinfo is None:
        raise ValueError("ARI dates carry a UTC offset; got a naive datetime")
    return value


def format_ari_date(value: datetime) -> str:
    """Render ``value`` the way Asterisk does: milliseconds and a colon-less UTC offset."""
    millis = value.microsecond // 1000
    return value.strftime("%Y-%m-%dT%H:%M:%S") + f".{millis:03d}" + value.strftime("%z")


AriDate = Annotated[
    datetime,
    AfterValidator(_require_aware),
    PlainSerializer(format_ari_date, return_type=str, when_used="json"),
]
"""An aware datetime that parses and prints the ARI wire format."""

__all__ = ["AriDate", "format_ari_date"]
