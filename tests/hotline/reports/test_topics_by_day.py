"""The topics report counts in the database: summaries per local day and topic, and the
searches that found nothing per query, on SQLite and PostgreSQL, with the day cut at the
centre's midnight, also across a clock change (a zone the centre could be configured with)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import Call, CallSummaryRow, KbSearchMiss, Topic
from hotline.db.session import transaction
from hotline.reports import queries
from hotline.reports.local_day import offset_pieces
from hotline.reports.queries import Filters
from tests.hotline.telephony.builders import seed_directory

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")  # CET to CEST at 2026-03-29 01:00 UTC


def test_the_offset_pieces_follow_the_clock_changes() -> None:
    start = datetime(2026, 3, 1, tzinfo=SHANGHAI)
    assert offset_pieces(start, start + timedelta(days=366), SHANGHAI) == [
        (start + timedelta(days=366), 8 * 3600)
    ]
    begin, end = datetime(2026, 3, 28, tzinfo=BERLIN), datetime(2026, 11, 1, tzinfo=BERLIN)
    assert offset_pieces(begin, end, BERLIN) == [
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), 3600),
        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), 7200),
        (end, 3600),
    ]
    # A change exactly at the period's end opens no piece.
    until = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert offset_pieces(begin, until, BERLIN) == [(until, 3600)]


async def _seed(maker: async_sessionmaker[AsyncSession], arrivals: list[datetime]) -> None:
    seeded = await seed_directory(maker, ("a1",))
    async with transaction(maker) as session:
        session.add(Topic(code="T", parent_code=None, name_zh="甲", name_en="A"))
        session.add(Topic(code="T.1", parent_code="T", name_zh="甲一", name_en="A one"))
        await session.flush()
        for n, arrived in enumerate(arrivals):
            call = Call(site_id=seeded.site_id, channel_id=f"ch-{n}", caller_number="1",
                        language="zh", business_line="national_tax", arrived_at=arrived,
                        ended_at=arrived + timedelta(minutes=1), outcome="answered")  # fmt: skip
            session.add(call)
            await session.flush()
            summary = CallSummaryRow(call_id=call.id, agent_id=seeded.agents["a1"],
                                     topic_code="T.1", question="?", result="answered")  # fmt: skip
            session.add(summary)
            session.add(KbSearchMiss(query=f"q{n % 2}", asked_by="a1", at=arrived))


@pytest.mark.asyncio
async def test_summaries_count_on_the_local_day_of_their_call(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    local = [
        # Shanghai's midnight between March 2 and 3 (16:00 UTC)
        datetime(2026, 3, 2, 23, 59, 59, 999999, tzinfo=SHANGHAI),
        datetime(2026, 3, 3, 0, 0, tzinfo=SHANGHAI),
        datetime(2026, 3, 3, 7, 59, tzinfo=SHANGHAI),  # still March 2 in UTC
        # Berlin's days either side of the clock change (both 00:30 local, 23:30 and 22:30 UTC)
        datetime(2026, 3, 29, 0, 30, tzinfo=BERLIN),
        datetime(2026, 3, 30, 0, 30, tzinfo=BERLIN),
        datetime(2026, 3, 29, 23, 30, tzinfo=BERLIN),
    ]
    await _seed(sessionmaker, local)
    async with sessionmaker() as session:
        shanghai = await queries.topic_counts(
            session,
            datetime(2026, 3, 2, tzinfo=SHANGHAI),
            datetime(2026, 3, 4, tzinfo=SHANGHAI),
            Filters(),
            SHANGHAI,
        )
        berlin = await queries.topic_counts(
            session,
            datetime(2026, 3, 28, tzinfo=BERLIN),
            datetime(2026, 4, 1, tzinfo=BERLIN),
            Filters(),
            BERLIN,
        )
        line = await queries.topic_counts(
            session,
            datetime(2026, 3, 2, tzinfo=SHANGHAI),
            datetime(2026, 3, 4, tzinfo=SHANGHAI),
            Filters(line="local_tax"),
            SHANGHAI,
        )
        misses = await queries.search_miss_counts(
            session, datetime(2026, 3, 2, tzinfo=SHANGHAI), datetime(2026, 3, 4, tzinfo=SHANGHAI)
        )
    assert sorted(shanghai) == [(date(2026, 3, 2), "T.1", 1), (date(2026, 3, 3), "T.1", 2)]
    assert sorted(berlin) == [(date(2026, 3, 29), "T.1", 2), (date(2026, 3, 30), "T.1", 1)]
    assert line == []
    assert sorted((q, n, last) for q, n, last in misses) == [
        ("q0", 2, local[2]),
        ("q1", 1, local[1]),
    ]
