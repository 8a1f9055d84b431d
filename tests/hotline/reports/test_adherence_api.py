"""Adherence to scheduled hours in the agent report, on SQLite and PostgreSQL: shifts entered
through the API, measured against the seeded morning's state log (``floor_day``)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.roles import Role
from tests.fixtures.app import Users
from tests.hotline.reports.floor_day import seed_day

pytestmark = pytest.mark.asyncio

MORNING = "from=2026-03-02T09:00:00%2B08:00&to=2026-03-02T11:00:00%2B08:00"


async def test_adherence_where_a_shift_exists(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_day(app_sessionmaker)
    ops = users.headers(Role.OPS)
    before = (await client.get(f"/api/v1/reports/agents?{MORNING}", headers=ops)).json()
    assert before["adherence"] is None  # no shift: no figure, not a zero
    added = await client.post(
        "/api/v1/reports/shifts",
        json={"shifts": [{"agent": "a2", "start": "2026-03-02T09:00:00+08:00",
                          "end": "2026-03-02T10:00:00+08:00"}]},
        headers=ops,
    )  # fmt: skip
    assert added.status_code == 201, added.text
    report = (await client.get(f"/api/v1/reports/agents?{MORNING}", headers=ops)).json()
    assert "adherence" in report["adherence"]  # the definitions
    rows = {row["agent"]: row for row in report["rows"]}
    assert rows["a1"]["adherence"] is None  # a1 has no shift
    a2 = rows["a2"]["adherence"]
    assert a2["scheduled_s"] == 3600.0
    assert a2["logged_in_scheduled_s"] == 2700.0  # 09:00 to the 09:45 logout
    # Working = logged in less a2's break (all of it inside the shift).
    working = 2700.0 - rows["a2"]["not_ready_s"]
    assert a2["working_scheduled_s"] == working
    assert a2["adherence"] == round(working / 3600, 4)


@pytest.mark.parametrize(
    ("shift", "field"),
    [
        ({"agent": "nobody", "start": "2026-03-02T09:00:00+08:00",
          "end": "2026-03-02T10:00:00+08:00"}, "agent"),
        ({"agent": "a1", "start": "2026-03-02T10:00:00+08:00",
          "end": "2026-03-02T09:00:00+08:00"}, "end"),
        ({"agent": "a1", "start": "2026-03-02T09:00:00+08:00",
          "end": "2026-03-04T09:00:00+08:00"}, "end"),
    ],
)  # fmt: skip
async def test_bad_shifts_are_a_422_naming_the_shift(
    client: httpx.AsyncClient,
    users: Users,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    shift: dict[str, str],
    field: str,
) -> None:
    await seed_day(app_sessionmaker)
    response = await client.post(
        "/api/v1/reports/shifts", json={"shifts": [shift]}, headers=users.headers(Role.OPS)
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "shifts", 0, field]
    refused = await client.post(
        "/api/v1/reports/shifts", json={"shifts": [shift]}, headers=users.headers(Role.AGENT)
    )
    assert refused.status_code == 403
