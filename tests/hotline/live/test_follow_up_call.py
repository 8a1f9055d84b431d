"""回访 by phone through the whole service and the ARI emulator (real HTTP and WebSocket).

The person doing the follow-up signs in to the desk; ``POST /workorders/{id}/follow-up-call``
rings their phone, then the taxpayer's, and the outcome of each attempt lands in the order's
history: first the taxpayer's line is busy, then they answer and talk.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from cti.calls.controller import ControllerOptions
from cti.emulator import AgentScript, LabConfig, run_emulator
from hotline.config import Settings
from hotline.db.models import Agent, Call, Department, Site
from hotline.db.session import create_engine, create_sessionmaker, transaction
from hotline.demo.runner import import_centre
from hotline.main import create_app, live_telephony
from hotline.roles import Role
from hotline.workorders.rules import seed_year
from routing import default_policy
from tests.fixtures.app import TEST_PASSWORD, create_user
from tests.hotline.live.test_demo_flow import ARI_PASSWORD, SPEED, _centre, _eventually, _token

NUMBER = "13905710009"
TAXPAYER = {"name": "李四", "phone": NUMBER, "taxpayer_number": "91330100MA2KYYYY2Y"}


async def _prepare(database_url: str) -> int:
    """A department with a specialist, this year's working calendar, and an earlier call the
    agent took from the taxpayer (agents open work orders from their calls); its id."""
    engine = create_engine(database_url)
    try:
        maker = create_sessionmaker(engine)
        async with transaction(maker) as session:
            await seed_year(session, 2026, datetime(2026, 1, 1, tzinfo=UTC), overwrite=False)
            session.add(Department(code="A", name="Bureau A", kind="branch_bureau"))
            agent = await session.scalar(select(Agent).where(Agent.code == "A001"))
            site = await session.scalar(select(Site).where(Site.code == "hz"))
            assert agent is not None
            assert site is not None
            call = Call(
                site_id=site.id,
                channel_id="earlier-call",
                caller_number=NUMBER,
                arrived_at=datetime.now(UTC),
                agent_id=agent.id,
                language="en",  # the 回访 is made in it
            )
            session.add(call)
            await session.flush()
            call_id = call.id
        await create_user(maker, "spec-a", Role.SPECIALIST, department="A")
        return call_id
    finally:
        await engine.dispose()


async def _follow_up_calls(database_url: str) -> list[Call]:
    engine = create_engine(database_url)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            return list(await session.scalars(select(Call).where(Call.kind == "follow_up")))
    finally:
        await engine.dispose()


@pytest.mark.asyncio
async def test_follow_up_call_rings_the_person_then_the_taxpayer_and_records_the_outcome(
    database_url: str,
) -> None:
    settings = Settings(database_url=database_url)
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)})
    policy = dataclasses.replace(default_policy(), service_hours=None)
    telephony = live_telephony(
        policy=policy,
        controller_options=ControllerOptions(
            timer_scale=SPEED, trunk_endpoint="PJSIP/{number}@trunk"
        ),
    )
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        await import_centre(settings, _centre(emulator.base_url))
        earlier_call = await _prepare(database_url)
        emulator.add_endpoint("PJSIP/2001", AgentScript(answer_after_s=1.0))
        emulator.add_endpoint(
            f"PJSIP/{NUMBER}@trunk", AgentScript(behaviour="busy", answer_after_s=1.0)
        )
        app = create_app(settings, components=[telephony])
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
        ):
            agent, boss = await _token(http, "agent001"), await _token(http, "boss")
            spec_token = (
                await http.post(
                    "/api/v1/auth/token", data={"username": "spec-a", "password": TEST_PASSWORD}
                )
            ).json()["access_token"]
            spec = {"Authorization": f"Bearer {spec_token}"}
            departments = (await http.get("/api/v1/departments", headers=boss)).json()
            dept = next(d for d in _items(departments) if d["code"] == "A")["id"]

            created = await http.post(
                "/api/v1/workorders",
                json={
                    "category": "enquiry",
                    "priority": "normal",
                    "subject": "退税进度",
                    "taxpayer": TAXPAYER,
                    "call_id": earlier_call,
                },
                headers=agent,
            )
            assert created.status_code == 201, created.text
            oid = created.json()["id"]
            url = f"/api/v1/workorders/{oid}/follow-up-call"

            # Not resolved yet: no 回访.
            early = await http.post(url, headers=agent)
            assert early.status_code == 409
            assert early.json()["error"] == "wrong_state"
            assert "resolved" in early.json()["detail"]

            for action, who, body in (
                ("dispatch", boss, {"department_id": dept}),
                ("acknowledge", spec, {}),
                ("start", spec, {}),
                ("resolve", spec, {"answer": "已办理，预计五个工作日到账"}),
            ):
                done = await http.post(
                    f"/api/v1/workorders/{oid}/actions/{action}", json=body, headers=who
                )
                assert done.status_code == 200, (action, done.text)

            # Resolved, but the agent has no phone signed in.
            no_phone = await http.post(url, headers=agent)
            assert no_phone.status_code == 409
            assert no_phone.json()["error"] == "no_phone"
            assert "sign in to the desk" in no_phone.json()["detail"]
            # A specialist may not do 回访 (the lifecycle's follow-up roles).
            assert (await http.post(url, headers=spec)).status_code == 403

            signed_in = await http.post("/api/v1/agent/session", json={"site": "hz"}, headers=agent)
            assert signed_in.status_code in (200, 201), signed_in.text
            ready = await http.put(
                "/api/v1/agent/session/state", json={"state": "ready"}, headers=agent
            )
            assert ready.status_code == 200, ready.text

            async def history() -> list[dict[str, Any]]:
                detail = (await http.get(f"/api/v1/workorders/{oid}", headers=boss)).json()
                return [e for e in detail["history"] if e["action"] == "follow_up_call"]

            busy = await http.post(url, headers=agent)
            assert busy.status_code == 202, busy.text
            assert busy.json()["status"] == "dialling"
            first = await _eventually(history, lambda entries: len(entries) == 1, timeout=30)
            assert first[0]["data"]["outcome"] == "taxpayer_not_reached"
            assert first[0]["data"]["call_id"] == busy.json()["call_id"]

            async def session_status() -> str:
                body = (await http.get("/api/v1/agent/session", headers=agent)).json()
                return str(body["status"])

            # The person is free again (the hold for the call is lifted).
            await _eventually(session_status, lambda value: value == "idle", timeout=30)

            emulator.add_endpoint(
                f"PJSIP/{NUMBER}@trunk", AgentScript(answer_after_s=1.0, talk_s=40.0)
            )
            answered = await http.post(url, headers=agent)
            assert answered.status_code == 202, answered.text
            both = await _eventually(history, lambda entries: len(entries) == 2, timeout=40)
            assert both[1]["data"]["outcome"] == "talked"
            assert both[1]["data"]["talk_s"] > 0
            assert both[1]["actor"] == str(both[1]["actor"])  # the person who called
            # The order is still waiting for the satisfaction score: 回访 itself is an action.
            detail = (await http.get(f"/api/v1/workorders/{oid}", headers=boss)).json()
            assert detail["status"] == "resolved"

            async def channels() -> list[Any]:
                return emulator.core.list_channels()

            await _eventually(channels, lambda left: left == [], timeout=30)

    calls = await _follow_up_calls(database_url)
    earlier_call = await _earlier(database_url)
    assert len(calls) == 2
    assert all(call.id != earlier_call for call in calls)
    assert {call.caller_number for call in calls} == {NUMBER}
    assert {call.language for call in calls} == {"en"}  # the taxpayer's, from the earlier call


async def _earlier(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            found = await session.scalar(select(Call.id).where(Call.channel_id == "earlier-call"))
            return int(found or 0)
    finally:
        await engine.dispose()


def _items(body: Any) -> list[dict[str, Any]]:
    return list(body["items"] if isinstance(body, dict) else body)
