"""Admin edits of the calendar and of the SLA policy move open orders' deadlines, with the
reason in each order's history; a deadline in a year that is not loaded is refused."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete

from hotline.db.models import CalendarDay
from hotline.db.session import transaction
from hotline.workorders.rules import RulesCache
from tests.fixtures.app import FixedClock
from tests.hotline.workorders.conftest import Centre

pytestmark = pytest.mark.asyncio


def _recomputed(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [entry for entry in history if entry["action"] == "deadlines_recomputed"]


async def test_day_edit_recomputes_open_orders_only(centre: Centre) -> None:
    open_order = await centre.create()
    merged = await centre.create(subject="duplicate")
    await centre.act(merged["id"], "merge", "supervisor", into=open_order["id"])
    assert open_order["resolve_due_at"] == "2026-03-04T09:00:00Z"

    response = await centre.client.put(
        "/api/v1/calendar/days/2026-03-03",
        json={"kind": "holiday", "note": "typhoon closure"},
        headers=centre.headers("admin"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["recomputed"]["orders_changed"] == 1

    after = await centre.get(open_order["id"])
    assert after["resolve_due_at"] == "2026-03-05T09:00:00Z"
    (entry,) = _recomputed(after["history"])
    assert entry["reason"] == "calendar: 2026-03-03 set to holiday by admin-user (typhoon closure)"
    assert entry["data"]["before"]["resolve_due_at"].startswith("2026-03-04T09:00")
    assert entry["data"]["after"]["resolve_due_at"].startswith("2026-03-05T09:00")
    assert _recomputed((await centre.get(merged["id"]))["history"]) == []

    day = await centre.client.get(
        "/api/v1/calendar/days/2026-03-03", headers=centre.headers("agent")
    )
    assert day.json()["kind"] == "holiday"
    assert day.json()["source"] == "admin:admin-user"
    refused = await centre.client.put(
        "/api/v1/calendar/days/2026-03-03",
        json={"kind": "working"},
        headers=centre.headers("supervisor"),
    )
    assert refused.status_code == 403


async def test_periods_seed_and_overview(centre: Centre, clock: FixedClock) -> None:
    clock.advance(hours=4)  # Monday 13:00 in Shanghai
    order = await centre.create()
    assert order["resolve_due_at"] == "2026-03-05T05:00:00Z"  # Thursday 13:00
    lunch = await centre.client.put(
        "/api/v1/calendar/periods",
        json={"periods": [["09:00", "12:00"], ["13:30", "17:00"]]},
        headers=centre.headers("admin"),
    )
    assert lunch.status_code == 200, lunch.text
    assert lunch.json()["recomputed"]["orders_changed"] == 1
    # 3 working days of 6.5 h from the end of the lunch break: Thursday 12:00.
    assert (await centre.get(order["id"]))["resolve_due_at"] == "2026-03-05T04:00:00Z"
    overlapping = await centre.client.put(
        "/api/v1/calendar/periods",
        json={"periods": [["09:00", "12:00"], ["11:00", "17:00"]]},
        headers=centre.headers("admin"),
    )
    assert overlapping.status_code == 422

    seeded = await centre.client.post("/api/v1/calendar/seed/2025", headers=centre.headers("admin"))
    assert seeded.status_code == 200, seeded.text
    assert seeded.json()["days_written"] == 365
    unknown = await centre.client.post(
        "/api/v1/calendar/seed/2031", headers=centre.headers("admin")
    )
    assert unknown.status_code == 409
    assert unknown.json()["error"] == "calendar_not_loaded"

    month = await centre.client.get(
        "/api/v1/calendar?month=2026-02", headers=centre.headers("director")
    )
    body = month.json()
    assert body["loaded_years"] == [2025, 2026]
    assert body["periods"] == [["09:00", "12:00"], ["13:30", "17:00"]]
    kinds = {day["day"]: day["kind"] for day in body["days"]}
    assert kinds["2026-02-14"] == "adjusted_working"
    assert kinds["2026-02-17"] == "holiday"
    assert body["warnings"] == []
    # From November the table-loaded calendar asks for next year (the API shows the same list).
    rules = await RulesCache(centre.sessionmaker).get()
    (warning,) = rules.calendar.calendar_warnings(date(2026, 11, 2))
    assert "2027 is not loaded yet" in warning


async def test_deadline_in_a_year_not_loaded_is_refused(centre: Centre) -> None:
    # A year with a day missing counts as not loaded: the table must be complete to be used.
    async with transaction(centre.sessionmaker) as session:
        await session.execute(delete(CalendarDay).where(CalendarDay.day == date(2026, 3, 20)))
    before = await centre.counts()
    response = await centre.client.post(
        "/api/v1/workorders",
        json={"category": "complaint", "subject": "late refund", "call_id": centre.ids["call"]},
        headers=centre.headers("agent"),
    )
    assert response.status_code == 409, response.text
    assert response.json()["error"] == "calendar_not_loaded"
    assert "calendar for 2026 is not loaded" in response.json()["detail"]
    assert await centre.counts() == before


async def test_new_policy_version_adopted_by_open_orders(centre: Centre) -> None:
    order = await centre.create()
    current = await centre.client.get("/api/v1/sla-policies", headers=centre.headers("director"))
    (version_1,) = current.json()
    targets = version_1["targets"]
    targets["enquiry/normal"]["resolve"] = "5 working days"
    created = await centre.client.post(
        "/api/v1/sla-policies",
        json={"targets": targets, "note": "longer enquiries", "adopt_open_orders": True},
        headers=centre.headers("admin"),
    )
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 2
    assert created.json()["recomputed"]["orders_changed"] == 1
    after = await centre.get(order["id"])
    assert after["policy_version"] == 2
    assert after["resolve_due_at"] == "2026-03-06T09:00:00Z"
    (entry,) = _recomputed(after["history"])
    assert entry["reason"] == "SLA policy version 2 adopted by admin-user: longer enquiries"
    assert (await centre.create())["policy_version"] == 2

    del targets["help/urgent"]
    incomplete = await centre.client.post(
        "/api/v1/sla-policies", json={"targets": targets}, headers=centre.headers("admin")
    )
    assert incomplete.status_code == 422
    assert "help/urgent" in incomplete.json()["detail"]
