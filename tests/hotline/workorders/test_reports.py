"""The on-time table through the API, as JSON and as CSV."""

from __future__ import annotations

import csv
import io

import pytest

from tests.fixtures.app import FixedClock
from tests.hotline.workorders.conftest import Centre

pytestmark = pytest.mark.asyncio

PERIOD = "from=2026-03-01T00:00:00%2B08:00&to=2026-04-01T00:00:00%2B08:00"


async def test_on_time_table_json_and_csv(centre: Centre, clock: FixedClock) -> None:
    on_time = await centre.dispatched("dept_a")
    late = await centre.dispatched("dept_a")
    await centre.dispatched("dept_b")
    clock.advance(hours=2)  # Monday 11:00: two hours to acknowledge
    await centre.act(on_time["id"], "acknowledge", "liaison_a")
    await centre.act(on_time["id"], "resolve", "liaison_a", answer="answered")
    await centre.act(on_time["id"], "follow_up", "agent", satisfaction=4)
    await centre.act(late["id"], "acknowledge", "specialist_a")
    await centre.act(
        late["id"], "request_extension", "specialist_a", reason="complex", amount="1 day"
    )
    await centre.act(late["id"], "approve_extension", "supervisor")
    clock.advance(days=5)  # Saturday: every deadline has passed
    await centre.relogin()

    response = await centre.client.get(
        f"/api/v1/reports/on-time?{PERIOD}&by=department", headers=centre.headers("director")
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert "due" in report["definitions"]
    rows = {(row["group"], row["key"]): row for row in report["rows"]}
    assert set(rows) == {
        ("department", str(centre.ids["dept_a"])),
        ("department", str(centre.ids["dept_b"])),
        ("total", "all"),
    }
    bureau_a = rows[("department", str(centre.ids["dept_a"]))]
    assert bureau_a["due"] == 2
    assert bureau_a["closed_on_time"] == 1
    assert bureau_a["open"] == 1
    assert bureau_a["overdue"] == 1
    assert bureau_a["on_time_rate"] == 0.5
    assert bureau_a["mean_hours_to_acknowledge"] == 2.0
    assert bureau_a["extensions"] == 1
    assert bureau_a["mean_satisfaction"] == 4.0
    assert rows[("total", "all")]["due"] == 3
    assert report["labels"]["department"][str(centre.ids["dept_a"])] == "A Bureau A"

    by_handler = await centre.client.get(
        f"/api/v1/reports/on-time?{PERIOD}&by=handler&format=csv",
        headers=centre.headers("supervisor"),
    )
    assert by_handler.status_code == 200
    assert by_handler.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(by_handler.text)))
    handlers = {row["key"]: row for row in table if row["group"] == "handler"}
    assert handlers[str(centre.ids["liaison_a"])]["closed_on_time"] == "1"
    assert handlers[str(centre.ids["specialist_a"])]["overdue"] == "1"
    assert handlers["(unassigned)"]["due"] == "1"

    naive = await centre.client.get(
        "/api/v1/reports/on-time?from=2026-03-01T00:00:00&to=2026-04-01T00:00:00",
        headers=centre.headers("director"),
    )
    assert naive.status_code == 422
