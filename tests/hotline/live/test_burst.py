"""A burst of call starts loses no record: 100 calls begin within one second on the emulated
Asterisk, through the whole service (controller, director, database), on SQLite and PostgreSQL.

Every caller hangs up in the IVR a few emulated seconds after being answered; one of them has a
caller name far longer than its column, which must cost neither its record nor anyone else's.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import httpx
import pytest

from cti.calls.controller import ControllerOptions
from cti.emulator import LabConfig, TaxpayerScript, run_emulator
from hotline.config import Settings
from hotline.demo.runner import import_centre
from hotline.main import create_app, live_telephony
from routing import default_policy
from tests.hotline.live.test_demo_flow import ARI_PASSWORD, SPEED, _centre, _eventually, _token

CALLS = 100
LONG_NAME = "某某税务师事务所有限公司" * 30  # 360 characters; the column holds 120


@pytest.mark.asyncio
async def test_a_burst_of_a_hundred_call_starts_in_a_second_loses_no_record(
    database_url: str,
) -> None:
    settings = Settings(database_url=database_url)
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)})
    policy = dataclasses.replace(default_policy(), service_hours=None)
    telephony = live_telephony(
        policy=policy, controller_options=ControllerOptions(timer_scale=SPEED)
    )
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        await import_centre(settings, _centre(emulator.base_url))
        app = create_app(settings, components=[telephony])
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
        ):
            boss = await _token(http, "boss")
            for index in range(CALLS):
                emulator.place_call(
                    TaxpayerScript(
                        caller_number=f"1390571{index:04d}",
                        caller_name=LONG_NAME if index == 0 else "Taxpayer",
                        hangup_after_answer_s=4.0,
                    )
                )
                await asyncio.sleep(1.0 / CALLS)  # 100 starts spread over one second

            async def listed() -> dict[str, Any]:
                response = await http.get("/api/v1/calls?limit=500", headers=boss)
                body: dict[str, Any] = response.json()
                return body

            def all_closed(body: dict[str, Any]) -> bool:
                return body["total"] == CALLS and all(
                    item["outcome"] is not None for item in body["items"]
                )

            done = await _eventually(listed, all_closed, timeout=60.0)
            assert emulator.core.list_channels() == []
    outcomes = {item["outcome"] for item in done["items"]}
    assert outcomes == {"abandoned_ivr"}
    assert len({item["id"] for item in done["items"]}) == CALLS
