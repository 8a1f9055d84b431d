"""Directory rows and a telephony service over a test database, for the telephony tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.calls.ports import CallKey, InboundCall
from hotline.bus import EventBus
from hotline.db.models import Agent, AgentEndpoint, AgentSkill, Site, Skill
from hotline.db.session import transaction
from hotline.telephony import TelephonyService
from tests.fixtures.app import FixedClock
from tests.hotline.telephony.fakes import RecordingControl

SITE = "hz"
HANGZHOU_NUMBER = "057188888888"


@dataclass
class Seeded:
    agents: dict[str, int]  # code -> id
    site_id: int


async def seed_directory(
    sessionmaker: async_sessionmaker[AsyncSession],
    agents: tuple[str, ...] = ("a1", "a2"),
    *,
    user_ids: dict[str, int] | None = None,
) -> Seeded:
    async with transaction(sessionmaker) as session:
        site = Site(
            code=SITE, name="Hangzhou", ari_url="http://127.0.0.1:1", ari_username="u",
            ari_password="p",
        )  # fmt: skip
        skill = Skill(business_line="national_tax", language="zh", name="National tax (zh)")
        session.add_all([site, skill])
        await session.flush()
        ids = {}
        for number, code in enumerate(agents, start=1):
            agent = Agent(
                code=code,
                name=code.upper(),
                languages=["zh"],
                overflow=False,
                user_id=(user_ids or {}).get(code),
            )
            agent.skills = [AgentSkill(skill_id=skill.id, level=1)]
            agent.endpoints = [AgentEndpoint(site_id=site.id, dial_string=f"PJSIP/100{number}")]
            session.add(agent)
            await session.flush()
            ids[code] = agent.id
        return Seeded(agents=ids, site_id=site.id)


def make_service(
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
    control: RecordingControl,
    bus: EventBus | None = None,
) -> TelephonyService:
    return TelephonyService(
        sessionmaker=sessionmaker, clock=clock, bus=bus or EventBus(), control=control
    )


def inbound(channel: str, at: datetime, number: str = HANGZHOU_NUMBER) -> InboundCall:
    return InboundCall(
        key=CallKey(SITE, channel),
        caller_number=number,
        caller_name="",
        dialled="12366",
        channel_name=f"PJSIP/trunk-{channel}",
        arrived_at=at,
    )


async def answered(
    service: TelephonyService, clock: FixedClock, channel: str, agent_id: int
) -> CallKey:
    """A national-tax call answered by ``agent_id`` (the agent routing offers it to)."""
    key = CallKey(SITE, channel)
    await service.director.call_arrived(inbound(channel, clock.now()))
    await service.director.ivr_completed(key, language="zh", line="national_tax")
    await service.director.offer_answered(key, agent_id=str(agent_id))
    return key
