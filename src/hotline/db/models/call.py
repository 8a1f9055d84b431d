"""Live telephony records: calls, their journal, agent sessions and state log, callbacks.

One ``call`` row per call (inbound, or a callback placed by the centre) carries every phase time,
the durations derived from them and the outcome; ``call_event`` is its append-only journal. The
``agent_session`` row is an agent's current login (restored into routing at start-up) and
``agent_state_log`` keeps every state change with its reason. A ``callback`` is a busy callback
(遇忙回复) owed to a caller; it keeps the origin call's place in line (``arrived_at``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db.base import Base, BigIntPK

CALL_KINDS = ("inbound", "callback", "follow_up")  # follow_up: 回访 calls of work orders
CallOutcome = Literal[
    "answered",
    "abandoned_ivr",
    "abandoned_queue",
    "abandoned_ringing",
    "callback_requested",
    "diverted",
    "failed",
]
CALL_OUTCOMES: tuple[str, ...] = get_args(CallOutcome)
# Survey scores at or below this are "low": the surveys report lists those calls one by one.
LOW_SURVEY_SCORE = 2
CALLBACK_STATUSES = ("pending", "dialling", "done", "failed", "cancelled")
# A callback in one of these states is settled: neither the engine nor a supervisor changes it.
CALLBACK_FINISHED = ("done", "failed", "cancelled")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({listed})"


class Call(Base):
    """One call, from arrival to the last leg gone; ``outcome`` stays NULL while it is live."""

    __tablename__ = "call"
    __table_args__ = (
        UniqueConstraint("site_id", "channel_id"),
        CheckConstraint(_one_of("kind", CALL_KINDS), name="kind_known"),
        CheckConstraint(
            "outcome IS NULL OR " + _one_of("outcome", CALL_OUTCOMES), name="outcome_known"
        ),
        # The surveys report lists every low-scored call of its period: a partial index holds
        # just those (a few per cent of the calls), so the list does not scan a month of calls.
        Index(
            "ix_call_low_survey_arrived_at",
            "arrived_at",
            postgresql_where=text(f"survey_score <= {LOW_SURVEY_SCORE}"),
            sqlite_where=text(f"survey_score <= {LOW_SURVEY_SCORE}"),
        ),
        # The heavy-callers report groups a period's inbound calls by number: this index holds
        # every column it reads in number order, so a long period is an index-only scan into a
        # streaming group aggregate instead of a hash of every number spilled to disk (h16b2).
        Index(
            "ix_call_inbound_caller_arrived",
            "caller_number",
            "arrived_at",
            "answered_at",
            "id",
            postgresql_where=text("kind = 'inbound'"),
            sqlite_where=text("kind = 'inbound'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    channel_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16), default="inbound")
    caller_number: Mapped[str] = mapped_column(String(32), index=True)
    caller_name: Mapped[str] = mapped_column(String(120), default="")
    dialled: Mapped[str] = mapped_column(String(32), default="")
    region: Mapped[str] = mapped_column(String(64), default="unknown")
    language: Mapped[str | None] = mapped_column(String(8))
    business_line: Mapped[str | None] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(default=0)
    ivr_choices: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    arrived_at: Mapped[datetime] = mapped_column(index=True)
    ivr_done_at: Mapped[datetime | None]
    queued_at: Mapped[datetime | None] = mapped_column(index=True)  # today's counters
    first_offered_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]

    ivr_s: Mapped[float | None] = mapped_column(Float)
    wait_s: Mapped[float | None] = mapped_column(Float)
    ring_s: Mapped[float | None] = mapped_column(Float)
    talk_s: Mapped[float | None] = mapped_column(Float)
    hold_s: Mapped[float | None] = mapped_column(Float)

    outcome: Mapped[str | None] = mapped_column(String(24), index=True)
    ended_by: Mapped[str | None] = mapped_column(String(16))
    routing_stage: Mapped[int | None]
    routing_level: Mapped[int | None]
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agent.id", ondelete="SET NULL"), index=True
    )
    survey_score: Mapped[int | None] = mapped_column(SmallInteger)
    # The eligible agents and what each was doing when the caller gave up (queue or ringing).
    abandon_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # What a restarted service needs to pick the call up again: phase, offered agent, hold start.
    live_state: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # use_alter: callback.origin_call_id points back here.
    callback_id: Mapped[int | None] = mapped_column(
        ForeignKey("callback.id", ondelete="SET NULL", use_alter=True), index=True
    )
    # The conversation's recording (when the centre records calls): the stored recording's name
    # on the site's Asterisk, when it started and how long it is; purged_at once the retention
    # sweep deleted the file (the row keeps the rest).
    recording_name: Mapped[str | None] = mapped_column(String(128))
    recording_started_at: Mapped[datetime | None] = mapped_column(index=True)
    recording_duration_s: Mapped[float | None] = mapped_column(Float)
    recording_purged_at: Mapped[datetime | None]


class CallEvent(Base):
    """Append-only journal of one call: notifications received, actions taken."""

    __tablename__ = "call_event"
    __table_args__ = (UniqueConstraint("call_id", "seq"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"))
    seq: Mapped[int]
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(48))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AgentSession(Base):
    """An agent's current login: where their phone is and their last requested state."""

    __tablename__ = "agent_session"

    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agent.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    since: Mapped[datetime]


class AgentStateLog(Base):
    """Append-only: every agent state change, with its reason and the call it concerns."""

    __tablename__ = "agent_state_log"
    __table_args__ = (Index("ix_agent_state_log_agent_id_at", "agent_id", "at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="SET NULL"))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id", ondelete="SET NULL"))


class Callback(Base):
    """A busy callback owed to a caller; durable so that a restart keeps every promise."""

    __tablename__ = "callback"
    __table_args__ = (
        CheckConstraint(_one_of("status", CALLBACK_STATUSES), name="status_known"),
        Index("ix_callback_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    origin_call_id: Mapped[int] = mapped_column(
        ForeignKey("call.id", ondelete="CASCADE"), unique=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(32))
    business_line: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    priority: Mapped[int] = mapped_column(default=0)
    region: Mapped[str] = mapped_column(String(64), default="unknown")
    arrived_at: Mapped[datetime]  # the origin call's place in line
    requested_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_outcome: Mapped[str | None] = mapped_column(String(32))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
