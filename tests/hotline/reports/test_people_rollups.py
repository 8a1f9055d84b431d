"""The surveys and agent-performance reports give the same figures read raw and read from the
rollups, on SQLite and PostgreSQL: a synthetic day (with a second site and language, low scores,
offers rung out and transfers added) is reported raw, folded up to noon, reported again, folded
whole, reported again; then a survey answered after its bucket was folded shows once refolded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import (
    Agent,
    AgentRollup,
    AgentSkill,
    AgentStateLog,
    Call,
    CallEvent,
    RollupPosition,
    Site,
    Skill,
    SurveyRollup,
)
from hotline.reports import rollup_store, service
from hotline.reports.queries import AgentGroup
from tests.hotline.reports.centre import seed_synthetic

pytestmark = pytest.mark.asyncio

ZONE = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 2)
START = datetime(2026, 3, 2, tzinfo=ZONE)
NINE = datetime(2026, 3, 2, 9, 0, tzinfo=ZONE)  # agents already on calls: carried into it
NOON = datetime(2026, 3, 2, 12, 0, tzinfo=ZONE)
END = START + timedelta(days=1)
NOW = END + timedelta(hours=6)

# (start, filters): the whole day and from 09:00, every filter the two reports take.
ASKS: list[tuple[datetime, dict[str, Any]]] = [
    (START, {}),
    (NINE, {}),
    (START, {"site": "hz"}),
    (START, {"site": "sh"}),
    (NINE, {"line": "national_tax"}),
    (START, {"language": "en"}),
    (START, {"group": AgentGroup.OVERFLOW}),
    (NINE, {"group": AgentGroup.SPECIALISTS, "line": "finance"}),
    (START, {"agent": "a03"}),
]

Report = Callable[..., Awaitable[dict[str, Any]]]


async def _seed(maker: async_sessionmaker[AsyncSession]) -> None:
    """The synthetic day, then what it lacks: a second site and language, low scores, offers
    rung out (one over a bucket edge, one over noon) and calls passed on."""
    await seed_synthetic(maker, DAY)
    async with maker() as session, session.begin():
        sh = Site(code="sh", name="Shanghai", ari_url="http://127.0.0.1:2", ari_username="u",
                  ari_password="p")  # fmt: skip
        english = Skill(business_line="national_tax", language="en", name="national_tax en")
        session.add_all([sh, english])
        await session.flush()
        agents = {a.code: a.id for a in await session.scalars(select(Agent))}
        session.add(AgentSkill(agent_id=agents["a05"], skill_id=english.id, level=1))
        answered = list(
            await session.scalars(
                select(Call).where(Call.answered_at.is_not(None)).order_by(Call.id)
            )
        )
        for n, call in enumerate(answered):
            if n % 7 == 0:
                call.site_id, call.language = sh.id, "en"
            if n % 11 == 0:
                call.survey_score = 1 + n % 2  # a low score, listed call by call
            if n % 13 == 0 and call.agent_id is not None and call.answered_at is not None:
                session.add(
                    CallEvent(call_id=call.id, seq=1, at=call.answered_at + timedelta(seconds=20),
                              kind="transfer_answered" if n % 2 else "requeued",
                              data={"from": str(call.agent_id)})
                )  # fmt: skip
        site_id = await session.scalar(select(Site.id).where(Site.code == "hz"))
        for agent, (hh, mm, ss) in (
            ("a02", (10, 14, 30)),
            ("a04", (11, 59, 30)),
            ("a07", (14, 0, 0)),
        ):
            begin = datetime(2026, 3, 2, hh, mm, ss, tzinfo=ZONE)
            session.add_all([
                AgentStateLog(agent_id=agents[agent], at=begin, status="not_ready",
                              reason="rona", site_id=site_id),
                AgentStateLog(agent_id=agents[agent], at=begin + timedelta(seconds=60),
                              status="idle", site_id=site_id),
            ])  # fmt: skip


async def _both(maker: async_sessionmaker[AsyncSession]) -> list[Any]:
    """Each ask through both reports, as the API computes them."""
    out = []
    async with maker() as session:
        for start, ask in ASKS:
            request = service.Request(start, END, **ask)
            surveys = await service.surveys(session, request, ZONE, NOW)
            agents = await service.agents(session, request, ZONE, NOW)
            out.append(
                (
                    {k: surveys[k] for k in ("total", "by_line", "by_agent", "by_day")},
                    surveys["low_scores"],
                    agents["rows"],
                    agents["total"],
                )
            )
    return out


async def _raw(maker: async_sessionmaker[AsyncSession]) -> list[Any]:
    """The reports with the fold's position forgotten (read raw throughout), then restored."""
    async with maker() as session, session.begin():
        kept = await session.get(RollupPosition, rollup_store.POSITION)
        until = kept.folded_until if kept is not None else None
        await session.execute(delete(RollupPosition))
    figures = await _both(maker)
    if until is not None:
        async with maker() as session, session.begin():
            session.add(RollupPosition(name=rollup_store.POSITION, folded_until=until))
    return figures


def _check(got: list[Any], expected: list[Any]) -> None:
    for (start, ask), mine, theirs in zip(ASKS, got, expected, strict=True):
        assert mine == theirs, (start, ask)


async def test_surveys_and_agents_from_the_rollups_equal_the_raw_rows(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _seed(sessionmaker)
    raw = await _raw(sessionmaker)
    whole = raw[0]
    assert whole[0]["total"]["responses"] > 300  # a real day, not an empty one
    assert len(whole[1]) > 20  # low scores listed
    assert whole[3]["rona"] == 3
    assert whole[3]["transfers"] > 10
    assert raw[3][0]["total"]["answered"] > 50  # the second site has calls
    assert raw[5][0]["total"]["answered"] > 50  # and the second language

    # The afternoon still open: the morning from the rollups, the rest from the raw rows.
    folded = await rollup_store.fold_pending(sessionmaker, NOON + rollup_store.SETTLE)
    assert folded[-1].end == NOON.astimezone(UTC)
    _check(await _both(sessionmaker), raw)

    # Then the whole day.
    await rollup_store.fold_pending(sessionmaker, NOW)
    _check(await _both(sessionmaker), raw)
    async with sessionmaker() as session:
        surveyed = await session.scalar(select(func.count(SurveyRollup.id)))
        activity = await session.scalar(select(func.sum(AgentRollup.calls_continued)))
    assert (surveyed or 0) > 100
    assert (activity or 0) > 0  # calls over a bucket edge: counted once all the same


async def test_a_late_survey_shows_once_its_buckets_are_folded_again(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _seed(sessionmaker)
    await rollup_store.fold_pending(sessionmaker, NOW)
    before = await _both(sessionmaker)
    async with sessionmaker() as session, session.begin():
        late = await session.scalar(
            select(Call).where(Call.answered_at.is_not(None), Call.survey_score.is_(None),
                               Call.site_id == select(Site.id).where(Site.code == "hz")
                               .scalar_subquery()).order_by(Call.id).limit(1)
        )  # fmt: skip
        assert late is not None
        late.survey_score = 2
    # Folded before the score came: the counts are the old ones until the range is refolded.
    assert (await _both(sessionmaker))[0][0] == before[0][0]
    async with sessionmaker() as session, session.begin():
        await rollup_store.fold_range(session, START, END)
    after = await _both(sessionmaker)
    _check(after, await _raw(sessionmaker))
    assert after[0][0]["total"]["responses"] == before[0][0]["total"]["responses"] + 1
    assert after[0][0]["total"]["distribution"]["2"] == (
        before[0][0]["total"]["distribution"]["2"] + 1
    )


async def test_the_reports_read_the_rollups_once_folded(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Proof the rollups are read (not only written): rows changed by hand show."""
    await _seed(sessionmaker)
    await rollup_store.fold_pending(sessionmaker, NOW)
    before = (await _both(sessionmaker))[0]
    async with sessionmaker() as session, session.begin():
        survey = await session.scalar(
            select(SurveyRollup).where(SurveyRollup.inbound.is_(True)).limit(1)
        )
        activity = await session.scalar(
            select(AgentRollup).where(AgentRollup.site_id.is_(None), AgentRollup.calls > 0).limit(1)
        )
        assert survey is not None
        assert activity is not None
        survey.score_5 += 100
        survey.score_sum += 500
        activity.calls += 1000
    after = (await _both(sessionmaker))[0]
    assert after[0]["total"]["distribution"]["5"] == before[0]["total"]["distribution"]["5"] + 100
    assert after[3]["calls"] == before[3]["calls"] + 1000


async def test_folding_twice_gives_the_same_rows(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _seed(sessionmaker)
    await rollup_store.fold_pending(sessionmaker, NOW)

    async def rows() -> tuple[list[Any], list[Any]]:
        async with sessionmaker() as session:
            surveys = sorted(
                (
                    tuple(r)
                    for r in await session.execute(
                        select(
                            SurveyRollup.bucket,
                            SurveyRollup.agent_id,
                            SurveyRollup.site_id,
                            SurveyRollup.business_line,
                            SurveyRollup.answered,
                            SurveyRollup.score_sum,
                            SurveyRollup.hold_us,
                        )
                    )
                ),
                key=str,
            )
            agents = sorted(
                (
                    tuple(r)
                    for r in await session.execute(
                        select(
                            AgentRollup.bucket,
                            AgentRollup.site_id,
                            AgentRollup.agent_id,
                            AgentRollup.calls,
                            AgentRollup.calls_continued,
                            AgentRollup.rona,
                            AgentRollup.transfers,
                        )
                    )
                ),
                key=str,
            )
        return surveys, agents

    first = await rows()
    async with sessionmaker() as session, session.begin():
        await rollup_store.fold_range(session, START, END)
    assert await rows() == first
