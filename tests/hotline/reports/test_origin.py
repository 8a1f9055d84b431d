"""Caller origin: IP-call prefixes stripped, home province by city, other provinces, abroad."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import Call
from hotline.reports.origin import Place, origin_report, place_of, strip_ip_prefix
from hotline.roles import Role
from tests.fixtures.app import Users
from tests.hotline.reports.floor_day import at, seed_day


@pytest.mark.parametrize(
    ("number", "place"),
    [
        ("057188888888", Place("home", "杭州市")),
        ("17951057188888888", Place("home", "杭州市")),  # IP prefix: still Hangzhou
        ("1259302087654321", Place("province", "广东省")),
        ("13800138000", Place("province", "北京市")),
        ("+821012345678", Place("abroad", "韩国")),
        ("0085221234567", Place("abroad", "香港")),
        ("anonymous", Place("unknown", "")),
        ("123", Place("unknown", "")),
    ],
)
def test_places(number: str, place: Place) -> None:
    assert place_of(number) == place


def test_a_prefix_alone_is_not_stripped_into_nothing() -> None:
    assert strip_ip_prefix("17951") == "17951"
    assert strip_ip_prefix("10193 0571-8888 8888") == "057188888888"


def test_the_report_ranks_places_within_each_scope() -> None:
    report = origin_report([("057188888888", 3), ("057788888888", 5), ("+14155552671", 1)])
    assert [row["name"] for row in report["home"]] == ["温州市", "杭州市"]
    assert report["summary"] == {"home": 8, "province": 0, "abroad": 1, "unknown": 0}
    assert report["abroad"][0]["share"] == round(1 / 9, 4)


@pytest.mark.asyncio
async def test_origin_through_the_api(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    day = await seed_day(app_sessionmaker)
    async with app_sessionmaker() as session, session.begin():
        session.add(
            Call(site_id=day.site_id, channel_id="ip-call", caller_number="17951057188888888",
                 arrived_at=at(9, 30), ended_at=at(9, 31), outcome="abandoned_ivr")
        )  # fmt: skip
    response = await client.get(
        "/api/v1/reports/origin?from=2026-03-02T00:00:00%2B08:00&to=2026-03-03T00:00:00%2B08:00",
        headers=users.headers(Role.DIRECTOR),
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["total"] == 9  # eight inbound calls of the morning and the IP call
    assert report["home"] == [{"name": "杭州市", "calls": 1, "share": round(1 / 9, 4)}]
    assert report["summary"]["province"] == 8  # 138… (Beijing) and 139… (Jiangsu)
