"""The ``/calls`` list keeps one statement per filter shape and binds each request's values.

The statement of a page (its filters, its capped total, its cursor condition) is built once
for a set of filters and reused (``hotline.api.paging.PageStatements``). What must hold: two
requests of the same shape with different values run the same statement object (the cache is
used), and each one's rows and total are those of its own values (no value of an earlier
request stays bound), for the filters, the agent's own scope and the cursor alike. Runs on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql import Select

from hotline.api.calls import CallSummary
from hotline.db.models import Agent, Site, User
from hotline.db.models.call import Call
from hotline.db.session import transaction
from hotline.masking import mask_phone
from hotline.roles import Role
from tests.fixtures.app import Users, create_user, login

pytestmark = pytest.mark.asyncio

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


async def _centre(
    client: httpx.AsyncClient, maker: async_sessionmaker[AsyncSession]
) -> dict[str, Any]:
    """Two agents with a login each; agent one answered calls 0-4, agent two calls 5-7, one a
    minute apart. The call ids by agent, newest first, and each agent's headers."""
    tokens = {}
    for name in ("desk-one", "desk-two"):
        await create_user(maker, name, Role.AGENT)
        tokens[name] = await login(client, name)
    calls: dict[str, list[int]] = {"desk-one": [], "desk-two": []}
    agents: dict[str, int] = {}
    async with transaction(maker) as session:
        site = Site(code="hz", name="Hangzhou", ari_url="http://ari", ari_username="u")
        site.ari_password = "p"
        session.add(site)
        for code, name in (("2001", "desk-one"), ("2002", "desk-two")):
            user_id = await session.scalar(select(User.id).where(User.username == name))
            agent = Agent(code=code, name=name, user_id=user_id)
            session.add(agent)
            await session.flush()
            agents[name] = agent.id
        for n in range(8):
            name = "desk-one" if n < 5 else "desk-two"
            answered = n % 2 == 0  # every other call answered, the others abandoned
            call = Call(
                site_id=site.id,
                channel_id=f"chan-{n}",
                caller_number=f"1390571000{n}",
                region="浙江省杭州市",
                language="zh" if n % 3 else "en",
                business_line="tax" if n % 2 else None,
                arrived_at=T0 + timedelta(minutes=n),
                answered_at=T0 + timedelta(minutes=n, seconds=20) if answered else None,
                ended_at=T0 + timedelta(minutes=n, seconds=50),
                wait_s=20.0 if answered else None,
                talk_s=30.5 if answered else None,
                outcome="answered" if answered else "abandoned_queue",
                routing_stage=n % 3 or None,
                agent_id=agents[name],
            )
            session.add(call)
            await session.flush()
            calls[name].insert(0, call.id)
    return {
        "calls": calls,
        "agents": agents,
        "headers": {name: {"Authorization": f"Bearer {t}"} for name, t in tokens.items()},
    }


@contextmanager
def _statements(maker: async_sessionmaker[AsyncSession]) -> Iterator[list[Any]]:
    """The page statements (a page and its total) executed meanwhile, as objects."""
    executed: list[Any] = []

    def seen(_conn: Any, clauseelement: Any, *_: Any) -> None:
        if isinstance(clauseelement, Select) and "page_total" in clauseelement.selected_columns:
            executed.append(clauseelement)

    engine = maker.kw["bind"].sync_engine
    event.listen(engine, "before_execute", seen)
    try:
        yield executed
    finally:
        event.remove(engine, "before_execute", seen)


async def _page(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def test_one_statement_per_filter_shape_with_each_requests_values(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    centre = await _centre(client, app_sessionmaker)
    calls, agents = centre["calls"], centre["agents"]
    supervisor = users.headers(Role.SUPERVISOR)
    pages = {}
    with _statements(app_sessionmaker) as executed:
        for name in ("desk-one", "desk-two"):
            pages[name] = await _page(
                client, f"/api/v1/calls?agent_id={agents[name]}&limit=3", supervisor
            )
    assert executed[0] is executed[1]  # the same shape: the statement built once
    for name in ("desk-one", "desk-two"):
        assert [item["id"] for item in pages[name]["items"]] == calls[name][:3]
        assert pages[name]["total"] == len(calls[name])
        # A row becomes an item by column position: each item is its call, the number masked.
        for item in pages[name]["items"]:
            detail = await _page(client, f"/api/v1/calls/{item['id']}", supervisor)
            expected = {field: detail[field] for field in CallSummary.model_fields}
            expected["caller_number"] = mask_phone(detail["caller_number"])
            assert item == expected
            assert item["caller_number"] != detail["caller_number"]

    # The same filter with a time range is another shape, each bound to its own range.
    ranged = "/api/v1/calls?agent_id={}&from={}&to={}"
    with _statements(app_sessionmaker) as executed:
        early = await _page(
            client,
            ranged.format(agents["desk-one"], "2026-03-02T01:01:00Z", "2026-03-02T01:03:00Z"),
            supervisor,
        )
        late = await _page(
            client,
            ranged.format(agents["desk-two"], "2026-03-02T01:06:00Z", "2026-03-02T01:09:00Z"),
            supervisor,
        )
    assert executed[0] is executed[1]
    assert [item["id"] for item in early["items"]] == calls["desk-one"][2:4]
    assert [item["id"] for item in late["items"]] == calls["desk-two"][:2]
    assert (early["total"], late["total"]) == (2, 2)


async def test_the_cursor_and_an_agents_own_scope_are_bound_per_request(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    centre = await _centre(client, app_sessionmaker)
    calls, headers = centre["calls"], centre["headers"]
    walked: dict[str, list[int]] = {}
    second_pages = []
    with _statements(app_sessionmaker) as executed:
        for name in ("desk-one", "desk-two"):
            first = await _page(client, "/api/v1/calls?limit=2", headers[name])
            second = await _page(client, first["next"], headers[name])
            second_pages.append(executed[-1])
            walked[name] = [item["id"] for item in first["items"] + second["items"]]
            assert (first["total"], second["total"]) == (len(calls[name]),) * 2
    # Each agent sees only their own calls, page after page, through the same statements.
    assert walked == {"desk-one": calls["desk-one"][:4], "desk-two": calls["desk-two"]}
    assert second_pages[0] is second_pages[1]
