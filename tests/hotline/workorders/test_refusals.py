"""Every refusal (wrong state, wrong role, other department, bad payload) answers with its
reason and leaves the database exactly as it was."""

from __future__ import annotations

from typing import Any

import pytest

from tests.hotline.workorders.conftest import Centre

pytestmark = pytest.mark.asyncio

# (order state, action, who, payload, status, error slug, words in the reason)
REFUSALS: list[tuple[str, str, str, dict[str, Any], int, str, str]] = [
    ("new", "acknowledge", "liaison_a", {}, 409, "wrong_state", "status 'new'"),
    ("new", "resolve", "specialist_a", {"answer": "x"}, 409, "wrong_state", "acknowledged"),
    ("new", "dispatch", "agent", {"department_id": 0}, 403, "forbidden", "may not dispatch"),
    ("new", "dispatch", "director", {}, 403, "forbidden", "needs one of the roles"),
    ("new", "dispatch", "supervisor", {"department_id": 999999}, 422, "validation_error", ""),
    ("new", "teleport", "supervisor", {}, 422, "validation_error", "unknown work-order action"),
    ("dispatched", "acknowledge", "specialist_b", {}, 403, "forbidden", "own department"),
    ("dispatched", "close", "supervisor", {}, 409, "wrong_state", "called back"),
    ("dispatched", "follow_up", "agent", {"satisfaction": 5}, 409, "wrong_state", "resolved"),
    ("acknowledged", "resolve", "specialist_a", {}, 422, "validation_error", "needs a answer"),
    ("acknowledged", "approve_extension", "supervisor", {}, 409, "wrong_state", "no extension"),
    (
        "acknowledged",
        "request_extension",
        "agent",
        {"reason": "r", "amount": "1d"},
        403,
        "forbidden",
        "may not request an extension",
    ),
    (
        "acknowledged",
        "request_extension",
        "specialist_a",
        {"reason": "r", "amount": "1 week"},
        422,
        "validation_error",
        "cannot read the working duration",
    ),
    ("resolved", "follow_up", "agent", {"satisfaction": 9}, 422, "validation_error", "1 to 5"),
    ("resolved", "merge", "supervisor", {"into": "@new"}, 409, "wrong_state", "not yet resolved"),
]


async def _order_in(centre: Centre, state: str) -> str:
    order = await centre.create()
    if state == "new":
        return str(order["id"])
    oid = str(order["id"])
    await centre.act(oid, "dispatch", "supervisor", department_id=centre.ids["dept_a"])
    if state in ("acknowledged", "resolved"):
        await centre.act(oid, "acknowledge", "specialist_a")
    if state == "resolved":
        await centre.act(oid, "resolve", "specialist_a", answer="the answer")
    return oid


async def test_refused_actions_change_nothing(centre: Centre) -> None:
    orders = {state: await _order_in(centre, state) for state in {r[0] for r in REFUSALS}}
    for state, action, who, payload, status, slug, words in REFUSALS:
        if payload.get("department_id") == 0:
            payload = {"department_id": centre.ids["dept_a"]}
        if payload.get("into") == "@new":
            payload = {"into": orders["new"]}
        before_rows = await centre.counts()
        before_order = await centre.get(orders[state])
        response = await centre.client.post(
            f"/api/v1/workorders/{orders[state]}/actions/{action}",
            json=payload,
            headers=centre.headers(who),
        )
        case = (state, action, who)
        assert response.status_code == status, (case, response.text)
        assert response.json()["error"] == slug, case
        assert words in str(response.json()["detail"]), (case, response.text)
        assert await centre.counts() == before_rows, case
        assert await centre.get(orders[state]) == before_order, case


async def test_refused_creations_change_nothing(centre: Centre) -> None:
    before = await centre.counts()
    cases = [
        ("agent", {"call_id": centre.ids["other_call"]}, 403, "not answered by you"),
        ("agent", {"call_id": None}, 422, "from a call"),
        ("agent", {"call_id": 999999}, 422, "does not exist"),
        ("specialist_a", {}, 403, "needs one of the roles"),
        ("agent", {"category": "gossip"}, 422, "category"),
    ]
    for who, overrides, status, words in cases:
        body = {
            "category": "enquiry",
            "subject": "a question",
            "call_id": centre.ids["call"],
            **overrides,
        }
        response = await centre.client.post(
            "/api/v1/workorders", json=body, headers=centre.headers(who)
        )
        assert response.status_code == status, (who, overrides, response.text)
        assert words in response.text, (who, overrides, response.text)
    assert await centre.counts() == before
    # A supervisor may file one by hand, without a call.
    created = await centre.create("supervisor", call_id=None)
    assert created["call_id"] is None
