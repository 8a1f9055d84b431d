"""Monitors are kept in the database: the floor's list shows who listens to which call since
when; a service restarted mid-monitor takes over the supervisor's legs still up on the PBX (the
supervisor keeps listening and can stop it), and the row closes with the reason when it ends.
Through the whole service and the ARI emulator, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from cti.calls.controller import ControllerOptions
from cti.emulator import AgentScript, LabConfig, run_emulator
from hotline.config import Settings
from hotline.db.models import AuditLog, CallMonitorRow
from hotline.db.session import create_engine, create_sessionmaker, transaction
from hotline.demo.runner import import_centre
from hotline.main import create_app, live_telephony
from routing import default_policy
from tests.hotline.live.test_demo_flow import (
    ARI_PASSWORD,
    SPEED,
    _centre,
    _eventually,
    _taxpayer,
    _token,
)
from tests.hotline.live.test_monitor_api import SUPERVISOR_PHONE, _monitor_legs


async def _monitor_rows(database_url: str) -> tuple[list[CallMonitorRow], list[str]]:
    engine = create_engine(database_url)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            rows = list(await session.scalars(select(CallMonitorRow)))
            actions = list(
                await session.scalars(
                    select(AuditLog.action)
                    .where(AuditLog.action.like("call_monitor_%"))
                    .order_by(AuditLog.id)
                )
            )
            return rows, actions
    finally:
        await engine.dispose()


@pytest.mark.asyncio
async def test_a_monitor_is_kept_across_a_restart_and_closed_when_stopped(
    database_url: str,
) -> None:
    settings = Settings(database_url=database_url)
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)})
    policy = dataclasses.replace(default_policy(), service_hours=None)

    def service() -> Any:
        telephony = live_telephony(
            policy=policy, controller_options=ControllerOptions(timer_scale=SPEED)
        )
        return create_app(settings, components=[telephony])

    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        await import_centre(settings, _centre(emulator.base_url))
        emulator.add_endpoint("PJSIP/2001", AgentScript(answer_after_s=1.0))
        emulator.add_endpoint(SUPERVISOR_PHONE, AgentScript(answer_after_s=1.0))

        async def legs() -> tuple[list[str], list[list[str]]]:
            return _monitor_legs(emulator)

        first = service()
        async with (
            first.router.lifespan_context(first),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=first), base_url="http://t"
            ) as http,
        ):
            agent, boss = await _token(http, "agent001"), await _token(http, "boss")
            await http.post("/api/v1/agent/session", json={"site": "hz"}, headers=agent)
            await http.put("/api/v1/agent/session/state", json={"state": "ready"}, headers=agent)
            placed = emulator.place_call(_taxpayer("13905710002", patience_s=600.0, survey=None))

            async def calls() -> list[dict[str, Any]]:
                items: list[dict[str, Any]] = (
                    await http.get("/api/v1/calls", headers=boss)
                ).json()["items"]
                return items

            (call,) = await _eventually(calls, lambda items: items and items[0]["answered_at"])
            url = f"/api/v1/calls/{call['id']}/monitor"
            # The phone given is remembered for the supervisor.
            phone_before = (await http.get("/api/v1/monitoring/phone", headers=boss)).json()
            listen = await http.post(
                url, json={"mode": "listen", "endpoint": SUPERVISOR_PHONE}, headers=boss
            )
            assert listen.status_code == 201, listen.text
            monitor_id = listen.json()["monitor_id"]
            phone_after = (await http.get("/api/v1/monitoring/phone", headers=boss)).json()
            await _eventually(legs, lambda found: bool(found[1]) and len(found[1][0]) == 2)
            whisper = await http.patch(
                f"{url}/{monitor_id}", json={"mode": "whisper"}, headers=boss
            )
            assert whisper.status_code == 200, whisper.text

            async def listed() -> list[dict[str, Any]]:
                found: list[dict[str, Any]] = (
                    await http.get("/api/v1/monitoring/monitors", headers=boss)
                ).json()
                return found

            before_restart = await _eventually(
                listed, lambda found: found and found[0]["mode"] == "whisper"
            )
            by_agent = await http.get("/api/v1/monitoring/monitors", headers=agent)
        # The service is gone; the call and the monitor's legs are still up on the PBX.
        legs_between = _monitor_legs(emulator)

        second = service()
        async with (
            second.router.lifespan_context(second),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=second), base_url="http://t"
            ) as http,
        ):
            boss = await _token(http, "boss")

            async def listed_again() -> list[dict[str, Any]]:
                found: list[dict[str, Any]] = (
                    await http.get("/api/v1/monitoring/monitors", headers=boss)
                ).json()
                return found

            async def health() -> dict[str, Any]:
                found: dict[str, Any] = (await http.get("/readyz")).json()
                return found

            # Ready once every site has resynchronised: the monitors' fate is decided by then.
            await _eventually(health, lambda h: h.get("status") == "ready", timeout=30.0)
            after_restart = await listed_again()
            legs_after_restart = _monitor_legs(emulator)
            stopped = await http.delete(f"{url}/{monitor_id}", headers=boss)
            left_over = await _eventually(legs, lambda found: found == ([], []))
            after_stop = await _eventually(listed_again, lambda found: found == [])
            emulator.core.hang_up_taxpayer(str(placed["phone_channel_id"]))

    assert phone_before == {"endpoint": None, "source": None}
    assert phone_after == {"endpoint": SUPERVISOR_PHONE, "source": "remembered"}
    assert [m["monitor_id"] for m in before_restart] == [monitor_id]
    assert before_restart[0]["call_id"] == str(call["id"])
    assert before_restart[0]["supervisor_endpoint"] == SUPERVISOR_PHONE
    assert before_restart[0]["supervisor"]  # the supervisor's name, not an id
    assert by_agent.status_code == 403
    assert legs_between[1], "the monitor's bridge went with the first service"
    assert [m["monitor_id"] for m in after_restart] == [monitor_id]
    assert after_restart[0]["mode"] == "whisper"
    assert legs_after_restart == legs_between  # taken over, not hung up
    assert stopped.status_code == 204, stopped.text
    assert left_over == ([], [])
    assert after_stop == []
    rows, actions = await _monitor_rows(database_url)
    (row,) = rows
    assert row.monitor_id == monitor_id
    assert row.ended_at is not None
    assert row.end_reason == "stopped"
    assert row.endpoint == SUPERVISOR_PHONE
    assert actions == ["call_monitor_started", "call_monitor_switched", "call_monitor_stopped"]
