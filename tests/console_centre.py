"""A live service with a back office for the work-order console's browser tests and screenshots.

The service runs on loopback (real HTTP, a SQLite file, its own migrations) with a clock the
test moves by hand: two bureaus with a specialist and a liaison each, a supervisor, a director,
and orders in the states the console's scenarios start from, made through the real API.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from hotline.config import Settings
from hotline.db.models import Department
from hotline.db.session import transaction
from hotline.demo.runner import bound_port, serving
from hotline.main import create_app
from hotline.roles import Role
from hotline.schemas.users import UserCreate
from hotline.services import users as user_service
from hotline.workorders.rules import seed_year
from tests.fixtures.app import TEST_PASSWORD, FixedClock

PEOPLE = {
    # username: (full name, role, department code)
    "spec-a": ("王芳", Role.SPECIALIST, "A"),
    "liaison-a": ("赵强", Role.LIAISON, "A"),
    "spec-b": ("刘洋", Role.SPECIALIST, "B"),
    "liaison-b": ("陈静", Role.LIAISON, "B"),
    "sup": ("孙丽", Role.SUPERVISOR, None),
    "director": ("周伟", Role.DIRECTOR, None),
}
TAXPAYERS = [
    {"name": "张三丰", "phone": "13912345678", "taxpayer_number": "91330100MA2KXXXX1X"},
    {"name": "李晓梅", "phone": "13800571234", "taxpayer_number": "330106198001011234"},
    {"name": "钱进", "phone": "13605719876", "taxpayer_number": "91330106MA27YYYY2Y"},
]


@dataclass
class ConsoleCentre:
    base_url: str
    app: FastAPI
    clock: FixedClock
    http: httpx.AsyncClient
    ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    async def sign_in_api(self, username: str) -> None:
        response = await self.http.post(
            "/api/v1/auth/token", data={"username": username, "password": TEST_PASSWORD}
        )
        assert response.status_code == 200, response.text
        self.tokens[username] = response.json()["access_token"]

    async def call(
        self, method: str, url: str, who: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        response = await self.http.request(
            method, url, json=body, headers={"Authorization": f"Bearer {self.tokens[who]}"}
        )
        assert response.status_code in (200, 201), response.text
        result: dict[str, Any] = response.json()
        return result

    async def order(
        self,
        subject: str,
        *,
        taxpayer: int = 0,
        category: str = "enquiry",
        priority: str = "normal",
        to: str | None = "A",
    ) -> dict[str, Any]:
        """A new order made by the supervisor by hand, dispatched to bureau ``to``."""
        made = await self.call(
            "POST",
            "/api/v1/workorders",
            "sup",
            {
                "category": category,
                "priority": priority,
                "subject": subject,
                "description": subject,
                "taxpayer": TAXPAYERS[taxpayer],
            },
        )
        if to is None:
            return made
        return await self.act(made["id"], "dispatch", "sup", department_id=self.ids[to])

    async def act(self, order_id: str, action: str, who: str, **body: Any) -> dict[str, Any]:
        return await self.call("POST", f"/api/v1/workorders/{order_id}/actions/{action}", who, body)


@contextlib.asynccontextmanager
async def console_centre(database: Path) -> AsyncIterator[ConsoleCentre]:
    """The service at Monday 2 March 2026, 09:00 in Shanghai, its people signed in to the API."""
    clock = FixedClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{database}"), clock=clock)
    async with serving(app, 0) as server:
        base_url = f"http://127.0.0.1:{bound_port(server)}"
        maker = app.state.hotline.sessionmaker
        ids: dict[str, int] = {}
        async with transaction(maker) as session:
            await seed_year(session, 2026, clock.now(), overwrite=False)
            for code, name in (("A", "杭州市上城区税务局"), ("B", "杭州市西湖区税务局")):
                department = Department(code=code, name=name, kind="branch_bureau")
                session.add(department)
                await session.flush()
                ids[code] = department.id
        for username, (full_name, role, department) in PEOPLE.items():
            async with transaction(maker) as session:
                user = await user_service.create_user(
                    session,
                    UserCreate(
                        username=username,
                        full_name=full_name,
                        password=SecretStr(TEST_PASSWORD),
                        roles=[role],
                        department=department,
                    ),
                )
                ids[username] = user.id
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            centre = ConsoleCentre(base_url, app, clock, http, ids)
            for username in PEOPLE:
                await centre.sign_in_api(username)
            yield centre
