"""Who sees which orders, masked or not, and the audit of every unmasked read."""

from __future__ import annotations

import pytest

from tests.fixtures.app import FixedClock
from tests.hotline.workorders.conftest import Centre

pytestmark = pytest.mark.asyncio


async def _list(centre: Centre, who: str, query: str = "") -> list[str]:
    response = await centre.client.get(f"/api/v1/workorders{query}", headers=centre.headers(who))
    assert response.status_code == 200, response.text
    return [item["reference"] for item in response.json()["items"]]


async def test_masking_and_audit_of_personal_data(centre: Centre) -> None:
    order = await centre.create()
    assert order["taxpayer"]["phone"] == "13912345678"  # the agent took the call
    director_view = await centre.get(order["id"], "director")
    assert director_view["taxpayer"] == {
        "name": "张**",
        "phone": "139****5678",
        "taxpayer_number": "9133**********XX1X",
        "organisation": "杭州某公司",
        "masked": True,
    }
    assert await centre.audit_entries("director-user") == []

    supervisor_view = await centre.get(order["id"], "supervisor")
    assert supervisor_view["taxpayer"]["name"] == "张三丰"
    entries = await centre.audit_entries("supervisor-user")
    assert [(e.subject_type, e.subject_id) for e in entries] == [("work_order", order["id"])]
    await _list(centre, "supervisor")
    listed = await centre.audit_entries("supervisor-user")
    assert len(listed) == 2
    assert listed[-1].detail["work_orders"] == [order["id"]]


async def test_department_isolation_and_list_filters(centre: Centre, clock: FixedClock) -> None:
    mine = await centre.create()
    to_a = await centre.dispatched("dept_a")
    to_b = await centre.dispatched("dept_b")

    assert set(await _list(centre, "specialist_a")) == {to_a["reference"]}
    assert set(await _list(centre, "liaison_a")) == {to_a["reference"]}
    assert set(await _list(centre, "specialist_b")) == {to_b["reference"]}
    assert await _list(centre, "agent2") == []
    assert len(await _list(centre, "agent")) == 3  # the agent created all three
    assert len(await _list(centre, "director")) == 3

    refused = await centre.client.get(
        f"/api/v1/workorders/{to_a['id']}", headers=centre.headers("specialist_b")
    )
    assert refused.status_code == 403
    acting = await centre.client.post(
        f"/api/v1/workorders/{to_a['id']}/actions/acknowledge",
        json={},
        headers=centre.headers("specialist_b"),
    )
    assert acting.status_code == 403
    assert "own department" in acting.json()["detail"]

    by_status = await _list(centre, "supervisor", "?status=new")
    assert by_status == [mine["reference"]]
    by_department = await _list(centre, "supervisor", f"?department_id={centre.ids['dept_b']}")
    assert by_department == [to_b["reference"]]
    # Deadlines are Wednesday 17:00; on Wednesday 12:00 they are due within 6 hours.
    clock.advance(days=2, hours=3)
    await centre.relogin()
    assert len(await _list(centre, "supervisor", "?due_within_hours=6")) == 3
    assert await _list(centre, "supervisor", "?due_within_hours=1") == []
    assert await _list(centre, "supervisor", "?overdue=true") == []
    clock.advance(hours=7)
    assert len(await _list(centre, "supervisor", "?overdue=true")) == 3
    first = await centre.client.get(
        "/api/v1/workorders?limit=2", headers=centre.headers("supervisor")
    )
    assert (first.json()["total"], len(first.json()["items"])) == (3, 2)
    paged = await centre.client.get(first.json()["next"], headers=centre.headers("supervisor"))
    assert paged.json()["total"] == 3
    assert len(paged.json()["items"]) == 1
    assert paged.json()["next"] is None
