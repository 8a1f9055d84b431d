"""The talk after a blind transfer is recorded: one recording runs from the first agent's answer
through the transfer to the end of the second agent's talk, and the call (API and page) lists
the agents heard in it with the second each one starts. Through the whole service and the ARI
emulator, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from typing import Any

import httpx
import pytest

from cti.calls.controller import ControllerOptions
from cti.emulator import AgentScript, LabConfig, run_emulator
from hotline.config import RecordingSettings, Settings
from hotline.demo.runner import import_centre
from hotline.main import create_app, live_telephony
from routing import default_policy
from tests.hotline.live.test_demo_flow import (
    ARI_PASSWORD,
    PASSWORD,
    SPEED,
    _eventually,
    _taxpayer,
    _token,
)
from tests.hotline.live.test_transfer_to_queue import _agent_ids, _two_queues


def _at(entry: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(entry["at"])


async def _page(http: httpx.AsyncClient, username: str, path: str) -> httpx.Response:
    form = await http.get("/login", params={"next": path})
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    data = {"username": username, "password": PASSWORD, "csrf_token": token[1], "next": path}
    await http.post("/login", data=data)
    return await http.get(path)


@pytest.mark.asyncio
async def test_the_talk_after_a_blind_transfer_is_in_the_recording(database_url: str) -> None:
    settings = Settings(database_url=database_url, recording=RecordingSettings(mode="all"))
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)})
    policy = dataclasses.replace(default_policy(), service_hours=None)
    telephony = live_telephony(
        policy=policy, controller_options=ControllerOptions(timer_scale=SPEED)
    )
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        await import_centre(settings, _two_queues(emulator.base_url))
        ids = await _agent_ids(database_url)
        emulator.add_endpoint("PJSIP/2001", AgentScript(answer_after_s=1.0, talk_s=600.0))
        emulator.add_endpoint("PJSIP/2002", AgentScript(answer_after_s=1.0, talk_s=40.0))
        app = create_app(settings, components=[telephony])
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
        ):
            first, second = await _token(http, "agent001"), await _token(http, "agent002")
            boss = await _token(http, "boss")
            for agent in (first, second):
                await http.post("/api/v1/agent/session", json={"site": "hz"}, headers=agent)
            await http.put("/api/v1/agent/session/state", json={"state": "ready"}, headers=first)
            emulator.place_call(_taxpayer("13905710003", patience_s=600.0, survey=None))

            async def calls() -> list[dict[str, Any]]:
                items: list[dict[str, Any]] = (
                    await http.get("/api/v1/calls", headers=boss)
                ).json()["items"]
                return items

            (call,) = await _eventually(calls, lambda items: items and items[0]["answered_at"])
            moved = await http.post(
                f"/api/v1/calls/{call['id']}/transfer",
                json={"agent_id": ids["A002"]},
                headers=first,
            )
            assert moved.status_code == 202, moved.text

            async def detail() -> dict[str, Any]:
                found: dict[str, Any] = (
                    await http.get(f"/api/v1/calls/{call['id']}", headers=boss)
                ).json()
                return found

            final = await _eventually(
                detail,
                lambda d: d["recording"] is not None and d["recording"]["duration_s"] is not None,
                timeout=60.0,
            )
            played = await http.get(f"/api/v1/calls/{call['id']}/recording", headers=boss)
            page = await _page(http, "boss", f"/calls/{call['id']}")

    journal = {entry["kind"]: entry for entry in final["timeline"]}
    kinds = [entry["kind"] for entry in final["timeline"]]
    assert kinds.count("recording_started") == 1  # one recording for the whole call
    started, stopped = journal["recording_started"], journal["recording_stopped"]
    transferred, talk_ended = journal["transfer_answered"], journal["talk_ended"]
    # It was still running when the second agent took the call, and stopped only at the end
    # of the second agent's talk.
    assert _at(started) < _at(transferred) < _at(talk_ended) <= _at(stopped)
    assert talk_ended["data"]["agent_id"] == str(ids["A002"])
    recording = final["recording"]
    assert recording["duration_s"] >= (_at(talk_ended) - _at(started)).total_seconds() - 0.5
    heard = [(part["agent_id"], part["agent"]) for part in recording["parts"]]
    assert heard == [(ids["A001"], "王伟"), (ids["A002"], "李娜")]
    assert recording["parts"][0]["from_s"] == 0.0
    expected = (_at(transferred) - _at(started)).total_seconds()
    assert abs(recording["parts"][1]["from_s"] - expected) <= 0.1
    assert played.status_code == 200, played.text
    assert played.content[:4] == b"RIFF"
    assert page.status_code == 200
    parts = re.search(r'<ol id="recording-parts"[^>]*>(.*?)</ol>', page.text, re.S)
    assert parts is not None
    assert re.findall(r"<li>(\d+:\d\d) (\S+)</li>", parts[1]) == [
        ("0:00", "王伟"),
        (f"{int(expected) // 60}:{int(expected) % 60:02d}", "李娜"),
    ]
