"""Listen / whisper on a talking call and the recording's playback and purge, through the whole
service and the ARI emulator (real HTTP and WebSocket): the supervisor's leg is gone once the
taxpayer hangs up, an ended call is a 409, every start, switch and playback is audited."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from cti.calls.controller import ControllerOptions
from cti.calls.monitor import MONITOR_PREFIX
from cti.emulator import AgentScript, LabConfig, run_emulator
from hotline.config import RecordingSettings, Settings
from hotline.db.models import AuditLog
from hotline.db.models.call import Call
from hotline.db.session import create_engine, create_sessionmaker, transaction
from hotline.demo.runner import import_centre
from hotline.main import create_app, live_telephony
from hotline.telephony.component import TELEPHONY_KEY
from hotline.telephony.recordings import purge_expired
from hotline.telephony.service import TelephonyService
from routing import default_policy
from tests.hotline.live.test_demo_flow import (
    ARI_PASSWORD,
    SPEED,
    _centre,
    _eventually,
    _taxpayer,
    _token,
)

SUPERVISOR_PHONE = "PJSIP/8001"


def _monitor_legs(emulator: Any) -> tuple[list[str], list[list[str]]]:
    summary = emulator.core.state_summary()
    channels = [c["id"] for c in summary["channels"] if c["id"].startswith(MONITOR_PREFIX)]
    bridges = [b["channels"] for b in summary["bridges"] if b["id"].startswith(MONITOR_PREFIX)]
    return channels, bridges


async def _rows(database_url: str, call_id: int) -> tuple[Call, list[AuditLog]]:
    engine = create_engine(database_url)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            call = await session.get(Call, call_id)
            assert call is not None
            audit = (
                await session.scalars(
                    select(AuditLog)
                    .where(AuditLog.subject_id == str(call_id))
                    .order_by(AuditLog.id)
                )
            ).all()
            return call, list(audit)
    finally:
        await engine.dispose()


@pytest.mark.asyncio
async def test_listen_then_whisper_then_the_taxpayer_hangs_up(database_url: str) -> None:
    settings = Settings(database_url=database_url, recording=RecordingSettings(mode="all"))
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)})
    policy = dataclasses.replace(default_policy(), service_hours=None)
    telephony = live_telephony(
        policy=policy, controller_options=ControllerOptions(timer_scale=SPEED)
    )
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        await import_centre(settings, _centre(emulator.base_url))
        emulator.add_endpoint("PJSIP/2001", AgentScript(answer_after_s=1.0))
        emulator.add_endpoint(SUPERVISOR_PHONE, AgentScript(answer_after_s=1.0))
        app = create_app(settings, components=[telephony])
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
        ):
            agent, boss = await _token(http, "agent001"), await _token(http, "boss")
            await http.post("/api/v1/agent/session", json={"site": "hz"}, headers=agent)
            await http.put("/api/v1/agent/session/state", json={"state": "ready"}, headers=agent)
            placed = emulator.place_call(_taxpayer("13905710001", patience_s=600.0, survey=None))

            async def calls() -> list[dict[str, Any]]:
                items: list[dict[str, Any]] = (
                    await http.get("/api/v1/calls", headers=boss)
                ).json()["items"]
                return items

            (call,) = await _eventually(calls, lambda items: items and items[0]["answered_at"])
            url = f"/api/v1/calls/{call['id']}/monitor"
            no_phone = await http.post(url, json={"mode": "listen"}, headers=boss)
            by_agent = await http.post(url, json={"mode": "listen"}, headers=agent)
            bad_mode = await http.post(url, json={"mode": "shout"}, headers=boss)
            unknown = await http.post(
                "/api/v1/calls/999999/monitor", json={"mode": "listen"}, headers=boss
            )
            listen = await http.post(
                url, json={"mode": "listen", "endpoint": SUPERVISOR_PHONE}, headers=boss
            )
            assert listen.status_code == 201, listen.text
            monitor_id = listen.json()["monitor_id"]

            async def legs() -> tuple[list[str], list[list[str]]]:
                return _monitor_legs(emulator)

            await _eventually(legs, lambda found: bool(found[1]) and len(found[1][0]) == 2)
            whisper = await http.patch(
                f"{url}/{monitor_id}", json={"mode": "whisper"}, headers=boss
            )
            await _eventually(legs, lambda found: f"{monitor_id}-s2" in found[0])

            emulator.core.hang_up_taxpayer(str(placed["phone_channel_id"]))

            async def detail() -> dict[str, Any]:
                found: dict[str, Any] = (
                    await http.get(f"/api/v1/calls/{call['id']}", headers=boss)
                ).json()
                return found

            ended = await _eventually(detail, lambda d: d["ended_at"] is not None, timeout=30.0)
            left_over = await _eventually(legs, lambda found: found == ([], []))
            service = app.state.hotline.extras[TELEPHONY_KEY]
            assert isinstance(service, TelephonyService)
            await service.flush()
            final = await detail()
            too_late = await http.post(
                url, json={"mode": "listen", "endpoint": SUPERVISOR_PHONE}, headers=boss
            )
            stop_after = await http.delete(f"{url}/{monitor_id}", headers=boss)

            recording = f"/api/v1/calls/{call['id']}/recording"
            played = await http.get(recording, headers=boss)
            ranged = await http.get(recording, headers={**boss, "Range": "bytes=100-199"})
            outside = await http.get(recording, headers={**boss, "Range": "bytes=99999999-"})
            refused = await http.get(recording, headers=agent)
            assert service.supervision is not None
            row, _ = await _rows(database_url, call["id"])
            assert row.recording_started_at is not None
            engine = create_engine(database_url)
            try:
                purged = await purge_expired(
                    create_sessionmaker(engine),
                    service.supervision,
                    {row.site_id: "hz"},
                    now=row.recording_started_at + timedelta(days=181),
                    retention_days=180,
                )
            finally:
                await engine.dispose()
            gone = await http.get(recording, headers=boss)
            stored_after_purge = dict(emulator.core.stored_recordings)

    assert no_phone.status_code == 422
    assert no_phone.json()["detail"][0]["loc"] == ["body", "endpoint"]
    assert by_agent.status_code == 403
    assert bad_mode.status_code == 422
    assert unknown.status_code == 404
    assert listen.json() == {
        "monitor_id": monitor_id,
        "call_id": str(call["id"]),
        "mode": "listen",
        "supervisor_endpoint": SUPERVISOR_PHONE,
    }
    assert whisper.status_code == 200, whisper.text
    assert whisper.json()["mode"] == "whisper"
    assert left_over == ([], [])  # the supervisor's leg went with the call
    assert ended["outcome"] == "answered"
    assert too_late.status_code == 409
    assert "ended" in too_late.json()["detail"]
    assert stop_after.status_code == 404

    assert played.status_code == 200, played.text
    assert played.headers["content-type"] == "audio/wav"
    assert played.content[:4] == b"RIFF"
    assert ranged.status_code == 206
    assert ranged.headers["content-range"] == f"bytes 100-199/{len(played.content)}"
    assert ranged.content == played.content[100:200]
    assert outside.status_code == 416
    assert refused.status_code == 403
    assert purged == 1
    assert stored_after_purge == {}
    assert gone.status_code == 404
    assert "retention" in gone.json()["detail"]

    row, audit = await _rows(database_url, call["id"])
    assert row.recording_name == f"hotline-call-{call['id']}"
    assert row.recording_duration_s is not None
    assert row.recording_duration_s > 0
    assert row.recording_purged_at is not None
    assert final["recording"]["url"] == f"/api/v1/calls/{call['id']}/recording"
    assert final["recording"]["duration_s"] == row.recording_duration_s
    actions = [entry.action for entry in audit]
    assert actions.count("call_monitor_started") == 1
    assert actions.count("call_monitor_switched") == 1
    assert actions.count("call_recording_played") == 1  # the ranged request is the same playback
    journal = [entry["kind"] for entry in final["timeline"]]
    assert {"monitor_started", "monitor_switched", "recording_started", "recording_stopped"} <= set(
        journal
    )
    (monitor_end,) = [e for e in final["timeline"] if e["kind"] == "monitor_ended"]
    assert monitor_end["data"] == {"monitor_id": monitor_id, "reason": "the agent's leg is gone"}
