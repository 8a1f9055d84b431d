"""A report centre on loopback for the browser test and the screenshots: the service on a
migrated SQLite file, a director, and the rows a test chooses (a morning or a synthetic day)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.config import Settings
from hotline.db import migrate
from hotline.db.models import Agent, AgentSkill, AgentStateLog, Call, Site, Skill
from hotline.db.session import create_engine, transaction
from hotline.demo.runner import bound_port, serving
from hotline.main import create_app
from hotline.roles import Role
from tests.fixtures.app import FixedClock, create_user
from tests.hotline.reports.floor_day import at
from tests.hotline.reports.synthetic import synthetic_day

DIRECTOR = "director"
Seed = Callable[[async_sessionmaker[AsyncSession]], Awaitable[object]]


@dataclass
class ReportCentre:
    base_url: str
    sessionmaker: async_sessionmaker[AsyncSession]


@contextlib.asynccontextmanager
async def report_centre(database: Path, seed: Seed) -> AsyncIterator[ReportCentre]:
    url = f"sqlite+aiosqlite:///{database}"
    engine = create_engine(url)
    await migrate.upgrade(engine)
    await engine.dispose()
    app = create_app(Settings(database_url=url), clock=FixedClock(at(18, 0)))
    async with serving(app, 0) as server:
        maker: async_sessionmaker[AsyncSession] = app.state.hotline.sessionmaker
        await seed(maker)
        await create_user(maker, DIRECTOR, Role.DIRECTOR)
        yield ReportCentre(f"http://127.0.0.1:{bound_port(server)}", maker)


async def seed_synthetic(maker: async_sessionmaker[AsyncSession], day: date) -> None:
    """Twelve agents on three lines and one synthetic day of calls."""
    async with transaction(maker) as session:
        site = Site(code="hz", name="Hangzhou", ari_url="http://127.0.0.1:1", ari_username="u",
                    ari_password="p")  # fmt: skip
        skills = [Skill(business_line=line, language="zh", name=line)
                  for line in ("national_tax", "local_tax", "finance")]  # fmt: skip
        session.add_all([site, *skills])
        await session.flush()
        ids = []
        for n in range(1, 13):
            agent = Agent(code=f"a{n:02d}", name=f"A{n:02d}", languages=["zh"], overflow=n > 10)
            agent.skills = [AgentSkill(skill_id=skills[n % 3].id, level=1)]
            session.add(agent)
            await session.flush()
            ids.append(agent.id)
        data = synthetic_day(day, ids, site.id, first_call_id=1)
        for call in data.calls[::40]:  # one caller who keeps calling (a heavy caller)
            call["caller_number"] = "13957112366"
        await session.execute(insert(Call), data.calls)
        await session.execute(insert(AgentStateLog), data.states)
