"""Blind transfer to a queue through the whole service and the ARI emulator (real HTTP and
WebSocket): the national-tax agent sends the caller to the local-tax queue, goes to wrap-up,
and the local-tax agent takes the same call; bad requests are refused with the reason."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from cti.calls.controller import ControllerOptions
from cti.emulator import AgentScript, LabConfig, run_emulator
from hotline.config import Settings
from hotline.db.models import Agent
from hotline.db.session import create_engine, create_sessionmaker, transaction
from hotline.demo.runner import import_centre
from hotline.main import create_app, live_telephony
from routing import default_policy
from tests.hotline.live.test_demo_flow import (
    ARI_PASSWORD,
    PASSWORD,
    SPEED,
    _centre,
    _eventually,
    _taxpayer,
    _token,
)


def _two_queues(ari_url: str) -> dict[str, Any]:
    """The demo-flow centre plus a local-tax queue and its agent (agent002, PJSIP/2002)."""
    centre = _centre(ari_url)
    centre["skills"].append({"business_line": "local_tax", "language": "zh", "name": "地税"})
    centre["users"].append(
        {"username": "agent002", "full_name": "李娜", "roles": ["agent"], "password": PASSWORD}
    )
    centre["agents"].append(
        {
            "code": "A002",
            "name": "李娜",
            "languages": ["zh"],
            "username": "agent002",
            "skills": {"local_tax": 1},
            "endpoints": {"hz": "PJSIP/2002"},
        }
    )
    return centre


async def _agent_ids(database_url: str) -> dict[str, int]:
    engine = create_engine(database_url)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            rows = (await session.execute(select(Agent.code, Agent.id))).all()
            return {code: agent_id for code, agent_id in rows}
    finally:
        await engine.dispose()


@pytest.mark.asyncio
async def test_the_caller_ends_up_with_an_agent_of_the_new_queue(database_url: str) -> None:
    settings = Settings(database_url=database_url)
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)})
    policy = dataclasses.replace(default_policy(), service_hours=None)
    telephony = live_telephony(
        policy=policy, controller_options=ControllerOptions(timer_scale=SPEED)
    )
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        await import_centre(settings, _two_queues(emulator.base_url))
        ids = await _agent_ids(database_url)
        emulator.add_endpoint("PJSIP/2001", AgentScript(answer_after_s=1.0, talk_s=600.0))
        emulator.add_endpoint("PJSIP/2002", AgentScript(answer_after_s=1.0, talk_s=20.0))
        app = create_app(settings, components=[telephony])
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
        ):
            first, second = await _token(http, "agent001"), await _token(http, "agent002")
            boss = await _token(http, "boss")
            for agent in (first, second):
                await http.post("/api/v1/agent/session", json={"site": "hz"}, headers=agent)
            body = {"state": "ready"}
            await http.put("/api/v1/agent/session/state", json=body, headers=first)
            # No survey digit: the emulator's taxpayer keys it on the first prompt after an agent
            # leaves, which for a caller sent back to a queue is a queue announcement.
            emulator.place_call(_taxpayer("13905710001", patience_s=600.0, survey=None))

            async def calls() -> list[dict[str, Any]]:
                items: list[dict[str, Any]] = (
                    await http.get("/api/v1/calls", headers=boss)
                ).json()["items"]
                return items

            (call,) = await _eventually(calls, lambda items: items and items[0]["answered_at"])
            url = f"/api/v1/calls/{call['id']}/transfer"

            async def transfer(headers: dict[str, str], **target: Any) -> httpx.Response:
                return await http.post(url, json=target, headers=headers)

            unknown = await transfer(first, queue={"line": "local_tax", "language": "en"})
            bad_skill = await transfer(first, skill="customs.zh")
            two_targets = await transfer(first, agent_id=ids["A002"], skill="local_tax.zh")
            by_boss = await transfer(boss, skill="local_tax.zh")
            moved = await transfer(first, queue={"line": "local_tax", "language": "zh"})

            async def detail() -> dict[str, Any]:
                found: dict[str, Any] = (
                    await http.get(f"/api/v1/calls/{call['id']}", headers=boss)
                ).json()
                return found

            # The record is written behind the live state: wait for both.
            waiting = await _eventually(
                detail, lambda d: d["live_phase"] == "queue" and d["business_line"] == "local_tax"
            )
            again = await transfer(first, skill="local_tax.zh")
            session_of_first = (await http.get("/api/v1/agent/session", headers=first)).json()
            await http.put("/api/v1/agent/session/state", json=body, headers=second)
            ended = await _eventually(detail, lambda d: d["ended_at"] is not None, timeout=30.0)
            assert emulator.core.list_channels() == []

    assert unknown.status_code == 422, unknown.text
    assert unknown.json()["detail"][0]["loc"] == ["body", "queue"]
    assert bad_skill.status_code == 422
    assert bad_skill.json()["detail"][0]["loc"] == ["body", "skill"]
    assert two_targets.status_code == 422
    assert by_boss.status_code == 403
    assert moved.status_code == 202, moved.text
    assert moved.json()["action"] == "transfer_to_queue"
    assert again.status_code == 409
    assert "not in talk" in again.json()["detail"]
    assert (waiting["business_line"], waiting["agent_id"]) == ("local_tax", ids["A001"])
    assert session_of_first["status"] == "wrap_up"
    # One record: answered by the first agent, finished with the second, in the new queue.
    assert (ended["outcome"], ended["agent_id"]) == ("answered", ids["A002"])
    assert (ended["business_line"], ended["ivr_choices"]["line"]) == ("local_tax", "national_tax")
    kinds = [entry["kind"] for entry in ended["timeline"]]
    for kind in ("transfer_to_queue", "requeue", "requeued"):
        assert kinds.count(kind) == 1, kinds
    assert kinds.count("offer_answered") == 2
    assert "talk_ended" in kinds
    assert kinds.index("requeued") < len(kinds) - 1 - kinds[::-1].index("offer_answered")
    requeued = next(e for e in ended["timeline"] if e["kind"] == "requeued")
    assert requeued["data"] == {"from": str(ids["A001"]), "line": "local_tax", "language": "zh"}
