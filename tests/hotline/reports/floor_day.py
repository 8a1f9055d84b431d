"""A morning at the Hangzhou centre, written as rows: two agents, nine calls, their state log.

Times are Asia/Shanghai. The expected figures in the tests are worked out by hand from this
table (see the comments), not by running the code under test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import AgentStateLog, Call, Skill
from hotline.db.session import transaction
from tests.hotline.telephony.builders import seed_directory

CST = timezone(timedelta(hours=8))


def at(hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime(2026, 3, 2, hh, mm, ss, tzinfo=CST)


@dataclass
class Day:
    site_id: int
    agents: dict[str, int]
    calls: dict[str, int]


def _call(site_id: int, name: str, arrived: datetime, **fields: object) -> Call:
    queued = fields.pop("queued", None)
    answered = fields.pop("answered", None)
    ended = fields.pop("ended")
    assert isinstance(arrived, datetime)
    call = Call(
        site_id=site_id,
        channel_id=f"ch-{name}",
        caller_number=str(fields.pop("number", "13800138000")),
        kind=str(fields.pop("kind", "inbound")),
        language="zh",
        business_line=str(fields.pop("line", "national_tax")),
        arrived_at=arrived,
        queued_at=queued,
        answered_at=answered,
        ended_at=ended,
        region="hangzhou",
    )
    for key, value in fields.items():
        setattr(call, key, value)
    return call


async def seed_day(sessionmaker: async_sessionmaker[AsyncSession]) -> Day:
    seeded = await seed_directory(sessionmaker, ("a1", "a2"))
    a1, a2 = seeded.agents["a1"], seeded.agents["a2"]
    s = seeded.site_id
    eligible = {
        "position": 1,
        "eligible": [
            {"agent_id": str(a1), "level": 1, "status": "idle", "reason": None},
            {"agent_id": str(a2), "level": 1, "status": "not_ready", "reason": "break"},
        ],
    }
    calls = {
        # answered after 15 s: talk 120 + hold 10 + wrap 30 (state log)
        "c1": _call(s, "c1", at(9, 1), queued=at(9, 1, 10), answered=at(9, 1, 25),
                    ended=at(9, 3, 35), outcome="answered", wait_s=15.0, talk_s=120.0,
                    hold_s=10.0, agent_id=a1),
        # answered after 50 s: talk 60, wrap 20
        "c2": _call(s, "c2", at(9, 5), queued=at(9, 5, 10), answered=at(9, 6),
                    ended=at(9, 7), outcome="answered", wait_s=50.0, talk_s=60.0, hold_s=0.0,
                    agent_id=a2),
        "c3": _call(s, "c3", at(9, 10), queued=at(9, 10, 10), ended=at(9, 10, 40),
                    outcome="abandoned_queue", wait_s=30.0, number="13912345678",
                    abandon_snapshot=eligible),
        "c4": _call(s, "c4", at(9, 12), ended=at(9, 12, 20), outcome="abandoned_ivr"),
        # a short abandon: 3 s
        "c5": _call(s, "c5", at(9, 20), queued=at(9, 20, 5), ended=at(9, 20, 8),
                    outcome="abandoned_queue", wait_s=3.0, abandon_snapshot=eligible),
        "c6": _call(s, "c6", at(9, 40), queued=at(9, 40, 10), ended=at(9, 41, 10),
                    outcome="callback_requested", wait_s=60.0),
        "c7": _call(s, "c7", at(9, 50), queued=at(9, 50, 10), ended=at(9, 50, 30),
                    outcome="abandoned_ringing", wait_s=20.0,
                    abandon_snapshot={"position": 1, "eligible": [
                        {"agent_id": str(a1), "level": 1, "status": "reserved"}]}),
        # the centre calling a caller back: not an offered call
        "c8": _call(s, "c8", at(9, 45), kind="callback", answered=at(9, 45, 20),
                    ended=at(9, 46), outcome="answered", talk_s=40.0, hold_s=0.0),
        # another line, answered at once
        "c9": _call(s, "c9", at(10, 5), queued=at(10, 5, 10), answered=at(10, 5, 15),
                    ended=at(10, 6, 15), outcome="answered", wait_s=5.0, talk_s=60.0,
                    hold_s=0.0, line="local_tax"),
    }  # fmt: skip
    async with transaction(sessionmaker) as session:
        session.add(Skill(business_line="local_tax", language="zh", name="Local tax (zh)"))
        session.add_all(calls.values())
        await session.flush()
        ids = {name: call.id for name, call in calls.items()}
        log = [
            (a1, at(8, 55), "not_ready", "login", None),
            (a1, at(8, 58), "idle", None, None),
            (a1, at(9, 1, 10), "reserved", None, ids["c1"]),
            (a1, at(9, 1, 25), "on_call", None, ids["c1"]),
            (a1, at(9, 3, 35), "wrap_up", None, ids["c1"]),
            (a1, at(9, 4, 5), "idle", None, None),
            (a1, at(10, 0), "logged_out", None, None),
            (a2, at(8, 50), "not_ready", "login", None),
            (a2, at(9, 0), "idle", None, None),
            (a2, at(9, 6), "on_call", None, ids["c2"]),
            (a2, at(9, 7), "wrap_up", None, ids["c2"]),
            (a2, at(9, 7, 20), "not_ready", "break", None),
            (a2, at(9, 30), "idle", None, None),
            (a2, at(9, 45), "logged_out", None, None),
        ]
        session.add_all(
            AgentStateLog(
                agent_id=agent, at=when, status=status, reason=reason, site_id=s, call_id=call
            )
            for agent, when, status, reason, call in log
        )
    return Day(s, seeded.agents, ids)
