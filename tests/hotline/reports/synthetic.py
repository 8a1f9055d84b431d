"""Synthetic days of a centre for the report screenshots and the benchmark: calls with their
phase times and outcomes, and every agent's state log, consistent with each other.

A deliberately small queue model (first free agent, patience per caller, staggered lunches): it
is not the routing engine, only a source of plausible rows for volume and pictures. Ids are
chosen here (``first_call_id``) so the state log can name its calls before any insert.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

CST = timezone(timedelta(hours=8))
# Calls per hour from 08:00 to 17:00 for 12 agents (morning and early-afternoon peaks).
HOURLY = (40, 120, 135, 105, 60, 45, 95, 100, 75, 45)
LINES = ("national_tax", "national_tax", "national_tax", "local_tax", "finance")


@dataclass
class Day:
    calls: list[dict[str, Any]] = field(default_factory=list)
    states: list[dict[str, Any]] = field(default_factory=list)


def _s(a: datetime, b: datetime) -> float:
    return round((b - a).total_seconds(), 1)


def synthetic_day(
    day: date,
    agent_ids: list[int],
    site_id: int,
    *,
    first_call_id: int,
    seed: int = 12366,
    scale: float = 1.0,
) -> Day:
    """One working day: ``scale`` multiplies the call volume (and the agents stay as given)."""
    rng = random.Random(seed * 100_003 + day.toordinal())
    out = Day()
    start = datetime(day.year, day.month, day.day, 8, 30, tzinfo=CST)
    close = datetime(day.year, day.month, day.day, 17, 30, tzinfo=CST)
    free = dict.fromkeys(agent_ids, start)
    lunch_at = {
        a: datetime(day.year, day.month, day.day, 11, 30, tzinfo=CST)
        + timedelta(minutes=30 * (i % 3))
        for i, a in enumerate(agent_ids)
    }
    lunched: set[int] = set()

    def state(agent: int, at: datetime, status: str, reason: str | None = None,
              call: int | None = None) -> None:  # fmt: skip
        out.states.append({"agent_id": agent, "at": at, "status": status, "reason": reason,
                           "site_id": site_id, "call_id": call})  # fmt: skip

    for agent in agent_ids:
        state(agent, start - timedelta(minutes=5), "not_ready", "login")
        state(agent, start, "idle")
    arrivals: list[datetime] = []
    for hour, per_hour in enumerate(HOURLY):
        base = datetime(day.year, day.month, day.day, 8 + hour, tzinfo=CST)
        n = int(per_hour * scale * len(agent_ids) / 12)
        arrivals.extend(base + timedelta(seconds=rng.uniform(0, 3600)) for _ in range(n))
    arrivals.sort()
    call_id = first_call_id
    for arrived in arrivals:
        call: dict[str, Any] = {
            "id": call_id, "site_id": site_id, "channel_id": f"syn-{call_id}",
            "kind": "inbound", "caller_number": f"13{rng.randrange(10**9):09d}",
            "caller_name": "", "dialled": "12366", "region": "hangzhou", "language": "zh",
            "business_line": rng.choice(LINES), "priority": 0, "ivr_choices": {},
            "arrived_at": arrived, "ivr_done_at": None, "queued_at": None,
            "first_offered_at": None, "answered_at": None, "ended_at": None, "ivr_s": None,
            "wait_s": None, "ring_s": None, "talk_s": None, "hold_s": None, "outcome": None,
            "ended_by": "caller", "agent_id": None, "survey_score": None,
            "abandon_snapshot": None,
        }  # fmt: skip
        call_id += 1
        out.calls.append(call)
        ivr = rng.uniform(8, 30)
        if rng.random() < 0.03:
            call.update(ended_at=arrived + timedelta(seconds=ivr / 2), outcome="abandoned_ivr",
                        ivr_s=round(ivr / 2, 1))  # fmt: skip
            continue
        queued = arrived + timedelta(seconds=ivr)
        call.update(ivr_done_at=queued, queued_at=queued, ivr_s=round(ivr, 1))
        for agent in agent_ids:  # lunch when its time comes, once the agent is free
            if agent not in lunched and queued >= lunch_at[agent]:
                lunched.add(agent)
                begin = max(free[agent], lunch_at[agent])
                state(agent, begin, "not_ready", "lunch")
                free[agent] = begin + timedelta(hours=1)
                state(agent, free[agent], "idle")
        agent = min(agent_ids, key=lambda a: free[a])
        offered = max(queued, free[agent])
        patience = rng.expovariate(1 / 150)
        snapshot = {
            "position": 1 + sum(1 for a in agent_ids if free[a] > queued),
            "eligible": [
                {"agent_id": str(a), "level": 1,
                 "status": "idle" if free[a] <= queued else "on_call", "reason": None}
                for a in agent_ids[:6]
            ],
        }  # fmt: skip
        if offered >= close or _s(queued, offered) > patience:
            gone = queued + timedelta(seconds=min(patience, max(0.0, _s(queued, close))))
            wait = _s(queued, gone)
            if wait > 90 and rng.random() < 0.3:
                call.update(ended_at=gone, wait_s=wait, outcome="callback_requested")
            else:
                call.update(ended_at=gone, wait_s=wait, outcome="abandoned_queue",
                            abandon_snapshot=snapshot)  # fmt: skip
            continue
        ring = rng.uniform(2, 8)
        answered = offered + timedelta(seconds=ring)
        talk = rng.lognormvariate(5.0, 0.5)
        hold = rng.uniform(10, 60) if rng.random() < 0.2 else 0.0
        ended = answered + timedelta(seconds=talk + hold)
        wrap = rng.uniform(15, 60)
        call.update(
            first_offered_at=offered, answered_at=answered, ended_at=ended,
            wait_s=_s(queued, answered), ring_s=round(ring, 1), talk_s=round(talk, 1),
            hold_s=round(hold, 1), outcome="answered", agent_id=agent,
            survey_score=rng.choice((None, 5, 5, 4, 3)),
        )  # fmt: skip
        state(agent, offered, "reserved", call=call["id"])
        state(agent, answered, "on_call", call=call["id"])
        state(agent, ended, "wrap_up", call=call["id"])
        free[agent] = ended + timedelta(seconds=wrap)
        state(agent, free[agent], "idle")
    for agent in agent_ids:
        if agent not in lunched:
            state(agent, max(free[agent], lunch_at[agent]), "not_ready", "lunch")
        state(agent, max(free[agent], close), "logged_out")
    return out


def days(first: date, count: int) -> Iterator[date]:
    """Working days (Monday to Friday) from ``first``: enough for volume, not a calendar."""
    day = first
    while count:
        if day.weekday() < 5:
            yield day
            count -= 1
        day += timedelta(days=1)
