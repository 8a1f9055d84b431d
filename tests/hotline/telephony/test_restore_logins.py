"""Restoring the saved agent logins in bulk (a takeover at 2,000 agents): the same routing state
as restoring them one agent at a time, in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import Agent, AgentEndpoint, AgentSession, AgentSkill, Site, Skill
from hotline.db.session import transaction
from hotline.telephony.context import AgentLogin
from hotline.telephony.roster import load_agent
from routing import (
    AgentLoggedIn,
    AgentStateChanged,
    AgentStatus,
    Policy,
    RoutingState,
    apply,
    new_state,
)
from routing.state import AgentRecord
from tests.fixtures.app import FixedClock
from tests.hotline.telephony.builders import make_service
from tests.hotline.telephony.fakes import RecordingControl

pytestmark = pytest.mark.asyncio

AGENTS = 40
INACTIVE = 12  # an agent retired while logged in: the restore drops the saved login
SKILLS = (("national_tax", "zh"), ("local_tax", "zh"), ("national_tax", "en"), ("social", "zh"))
# A ready agent, a break, not ready since login, held for a transfer, not ready without reason.
SAVED_STATES = (
    ("idle", None),
    ("not_ready", "break"),
    ("not_ready", "login"),
    ("not_ready", "transfer_ringing"),
    ("not_ready", None),
)


async def _seed(sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock) -> None:
    """Agents with every shape routing cares about: one to three skills (two at the same level),
    none, both languages, overflow, endpoints on one site, both or none, and saved logins in
    each state on either site."""
    async with transaction(sessionmaker) as session:
        sites = [
            Site(code=code, name=code, ari_url="http://127.0.0.1:1", ari_username="u",
                 ari_password="p")
            for code in ("hz", "nb")
        ]  # fmt: skip
        skills = [Skill(business_line=line, language=lang, name=line) for line, lang in SKILLS]
        session.add_all([*sites, *skills])
        await session.flush()
        for i in range(AGENTS):
            agent = Agent(
                code=f"r{i:03}",
                name=f"R{i}",
                languages=["zh", "en"] if i % 2 else ["zh"],
                overflow=i % 6 == 0,
                active=i != INACTIVE,
            )
            links: dict[int, int] = {}
            if i % 7:
                links[skills[i % 4].id] = 1
                if i % 3 == 0:
                    links.setdefault(skills[(i + 1) % 4].id, 2)
                if i % 5 == 0:
                    links.setdefault(skills[(i + 2) % 4].id, 2)
            agent.skills = [AgentSkill(skill_id=sid, level=lvl) for sid, lvl in links.items()]
            dials = {} if i % 9 == 0 else {sites[0].id: f"PJSIP/3{i:03}"}
            if i % 4 == 0:
                dials[sites[1].id] = f"PJSIP/4{i:03}"
            agent.endpoints = [
                AgentEndpoint(site_id=sid, dial_string=dial) for sid, dial in dials.items()
            ]
            session.add(agent)
            await session.flush()
            if i % 10 == 3:
                continue  # not logged in
            status, reason = SAVED_STATES[i % len(SAVED_STATES)]
            site_id = sites[1].id if sites[1].id in dials else sites[0].id
            session.add(
                AgentSession(
                    agent_id=agent.id,
                    site_id=site_id,
                    endpoint=dials.get(site_id, "PJSIP/none"),
                    status=status,
                    reason=reason,
                    since=clock.now() - timedelta(minutes=i),
                )
            )


async def _per_agent(
    sessionmaker: async_sessionmaker[AsyncSession], policy: Policy, now: float
) -> tuple[RoutingState, dict[str, AgentLogin]]:
    """The restore as it was done before the batch: each saved login's agent loaded on its own
    through the ORM, then fed to routing one event at a time."""
    state = new_state(policy)
    logins: dict[str, AgentLogin] = {}
    async with transaction(sessionmaker) as session:
        rows = (await session.scalars(select(AgentSession).order_by(AgentSession.agent_id))).all()
        site_codes = dict((await session.execute(select(Site.id, Site.code))).all())
    for row in rows:
        agent = await load_agent(sessionmaker, row.agent_id)
        if agent is None:
            continue
        logins[agent.routing_id] = AgentLogin(
            agent.db_id, site_codes[row.site_id], row.site_id, row.endpoint, agent.endpoints
        )
        held = row.reason == "transfer_ringing"
        apply(state, AgentLoggedIn(agent.profile, ready=row.status == "idle" or held), now)
        if not held and row.status != "idle" and row.reason is not None:
            changed = AgentStateChanged(agent.routing_id, AgentStatus.NOT_READY, row.reason)
            apply(state, changed, now)
    return state, logins


def _described(state: RoutingState, _now: float = 0.0) -> dict[str, Any]:
    """Everything the restore sets in routing, as comparable values (an agent's idle lists by
    the pool each is, not by the order its skills came from the database)."""
    pool_names: dict[int, str] = {id(p): f"level {k}" for k, p in state.idle.by_level.items()}
    pool_names.update({id(p): f"overflow {k}" for k, p in state.idle.overflow.items()})
    agents = {}
    for agent_id, record in state.agents.items():
        fields = {
            name: getattr(record, name) for name in AgentRecord.__slots__ if name != "idle_pools"
        }
        fields["idle_pools"] = sorted(pool_names[id(pool)] for pool in record.idle_pools)
        agents[agent_id] = fields
    return {
        "agents": agents,
        "idle": (state.idle.by_level, state.idle.overflow),
        "counters": (state.staffed, state.staffed_overflow, state.active, state.active_overflow),
        "epoch_seq": state.epoch_seq,
        "timers": state.timers,
        "queued": state.queued,
        "now": state.now,
    }


async def test_the_batched_restore_leaves_routing_as_the_per_agent_one(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    await _seed(sessionmaker, clock)
    service = make_service(sessionmaker, clock, RecordingControl())
    expected, expected_logins = await _per_agent(
        sessionmaker, service.acd.policy, clock.now().timestamp()
    )
    assert len(expected.agents) == 35  # 36 saved logins, one of them retired
    await service.start()
    try:
        assert await service.acd.read(_described) == _described(expected)
        assert service.ctx.logins == expected_logins
        await service.flush()
        async with transaction(sessionmaker) as session:
            saved = dict(
                (await session.execute(select(AgentSession.agent_id, AgentSession.status))).all()
            )
            codes = dict((await session.execute(select(Agent.id, Agent.code))).all())
        # The retired agent's login is gone; the agents held for a transfer are saved ready.
        assert sorted(codes[agent_id] for agent_id in saved) == sorted(
            f"r{i:03}" for i in range(AGENTS) if i % 10 != 3 and i != INACTIVE
        )
        held = [i for i in range(AGENTS) if i % 10 != 3 and i % 5 == 3 and i != INACTIVE]
        assert held
        assert {saved[a] for a, c in codes.items() if int(c[1:]) in held} == {"idle"}
    finally:
        await service.stop()


async def test_the_restore_reads_the_logins_in_three_queries_whatever_their_number(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    # Each agent's own query (and its eager loads) would cost a round trip per agent, and a
    # load in chunks of ids one query per chunk per table: at 2,000 agents the takeover waited.
    await _seed(sessionmaker, clock)
    service = make_service(sessionmaker, clock, RecordingControl())
    service.ctx.site_ids.update(await service.recorder.site_ids())
    reads: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            reads.append(statement)

    engine = sessionmaker.kw["bind"].sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        restored = await service.agents.restore()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert restored == 35
    assert len(reads) == 3, reads
    await service.stop()
