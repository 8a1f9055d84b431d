"""Service standards as data, through the API on SQLite and PostgreSQL: a director changes a
target, adds and retires standards; the red/green table follows, every change is audited, and
other roles or bad targets are refused."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import AuditLog
from hotline.roles import Role
from tests.fixtures.app import Users
from tests.hotline.reports.floor_day import seed_day

pytestmark = pytest.mark.asyncio

TWO_DAYS = "from=2026-03-01T00:00:00%2B08:00&to=2026-03-03T00:00:00%2B08:00"
TARGETS = "/api/v1/reports/standards/targets"
IRAS = {
    "metric": "service_level",
    "comparison": ">=",
    "target": 0.4,
    "threshold_s": 120,
    "label_zh": "40% 来电 120 秒内接通",
    "label_en": "40% of calls answered within 120 s",
}


async def test_a_director_edits_the_targets_and_the_table_follows(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_day(app_sessionmaker)
    director = users.headers(Role.DIRECTOR)
    listed = (await client.get(TARGETS, headers=users.headers(Role.OPS))).json()["standards"]
    assert {s["id"]: s["version"] for s in listed}["sl_120"] == 0  # built in, never edited
    before = (await client.get(f"/api/v1/reports/standards?{TWO_DAYS}", headers=director)).json()
    assert before["rows"][1]["standards"]["sl_120"]["met"] is False  # 3/7 against 75%

    changed = await client.put(f"{TARGETS}/sl_120", json=IRAS, headers=director)
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    added = await client.put(
        f"{TARGETS}/sl_60",
        json={**IRAS, "target": 0.9, "threshold_s": 60, "label_en": "90% within 60 s"},
        headers=director,
    )
    assert added.status_code == 200, added.text
    retired = await client.put(
        f"{TARGETS}/asa_30",
        json={"metric": "asa_s", "comparison": "<=", "target": 30, "threshold_s": 20,
              "label_zh": "平均应答速度不超过 30 秒", "label_en": "ASA at most 30 s",
              "active": False},
        headers=director,
    )  # fmt: skip
    assert retired.status_code == 200, retired.text

    after = (await client.get(f"/api/v1/reports/standards?{TWO_DAYS}", headers=director)).json()
    ids = [s["id"] for s in after["standards"]]
    assert "asa_30" not in ids
    assert ids[-1] == "sl_60"
    busy = after["rows"][1]["standards"]
    assert busy["sl_120"] == {"value": round(3 / 7, 4), "met": True}  # 0.43 >= 0.4 now
    assert busy["sl_60"]["met"] is False
    listed = (await client.get(TARGETS, headers=director)).json()["standards"]
    mine = {s["id"]: s for s in listed}["sl_120"]
    assert (mine["target"], mine["updated_by"]) == (0.4, "director-user")
    async with app_sessionmaker() as session:
        entries = list(
            await session.scalars(
                select(AuditLog).where(AuditLog.action == "service_standard_changed")
            )
        )
    assert {e.subject_id for e in entries} == {"sl_120", "sl_60", "asa_30"}
    sl = next(e for e in entries if e.subject_id == "sl_120")
    assert sl.detail["before"]["target"] == 0.75
    assert sl.detail["after"]["target"] == 0.4


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"target": 75}, 422),  # a rate is a share: 0.75, not 75
        ({"comparison": "=>"}, 422),
        ({"metric": "happiness"}, 422),
        ({"threshold_s": None}, 422),  # a service level needs its T
        ({"label_en": ""}, 422),
    ],
)
async def test_bad_targets_are_refused(
    client: httpx.AsyncClient, users: Users, change: dict[str, object], status: int
) -> None:
    response = await client.put(
        f"{TARGETS}/sl_120", json={**IRAS, **change}, headers=users.headers(Role.DIRECTOR)
    )
    assert response.status_code == status, response.text


async def test_only_directors_and_admins_edit(client: httpx.AsyncClient, users: Users) -> None:
    for role in (Role.OPS, Role.SUPERVISOR, Role.AGENT):
        refused = await client.put(f"{TARGETS}/sl_120", json=IRAS, headers=users.headers(role))
        assert refused.status_code == 403, role
    admin = await client.put(f"{TARGETS}/sl_120", json=IRAS, headers=users.headers(Role.ADMIN))
    assert admin.status_code == 200, admin.text
    bad_id = await client.put(f"{TARGETS}/Bad Id", json=IRAS, headers=users.headers(Role.ADMIN))
    assert bad_id.status_code == 422
