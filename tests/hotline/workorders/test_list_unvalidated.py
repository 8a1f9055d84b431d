"""The ``/workorders`` list page builds its rows without validation: the same JSON as validated.

Orders in several states (a pending and a granted extension, an answer, a merge) and text
stored with surrounding whitespace, read by a role that sees taxpayers and by one that sees
them masked; each listed row must equal ``WorkOrderRead.of`` (the validated value) of the same
stored order.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from hotline.db.models import WorkOrderRow
from hotline.db.session import transaction
from hotline.workorders.mapping import ORDER_TABLE, order_from_row
from hotline.workorders.schemas import WorkOrderRead
from tests.hotline.workorders.conftest import Centre

pytestmark = pytest.mark.asyncio


async def _orders_in_several_states(centre: Centre) -> None:
    await centre.create()
    pending = await centre.dispatched()
    await centre.act(pending["id"], "acknowledge", "specialist_a")
    await centre.act(
        pending["id"], "request_extension", "specialist_a", reason="a ruling", amount="2 days"
    )
    granted = await centre.dispatched()
    await centre.act(granted["id"], "acknowledge", "specialist_a")
    await centre.act(
        granted["id"], "request_extension", "specialist_a", reason="a ruling", amount="1 day"
    )
    await centre.act(granted["id"], "approve_extension", "supervisor")
    answered = await centre.dispatched()
    await centre.act(answered["id"], "acknowledge", "specialist_a")
    await centre.act(answered["id"], "start", "specialist_a")
    await centre.act(answered["id"], "resolve", "specialist_a", answer="Apply online.")
    kept = await centre.create(subject="Kept")
    duplicate = await centre.create(subject="Duplicate")
    await centre.act(duplicate["id"], "merge", "supervisor", into=kept["id"])
    # Text the API would have stripped on the way in, as a filing from another path can store
    # it (a diverted question's description ends with a space when the IVR took no choice).
    spaced = await centre.create(subject="Spaced")
    async with transaction(centre.sessionmaker) as session:
        await session.execute(
            update(WorkOrderRow)
            .where(WorkOrderRow.id == spaced["id"])
            .values(description="IVR: ", taxpayer_name=" 李四 ", subject=" Spaced ")
        )


async def _validated(centre: Centre, masked: bool) -> dict[str, dict[str, Any]]:
    async with transaction(centre.sessionmaker) as session:
        rows = (await session.execute(select(ORDER_TABLE))).all()
    return {
        (read := WorkOrderRead.of(order_from_row(row), masked)).id: read.model_dump(mode="json")
        for row in rows
    }


@pytest.mark.parametrize(("who", "masked"), [("supervisor", False), ("director", True)])
async def test_a_listed_row_is_the_validated_row(centre: Centre, who: str, masked: bool) -> None:
    await _orders_in_several_states(centre)
    response = await centre.client.get("/api/v1/workorders?limit=100", headers=centre.headers(who))
    assert response.status_code == 200, response.text
    listed = {item["id"]: item for item in response.json()["items"]}
    expected = await _validated(centre, masked)
    assert len(listed) == len(expected) == 7
    assert listed == expected
    assert {item["taxpayer"]["masked"] for item in listed.values()} == {masked}
    assert {item["description"] for item in listed.values()} >= {"IVR:"}


async def test_the_unvalidated_value_serialises_like_the_validated_one(centre: Centre) -> None:
    await _orders_in_several_states(centre)
    async with transaction(centre.sessionmaker) as session:
        rows = (await session.execute(select(ORDER_TABLE))).all()
    for row in rows:
        order = order_from_row(row)
        for masked in (False, True):
            built = WorkOrderRead.unvalidated(order, masked)
            assert built.model_dump_json() == WorkOrderRead.of(order, masked).model_dump_json()
