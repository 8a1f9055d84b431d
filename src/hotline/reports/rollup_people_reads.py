"""What the surveys and agent-performance reports read from the rollups.

The same split as the interval report's (``rollup_store.folded_span``): the whole buckets from
the period's start up to the fold's position come summed from the rollups, the raw rows give
the rest. Every column summed is an integer, so the figures equal the raw rows' exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import case, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.db.models import AgentRollup, StateRollup, SurveyRollup
from hotline.reports.agents import SCORES, AgentTally
from hotline.reports.period import Period
from hotline.reports.queries import Filters
from hotline.reports.rollup_store import FoldedSpan, folded_span
from hotline.reports.surveys import SurveyCount

_DAY_S = 86_400
_EPOCH_DAY = date(1970, 1, 1)
_SCORES = [getattr(SurveyRollup, f"score_{s}") for s in SCORES]


def _at(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _calls_where(folded: FoldedSpan, f: Filters) -> list[Any]:
    """The survey rollup's rows for the raw call filter (``queries._calls_where``)."""
    r = SurveyRollup
    conditions: list[Any] = [r.bucket >= folded.low, r.bucket < folded.high]
    if f.site_id is not None:
        conditions.append(r.site_id == f.site_id)
    if f.line is not None:
        conditions.append(r.business_line == f.line)
    if f.language is not None:
        conditions.append(r.language == f.language)
    if f.agent_id is not None:
        conditions.append(r.agent_id == f.agent_id)
    return conditions


def _view_where(
    table: type[StateRollup] | type[AgentRollup],
    folded: FoldedSpan,
    f: Filters,
    agents: set[int] | None,
) -> list[Any]:
    """A per-agent rollup's rows for the raw state filter (``queries.state_rows``): the site
    view asked for, the agents of the group."""
    conditions: list[Any] = [table.bucket >= folded.low, table.bucket < folded.high]
    if f.site_id is None:
        conditions.append(table.site_id.is_(None))
    else:
        conditions.append(table.site_id == f.site_id)
    if agents is not None:
        conditions.append(table.agent_id.in_(sorted(agents)) if agents else false())
    return conditions


@dataclass(frozen=True, slots=True)
class RolledSurveys:
    raw_from: datetime  # the raw rows count from here
    counts: list[SurveyCount]


async def survey_counts(
    session: AsyncSession, period: Period, f: Filters, codes: Mapping[int, str]
) -> RolledSurveys | None:
    """The answered inbound calls and their scores per local day, line and agent over the
    folded part of the period; None when the rollups cannot answer (the raw rows then do)."""
    folded = await folded_span(session, period)
    if folded is None:
        return None
    r = SurveyRollup
    day = (r.bucket + folded.offset) // _DAY_S
    query = (
        select(
            day, r.business_line, r.agent_id, func.sum(r.answered), *[func.sum(c) for c in _SCORES]
        )
        .where(r.inbound.is_(True), *_calls_where(folded, f))
        .group_by(day, r.business_line, r.agent_id)
    )
    counts = [
        SurveyCount(
            _EPOCH_DAY + timedelta(days=int(number)),
            line or "",
            codes.get(agent_id, "") if agent_id is not None else "",
            int(answered),
            tuple(int(n or 0) for n in scores),
        )
        for number, line, agent_id, answered, *scores in await session.execute(query)
    ]
    return RolledSurveys(_at(folded.high), counts)


@dataclass(frozen=True, slots=True)
class RolledAgents:
    raw_from: datetime
    tallies: dict[int, AgentTally]
    transfers: dict[int, int]


async def agent_tallies(
    session: AsyncSession, period: Period, f: Filters, agents: set[int] | None
) -> RolledAgents | None:
    """Each agent's sums over the folded part of the period (``agents``: the group's, None
    for all); None when the rollups cannot answer."""
    folded = await folded_span(session, period)
    if folded is None:
        return None
    us: dict[int, dict[str, int]] = {}
    reason_us: dict[int, dict[str, int]] = {}
    s = StateRollup
    for agent_id, status, reason, total in await session.execute(
        select(s.agent_id, s.status, s.reason, func.sum(s.us))
        .where(*_view_where(s, folded, f, agents))
        .group_by(s.agent_id, s.status, s.reason)
    ):
        own = us.setdefault(agent_id, {})
        own[status] = own.get(status, 0) + int(total)
        if status == "not_ready":
            reasons = reason_us.setdefault(agent_id, {})
            key = reason or "unknown"
            reasons[key] = reasons.get(key, 0) + int(total)
    a = AgentRollup
    # A call the agent was on across a bucket edge counts once: in the first bucket it shows
    # in, or (already running when the period began) in the period's first bucket.
    continued = case((a.bucket > folded.low, a.calls_continued), else_=0)
    activity = {
        agent_id: (int(calls) - int(later), int(rona))
        for agent_id, calls, later, rona in await session.execute(
            select(a.agent_id, func.sum(a.calls), func.sum(continued), func.sum(a.rona))
            .where(*_view_where(a, folded, f, agents))
            .group_by(a.agent_id)
        )
    }
    transfers = {
        agent_id: int(n)
        for agent_id, n in await session.execute(
            select(a.agent_id, func.sum(a.transfers))
            .where(*_view_where(a, folded, Filters(), agents), a.transfers > 0)
            .group_by(a.agent_id)
        )
    }
    r = SurveyRollup
    weighted = func.sum(r.score_sum)
    finished = {
        agent_id: (int(n), int(hold), sum(int(c or 0) for c in scores), int(total or 0))
        for agent_id, n, hold, total, *scores in await session.execute(
            select(
                r.agent_id,
                func.sum(r.answered),
                func.sum(r.hold_us),
                weighted,
                *[func.sum(c) for c in _SCORES],
            )
            .where(r.agent_id.is_not(None), *_calls_where(folded, f))
            .group_by(r.agent_id)
        )
    }
    tallies = {
        agent_id: AgentTally(
            us.get(agent_id, {}),
            reason_us.get(agent_id, {}),
            *activity.get(agent_id, (0, 0)),
            *finished.get(agent_id, (0, 0, 0, 0)),
        )
        for agent_id in {*us, *activity, *finished}
    }
    return RolledAgents(_at(folded.high), tallies, transfers)
