"""A site's own callback dial template, end to end: ``hotline serve``'s telephony reads it from the
site's row and the callback reaches the taxpayer through it (a Local channel into a dialplan
context, as in a lab), presenting the site's caller id, on the emulator over HTTP and WebSocket."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest

from cti.calls.controller import ControllerOptions
from cti.emulator import AgentScript, LabConfig, TaxpayerScript, run_emulator
from hotline.config import Settings
from hotline.demo.runner import import_centre
from hotline.main import create_app, live_telephony
from routing import default_policy
from tests.hotline.live.test_demo_flow import (
    ARI_PASSWORD,
    GREETING,
    SPEED,
    _centre,
    _eventually,
    _token,
)

TAXPAYER = "13905710001"


@pytest.mark.asyncio
async def test_a_callback_dials_the_taxpayer_through_the_sites_template(database_url: str) -> None:
    settings = Settings(database_url=database_url)
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)})
    # The callback is offered after 1 s of waiting (the service's clock is the wall clock).
    base = default_policy()
    line = dataclasses.replace(base.default, callback_offer_after_s=1.0)
    policy = dataclasses.replace(
        base, service_hours=None, default=line, lines=dict.fromkeys(base.lines, line)
    )
    telephony = live_telephony(
        policy=policy, controller_options=ControllerOptions(timer_scale=SPEED)
    )
    taxpayer_legs: set[tuple[str, str]] = set()
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        centre = _centre(emulator.base_url)
        centre["sites"][0] |= {
            "callback_dial": "Local/{number}@callbacks",
            "callback_caller_id": '"Hangzhou 12366" <057112366>',
        }
        await import_centre(settings, centre)
        emulator.add_endpoint("PJSIP/2001", AgentScript(answer_after_s=1.0, talk_s=60.0))
        # Only this Local extension reaches the taxpayer: the default PJSIP/...@trunk would fail.
        emulator.add_endpoint(
            f"Local/{TAXPAYER}@callbacks", AgentScript(answer_after_s=1.0, talk_s=3.0)
        )
        app = create_app(settings, components=[telephony])
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
        ):
            agent, boss = await _token(http, "agent001"), await _token(http, "boss")
            await http.post("/api/v1/agent/session", json={"site": "hz"}, headers=agent)
            on_break = await http.put(
                "/api/v1/agent/session/state",
                json={"state": "not_ready", "reason": "break"},
                headers=agent,
            )
            assert on_break.status_code == 200, on_break.text
            emulator.place_call(
                TaxpayerScript(
                    caller_number=TAXPAYER,
                    press_on_prompt={
                        GREETING: "1",
                        "sound:hotline/line-national_tax": "1",
                        "sound:hotline/callback-offer": "1",
                    },
                    patience_s=600.0,
                )
            )

            async def calls() -> list[dict[str, Any]]:
                items: list[dict[str, Any]] = (
                    await http.get("/api/v1/calls", headers=boss)
                ).json()["items"]
                return items

            # The caller accepts the callback and hangs up; then the agent comes back.
            first = await _eventually(calls, lambda items: len(items) == 1 and items[0]["ended_at"])
            assert first[0]["outcome"] == "callback_requested"
            ready = await http.put(
                "/api/v1/agent/session/state", json={"state": "ready"}, headers=agent
            )
            assert ready.status_code == 200, ready.text

            async def dialled() -> set[tuple[str, str]]:
                taxpayer_legs.update(
                    (channel.name.rsplit("-", 1)[0], channel.caller.number)
                    for channel in emulator.core.channels.values()
                    if channel.name.startswith("Local/") and "@callbacks" in channel.name
                )
                return taxpayer_legs

            await _eventually(dialled, bool)
            await _eventually(calls, lambda items: len(items) == 2)  # the callback's record
    assert taxpayer_legs == {(f"Local/{TAXPAYER}@callbacks", "057112366")}
