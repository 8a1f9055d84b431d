"""Supervisors' callbacks API on both databases: the list and its filters, one callback with its
attempts, reschedule and cancel with their 409/422 refusals, masking, the audit trail, and the
race between a cancel and an attempt starting (the conditional UPDATE on the state)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.calls.ports import CallKey
from hotline.db.models import AuditLog, Call, Callback
from hotline.db.session import transaction
from hotline.db.write_queue import WriteQueue
from hotline.roles import Role
from hotline.telephony import TelephonyService
from hotline.telephony.component import TELEPHONY_KEY
from hotline.telephony.recorder import Recorder
from tests.fixtures.app import FixedClock, Users
from tests.hotline.telephony.builders import SITE, Seeded, inbound, make_service, seed_directory
from tests.hotline.telephony.fakes import RecordingControl

pytestmark = pytest.mark.asyncio
NUMBER = "13905710003"


@pytest_asyncio.fixture
async def seeded(app_sessionmaker: async_sessionmaker[AsyncSession]) -> Seeded:
    return await seed_directory(app_sessionmaker)


async def _add_callback(
    maker: async_sessionmaker[AsyncSession],
    seeded: Seeded,
    callback_id: int,
    *,
    status: str = "pending",
    due: datetime | None,
    line: str = "national_tax",
    attempts: int = 0,
    at: datetime,
) -> None:
    async with transaction(maker) as session:
        session.add(
            Call(
                id=callback_id, site_id=seeded.site_id, channel_id=f"origin-{callback_id}",
                caller_number=NUMBER, arrived_at=at, outcome="callback_requested",
            )
        )  # fmt: skip
        await session.flush()
        session.add(
            Callback(
                id=callback_id, origin_call_id=callback_id, site_id=seeded.site_id,
                number=NUMBER, business_line=line, language="zh", arrived_at=at,
                requested_at=at, status=status, attempts=attempts, next_attempt_at=due,
            )
        )  # fmt: skip


async def _status(maker: async_sessionmaker[AsyncSession], callback_id: int) -> Callback:
    async with transaction(maker) as session:
        row = await session.get(Callback, callback_id)
        assert row is not None
        return row


async def test_the_list_filters_by_state_and_line_and_sorts_by_due_time(
    client: httpx.AsyncClient,
    users: Users,
    seeded: Seeded,
    clock: FixedClock,
    app_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    now = clock.now()
    await _add_callback(app_sessionmaker, seeded, 1, due=now + timedelta(hours=2), at=now)
    await _add_callback(app_sessionmaker, seeded, 2, due=now - timedelta(minutes=5), at=now)
    await _add_callback(app_sessionmaker, seeded, 3, status="failed", due=None, at=now)
    await _add_callback(
        app_sessionmaker, seeded, 4, due=now + timedelta(hours=1), line="export_refund", at=now
    )
    headers = users.headers(Role.SUPERVISOR)
    everything = (await client.get("/api/v1/callbacks", headers=headers)).json()
    assert [c["id"] for c in everything["items"]] == [2, 4, 1, 3]
    assert [c["state"] for c in everything["items"]] == ["due", "pending", "pending", "failed"]
    assert everything["items"][0]["number"] == "139****0003"
    assert everything["total"] == 4

    def ids(response: httpx.Response) -> list[int]:
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()["items"]]

    assert ids(await client.get("/api/v1/callbacks?state=pending", headers=headers)) == [4, 1]
    both = "/api/v1/callbacks?state=due&state=failed"
    assert ids(await client.get(both, headers=headers)) == [2, 3]
    line = "/api/v1/callbacks?line=export_refund"
    assert ids(await client.get(line, headers=headers)) == [4]
    window = {"from": now.isoformat(), "to": (now + timedelta(minutes=90)).isoformat()}
    assert ids(await client.get("/api/v1/callbacks", params=window, headers=headers)) == [4]
    # Pages follow `next` with the same filters and order.
    first = (await client.get("/api/v1/callbacks?limit=3", headers=headers)).json()
    assert [c["id"] for c in first["items"]] == [2, 4, 1]
    second = (await client.get(first["next"], headers=headers)).json()
    assert ([c["id"] for c in second["items"]], second["next"]) == ([3], None)

    bad = await client.get("/api/v1/callbacks?state=lost", headers=headers)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "state", 0]
    naive = await client.get("/api/v1/callbacks?from=2026-03-02", headers=headers)
    assert naive.status_code == 422
    for query, name in (("sort=-id", "sort"), ("cursor=junk", "cursor"), ("limit=501", "limit")):
        refused = await client.get(f"/api/v1/callbacks?{query}", headers=headers)
        assert refused.status_code == 422, query
        assert refused.json()["detail"][0]["loc"][-1] == name


async def test_one_callback_shows_its_attempts_and_the_number_per_role(
    client: httpx.AsyncClient,
    users: Users,
    seeded: Seeded,
    clock: FixedClock,
    app_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    now = clock.now()
    await _add_callback(app_sessionmaker, seeded, 7, due=now, attempts=1, at=now)
    async with transaction(app_sessionmaker) as session:
        session.add(
            Call(
                id=70, site_id=seeded.site_id, channel_id="callback-7-1-0", kind="callback",
                caller_number=NUMBER, arrived_at=now + timedelta(minutes=1), callback_id=7,
                agent_id=seeded.agents["a1"], outcome="failed", ended_by="busy",
            )
        )  # fmt: skip
    supervisor = await client.get("/api/v1/callbacks/7", headers=users.headers(Role.SUPERVISOR))
    assert supervisor.status_code == 200, supervisor.text
    body = supervisor.json()
    assert body["number"] == NUMBER
    [attempt] = body["attempts_history"]
    assert (attempt["call_id"], attempt["agent_name"], attempt["outcome"], attempt["cause"]) == (
        70,
        "A1",
        "failed",
        "busy",
    )
    director = await client.get("/api/v1/callbacks/7", headers=users.headers(Role.DIRECTOR))
    assert director.json()["number"] == "139****0003"
    async with transaction(app_sessionmaker) as session:
        reads = (
            await session.scalars(select(AuditLog).where(AuditLog.subject_type == "callback"))
        ).all()
    assert [(r.action, r.actor_username) for r in reads] == [
        ("personal_data_read", "supervisor-user")
    ]
    missing = await client.get("/api/v1/callbacks/999", headers=users.headers(Role.SUPERVISOR))
    assert missing.status_code == 404


async def test_reschedule_and_cancel_change_a_pending_callback_and_are_audited(
    client: httpx.AsyncClient,
    users: Users,
    seeded: Seeded,
    clock: FixedClock,
    app_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    now = clock.now()
    await _add_callback(app_sessionmaker, seeded, 1, due=now, at=now)
    await _add_callback(app_sessionmaker, seeded, 2, due=now, at=now)
    headers = users.headers(Role.SUPERVISOR)
    later = now + timedelta(hours=3)
    moved = await client.post(
        "/api/v1/callbacks/1/reschedule", json={"due_at": later.isoformat()}, headers=headers
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["state"] == "pending"
    assert datetime.fromisoformat(moved.json()["due_at"]) == later
    cancelled = await client.post(
        "/api/v1/callbacks/2/cancel", json={"reason": "taxpayer called again"}, headers=headers
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["state"] == "cancelled"
    assert (await _status(app_sessionmaker, 1)).next_attempt_at == later
    assert (await _status(app_sessionmaker, 2)).status == "cancelled"
    async with transaction(app_sessionmaker) as session:
        entries = (
            await session.scalars(
                select(AuditLog).where(AuditLog.subject_type == "callback").order_by(AuditLog.id)
            )
        ).all()
    assert [(e.action, e.subject_id) for e in entries] == [
        ("callback_rescheduled", "1"),
        ("callback_cancelled", "2"),
    ]
    assert entries[1].detail == {"reason": "taxpayer called again"}
    # The director reads but does not change.
    refused = await client.post(
        "/api/v1/callbacks/1/cancel", json={"reason": "x"}, headers=users.headers(Role.DIRECTOR)
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("due_at", "message"),
    [
        (timedelta(minutes=-1), "in the past"),
        (timedelta(days=15), "14 days"),
    ],
)
async def test_a_time_in_the_past_or_beyond_the_window_is_a_422_naming_due_at(
    client: httpx.AsyncClient,
    users: Users,
    seeded: Seeded,
    clock: FixedClock,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    due_at: timedelta,
    message: str,
) -> None:
    await _add_callback(app_sessionmaker, seeded, 1, due=clock.now(), at=clock.now())
    response = await client.post(
        "/api/v1/callbacks/1/reschedule",
        json={"due_at": (clock.now() + due_at).isoformat()},
        headers=users.headers(Role.SUPERVISOR),
    )
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", "due_at"]
    assert message in problem["msg"]


@pytest.mark.parametrize("status", ["dialling", "done", "failed", "cancelled"])
async def test_a_callback_being_dialled_or_settled_is_a_409(
    client: httpx.AsyncClient,
    users: Users,
    seeded: Seeded,
    clock: FixedClock,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    status: str,
) -> None:
    await _add_callback(app_sessionmaker, seeded, 1, status=status, due=None, at=clock.now())
    headers = users.headers(Role.SUPERVISOR)
    later = (clock.now() + timedelta(hours=1)).isoformat()
    for path, body in (("reschedule", {"due_at": later}), ("cancel", {"reason": "no longer"})):
        response = await client.post(f"/api/v1/callbacks/1/{path}", json=body, headers=headers)
        assert response.status_code == 409, (path, response.text)
        assert response.json()["error"] == "conflict"
    assert (await _status(app_sessionmaker, 1)).status == status


async def test_a_cancel_and_an_attempt_starting_at_once_exactly_one_wins(
    client: httpx.AsyncClient,
    users: Users,
    seeded: Seeded,
    clock: FixedClock,
    app_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """The engine's claim and the supervisor's cancel race on the same row, many times."""
    writes = WriteQueue(app_sessionmaker)
    writes.start()
    recorder = Recorder(app_sessionmaker, writes)
    try:
        for callback_id in range(1, 9):
            await _add_callback(
                app_sessionmaker, seeded, callback_id, due=clock.now(), at=clock.now()
            )
            claimed, cancel = await asyncio.gather(
                recorder.claim_callback(callback_id, seeded.agents["a1"], clock.now()),
                client.post(
                    f"/api/v1/callbacks/{callback_id}/cancel",
                    json={"reason": "race"},
                    headers=users.headers(Role.SUPERVISOR),
                ),
            )
            row = await _status(app_sessionmaker, callback_id)
            if claimed:
                assert (cancel.status_code, row.status) == (409, "dialling")
            else:
                assert (cancel.status_code, row.status) == (200, "cancelled")
    finally:
        await writes.stop()


@pytest_asyncio.fixture
async def service(
    app: FastAPI,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
    seeded: Seeded,
) -> AsyncIterator[tuple[TelephonyService, RecordingControl]]:
    control = RecordingControl()
    telephony = make_service(app_sessionmaker, clock, control)
    await telephony.start()
    yield telephony, control
    await telephony.stop()


async def _requested_callback(
    telephony: TelephonyService, clock: FixedClock, seeded: Seeded
) -> int:
    """A caller asks for a callback and then no agent is ready: it waits in routing."""
    director = telephony.director
    agent = seeded.agents["a1"]
    await telephony.agents.login(agent, site=SITE)
    await director.call_arrived(inbound("cb", clock.now(), number=NUMBER))
    clock.advance(seconds=8)
    await director.ivr_completed(_key("cb"), language="zh", line="national_tax")
    clock.advance(seconds=95)
    await telephony.agents.set_not_ready(agent, "break")  # runs the timers: the offer
    assert control_offers(telephony)
    await director.callback_accepted(_key("cb"))
    await director.call_finished(_key("cb"))
    await telephony.flush()
    owed = next(iter(telephony.ctx.calls.callbacks.values()))
    return int(owed)


def _key(channel: str) -> CallKey:
    return CallKey(SITE, channel)


def control_offers(telephony: TelephonyService) -> bool:
    return telephony.ctx.calls.by_key.get(_key("cb")) is not None


@pytest.mark.parametrize("engine_told", [True, False], ids=["same_process", "other_process"])
async def test_the_running_engine_never_dials_a_cancelled_callback(
    app: FastAPI,
    client: httpx.AsyncClient,
    users: Users,
    seeded: Seeded,
    clock: FixedClock,
    service: tuple[TelephonyService, RecordingControl],
    engine_told: bool,
) -> None:
    """In the same process the engine drops it at once; an engine elsewhere finds out when
    routing offers it (its claim fails) and the agent is free again."""
    telephony, control = service
    if engine_told:
        app.state.hotline.extras[TELEPHONY_KEY] = telephony
    callback_id = await _requested_callback(telephony, clock, seeded)
    response = await client.post(
        f"/api/v1/callbacks/{callback_id}/cancel",
        json={"reason": "answered by letter"},
        headers=users.headers(Role.SUPERVISOR),
    )
    assert response.status_code == 200, response.text
    await telephony.agents.set_ready(seeded.agents["a1"])
    await telephony.flush()
    assert control.named("place_callback") == []
    assert telephony.callbacks.owed(str(callback_id)) is None
    assert telephony.ctx.calls.callbacks == {}
    app.state.hotline.extras.pop(TELEPHONY_KEY, None)


async def test_a_rescheduled_callback_is_dialled_at_its_new_time(
    app: FastAPI,
    client: httpx.AsyncClient,
    users: Users,
    seeded: Seeded,
    clock: FixedClock,
    service: tuple[TelephonyService, RecordingControl],
) -> None:
    telephony, control = service
    app.state.hotline.extras[TELEPHONY_KEY] = telephony
    try:
        callback_id = await _requested_callback(telephony, clock, seeded)
        later = clock.now() + timedelta(hours=1)
        response = await client.post(
            f"/api/v1/callbacks/{callback_id}/reschedule",
            json={"due_at": later.isoformat()},
            headers=users.headers(Role.SUPERVISOR),
        )
        assert response.status_code == 200, response.text
        await telephony.agents.set_ready(seeded.agents["a1"])
        assert control.named("place_callback") == []
        clock.advance(hours=1)
        await telephony.callbacks.run_due()
        assert len(control.named("place_callback")) == 1
    finally:
        app.state.hotline.extras.pop(TELEPHONY_KEY, None)
