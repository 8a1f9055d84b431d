"""The ``/workorders`` list page builds its rows without validation: the same JSON as validated.

Orders in several states (a pending and a granted extension, an answer, a merge) and text
stored with surrounding whitespace, read by a role that sees taxpayers and by one that sees
them masked; each listed row must equal ``WorkOrderRead.of`` (the validated value) of the same
stored order.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy import select, update

from hotline.db.models import WorkOrderRow
from hotline.db.session import transaction
from hotline.workorders import queries
from hotline.workorders.mapping import ORDER_TABLE, order_from_row
from hotline.workorders.schemas import _ORDER_TEXT, _TAXPAYER_TEXT, TaxpayerRead, WorkOrderRead
from tests.hotline.workorders.conftest import Centre
from workorders.model import Category, Priority, Status, Taxpayer, WorkOrder


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


@pytest.mark.asyncio
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


@pytest.mark.asyncio
async def test_the_unvalidated_value_serialises_like_the_validated_one(centre: Centre) -> None:
    await _orders_in_several_states(centre)
    async with transaction(centre.sessionmaker) as session:
        rows = (await session.execute(select(ORDER_TABLE))).all()
    for row in rows:
        order = order_from_row(row)
        for masked in (False, True):
            built = WorkOrderRead.unvalidated(order, masked)
            assert built.model_dump_json() == WorkOrderRead.of(order, masked).model_dump_json()


def test_every_text_field_is_stripped_as_validation_strips_it() -> None:
    # Spaces around every text an order holds, including the fields no stored order above has.
    now = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    order = WorkOrder(
        id=" 0b9f4c2e-order ",
        reference=" 12366-20261207-0001 ",
        category=Category.ENQUIRY,
        priority=Priority.NORMAL,
        status=Status.RESOLVED,
        subject=" VAT exemption ",
        description=" asked twice ",
        taxpayer=Taxpayer(
            name=" 张三 ", phone=" 13912345678 ", taxpayer_number=" 9133 ", organisation=" Co "
        ),
        created_by="1",
        created_at=now,
        policy_version=1,
        answer=" Apply online. ",
        merged_into=" kept-order ",
    )
    for masked in (False, True):
        built = WorkOrderRead.unvalidated(order, masked)
        assert built.model_dump_json() == WorkOrderRead.of(order, masked).model_dump_json()


@pytest.mark.parametrize("model", [WorkOrderRead, TaxpayerRead])
def test_no_field_typed_with_text_is_left_out_of_the_stripping(model: type[BaseModel]) -> None:
    # unvalidated strips only the fields listed from plain annotations (str, str | None,
    # list[str]); a text field declared another way (Annotated, a Literal...) must be listed too.
    texts = {**dict.fromkeys(_ORDER_TEXT), **dict.fromkeys(_TAXPAYER_TEXT)}
    typed_as_text = [
        name
        for name, field in model.model_fields.items()
        if "str" in repr(field.annotation) or "Literal" in repr(field.annotation)
    ]
    assert typed_as_text
    assert [name for name in typed_as_text if name not in texts] == []


def test_the_columns_a_list_page_reads_as_null_are_not_shown() -> None:
    # The API's list reads these columns as NULL (queries.shown_statement); a row that showed
    # one would show it empty.
    assert queries._NOT_SHOWN
    assert {column.name for column in ORDER_TABLE.columns} >= queries._NOT_SHOWN
    assert not queries._NOT_SHOWN & set(WorkOrderRead.model_fields)
