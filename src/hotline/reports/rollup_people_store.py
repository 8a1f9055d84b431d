"""The fold of the surveys' and agents' rollups in the database (``rollup_people``'s rows).

Called by ``rollup_store.fold_range`` for the same whole buckets in the same transaction, so it
shares the fold's position, its settled-bucket rule and its refold (``hotline reports fold
--from ... --to ...``): delete the range, recompute it from the raw rows, insert. Nothing is
ever incremented, so a late survey score or a corrected state row is right after a refold.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.db.models import AgentRollup, Call, Site, SurveyRollup
from hotline.reports import queries
from hotline.reports.queries import Filters
from hotline.reports.rollup_people import (
    AnsweredCall,
    add_transfers,
    agent_rows,
    fold_agent_spans,
    fold_answered,
)
from hotline.reports.staffing import StateRow, spans


@dataclass(frozen=True, slots=True)
class PeopleFolded:
    survey_rows: int
    agent_rows: int


async def _answered(session: AsyncSession, begin: datetime, end: datetime) -> list[AnsweredCall]:
    query = select(
        Call.arrived_at,
        Call.site_id,
        Call.business_line,
        Call.language,
        Call.agent_id,
        Call.kind,
        Call.hold_s,
        Call.survey_score,
    ).where(Call.arrived_at >= begin, Call.arrived_at < end, Call.answered_at.is_not(None))
    connection = await session.connection()
    return [
        AnsweredCall(at, site, line, language, agent, kind == "inbound", hold, score)
        for at, site, line, language, agent, kind, hold, score in await connection.execute(query)
    ]


async def fold_people(
    session: AsyncSession,
    low: int,
    high: int,
    every: Sequence[StateRow] | None = None,
    per_site: Mapping[int, Sequence[StateRow]] | None = None,
) -> PeopleFolded:
    """Recompute the buckets in [low, high) (epoch seconds, whole buckets). ``every`` and
    ``per_site``: the state rows of the all-sites view and of each site's, when the caller
    has read them already (``queries.state_rows`` from ``low``)."""
    begin, end = datetime.fromtimestamp(low, UTC), datetime.fromtimestamp(high, UTC)
    answered = await _answered(session, begin, end)
    if every is None:
        every = await queries.state_rows(session, begin, end, Filters(), None)
    if per_site is None:
        per_site = {
            site_id: await queries.state_rows(session, begin, end, Filters(site_id=site_id), None)
            for site_id in await session.scalars(select(Site.id).order_by(Site.id))
        }
    states: dict[int | None, Sequence[StateRow]] = {None: every}
    for site_id, rows in per_site.items():
        states[site_id] = rows
    moments = await queries.transfer_moments(session, begin, end)
    until = end + queries.WRAP_MARGIN

    def compute() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        per_view = {
            view: fold_agent_spans(spans(rows, until), low, high, view)
            for view, rows in states.items()
        }
        add_transfers(per_view.setdefault(None, {}), moments)
        return fold_answered(answered, low, high), agent_rows(per_view)

    survey_rows, activity_rows = await asyncio.to_thread(compute)
    await session.execute(
        delete(SurveyRollup).where(SurveyRollup.bucket >= low, SurveyRollup.bucket < high)
    )
    await session.execute(
        delete(AgentRollup).where(AgentRollup.bucket >= low, AgentRollup.bucket < high)
    )
    if survey_rows:
        await session.execute(insert(SurveyRollup), survey_rows)
    if activity_rows:
        await session.execute(insert(AgentRollup), activity_rows)
    return PeopleFolded(len(survey_rows), len(activity_rows))
