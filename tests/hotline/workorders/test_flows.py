"""The closed loop through the API, and its side paths (return, extension, merge, reopen)."""

from __future__ import annotations

import pytest

from tests.fixtures.app import FixedClock
from tests.hotline.workorders.conftest import Centre

pytestmark = pytest.mark.asyncio


async def test_call_to_close_with_history_deadlines_and_inbox(centre: Centre) -> None:
    order = await centre.create()
    assert order["status"] == "new"
    assert order["call_id"] == centre.ids["call"]
    assert order["reference"].startswith("12366-20260302-")
    # Created Monday 09:00 Shanghai; an enquiry has 3 working days: Wednesday 17:00.
    assert order["resolve_due_at"] == "2026-03-04T09:00:00Z"
    oid = order["id"]

    dispatched = await centre.act(oid, "dispatch", "supervisor", department_id=centre.ids["dept_a"])
    assert dispatched["ack_due_at"] == "2026-03-02T05:00:00Z"  # 4 working hours
    await centre.act(oid, "acknowledge", "liaison_a")
    await centre.act(oid, "start", "liaison_a")
    resolved = await centre.act(oid, "resolve", "liaison_a", answer="Apply on the e-tax bureau.")
    assert resolved["follow_up_due_at"] is not None
    await centre.act(oid, "follow_up", "agent", satisfaction=5, note="thanked us")
    closed = await centre.act(oid, "close", "supervisor", reason="done")
    assert closed["status"] == "closed"
    assert closed["handler_user_id"] == centre.ids["liaison_a"]

    detail = await centre.get(oid)
    actions = [entry["action"] for entry in detail["history"]]
    assert actions == [
        "create",
        "dispatch",
        "acknowledge",
        "start",
        "resolve",
        "follow_up",
        "close",
    ]
    assert [entry["seq"] for entry in detail["history"]] == list(range(1, 8))
    assert detail["history"][1]["actor_role"] == "supervisor"

    inbox = await centre.client.get("/api/v1/inbox", headers=centre.headers("liaison_a"))
    assert [item["kind"] for item in inbox.json()["items"]] == ["dispatch"]
    note_id = inbox.json()["items"][0]["id"]
    marked = await centre.client.post(
        f"/api/v1/inbox/{note_id}/read", headers=centre.headers("liaison_a")
    )
    assert marked.status_code == 200
    assert marked.json()["read_at"] is not None
    again = await centre.client.get(
        "/api/v1/inbox?unread_only=true", headers=centre.headers("liaison_a")
    )
    assert (again.json()["items"], again.json()["unread"], again.json()["next"]) == ([], 0, None)


async def test_return_goes_back_to_the_dispatcher(centre: Centre) -> None:
    order = await centre.dispatched()
    returned = await centre.act(
        order["id"], "return", "specialist_a", reason="this is a finance matter"
    )
    assert returned["status"] == "returned"
    assert returned["department_id"] is None
    inbox = await centre.client.get("/api/v1/inbox", headers=centre.headers("supervisor"))
    assert "return" in [item["kind"] for item in inbox.json()["items"]]
    redispatched = await centre.act(
        order["id"], "dispatch", "supervisor", department_id=centre.ids["dept_b"]
    )
    assert redispatched["status"] == "dispatched"


async def test_extension_approved_moves_the_deadline_and_refusal_does_not(
    centre: Centre,
) -> None:
    order = await centre.dispatched()
    oid = order["id"]
    await centre.act(oid, "acknowledge", "specialist_a")
    before = order["resolve_due_at"]
    await centre.act(
        oid, "request_extension", "specialist_a", reason="waiting for a ruling", amount="2 days"
    )
    approved = await centre.act(oid, "approve_extension", "supervisor")
    assert approved["granted_extensions"] == ["2 working days"]
    assert approved["resolve_due_at"] == "2026-03-06T09:00:00Z"
    assert approved["resolve_due_at"] != before
    assert approved["deadline_version"] > order["deadline_version"]

    await centre.act(oid, "request_extension", "specialist_a", reason="again", amount="1 day")
    refused = await centre.act(oid, "refuse_extension", "supervisor", reason="no")
    assert refused["resolve_due_at"] == approved["resolve_due_at"]
    assert refused["extension_requested"] is None


async def test_merge_folds_a_duplicate_into_the_kept_order(centre: Centre) -> None:
    kept = await centre.create()
    duplicate = await centre.create(subject="Same question, second call")
    merged = await centre.act(duplicate["id"], "merge", "supervisor", into=kept["id"])
    assert merged["status"] == "merged"
    assert merged["merged_into"] == kept["id"]
    assert merged["resolve_due_at"] is None
    history = (await centre.get(kept["id"]))["history"]
    assert history[-1]["action"] == "duplicate_merged"
    assert history[-1]["data"]["duplicate_id"] == duplicate["id"]


async def test_reopen_restarts_the_time_limit(centre: Centre, clock: FixedClock) -> None:
    order = await centre.dispatched()
    oid = order["id"]
    await centre.act(oid, "acknowledge", "specialist_a")
    await centre.act(oid, "resolve", "specialist_a", answer="first answer")
    clock.advance(hours=7)  # Monday 16:00 in Shanghai
    reopened = await centre.act(oid, "reopen", "supervisor", reason="the taxpayer disagrees")
    assert reopened["status"] == "in_progress"
    assert reopened["answer"] is None
    # A fresh 3 working days from Monday 16:00: Thursday 16:00.
    assert reopened["resolve_due_at"] == "2026-03-05T08:00:00Z"
