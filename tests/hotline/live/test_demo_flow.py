"""End to end on loopback: the ARI emulator, the service with its call controller (real HTTP and
WebSocket), the API and the SSE screen pop, on SQLite and PostgreSQL.

A scripted taxpayer is answered by a scripted agent and rates the call; a second taxpayer gives up
in the queue while the agent is busy. The records, their journals, the abandon snapshot and the
screen pop are then checked through the API, as a client would.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from cti.calls.controller import ControllerOptions
from cti.emulator import AgentScript, LabConfig, TaxpayerScript, run_emulator
from hotline.config import Settings
from hotline.demo.runner import import_centre
from hotline.main import create_app, live_telephony
from hotline.telephony.menus import build_plan
from routing import default_policy
from tests.hotline.live.servers import serve_on_loopback

SPEED = 20.0  # emulated seconds per real second: scripts and ring timeouts run 20x faster
PASSWORD = "flow-test-password"
ARI_PASSWORD = "flow-test-ari"
GREETING = build_plan(open_now=True).greeting


def _centre(ari_url: str) -> dict[str, Any]:
    return {
        "version": 1,
        "sites": [
            {
                "code": "hz",
                "name": "Hangzhou",
                "ari_url": ari_url,
                "ari_username": "hotline",
                "ari_password": ARI_PASSWORD,
            }
        ],
        "skills": [{"business_line": "national_tax", "language": "zh", "name": "国税"}],
        "users": [
            {"username": "agent001", "full_name": "王伟", "roles": ["agent"], "password": PASSWORD},
            {
                "username": "boss",
                "full_name": "Boss",
                "roles": ["supervisor"],
                "password": PASSWORD,
            },
        ],
        "agents": [
            {
                "code": "A001",
                "name": "王伟",
                "languages": ["zh"],
                "username": "agent001",
                "skills": {"national_tax": 1},
                "endpoints": {"hz": "PJSIP/2001"},
            }
        ],
    }


def _taxpayer(number: str, *, patience_s: float, survey: str | None) -> TaxpayerScript:
    return TaxpayerScript(
        caller_number=number,
        press_on_prompt={GREETING: "1", "sound:hotline/line-national_tax": "1"},
        patience_s=patience_s,
        survey_digit=survey,
    )


async def _token(http: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await http.post(
        "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _sse_events(response: httpx.Response) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    event = ""
    async for line in response.aiter_lines():
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: "):
            yield event, json.loads(line.removeprefix("data: "))


async def _eventually(
    probe: Callable[[], Any], check: Callable[[Any], bool], *, timeout: float = 20.0
) -> Any:
    """Poll `probe` until `check` holds (calls finish on their own time)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await probe()
        if check(value):
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not reached in {timeout} s; last value: {value}")
        await asyncio.sleep(0.1)


@pytest.mark.asyncio
async def test_answered_and_abandoned_calls_through_the_whole_stack(database_url: str) -> None:
    settings = Settings(database_url=database_url)
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)})
    policy = dataclasses.replace(default_policy(), service_hours=None)
    telephony = live_telephony(
        policy=policy, controller_options=ControllerOptions(timer_scale=SPEED)
    )
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        await import_centre(settings, _centre(emulator.base_url))
        emulator.add_endpoint("PJSIP/2001", AgentScript(answer_after_s=2.0, talk_s=60.0))
        app = create_app(settings, components=[telephony])
        async with (
            app.router.lifespan_context(app),
            serve_on_loopback(app) as base,
            httpx.AsyncClient(base_url=base, timeout=10) as http,
        ):
            agent = await _token(http, "agent001")
            boss = await _token(http, "boss")
            readiness = (await http.get("/readyz", headers=boss)).json()  # details need a login
            assert readiness["checks"]["ari:hz"]["ok"] is True, readiness
            login = await http.post("/api/v1/agent/session", json={"site": "hz"}, headers=agent)
            assert login.status_code in (200, 201), login.text
            ready = await http.put(
                "/api/v1/agent/session/state", json={"state": "ready"}, headers=agent
            )
            assert ready.status_code == 200, ready.text
            sse_headers = {**agent, "Accept": "text/event-stream"}
            async with http.stream("GET", "/api/v1/agent/events", headers=sse_headers) as stream:
                events = _sse_events(stream)
                emulator.place_call(_taxpayer("13905710001", patience_s=120.0, survey="5"))
                kind, pop = await asyncio.wait_for(anext(events), 15)
                while kind != "offer":
                    kind, pop = await asyncio.wait_for(anext(events), 15)
                # The agent talks for 3 s of real time: the second caller queues and gives up.
                kind, _ = await asyncio.wait_for(anext(events), 15)
                while kind != "answered":
                    kind, _ = await asyncio.wait_for(anext(events), 15)
                emulator.place_call(_taxpayer("02161234567", patience_s=12.0, survey=None))
                # The agent puts the caller on hold and back, from the desktop.
                actions = f"/api/v1/calls/{pop['call_id']}"
                held = await http.post(f"{actions}/hold", headers=agent)
                assert held.status_code == 202, held.text
                assert (await http.post(f"{actions}/hold", headers=agent)).status_code == 409
                refused = await http.post(f"{actions}/hangup", headers=boss)
                assert refused.status_code == 403  # supervisors watch; they do not hang up
                await asyncio.sleep(0.2)
                unheld = await http.post(f"{actions}/unhold", headers=agent)
                assert unheld.status_code == 202, unheld.text

            async def calls() -> list[dict[str, Any]]:
                page = await http.get("/api/v1/calls", headers=boss)
                items: list[dict[str, Any]] = page.json()["items"]
                return items

            listed = await _eventually(
                calls,
                lambda items: len(items) == 2 and all(c["ended_at"] for c in items),
            )
            by_outcome = {c["outcome"]: c for c in listed}
            assert set(by_outcome) == {"answered", "abandoned_queue"}
            answered = (
                await http.get(f"/api/v1/calls/{by_outcome['answered']['id']}", headers=boss)
            ).json()
            abandoned = (
                await http.get(f"/api/v1/calls/{by_outcome['abandoned_queue']['id']}", headers=boss)
            ).json()

    # The screen pop: who calls, from where, what they chose.
    assert pop["caller_number"] == "13905710001"
    assert pop["region"] == "浙江省杭州市"
    assert pop["ivr_choices"] == {"language": "zh", "line": "national_tax"}
    assert pop["previous_calls"] == []
    # The answered call: every phase time, the agent, the survey, a journal.
    assert answered["caller_number"] == "13905710001"
    assert (answered["language"], answered["business_line"]) == ("zh", "national_tax")
    for phase in ("arrived_at", "ivr_done_at", "queued_at", "first_offered_at", "answered_at"):
        assert answered[phase] is not None, phase
    assert answered["agent_id"] is not None
    assert answered["talk_s"] > 0
    assert answered["survey_score"] == 5
    kinds = [entry["kind"] for entry in answered["timeline"]]
    assert kinds.count("hold") == kinds.count("unhold") == 1
    assert answered["hold_s"] > 0
    for kind in ("arrived", "ivr_completed", "offer_answered", "talk_ended", "call_finished"):
        assert kind in kinds, kind
    assert kinds.index("arrived") < kinds.index("offer_answered") < kinds.index("call_finished")
    # The abandoned call: its wait, and the agent who could have answered, caught talking.
    assert abandoned["region"] == "上海市"
    assert abandoned["answered_at"] is None
    assert abandoned["wait_s"] > 0
    eligible = abandoned["abandon_snapshot"]["eligible"]
    assert [(e["agent_id"], e["status"]) for e in eligible] == [
        (str(answered["agent_id"]), "on_call")
    ]
