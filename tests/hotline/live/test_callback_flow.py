"""A callback whose taxpayer is not reached, through the whole service and the ARI emulator.

Issue 10's lab case: the agent answered, the taxpayer's leg failed, and routing was never told;
the agent stayed reserved, ``/queues`` showed the callback waiting with nobody on the line, and
it was dialled again at once. Here the taxpayer's phone fails the way Asterisk reports it (busy,
no answer, no such endpoint); the agent must be free at once, one attempt spent, and the
callback due again only after the retry pause.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from cti.calls.controller import ControllerOptions
from cti.emulator import AgentScript, LabConfig, run_emulator
from hotline.config import Settings
from hotline.db.models import Callback
from hotline.db.session import create_engine, create_sessionmaker, transaction
from hotline.demo.runner import import_centre
from hotline.main import create_app, live_telephony
from hotline.telephony.callbacks import DEFAULT_RETRY
from routing import Policy, default_policy
from tests.hotline.live.test_demo_flow import (
    ARI_PASSWORD,
    SPEED,
    _centre,
    _eventually,
    _taxpayer,
    _token,
)

NUMBER = "13905710003"
TAXPAYER_PHONES: dict[str, AgentScript | None] = {
    "busy": AgentScript(behaviour="busy", answer_after_s=1.0),
    "no_answer": AgentScript(behaviour="no_answer"),
    "unreachable": None,  # no such endpoint: Asterisk answers 500 "Allocation failed"
}


async def _callback(database_url: str) -> Callback | None:
    engine = create_engine(database_url)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            return (await session.scalars(select(Callback))).one_or_none()
    finally:
        await engine.dispose()


@pytest.mark.asyncio
@pytest.mark.parametrize("phone", list(TAXPAYER_PHONES))
async def test_a_taxpayer_not_reached_frees_the_agent_and_waits_for_the_retry(
    database_url: str, phone: str
) -> None:
    settings = Settings(database_url=database_url)
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)})
    # Routing runs on the real clock: offer the callback after one second in line.
    line = dataclasses.replace(
        default_policy().default, callback_offer_after_s=1.0, announce_every_s=None
    )
    policy = Policy(default=line, lines={"national_tax": line})
    telephony = live_telephony(
        policy=policy,
        controller_options=ControllerOptions(
            timer_scale=SPEED, trunk_endpoint="PJSIP/{number}@trunk"
        ),
    )
    # Waits for the callback offer, takes it, and hangs up.
    caller = dataclasses.replace(_taxpayer(NUMBER, patience_s=3000.0, survey=None))
    caller.press_on_prompt["sound:hotline/callback-offer"] = "1"
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        await import_centre(settings, _centre(emulator.base_url))
        emulator.add_endpoint("PJSIP/2001", AgentScript(answer_after_s=1.0))
        script = TAXPAYER_PHONES[phone]
        if script is not None:
            emulator.add_endpoint(f"PJSIP/{NUMBER}@trunk", script)
        app = create_app(settings, components=[telephony])
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
        ):
            agent, boss = await _token(http, "agent001"), await _token(http, "boss")

            async def state(value: str, reason: str | None = None) -> None:
                body = {"state": value, **({"reason": reason} if reason else {})}
                response = await http.put("/api/v1/agent/session/state", json=body, headers=agent)
                assert response.status_code == 200, response.text

            await http.post("/api/v1/agent/session", json={"site": "hz"}, headers=agent)
            await state("not_ready", "break")  # the caller waits, is offered a callback
            emulator.place_call(caller)
            owed = await _eventually(
                lambda: _callback(database_url), lambda row: row is not None, timeout=30.0
            )
            assert (owed.status, owed.attempts) == ("pending", 0)

            await state("ready")  # routing offers the callback: agent, then taxpayer
            tried = await _eventually(
                lambda: _callback(database_url), lambda row: row.attempts == 1, timeout=30.0
            )
            after = datetime.now(UTC)

            async def session() -> dict[str, Any]:
                body: dict[str, Any] = (
                    await http.get("/api/v1/agent/session", headers=agent)
                ).json()
                return body

            freed = await _eventually(session, lambda body: body["status"] == "idle")
            queues = (await http.get("/api/v1/queues", headers=boss)).json()
            # A break and back does not bring the callback back before its retry time.
            await state("not_ready", "break")
            await state("ready")
            queues_after = (await http.get("/api/v1/queues", headers=boss)).json()
            again = await _callback(database_url)
            # The taxpayer's caller leg hangs up after its goodbye prompt, in its own time.

            async def channels() -> list[Any]:
                return emulator.core.list_channels()

            await _eventually(channels, lambda left: left == [])

    assert freed["status"] == "idle"
    assert [q["waiting"] for q in queues] == [0]
    assert [q["waiting"] for q in queues_after] == [0]
    assert tried.status == "pending"
    assert tried.next_attempt_at is not None
    due = tried.next_attempt_at.replace(tzinfo=tried.next_attempt_at.tzinfo or UTC)
    pause = timedelta(seconds=DEFAULT_RETRY.interval_s)
    assert after + pause - timedelta(seconds=30) <= due <= after + pause
    assert again is not None
    assert (again.status, again.attempts) == ("pending", 1)
