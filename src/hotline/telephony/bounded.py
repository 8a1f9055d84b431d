"""Strings from Asterisk, fitted to the database columns before they are stored.

A caller name, number or dialled extension comes from the network (a trunk's caller id, a
fuzzing peer): a value longer than its column makes PostgreSQL refuse the whole row, and the
call would go unrecorded. So the director stores every such string cut to its column's length,
without NUL characters (which PostgreSQL refuses in text), and journals nothing it did not store.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import String

from cti.calls.ports import InboundCall
from hotline.db.models import Call

CHANNEL_NAME_LIMIT = 256
"""The channel name goes only to the journal (JSON, no column size): a generous bound."""


def column_limit(column_name: str) -> int:
    """The length of a string column of ``call``."""
    column_type = Call.__table__.c[column_name].type
    if not isinstance(column_type, String) or column_type.length is None:
        raise TypeError(f"call.{column_name} is not a bounded string column")
    return column_type.length


def fit(text: str, limit: int) -> str:
    """``text`` without NUL characters, cut to ``limit`` characters."""
    return text.replace("\x00", "")[:limit]


def bounded(call: InboundCall) -> InboundCall:
    """``call`` with every Asterisk string fitted to where it is stored (the key untouched: it
    is the controller's identity of the call, chosen or checked by Asterisk)."""
    return dataclasses.replace(
        call,
        caller_number=fit(call.caller_number, column_limit("caller_number")),
        caller_name=fit(call.caller_name, column_limit("caller_name")),
        dialled=fit(call.dialled, column_limit("dialled")),
        channel_name=fit(call.channel_name, CHANNEL_NAME_LIMIT),
    )


__all__ = ["CHANNEL_NAME_LIMIT", "bounded", "column_limit", "fit"]
