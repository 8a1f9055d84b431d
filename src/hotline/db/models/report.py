"""Report rollups (15-minute buckets folded from the raw rows) and the service standards.

The raw tables stay the source of truth: a bucket is always recomputed from them, never
incremented, so folding a range twice gives the same rows (docs/reports.md, "Rollups").
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.clock import utc_now
from hotline.db.base import Base, BigIntPK

# The thresholds (seconds) the call rollup counts answered calls within, and the short-abandon
# limits it counts abandons under: a report asking for another value reads the raw rows.
WITHIN_THRESHOLDS = (10, 15, 20, 30, 60, 120, 180, 300)
SHORT_LIMITS = (3, 5, 10)


class CallRollup(Base):
    """The calls that arrived in one 15-minute bucket at one site, line and language."""

    __tablename__ = "report_call_rollup"
    __table_args__ = (Index("ix_report_call_rollup_bucket", "bucket"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger)  # the bucket's start, epoch seconds (UTC)
    site_id: Mapped[int] = mapped_column(Integer)
    business_line: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(8))
    arrived: Mapped[int] = mapped_column(Integer, default=0)
    callback_calls: Mapped[int] = mapped_column(Integer, default=0)
    abandoned_ivr: Mapped[int] = mapped_column(Integer, default=0)
    offered: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    abandoned_queue: Mapped[int] = mapped_column(Integer, default=0)
    abandoned_ringing: Mapped[int] = mapped_column(Integer, default=0)
    callbacks: Mapped[int] = mapped_column(Integer, default=0)
    # Microseconds (integers: sums exact in any order, the figures equal the raw rows').
    wait_answered_us: Mapped[int] = mapped_column(BigInteger, default=0)
    handle_us: Mapped[int] = mapped_column(BigInteger, default=0)
    within_10: Mapped[int] = mapped_column(Integer, default=0)
    within_15: Mapped[int] = mapped_column(Integer, default=0)
    within_20: Mapped[int] = mapped_column(Integer, default=0)
    within_30: Mapped[int] = mapped_column(Integer, default=0)
    within_60: Mapped[int] = mapped_column(Integer, default=0)
    within_120: Mapped[int] = mapped_column(Integer, default=0)
    within_180: Mapped[int] = mapped_column(Integer, default=0)
    within_300: Mapped[int] = mapped_column(Integer, default=0)
    short_3: Mapped[int] = mapped_column(Integer, default=0)
    short_5: Mapped[int] = mapped_column(Integer, default=0)
    short_10: Mapped[int] = mapped_column(Integer, default=0)


class StateRollup(Base):
    """Agent-time one agent spent in one state (and not-ready reason) in one bucket.

    ``site_id`` NULL is the view over every site; a row per site holds what a report filtered
    on that site counts (the agent's changes at that site or without one)."""

    __tablename__ = "report_state_rollup"
    __table_args__ = (Index("ix_report_state_rollup_bucket", "bucket"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger)
    site_id: Mapped[int | None] = mapped_column(Integer)
    agent_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    us: Mapped[int] = mapped_column(BigInteger)  # agent-microseconds


class StateTotalRollup(Base):
    """Agent-time in one state (and not-ready reason) in one bucket, summed over the agents.

    What an interval report without an agent group reads: ``report_state_rollup`` less its agent
    column, so a month's report sums a few rows per bucket instead of one per agent. Folded by
    the same job from the same spans; ``site_id`` as in ``report_state_rollup``."""

    __tablename__ = "report_state_total_rollup"
    __table_args__ = (Index("ix_report_state_total_rollup_bucket", "bucket"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger)
    site_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    us: Mapped[int] = mapped_column(BigInteger)  # agent-microseconds


class PresenceRollup(Base):
    """That one agent was logged in (in any state) during one bucket: one row per agent and
    bucket, where ``report_state_rollup`` has one per state and reason too.

    What ``agents_logged_in`` counts (distinct agents per report interval) and what the report's
    agent lists read: a month of 300 agents is then a fraction of the state rollup's rows.
    Folded by the same job; ``site_id`` as in ``report_state_rollup``."""

    __tablename__ = "report_presence_rollup"
    __table_args__ = (
        Index("ix_report_presence_rollup_bucket", "bucket"),
        # Whether an agent was there at all in a period: one index probe per agent, not a scan
        # of the period's rows (the agents of a month of a large centre).
        Index("ix_report_presence_rollup_site_id_agent_id_bucket", "site_id", "agent_id", "bucket"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger)
    site_id: Mapped[int | None] = mapped_column(Integer)
    agent_id: Mapped[int] = mapped_column(Integer)


# The report widths the headcount rollup counts for (15, 30, 60 minutes and a day).
HEADCOUNT_WIDTHS = (900, 1800, 3600, 86400)


class HeadcountRollup(Base):
    """How many distinct agents were logged in during one report interval (``agents_logged_in``)
    in one site view: a distinct count does not add up over buckets, so the fold keeps it per
    interval of each report width, from ``report_presence_rollup``.

    ``start``: the interval's start in epoch seconds, clock-aligned in the centre's time zone
    when the fold ran (a day starts at local midnight); a report in another zone finds no row
    for its intervals and counts the presence rollup instead. Every interval of a folded range
    has a row, none logged in included, so a missing row means "not counted", never zero.
    ``site_id`` as in ``report_state_rollup``."""

    __tablename__ = "report_headcount_rollup"
    __table_args__ = (Index("ix_report_headcount_rollup_width_s_start", "width_s", "start"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    site_id: Mapped[int | None] = mapped_column(Integer)
    width_s: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(BigInteger)
    agents: Mapped[int] = mapped_column(Integer)


class SurveyRollup(Base):
    """The answered calls that arrived in one bucket at one site, line and language, finished
    by one agent (NULL: none recorded): how many, their hold time and their survey scores.

    What the surveys report counts (``inbound`` rows) and the agent report's hold and survey
    figures (every row naming an agent: a callback the centre placed counts for its agent).
    The low-scored calls themselves stay in the call table: the report lists them one by one."""

    __tablename__ = "report_survey_rollup"
    __table_args__ = (Index("ix_report_survey_rollup_bucket", "bucket"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger)
    site_id: Mapped[int] = mapped_column(Integer)
    business_line: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(8))
    agent_id: Mapped[int | None] = mapped_column(Integer)
    inbound: Mapped[bool] = mapped_column(Boolean)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    hold_us: Mapped[int] = mapped_column(BigInteger, default=0)
    score_1: Mapped[int] = mapped_column(Integer, default=0)
    score_2: Mapped[int] = mapped_column(Integer, default=0)
    score_3: Mapped[int] = mapped_column(Integer, default=0)
    score_4: Mapped[int] = mapped_column(Integer, default=0)
    score_5: Mapped[int] = mapped_column(Integer, default=0)
    score_sum: Mapped[int] = mapped_column(Integer, default=0)  # of the 1-5 scores


class AgentRollup(Base):
    """What one agent did in one bucket that is a count, not agent-time (that is in
    ``report_state_rollup``): calls they were on, offers they let ring out, transfers.

    ``calls``: distinct calls the agent was on in the bucket; ``calls_continued``: of those,
    the ones the agent was already on when the bucket began, so a period's calls are the sum
    of ``calls - calls_continued`` plus the first bucket's ``calls_continued`` (a call over a
    bucket edge counts once). ``transfers`` are only in the all-sites view (``site_id`` NULL):
    the journal has no site filter. ``site_id`` as in ``report_state_rollup``."""

    __tablename__ = "report_agent_rollup"
    __table_args__ = (Index("ix_report_agent_rollup_bucket", "bucket"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger)
    site_id: Mapped[int | None] = mapped_column(Integer)
    agent_id: Mapped[int] = mapped_column(Integer)
    calls: Mapped[int] = mapped_column(Integer, default=0)
    calls_continued: Mapped[int] = mapped_column(Integer, default=0)
    rona: Mapped[int] = mapped_column(Integer, default=0)
    transfers: Mapped[int] = mapped_column(Integer, default=0)


class RollupPosition(Base):
    """How far the fold has gone: every bucket before ``folded_until`` is in the rollups."""

    __tablename__ = "report_rollup_position"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    folded_until: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class ServiceStandardRow(Base):
    """A service standard (服务标准) the director measures against, editable as data."""

    __tablename__ = "service_standard"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    metric: Mapped[str] = mapped_column(String(32))
    comparison: Mapped[str] = mapped_column(String(2))
    target: Mapped[float] = mapped_column(Float)
    threshold_s: Mapped[float | None] = mapped_column(Float)
    label_zh: Mapped[str] = mapped_column(String(120))
    label_en: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class AgentShift(Base):
    """One scheduled shift of an agent (排班): the hours the adherence figure measures against."""

    __tablename__ = "agent_shift"
    __table_args__ = (Index("ix_agent_shift_agent_id_starts_at", "agent_id", "starts_at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
