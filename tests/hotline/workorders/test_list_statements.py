"""The ``/workorders`` list keeps one statement per filter shape and binds each request's values.

As for ``/calls`` (``tests/hotline/test_list_statements.py``): requests of one shape run the
same statement object, and each gets the rows of its own values: the caller's department
scope, the statuses (written into the SQL at execution for PostgreSQL's partial indexes), the
exact-match search fields and the subject words. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.sql import Select

from tests.hotline.workorders.conftest import TAXPAYER, Centre

pytestmark = pytest.mark.asyncio


@contextmanager
def _statements(centre: Centre) -> Iterator[list[Any]]:
    """The page statements (a page and its total) executed meanwhile, as objects."""
    executed: list[Any] = []

    def seen(_conn: Any, clauseelement: Any, *_: Any) -> None:
        if isinstance(clauseelement, Select) and "page_total" in clauseelement.selected_columns:
            executed.append(clauseelement)

    engine = centre.sessionmaker.kw["bind"].sync_engine
    event.listen(engine, "before_execute", seen)
    try:
        yield executed
    finally:
        event.remove(engine, "before_execute", seen)


async def _ids(centre: Centre, query: str, who: str) -> list[str]:
    response = await centre.client.get(f"/api/v1/workorders?{query}", headers=centre.headers(who))
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == len(page["items"])
    return sorted(item["id"] for item in page["items"])


async def test_each_departments_specialist_gets_their_own_orders_from_one_statement(
    centre: Centre,
) -> None:
    to_a = [(await centre.dispatched("dept_a"))["id"] for _ in range(2)]
    to_b = [(await centre.dispatched("dept_b"))["id"]]
    with _statements(centre) as executed:
        seen_by_a = await _ids(centre, "limit=10", "specialist_a")
        seen_by_b = await _ids(centre, "limit=10", "specialist_b")
    assert (seen_by_a, seen_by_b) == (sorted(to_a), sorted(to_b))
    assert executed[0] is executed[1]


async def test_statuses_and_searches_are_bound_per_request(centre: Centre) -> None:
    other = {**TAXPAYER, "phone": "13800000000", "name": "李四"}
    new = await centre.create(subject="增值税 留抵退税")
    dispatched = await centre.dispatched("dept_a")
    elsewhere = await centre.create(taxpayer=other, subject="Stamp duty on a lease")
    with _statements(centre) as executed:
        only_new = await _ids(centre, "status=new", "supervisor")
        only_dispatched = await _ids(centre, "status=dispatched", "supervisor")
        by_phone = await _ids(centre, f"phone={TAXPAYER['phone']}", "supervisor")
        by_other_phone = await _ids(centre, f"phone={other['phone']}", "supervisor")
        by_word = await _ids(centre, "text=stamp", "supervisor")
        by_other_word = await _ids(centre, "text=applied", "supervisor")
        by_chinese = await _ids(centre, "text=增值税", "supervisor")
    assert only_new == sorted([new["id"], elsewhere["id"]])
    assert only_dispatched == [dispatched["id"]]
    assert by_phone == sorted([new["id"], dispatched["id"]])
    assert by_other_phone == [elsewhere["id"]]
    assert by_word == [elsewhere["id"]]
    assert by_other_word == [dispatched["id"]]
    assert by_chinese == [new["id"]]
    # Pairs of one shape share their statement; a search without cased letters (LIKE rather
    # than ILIKE) is a shape of its own.
    assert executed[0] is executed[1]
    assert executed[2] is executed[3]
    assert executed[4] is executed[5]
    assert executed[6] is not executed[5]
