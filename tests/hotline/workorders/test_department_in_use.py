"""Deleting a department that open orders, liaisons or finished orders still point at is refused.

The delete used to cascade the liaisons away and null the orders' department, leaving open orders
with nowhere to go. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from hotline.db.models import Department, Liaison, WorkOrderRow
from hotline.db.session import transaction
from tests.hotline.workorders.conftest import Centre

pytestmark = pytest.mark.asyncio


async def _delete(centre: Centre, department: str) -> tuple[int, str]:
    response = await centre.client.delete(
        f"/api/v1/departments/{centre.ids[department]}", headers=centre.headers("admin")
    )
    detail = response.json()["detail"] if response.content else ""
    return response.status_code, str(detail)


async def test_open_orders_and_liaisons_keep_a_department(centre: Centre) -> None:
    order = await centre.dispatched(to="dept_a")
    status, detail = await _delete(centre, "dept_a")
    assert status == 409
    assert "department A is in use" in detail
    assert f"open work orders {order['reference']}" in detail
    assert "liaisons liaison-a" in detail
    async with transaction(centre.sessionmaker) as session:
        row = await session.get(WorkOrderRow, order["id"])
        assert row is not None
        assert row.department_id == centre.ids["dept_a"]
        assert await session.scalar(select(Liaison.user_id)) == centre.ids["liaison_a"]


async def test_finished_orders_keep_their_department_on_record(centre: Centre) -> None:
    order = await centre.dispatched(to="dept_b")
    await centre.act(order["id"], "acknowledge", "specialist_b")
    await centre.act(order["id"], "start", "specialist_b")
    await centre.act(order["id"], "resolve", "specialist_b", answer="Apply online.")
    await centre.act(order["id"], "follow_up", "agent", satisfaction=5, note="ok")
    await centre.act(order["id"], "close", "supervisor", reason="done")
    status, detail = await _delete(centre, "dept_b")
    assert status == 409
    assert "1 finished work order(s)" in detail
    assert "open work orders" not in detail


async def test_an_unused_department_is_deleted(centre: Centre) -> None:
    async with transaction(centre.sessionmaker) as session:
        await session.execute(delete(Liaison))
    status, _ = await _delete(centre, "dept_a")
    assert status == 204
    async with transaction(centre.sessionmaker) as session:
        assert await session.get(Department, centre.ids["dept_a"]) is None
