"""A small centre for the work-order API tests: two departments, their people, a call.

Every test here runs on SQLite and on PostgreSQL (the ``database_url`` fixture).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import (
    Agent,
    AuditLog,
    Call,
    Department,
    EscalationRow,
    Liaison,
    NotificationRow,
    Site,
    WorkOrderEventRow,
    WorkOrderRow,
)
from hotline.db.session import transaction
from hotline.roles import Role
from hotline.workorders.rules import seed_year
from tests.fixtures.app import Users, create_user, login

TAXPAYER = {
    "name": "张三丰",
    "phone": "13912345678",
    "taxpayer_number": "91330100MA2KXXXX1X",
    "organisation": "杭州某公司",
}


@dataclass
class Centre:
    """Signed-in people by name, the departments' ids, and the agent's call."""

    client: httpx.AsyncClient
    sessionmaker: async_sessionmaker[AsyncSession]
    tokens: dict[str, str]
    ids: dict[str, int] = field(default_factory=dict)

    async def relogin(self) -> None:
        """Fresh tokens after a test moved the clock past their lifetime."""
        for who in self.tokens:
            username = f"{who}-user" if who in {r.value for r in Role} else who.replace("_", "-")
            self.tokens[who] = await login(self.client, username)

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    async def create(self, who: str = "agent", **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "category": "enquiry",
            "priority": "normal",
            "subject": "How is the small-business VAT exemption applied?",
            "taxpayer": TAXPAYER,
            "call_id": self.ids["call"],
        }
        body.update(overrides)
        response = await self.client.post(
            "/api/v1/workorders", json=body, headers=self.headers(who)
        )
        assert response.status_code == 201, response.text
        order: dict[str, Any] = response.json()
        return order

    async def act(
        self, order_id: str, action: str, who: str, expect: int = 200, **payload: Any
    ) -> dict[str, Any]:
        response = await self.client.post(
            f"/api/v1/workorders/{order_id}/actions/{action}",
            json=payload,
            headers=self.headers(who),
        )
        assert response.status_code == expect, response.text
        body: dict[str, Any] = response.json()
        return body

    async def get(self, order_id: str, who: str = "supervisor") -> dict[str, Any]:
        response = await self.client.get(
            f"/api/v1/workorders/{order_id}", headers=self.headers(who)
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def dispatched(self, to: str = "dept_a") -> dict[str, Any]:
        order = await self.create()
        return await self.act(order["id"], "dispatch", "supervisor", department_id=self.ids[to])

    async def counts(self) -> dict[str, int]:
        """Rows per table the work-order code writes: a refusal must leave them all alone."""
        tables = {
            "orders": WorkOrderRow,
            "events": WorkOrderEventRow,
            "escalations": EscalationRow,
            "notifications": NotificationRow,
        }
        async with transaction(self.sessionmaker) as session:
            return {
                name: int(await session.scalar(select(func.count()).select_from(model)) or 0)
                for name, model in tables.items()
            }

    async def audit_entries(self, username: str) -> list[AuditLog]:
        async with transaction(self.sessionmaker) as session:
            rows = await session.scalars(
                select(AuditLog).where(
                    AuditLog.action == "personal_data_read", AuditLog.actor_username == username
                )
            )
            return list(rows)


@pytest_asyncio.fixture
async def centre(
    client: httpx.AsyncClient,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    users: Users,
) -> Centre:
    maker = app_sessionmaker
    ids: dict[str, int] = {}
    async with transaction(maker) as session:
        await seed_year(session, 2026, datetime(2026, 1, 1, tzinfo=UTC), overwrite=False)
        for code in ("A", "B"):
            department = Department(code=code, name=f"Bureau {code}", kind="branch_bureau")
            session.add(department)
            await session.flush()
            ids[f"dept_{code.lower()}"] = department.id
    people = {
        "specialist_a": (Role.SPECIALIST, "A"),
        "specialist_b": (Role.SPECIALIST, "B"),
        "liaison_a": (Role.LIAISON, None),
        "agent2": (Role.AGENT, None),
    }
    tokens = {role.value: token for role, token in users.tokens.items()}
    for username, (role, department) in people.items():
        user = await create_user(maker, username.replace("_", "-"), role, department=department)
        ids[username] = user.id
        tokens[username] = await login(client, username.replace("_", "-"))
    async with transaction(maker) as session:
        # The liaison of bureau A is designated in the liaison table, not by their user record.
        session.add(Liaison(department_id=ids["dept_a"], user_id=ids["liaison_a"]))
        agent_user = await session.scalar(select_user_id("agent-user"))
        other_user = await session.scalar(select_user_id("agent2"))
        site = Site(
            code="hz", name="Hangzhou", ari_url="http://ari", ari_username="u", ari_password="p"
        )
        session.add(site)
        await session.flush()
        agents = [
            Agent(code="1001", name="Agent", user_id=agent_user),
            Agent(code="1002", name="Agent two", user_id=other_user),
        ]
        session.add_all(agents)
        await session.flush()
        for key, agent in (("call", agents[0]), ("other_call", agents[1])):
            call = Call(
                site_id=site.id,
                channel_id=f"chan-{key}",
                caller_number="13912345678",
                arrived_at=datetime(2026, 3, 2, 0, 55, tzinfo=UTC),
                agent_id=agent.id,
            )
            session.add(call)
            await session.flush()
            ids[key] = call.id
        ids["agent"] = int(agent_user or 0)
    return Centre(client, maker, tokens, ids)


def select_user_id(username: str) -> Any:
    from hotline.db.models import User

    return select(User.id).where(User.username == username)
