"""The console's lists and searches after the 1,000,000-order work (BENCHMARKS.md, issue 15):
the same answers on SQLite and PostgreSQL, and on PostgreSQL the totals that were slow are
answered from an index alone.

The answers: one state and words in the subject (served by the open orders' per-state index on
PostgreSQL), the inbox page with its total in one statement, a supervisor's list with no scope
condition and a specialist's still scoped to their bureau. The plans: PostgreSQL is asked, with
table scans switched off for the question, whether the capped totals can be index-only scans;
a plan is not a timing, and a column missing from an index or a condition on a column outside
it makes these fail.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.dialects import postgresql

from hotline.api.paging import total_probe
from hotline.db.session import transaction
from hotline.workorders import queries
from tests.hotline.workorders.conftest import TAXPAYER, Centre
from tests.hotline.workorders.test_console_pages import _sign_in
from workorders.model import Actor, Role, Status

pytestmark = pytest.mark.asyncio

WORDS = "个人所得税汇算清缴退税进度查询"


async def _listed(centre: Centre, who: str, **params: Any) -> tuple[list[str], int]:
    response = await centre.client.get(
        "/api/v1/workorders", params=params, headers=centre.headers(who)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return [item["reference"] for item in body["items"]], body["total"]


async def _orders(centre: Centre) -> dict[str, dict[str, Any]]:
    """Orders with the same words in three states and two bureaus, and one with other words."""
    made = {
        "new": await centre.create(subject=f"{WORDS}（新）"),
        "a": await centre.create(subject=f"{WORDS}（甲）"),
        "b": await centre.create(subject=f"{WORDS}（乙）"),
        "signed": await centre.create(subject=f"{WORDS}（签）"),
        "other": await centre.create(subject="电子税务局登录失败"),
        "english": await centre.create(subject="VAT exemption for a small business"),
    }
    for key, bureau in (
        ("a", "dept_a"),
        ("b", "dept_b"),
        ("signed", "dept_a"),
        ("other", "dept_a"),
        ("english", "dept_a"),
    ):
        made[key] = await centre.act(
            made[key]["id"], "dispatch", "supervisor", department_id=centre.ids[bureau]
        )
    made["signed"] = await centre.act(made["signed"]["id"], "acknowledge", "specialist_a")
    return made


async def test_one_state_and_words_give_the_same_orders_on_both_databases(
    centre: Centre,
) -> None:
    made = await _orders(centre)
    ref = {key: order["reference"] for key, order in made.items()}
    sup = "supervisor"
    found, total = await _listed(centre, sup, status="dispatched", text="汇算清缴")
    assert set(found) == {ref["a"], ref["b"]}
    assert total == 2
    assert await _listed(centre, sup, status="new", text="汇算清缴") == ([ref["new"]], 1)
    assert await _listed(centre, sup, status="acknowledged", text="汇算清缴") == (
        [ref["signed"]],
        1,
    )
    found, total = await _listed(centre, sup, status=["dispatched", "new"], text="汇算清缴")
    assert set(found) == {ref["a"], ref["b"], ref["new"]}
    assert total == 3
    # Case is still ignored for cased letters, and a state with no such words lists nothing.
    assert await _listed(centre, sup, status="dispatched", text="vat EXEMPTION") == (
        [ref["english"]],
        1,
    )
    assert await _listed(centre, sup, status="closed", text="汇算清缴") == ([], 0)
    # The bureau's specialist sees only their bureau's orders among the same matches.
    assert await _listed(centre, "specialist_a", status="dispatched", text="汇算清缴") == (
        [ref["a"]],
        1,
    )


async def test_a_supervisor_lists_every_order_and_a_specialist_only_their_bureaus(
    centre: Centre,
) -> None:
    made = await _orders(centre)
    everything, total = await _listed(centre, "supervisor")
    assert set(everything) == {order["reference"] for order in made.values()}
    assert total == len(made)
    in_a = {order["reference"] for order in made.values() if order.get("department_id")}
    in_a -= {made["b"]["reference"]}
    mine, total = await _listed(centre, "specialist_a")
    assert set(mine) == in_a
    assert total == len(in_a)
    # A taxpayer's name: every order of theirs for the supervisor (all six carry the fixture's).
    named, total = await _listed(centre, "supervisor", taxpayer_name=TAXPAYER["name"])
    assert set(named) == set(everything)
    assert total == len(made)


async def test_the_inbox_shows_one_states_words_with_their_total(centre: Centre) -> None:
    made = await _orders(centre)
    await _sign_in(centre.client, "supervisor-user")
    page = await centre.client.get(
        "/workorders", params={"state": "dispatched", "q": "汇算清缴", "field": "text"}
    )
    assert page.status_code == 200
    shown = re.findall(r'data-reference="([^"]+)"', page.text)
    assert set(shown) == {made["a"]["reference"], made["b"]["reference"]}
    assert len(shown) == 2


def _plan_nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    return [node, *(n for child in node.get("Plans", []) for n in _plan_nodes(child))]


async def _total_plan(centre: Centre, wanted: queries.OrderFilter) -> list[dict[str, Any]]:
    """The capped total's plan as PostgreSQL would run it if reading the table were dearest."""
    supervisor = Actor("1", frozenset({Role.SUPERVISOR}))
    listed = queries.listed(supervisor, wanted, datetime.now(UTC))
    total = select(func.count()).select_from(total_probe(listed).subquery())
    sql = str(total.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    async with transaction(centre.sessionmaker) as session:
        await session.execute(text("ANALYZE work_order"))
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        await session.execute(text("SET LOCAL enable_bitmapscan = off"))
        found = await session.scalar(text(f"EXPLAIN (FORMAT JSON) {sql}"))
    document = json.loads(found) if isinstance(found, str) else found
    return _plan_nodes(document[0]["Plan"])


async def test_the_slow_totals_are_index_only_scans_on_postgresql(
    centre: Centre, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's plans: SQLite has no covering (INCLUDE) indexes")
    await _orders(centre)
    # One state and words: the per-state open-orders index holds the subject.
    nodes = await _total_plan(
        centre, queries.OrderFilter(statuses=(Status.DISPATCHED,), text="汇算清缴")
    )
    scans = [n for n in nodes if "Scan" in n["Node Type"]]
    assert [(n["Node Type"], n.get("Index Name")) for n in scans] == [
        ("Index Only Scan", "ix_work_order_open_status_due")
    ]
    assert "status" in scans[0]["Index Cond"]
    # A name, for a role that reads every order: no scope condition on a column outside the
    # name's index (it was ``id IS NOT NULL``, which sent each counted row to the table).
    nodes = await _total_plan(centre, queries.OrderFilter(taxpayer_name=TAXPAYER["name"]))
    scans = [n for n in nodes if "Scan" in n["Node Type"]]
    assert [(n["Node Type"], n.get("Index Name")) for n in scans] == [
        ("Index Only Scan", "ix_work_order_taxpayer_name")
    ]
