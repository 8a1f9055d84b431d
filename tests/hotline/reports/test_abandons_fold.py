"""The abandons report folded over the state log as it streams (in time order, never held
whole) gives what the spans say, on SQLite and PostgreSQL.

The reference is worked out here the slow, obvious way: the period's spans from the state log
(``staffing.spans``) and, for each abandon, every span holding that instant
(``staffing.floor_at``). A synthetic day of twelve agents is seeded, with the edges a time-order
read could get wrong: two changes of one agent at one instant, an agent known only from a change
before the period (the lookback), a log-out, an agent of another site, and abandons after the
clock's ``now`` (nobody is counted then).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import Agent, AgentStateLog, Call, Site
from hotline.db.session import transaction
from hotline.reports import queries, service
from hotline.reports.abandons import AbandonRow
from hotline.reports.interval import ABANDON_OUTCOMES
from hotline.reports.queries import Filters
from hotline.reports.staffing import Span, floor_at, spans
from tests.hotline.reports.centre import seed_synthetic

pytestmark = pytest.mark.asyncio

ZONE = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 2)
START = datetime(2026, 3, 2, tzinfo=ZONE)
END = START + timedelta(days=1)
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=ZONE)  # the afternoon's abandons come after now


def at(hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime(2026, 3, 2, hh, mm, ss, tzinfo=ZONE)


async def _seed_edges(maker: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """The edges on top of the synthetic day; returns the agents' ids by code."""
    async with transaction(maker) as session:
        other = Site(code="nb", name="Ningbo", ari_url="http://127.0.0.1:2", ari_username="u",
                     ari_password="p")  # fmt: skip
        session.add(other)
        late = Agent(code="a13", name="A13", languages=["zh"], overflow=False)
        away = Agent(code="a14", name="A14", languages=["zh"], overflow=False)
        session.add_all([late, away])
        await session.flush()
        hz = await session.scalar(select(Site.id).where(Site.code == "hz"))
        ids = {code: id_ for code, id_ in await session.execute(select(Agent.code, Agent.id))}
        a01 = ids["a01"]
        rows = [
            # a13 logged in the evening before and idle since: known from the lookback only
            (late.id, at(20, 0) - timedelta(days=1), "idle", None, hz),
            # a01 at 10:00:00 twice: the break written second is what the floor shows
            (a01, at(10, 0), "idle", None, hz),
            (a01, at(10, 0), "not_ready", "break", hz),
            (a01, at(10, 20), "idle", None, hz),
            # a13 logs out in the morning and back in at noon
            (late.id, at(9, 45), "logged_out", None, hz),
            (late.id, at(12, 0), "not_ready", "login", hz),
            (late.id, at(12, 1), "idle", None, hz),
            # a14 works at the other site: on the whole floor, not on the hz site's floor
            (away.id, at(8, 0), "idle", None, other.id),
        ]
        await session.execute(
            insert(AgentStateLog),
            [
                {"agent_id": a, "at": t, "status": s, "reason": r, "site_id": site}
                for a, t, s, r, site in rows
            ],
        )
        # Every abandon names a01 and a13 among its eligible agents besides its own.
        for call in (
            await session.scalars(select(Call).where(Call.outcome.in_(ABANDON_OUTCOMES)))
        ).all():
            snapshot = dict(call.abandon_snapshot or {})
            eligible = list(snapshot.get("eligible", []))
            eligible += [{"agent_id": str(a01)}, {"agent_id": str(late.id)}]
            call.abandon_snapshot = {**snapshot, "eligible": eligible}
        # and one abandon at the very instant of a01's two changes
        session.add(
            # an id of its own: the synthetic calls took theirs without the sequence
            Call(id=900_001, site_id=hz, channel_id="edge-1", caller_number="13800000001",
                 language="zh", business_line="national_tax", arrived_at=at(9, 59),
                 queued_at=at(9, 59, 10),
                 ended_at=at(10, 0), outcome="abandoned_queue", wait_s=50.0,
                 abandon_snapshot={"position": 1, "eligible": [{"agent_id": str(a01)}]})
        )  # fmt: skip
    return ids


def _seat(code: str, span: Span, eligible: bool) -> tuple[Any, ...]:
    return (code, span.status, span.reason, span.start.astimezone(ZONE).isoformat(), eligible)


def _expected(
    calls: list[AbandonRow], states: Any, codes: dict[int, str], until: datetime
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Each abandon's counts and floor from the spans, one abandon at a time."""
    all_spans = spans(states, until)
    rows: list[dict[str, Any]] = []
    for call in sorted(calls, key=lambda c: (c.abandoned_at, c.id)):
        floor = floor_at(all_spans, call.abandoned_at)
        eligible = {int(e["agent_id"]) for e in (call.snapshot or {}).get("eligible", [])}
        statuses = [floor[a].status for a in eligible if a in floor]
        rows.append(
            {
                "call_id": call.id,
                "eligible": len(statuses),
                "eligible_idle": statuses.count("idle"),
                "eligible_away": statuses.count("not_ready"),
                "floor_logged_in": len(floor),
                "floor": [_seat(codes[a], floor[a], a in eligible) for a in sorted(floor)],
            }
        )
    idle = sum(r["eligible_idle"] > 0 for r in rows)
    away = sum(r["eligible_away"] > 0 for r in rows)
    slack = sum(r["eligible_idle"] + r["eligible_away"] > 0 for r in rows)
    summary = {
        "abandons": len(rows),
        "with_eligible_idle": idle,
        "with_eligible_away": away,
        "with_eligible_idle_or_away": slack,
        "understaffed": len(rows) - slack,
    }
    return rows, summary


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "call_id": row["call_id"],
        "eligible": row["eligible"],
        "eligible_idle": row["eligible_idle"],
        "eligible_away": row["eligible_away"],
        "floor_logged_in": row["floor_logged_in"],
        "floor": [
            (s["agent"], s["status"], s["reason"], s["since"], s["eligible"]) for s in row["floor"]
        ],
    }


@pytest.mark.parametrize("site", [None, "hz"])
async def test_the_streamed_floor_is_the_floor_of_the_spans(
    sessionmaker: async_sessionmaker[AsyncSession], site: str | None
) -> None:
    await seed_synthetic(sessionmaker, DAY)
    await _seed_edges(sessionmaker)
    async with sessionmaker() as session:
        data = await service.abandons(
            session, service.Request(START, END, site=site), ZONE, NOW, with_floor=True
        )
        filters = await queries.resolve_filters(
            session, site=site, line=None, language=None, group=None
        )
        calls = await queries.abandoned_calls(session, START, END, filters)
        states = await queries.state_rows(
            session, START, END, Filters(site_id=filters.site_id), None
        )
        codes = await queries.agent_codes(session)
    rows, summary = _expected(calls, states, codes, NOW)
    assert len(rows) > 30  # a real day's abandons, some after now
    assert any(call.abandoned_at >= NOW for call in calls)
    assert data["summary"] == summary
    assert [_shown(row) for row in data["rows"]] == rows

    # The edges did happen: the break written second at 10:00, the lookback agent on the
    # floor before 09:45 and not after, the other site's agent only on the whole floor.
    edge = next(r for r in data["rows"] if r["abandoned_at"] == at(10, 0).isoformat())
    seats = {s["agent"]: s for s in edge["floor"]}
    assert (seats["a01"]["status"], seats["a01"]["reason"]) == ("not_ready", "break")
    assert "a13" not in seats
    early = data["rows"][0]
    assert early["abandoned_at"] < at(9, 45).isoformat()
    assert ("a13" in {s["agent"] for s in early["floor"]}) is True
    assert ("a14" in {s["agent"] for s in early["floor"]}) is (site is None)
    assert data["rows"][-1]["floor_logged_in"] == 0  # given up after now

    # Without the floor, the same counts.
    async with sessionmaker() as session:
        lean = await service.abandons(
            session, service.Request(START, END, site=site), ZONE, NOW, with_floor=False
        )
    assert lean["summary"] == summary
    assert [{k: v for k, v in r.items() if k != "floor"} for r in data["rows"]] == lean["rows"]


async def test_the_state_log_streams_in_time_order_up_to_the_last_abandon(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await seed_synthetic(sessionmaker, DAY)
    ids = await _seed_edges(sessionmaker)
    through = at(10, 0)
    async with sessionmaker() as session:
        batches = [
            list(batch)
            async for batch in queries.state_changes(session, START, END, through, Filters())
        ]
    lookback, *inside = batches
    assert [(a, s) for a, _, s, _ in lookback] == [(ids["a13"], "idle")]
    changes = [(a, t, s, r) for batch in inside for a, t, s, r in batch]
    times = [t for _, t, _, _ in changes]
    assert times == sorted(times)
    assert times[0] >= START
    assert times[-1] == through
    # Two changes at one instant come in the order they were written.
    at_ten = [(c[2], c[3]) for c in changes if c[0] == ids["a01"] and c[1] == through]
    assert at_ten == [("idle", None), ("not_ready", "break")]
