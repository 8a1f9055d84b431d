"""A question routing gave up on, handed to whoever turns it into a work order.

The telephony package does not know work orders: the composition root sets the hook
(``Acd.on_question``), which files the order through the desk's own use case. The question is
first kept in an outbox (``question_outbox``) and filed from there, retried until it is, after
the caller has been diverted, so the caller never waits on the database; the order's reference
is journalled on the call. The voicemail's recording name is chosen before recording
starts, so a caller who hangs up mid-message still leaves an order naming what was recorded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class DivertedQuestion:
    call_id: int  # the call row
    caller_number: str
    reason: str  # routing's divert reason: max_wait, no_agents, closed
    outcome: str  # the divert outcome: voicemail or work_order
    at: datetime
    line: str | None = None
    language: str | None = None
    ivr_choices: dict[str, Any] = field(default_factory=dict)
    recording: str | None = None  # the voicemail's stored recording name
    site: str | None = None  # the code of the site whose Asterisk stores the recording
    # What the call's own row needs, should the process that wrote the question die before its
    # write queue wrote the call (``question_outbox`` then writes the row from these).
    channel_id: str | None = None  # the caller's channel on ``site``
    arrived_at: datetime | None = None
    region: str | None = None
    queued_at: datetime | None = None  # None: diverted before the queue (after hours)


QuestionHook = Callable[[DivertedQuestion], Awaitable[str]]
"""Files the question; returns the work order's reference (for the call's journal)."""


def voicemail_name(call_id: int) -> str:
    """The stored recording's name: one per call, so a retry overwrites rather than piles up."""
    return f"voicemail-{call_id}"


__all__ = ["DivertedQuestion", "QuestionHook", "voicemail_name"]
