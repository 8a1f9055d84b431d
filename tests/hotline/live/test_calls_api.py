"""The calls API: list filters and paging, detail with timeline (audited), actions and refusals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.api.calls import CALL_ACTIONS_KEY
from hotline.db.models import Agent, AuditLog, Site, User
from hotline.db.models.call import Call, CallEvent
from hotline.db.session import transaction
from hotline.roles import Role
from tests.fixtures.app import Users, create_user, login

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@dataclass
class FakeCallActions:
    """The telephony service as the API sees it: live phases and a record of commands."""

    phases: dict[int, str] = field(default_factory=dict)
    handlers: dict[int, int] = field(default_factory=dict)
    held: set[int] = field(default_factory=set)
    commands: list[tuple[str, int, int | None]] = field(default_factory=list)

    def live_phase(self, call_id: int) -> str | None:
        return self.phases.get(call_id)

    def on_hold(self, call_id: int) -> bool:
        return call_id in self.held

    def handling_agent(self, call_id: int) -> int | None:
        return self.handlers.get(call_id)

    async def hold(self, call_id: int) -> None:
        self.held.add(call_id)
        self.commands.append(("hold", call_id, None))

    async def unhold(self, call_id: int) -> None:
        self.held.discard(call_id)
        self.commands.append(("unhold", call_id, None))

    async def hangup(self, call_id: int) -> None:
        self.commands.append(("hangup", call_id, None))

    async def transfer(self, call_id: int, *, to_agent_id: int) -> None:
        self.commands.append(("transfer", call_id, to_agent_id))

    async def requeue(self, call_id: int, *, line: str, language: str) -> None:
        self.commands.append(("requeue", call_id, None))


@dataclass
class Centre:
    site_id: int
    agents: dict[str, int]  # username -> agent id
    calls: dict[str, int]  # label -> call id
    tokens: dict[str, str]


async def _centre(maker: async_sessionmaker[AsyncSession], client: httpx.AsyncClient) -> Centre:
    for name in ("li.na", "wang.wei"):
        await create_user(maker, name, Role.AGENT)
    async with transaction(maker) as session:
        site = Site(
            code="hz",
            name="Hangzhou",
            ari_url="http://127.0.0.1:1/ari",
            ari_username="u",
            ari_password="p",
        )
        session.add(site)
        await session.flush()
        agents = {}
        for name in ("li.na", "wang.wei"):
            user_id = await session.scalar(select(User.id).where(User.username == name))
            agent = Agent(code=name, name=name, languages=["zh"], user_id=user_id)
            session.add(agent)
            await session.flush()
            agents[name] = agent.id
        specs: dict[str, dict[str, Any]] = {
            "answered": dict(
                outcome="answered",
                agent_id=agents["li.na"],
                business_line="finance",
                arrived_at=T0,
                answered_at=T0 + timedelta(seconds=30),
            ),
            "abandoned": dict(
                outcome="abandoned_queue",
                business_line="national_tax",
                arrived_at=T0 + timedelta(minutes=5),
                abandon_snapshot={"agents": [{"agent_id": "1", "state": "talking"}]},
            ),
            "live": dict(
                outcome=None,
                agent_id=agents["li.na"],
                business_line="national_tax",
                arrived_at=T0 + timedelta(minutes=9),
            ),
            "other": dict(
                outcome="answered",
                agent_id=agents["wang.wei"],
                business_line="local_tax",
                arrived_at=T0 + timedelta(minutes=7),
            ),
        }
        calls = {}
        for n, (label, values) in enumerate(specs.items()):
            call = Call(
                site_id=site.id,
                channel_id=f"chan-{n}",
                caller_number="13905710001",
                caller_name="张三",
                dialled="12366",
                region="浙江省杭州市",
                **values,
            )
            session.add(call)
            await session.flush()
            calls[label] = call.id
        session.add_all(
            [
                CallEvent(
                    call_id=calls["abandoned"],
                    seq=1,
                    at=T0 + timedelta(minutes=5),
                    kind="call_arrived",
                    data={},
                ),
                CallEvent(
                    call_id=calls["abandoned"],
                    seq=2,
                    at=T0 + timedelta(minutes=6),
                    kind="caller_left",
                    data={"phase": "queue"},
                ),
            ]
        )
    tokens = {name: await login(client, name) for name in agents}
    return Centre(site.id, agents, calls, tokens)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.asyncio
async def test_list_filters_pages_and_masks(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    centre = await _centre(app_sessionmaker, client)
    supervisor = users.headers(Role.SUPERVISOR)
    page = (await client.get("/api/v1/calls", headers=supervisor)).json()
    assert page["total"] == 4
    assert [c["id"] for c in page["items"]] == [
        centre.calls[k] for k in ("live", "other", "abandoned", "answered")
    ]
    assert {c["caller_number"] for c in page["items"]} == {"139****0001"}
    cases = {
        "outcome=abandoned_queue": ["abandoned"],
        "business_line=national_tax": ["live", "abandoned"],
        f"agent_id={centre.agents['wang.wei']}": ["other"],
        "from=2026-03-02T01:04:00Z&to=2026-03-02T01:08:00Z": ["other", "abandoned"],
        # The old names stay as deprecated aliases.
        "arrived_from=2026-03-02T01:04:00Z&arrived_to=2026-03-02T01:08:00Z": ["other", "abandoned"],
        "site=wz": [],
        "limit=2": ["live", "other"],
        "sort=arrived_at&limit=2": ["answered", "abandoned"],
    }
    for query, labels in cases.items():
        got = (await client.get(f"/api/v1/calls?{query}", headers=supervisor)).json()
        assert [c["id"] for c in got["items"]] == [centre.calls[k] for k in labels], query
    bad = await client.get("/api/v1/calls?outcome=lost", headers=supervisor)
    assert bad.status_code == 422
    # An agent lists only the calls they handled.
    mine = (await client.get("/api/v1/calls", headers=_bearer(centre.tokens["li.na"]))).json()
    assert {c["id"] for c in mine["items"]} == {centre.calls["answered"], centre.calls["live"]}


@pytest.mark.asyncio
async def test_detail_has_the_timeline_and_snapshot_and_each_read_is_audited(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    centre = await _centre(app_sessionmaker, client)
    call_id = centre.calls["abandoned"]
    detail = await client.get(f"/api/v1/calls/{call_id}", headers=users.headers(Role.DIRECTOR))
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["caller_number"] == "13905710001"
    assert [e["kind"] for e in body["timeline"]] == ["call_arrived", "caller_left"]
    assert body["abandon_snapshot"] == {"agents": [{"agent_id": "1", "state": "talking"}]}
    assert body["live_phase"] is None
    refused = await client.get(
        f"/api/v1/calls/{centre.calls['other']}", headers=_bearer(centre.tokens["li.na"])
    )
    assert (refused.status_code, refused.json()["error"]) == (403, "forbidden")
    assert "another agent" in refused.json()["detail"]
    missing = await client.get("/api/v1/calls/999999", headers=users.headers(Role.DIRECTOR))
    assert missing.status_code == 404
    async with app_sessionmaker() as session:
        reads = (
            await session.scalars(select(AuditLog).where(AuditLog.action == "personal_data_read"))
        ).all()
    assert [(r.actor_username, r.subject_id) for r in reads] == [("director-user", str(call_id))]


@pytest.mark.asyncio
async def test_actions_on_the_agents_own_talking_call_and_the_refusals(
    app: FastAPI, client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    centre = await _centre(app_sessionmaker, client)
    live, other = centre.calls["live"], centre.calls["other"]
    li, wang = _bearer(centre.tokens["li.na"]), _bearer(centre.tokens["wang.wei"])
    unwired = await client.post(f"/api/v1/calls/{live}/hold", headers=li)
    assert unwired.status_code == 503
    fake = FakeCallActions(phases={live: "talk"}, handlers={live: centre.agents["li.na"]})
    app.state.hotline.extras[CALL_ACTIONS_KEY] = fake

    async def post(
        call_id: int, action: str, headers: dict[str, str], **body: int
    ) -> httpx.Response:
        return await client.post(
            f"/api/v1/calls/{call_id}/{action}", headers=headers, json=body or None
        )

    assert (await post(live, "hold", li)).status_code == 202
    again = await post(live, "hold", li)
    assert (again.status_code, again.json()["detail"]) == (409, f"call {live} is already on hold")
    assert (await post(live, "unhold", li)).status_code == 202
    assert (await post(live, "unhold", li)).status_code == 409
    stolen = await post(live, "hangup", wang)
    assert (stolen.status_code, stolen.json()["error"]) == (403, "forbidden")
    assert (await post(999999, "hangup", li)).status_code == 404
    ended = await post(centre.calls["answered"], "hangup", li)
    assert ended.status_code == 409
    assert "ended" in ended.json()["detail"]
    fake.phases[other], fake.handlers[other] = "queue", centre.agents["wang.wei"]
    queued = await post(other, "hangup", wang)
    assert (queued.status_code, queued.json()["detail"]) == (
        409,
        f"call {other} is not in talk: it is in phase 'queue'",
    )
    assert (await post(live, "transfer", li, agent_id=999999)).status_code == 404
    assert (await post(live, "transfer", li)).status_code == 422
    to_wang = await post(live, "transfer", li, agent_id=centre.agents["wang.wei"])
    assert to_wang.status_code == 202
    assert (await post(live, "hangup", li)).status_code == 202
    assert fake.commands == [
        ("hold", live, None),
        ("unhold", live, None),
        ("transfer", live, centre.agents["wang.wei"]),
        ("hangup", live, None),
    ]
