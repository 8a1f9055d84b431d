"""An ops centre on loopback for the browser test and the screenshots: the service on a migrated
SQLite file, an ops user, and yesterday's synthetic calls (for "traffic from history")."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from playwright.async_api import Page

from hotline.config import Settings
from hotline.db import migrate
from hotline.db.session import create_engine
from hotline.demo.runner import bound_port, serving
from hotline.main import create_app
from hotline.roles import Role
from tests.fixtures.app import TEST_PASSWORD, FixedClock, create_user
from tests.hotline.reports.centre import seed_synthetic
from tests.hotline.reports.floor_day import at

PLANNER = "planner"


@dataclass
class OpsCentre:
    base_url: str

    async def sign_in(self, page: Page) -> None:
        await page.goto(self.base_url + "/")
        await page.fill("#username", PLANNER)
        await page.fill("#password", TEST_PASSWORD)
        await page.press("#password", "Enter")
        await page.wait_for_url(self.base_url + "/reports")  # the home of ops


@contextlib.asynccontextmanager
async def ops_centre(database: Path) -> AsyncIterator[OpsCentre]:
    url = f"sqlite+aiosqlite:///{database}"
    engine = create_engine(url)
    await migrate.upgrade(engine)
    await engine.dispose()
    app = create_app(Settings(database_url=url), clock=FixedClock(at(18, 0)))  # 2 March 2026
    async with serving(app, 0) as server:
        maker = app.state.hotline.sessionmaker
        await seed_synthetic(maker, date(2026, 3, 1))
        await create_user(maker, PLANNER, Role.OPS)
        yield OpsCentre(f"http://127.0.0.1:{bound_port(server)}")
