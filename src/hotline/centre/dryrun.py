"""Dry run: the last hours of recorded traffic replayed through the simulator, under the version
in force and under a candidate, side by side.

What is replayed (read from the database, then simulated with the production routing engine):

- arrivals: the inbound calls that reached a queue, counted per hour and per line/language;
- handle time: the mean talk time of the answered calls of each line/language (lognormal,
  cv 0.8; 300 s when none was answered), plus the policy's wrap-up;
- patience: exponential, with the censored-data estimate ``total waiting time / abandons``
  (every caller who waited contributes their wait; only abandons end in giving up); callers
  never give up when nobody abandoned;
- staffing: for each group of agents with the same skills, the average number logged in during
  each hour, from ``agent_state_log``.

Simulating rather than re-running the recorded calls one by one is deliberate: a recorded
caller's patience is only known when they abandoned, so a replay of the same calls under a
policy that answers them later could not say who would have hung up.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from hotline.db.models import Agent, AgentSkill, AgentStateLog, Call
from simulations.runner import SimulationResult, simulate
from simulations.scenario import AgentGroup, Distribution, Scenario, Traffic

LOCAL = ZoneInfo("Asia/Shanghai")
HOUR_S = 3600.0
DEFAULT_HANDLE_S = 300.0


@dataclasses.dataclass(frozen=True, slots=True)
class RecordedTraffic:
    """What the database says about the window: enough to build a scenario."""

    start: datetime
    hours: int
    calls: int
    traffic: tuple[Traffic, ...]
    agents: tuple[AgentGroup, ...]


async def recorded_traffic(session: AsyncSession, *, end: datetime, hours: int) -> RecordedTraffic:
    start = end - timedelta(hours=hours)
    rows = (
        await session.execute(
            select(
                Call.business_line,
                Call.language,
                Call.arrived_at,
                Call.queued_at,
                Call.wait_s,
                Call.talk_s,
                Call.outcome,
            ).where(
                Call.kind == "inbound",
                Call.arrived_at >= start,
                Call.arrived_at < end,
                Call.queued_at.is_not(None),
                Call.business_line.is_not(None),
                Call.language.is_not(None),
            )
        )
    ).all()
    counts: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0] * hours)
    talks: dict[tuple[str, str], list[float]] = defaultdict(list)
    waited: dict[tuple[str, str], float] = defaultdict(float)
    abandons: dict[tuple[str, str], int] = defaultdict(int)
    for line, language, arrived_at, _queued_at, wait_s, talk_s, outcome in rows:
        key = (str(line), str(language))
        index = min(hours - 1, int((arrived_at - start).total_seconds() // HOUR_S))
        counts[key][index] += 1
        if talk_s:
            talks[key].append(float(talk_s))
        waited[key] += float(wait_s or 0.0)
        if outcome == "abandoned_queue":
            abandons[key] += 1
    traffic = []
    for key in sorted(counts):
        handle = sum(talks[key]) / len(talks[key]) if talks[key] else DEFAULT_HANDLE_S
        patience = (
            Distribution("exponential", max(1.0, waited[key] / abandons[key]))
            if abandons[key]
            else None
        )
        traffic.append(
            Traffic(
                line=key[0],
                language=key[1],
                calls_per_interval=tuple(counts[key]),
                handle_time=Distribution("lognormal", max(1.0, handle), 0.8),
                patience=patience,
            )
        )
    agents = await _staffing(session, start=start, end=end, hours=hours)
    return RecordedTraffic(start, hours, len(rows), tuple(traffic), agents)


async def _staffing(
    session: AsyncSession, *, start: datetime, end: datetime, hours: int
) -> tuple[AgentGroup, ...]:
    directory = await session.scalars(
        select(Agent).options(selectinload(Agent.skills).selectinload(AgentSkill.skill))
    )
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    shapes: dict[tuple[Any, ...], tuple[dict[str, int], frozenset[str], bool]] = {}
    for agent in directory:
        levels: dict[str, int] = {}
        for skill in agent.skills:  # the simulator's groups name lines; languages apart
            line = skill.skill.business_line
            levels[line] = min(levels.get(line, skill.level), skill.level)
        languages = frozenset(agent.languages)
        shape = (tuple(sorted(levels.items())), tuple(sorted(languages)), agent.overflow)
        groups[shape].append(agent.id)
        shapes[shape] = (levels, languages, agent.overflow)
    logged = await _logged_in_seconds(session, start=start, end=end, hours=hours)
    result = []
    for n, (shape, members) in enumerate(sorted(groups.items(), key=lambda item: str(item[0]))):
        per_hour = [
            round(sum(logged.get(agent_id, [0.0] * hours)[i] for agent_id in members) / HOUR_S)
            for i in range(hours)
        ]
        levels, languages, overflow = shapes[shape]
        if not any(per_hour) or not (levels or overflow):
            continue
        result.append(
            AgentGroup(
                name=f"group{n + 1}",
                count=tuple(per_hour),
                levels=levels,
                languages=languages,
                overflow=overflow,
            )
        )
    return tuple(result)


async def _logged_in_seconds(
    session: AsyncSession, *, start: datetime, end: datetime, hours: int
) -> dict[int, list[float]]:
    """Seconds each agent was logged in (any status but logged out), per hour of the window."""
    rows = (
        await session.execute(
            select(AgentStateLog.agent_id, AgentStateLog.at, AgentStateLog.status)
            .where(AgentStateLog.at < end)
            .order_by(AgentStateLog.agent_id, AgentStateLog.at, AgentStateLog.id)
        )
    ).all()
    changes: dict[int, list[tuple[datetime, bool]]] = defaultdict(list)
    for agent_id, at, status in rows:
        changes[agent_id].append((at, status != "logged_out"))
    seconds: dict[int, list[float]] = {}
    for agent_id, steps in changes.items():
        per_hour = [0.0] * hours
        for (at, on), following in zip(steps, [*steps[1:], (end, False)], strict=True):
            if not on:
                continue
            begin, finish = max(at, start), min(following[0], end)
            while begin < finish:
                index = int((begin - start).total_seconds() // HOUR_S)
                hour_end = min(finish, start + timedelta(seconds=(index + 1) * HOUR_S))
                per_hour[index] += (hour_end - begin).total_seconds()
                begin = hour_end
        seconds[agent_id] = per_hour
    return seconds


def scenario_of(
    recorded: RecordedTraffic, routing: Mapping[str, Any], *, name: str, replications: int
) -> Scenario:
    local = recorded.start.astimezone(LOCAL)
    return Scenario(
        name=name,
        seed=1,
        replications=replications,
        interval_count=recorded.hours,
        interval_minutes=60.0,
        warmup_minutes=0.0,
        threshold_s=20.0,
        traffic=recorded.traffic,
        agents=recorded.agents,
        wrap_up_s=float(routing.get("default", {}).get("wrap_up_s", 30.0)),
        routing=dict(routing),
        source=name,
        start_minute=local.hour * 60 + local.minute,
    )


@dataclasses.dataclass(frozen=True, slots=True)
class DryRun:
    recorded: RecordedTraffic
    old: SimulationResult | None  # None: no version in force
    new: SimulationResult


def compare(
    recorded: RecordedTraffic,
    old_routing: Mapping[str, Any] | None,
    new_routing: Mapping[str, Any],
    *,
    replications: int = 5,
) -> DryRun:
    """Simulate both (CPU-bound: run it off the event loop)."""
    if not recorded.traffic:
        raise NoTrafficError(recorded.hours)
    old = (
        None
        if old_routing is None
        else simulate(
            scenario_of(recorded, old_routing, name="in force", replications=replications)
        )
    )
    new = simulate(scenario_of(recorded, new_routing, name="candidate", replications=replications))
    return DryRun(recorded, old, new)


class NoTrafficError(LookupError):
    def __init__(self, hours: int) -> None:
        super().__init__(
            f"no recorded call reached a queue in the last {hours} hours: nothing to replay"
        )


def figures(result: SimulationResult) -> dict[str, Any]:
    """Overall and per line/language KPIs (means) as plain data."""

    def means(estimates: Mapping[str, Any]) -> dict[str, float | None]:
        return {
            key: None if math.isnan(value.mean) else round(value.mean, 4)
            for key, value in estimates.items()
        }

    return {
        "overall": means(result.overall),
        "by_skill": {label: means(f) for label, f in result.by_skill.items()},
    }
