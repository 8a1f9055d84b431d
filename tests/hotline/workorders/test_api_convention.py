"""Work orders under the API convention (docs/api.md): keyset pages in deadline order (orders
without a deadline last), the other sorts, and an order read by its reference with the same role
checks and audit as by id."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from hotline.db.session import transaction
from hotline.workorders.mapping import ORDER_TABLE
from tests.fixtures.app import FixedClock
from tests.hotline.workorders.conftest import Centre

pytestmark = pytest.mark.asyncio


async def _walk(centre: Centre, url: str, who: str = "supervisor") -> list[str]:
    references: list[str] = []
    next_url: str | None = url
    while next_url is not None:
        response = await centre.client.get(next_url, headers=centre.headers(who))
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= page["limit"]
        references += [item["reference"] for item in page["items"]]
        next_url = page["next"]
        assert len(references) <= 50, "the next links do not end"
    return references


async def test_orders_are_walked_in_deadline_order_through_next_links(
    centre: Centre, clock: FixedClock
) -> None:
    orders = []
    for _ in range(5):
        orders.append(await centre.create())
        clock.advance(hours=1)
    # Two orders without a resolution deadline (they list last) and two with the same one.
    async with transaction(centre.sessionmaker) as session:
        for order in orders[1:3]:
            await session.execute(
                update(ORDER_TABLE)
                .where(ORDER_TABLE.c.id == order["id"])
                .values(resolve_due_at=None)
            )
        same = await session.scalar(
            ORDER_TABLE.select()
            .with_only_columns(ORDER_TABLE.c.resolve_due_at)
            .where(ORDER_TABLE.c.id == orders[4]["id"])
        )
        await session.execute(
            update(ORDER_TABLE)
            .where(ORDER_TABLE.c.id == orders[3]["id"])
            .values(resolve_due_at=same)
        )
    await centre.relogin()
    refs = [order["reference"] for order in orders]
    # Deadline first; the same deadline newest first; no deadline last, newest first.
    expected = [refs[0], refs[4], refs[3], refs[2], refs[1]]
    assert await _walk(centre, "/api/v1/workorders?limit=2") == expected
    assert await _walk(centre, "/api/v1/workorders?limit=1") == expected
    assert await _walk(centre, "/api/v1/workorders?limit=2&sort=-created_at") == refs[::-1]
    assert await _walk(centre, "/api/v1/workorders?limit=3&sort=created_at") == refs
    # The common time-range names: created in [from, to).
    start = orders[1]["created_at"].replace("+00:00", "Z")
    end = orders[3]["created_at"].replace("+00:00", "Z")
    ranged = await _walk(centre, f"/api/v1/workorders?sort=created_at&from={start}&to={end}")
    assert ranged == refs[1:3]


async def test_an_order_is_read_by_its_reference_with_the_same_checks_and_audit(
    centre: Centre,
) -> None:
    to_a = await centre.dispatched("dept_a")
    reference = to_a["reference"]
    by_ref = await centre.get(reference, "supervisor")
    by_id = await centre.get(to_a["id"], "supervisor")
    assert by_ref == by_id
    assert by_ref["reference"] == reference
    audited = await centre.audit_entries("supervisor-user")
    assert [(e.subject_type, e.subject_id) for e in audited[-2:]] == [
        ("work_order", to_a["id"]),
        ("work_order", to_a["id"]),
    ]
    # Another department's specialist is refused, as by id.
    refused = await centre.client.get(
        f"/api/v1/workorders/{reference}", headers=centre.headers("specialist_b")
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"] == "forbidden"
    # Acting on it by reference works the same way.
    acknowledged = await centre.act(reference, "acknowledge", "specialist_a")
    assert (acknowledged["id"], acknowledged["status"]) == (to_a["id"], "acknowledged")
    missing = await centre.client.get(
        "/api/v1/workorders/12366-20990101-0001", headers=centre.headers("supervisor")
    )
    assert missing.status_code == 404
    assert "12366-20990101-0001" in missing.json()["detail"]


async def test_the_inbox_is_paged_newest_first(centre: Centre) -> None:
    for _ in range(3):
        await centre.dispatched("dept_a")
    headers = centre.headers("liaison_a")
    whole = (await centre.client.get("/api/v1/inbox", headers=headers)).json()
    assert len(whole["items"]) >= 3
    assert whole["next"] is None
    seen: list[int] = []
    next_url: str | None = "/api/v1/inbox?limit=2"
    while next_url is not None:
        page = (await centre.client.get(next_url, headers=headers)).json()
        assert page["unread"] == whole["unread"]
        seen += [item["id"] for item in page["items"]]
        next_url = page["next"]
        assert len(seen) <= 50
    assert seen == [item["id"] for item in whole["items"]]
    too_many = await centre.client.get("/api/v1/inbox?limit=501", headers=headers)
    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["loc"] == ["query", "limit"]
