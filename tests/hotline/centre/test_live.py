"""Publishing while calls are up, through the whole service and the ARI emulator (real HTTP and
WebSocket): a caller waiting under the old stages is routed at once under the new ones; a caller
in the IVR keeps the menu it was given (its digit means what it meant when the call arrived)."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import httpx
import pytest

from cti.calls.controller import ControllerOptions
from cti.emulator import AgentScript, LabConfig, TaxpayerScript, run_emulator
from hotline.centre import store
from hotline.centre.files import parse_data
from hotline.clock import utc_now
from hotline.config import Settings
from hotline.db.session import create_engine, create_sessionmaker
from hotline.demo.runner import import_centre
from hotline.main import create_app, live_telephony
from routing import default_policy
from tests.hotline.live.test_demo_flow import ARI_PASSWORD, PASSWORD, SPEED, _eventually, _token

from .helpers import example


def _centre(ari_url: str) -> dict[str, Any]:
    """A001 national tax specialist; A002 local tax specialist and national tax elective (3)."""
    person = {"roles": ["agent"], "password": PASSWORD}
    return {
        "version": 1,
        "sites": [{"code": "hz", "name": "Hangzhou", "ari_url": ari_url,
                   "ari_username": "hotline", "ari_password": ARI_PASSWORD}],
        "skills": [
            {"business_line": "national_tax", "language": "zh", "name": "国税"},
            {"business_line": "local_tax", "language": "zh", "name": "地税"},
        ],
        "users": [
            {"username": "agent001", "full_name": "王伟", **person},
            {"username": "agent002", "full_name": "李娜", **person},
            {"username": "admin", "full_name": "Admin", "roles": ["admin", "supervisor"],
             "password": PASSWORD},
        ],
        "agents": [
            {"code": "A001", "name": "王伟", "languages": ["zh"], "username": "agent001",
             "skills": {"national_tax": 1}, "endpoints": {"hz": "PJSIP/2001"}},
            {"code": "A002", "name": "李娜", "languages": ["zh"], "username": "agent002",
             "skills": {"national_tax": 3, "local_tax": 1}, "endpoints": {"hz": "PJSIP/2002"}},
        ],
    }  # fmt: skip


def _document(stages: list[dict[str, Any]], national_tax_digit: str) -> dict[str, Any]:
    """Two lines in Chinese; only the stages and the digits of the line menu vary."""
    data = copy.deepcopy(example())
    data["lines"] = ["national_tax", "local_tax"]
    data["languages"] = ["zh"]
    data["unserved"] = []
    data["routing"]["default"].update(
        stages=stages, callback_offer_after_s=None, max_wait_s=None, announce_every_s=None
    )
    other = "2" if national_tax_digit == "1" else "1"
    ivr = data["ivr"]
    ivr.update(languages=[], digit_timeout_s=60)
    ivr["lines"] = [
        {"digit": national_tax_digit, "line": "national_tax", "prompt": "line-national_tax"},
        {"digit": other, "line": "local_tax", "prompt": "line-local_tax"},
    ]
    return data


SPECIALISTS_ONLY = _document([{"after_s": 0, "max_level": 1}], national_tax_digit="1")
EVERYONE_AND_SWAPPED_DIGITS = _document([{"after_s": 0, "max_level": 3}], national_tax_digit="2")


async def _publish_first(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            config = parse_data(SPECIALISTS_ONLY, "v1")
            publication = store.Publication(config, "", "specialists only", "test", None)
            await store.publish(session, publication, now=utc_now())
            await session.commit()
    finally:
        await engine.dispose()


def _caller(number: str, press_delay_s: float = 1.0) -> TaxpayerScript:
    # "1" is national tax under the first version, local tax under the second.
    return TaxpayerScript(
        caller_number=number,
        press_on_prompt={"sound:hotline/line-national_tax": "1"},
        press_delay_s=press_delay_s,
        patience_s=3000.0,
    )


@pytest.mark.asyncio
async def test_publish_while_callers_wait_and_choose(database_url: str) -> None:
    settings = Settings(database_url=database_url)
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)})
    telephony = live_telephony(
        policy=dataclasses.replace(default_policy(), service_hours=None),
        controller_options=ControllerOptions(timer_scale=SPEED),
        always_open=True,
        config_poll_s=600.0,  # only the publish's own wake-up can apply the new version in time
    )
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        await import_centre(settings, _centre(emulator.base_url))
        await _publish_first(database_url)
        emulator.add_endpoint("PJSIP/2001", AgentScript(answer_after_s=1.0, talk_s=6000.0))
        emulator.add_endpoint("PJSIP/2002", AgentScript(answer_after_s=1.0, talk_s=6000.0))
        app = create_app(settings, components=[telephony])
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
        ):
            admin = await _token(http, "admin")
            for name in ("agent001", "agent002"):
                agent = await _token(http, name)
                await http.post("/api/v1/agent/session", json={"site": "hz"}, headers=agent)
                await http.put(
                    "/api/v1/agent/session/state", json={"state": "ready"}, headers=agent
                )

            async def calls() -> list[dict[str, Any]]:
                page = await http.get("/api/v1/calls?sort=arrived_at", headers=admin)
                items: list[dict[str, Any]] = page.json()["items"]
                return items

            async def detail(call_id: int) -> dict[str, Any]:
                found: dict[str, Any] = (
                    await http.get(f"/api/v1/calls/{call_id}", headers=admin)
                ).json()
                return found

            # The first caller talks to A001 for the whole test; the second waits for a
            # specialist that never comes: A002 is only an elective of national tax.
            emulator.place_call(_caller("13905710001"))
            (first,) = await _eventually(calls, lambda items: items and items[0]["answered_at"])
            emulator.place_call(_caller("13905710002"))
            (_, second) = await _eventually(calls, lambda items: len(items) == 2)
            waiting = await _eventually(
                lambda: detail(second["id"]), lambda d: d["live_phase"] == "queue"
            )
            assert waiting["agent_id"] is None
            # The third caller arrives and is in the IVR when the new version is published; it
            # presses "1" two seconds (40 emulated) into the line menu.
            emulator.place_call(_caller("13905710003", press_delay_s=40.0))
            (*_, third) = await _eventually(calls, lambda items: len(items) == 3)
            in_ivr = await detail(third["id"])
            assert in_ivr["live_phase"] == "ivr"

            published = await http.post(
                "/api/v1/config/versions",
                json={"document": EVERYONE_AND_SWAPPED_DIGITS, "reason": "let electives in",
                      "base_version": 1},
                headers=admin,
            )  # fmt: skip
            assert published.status_code == 201, published.text

            routed = await _eventually(
                lambda: detail(second["id"]), lambda d: d["answered_at"] is not None
            )
            chose = await _eventually(
                lambda: detail(third["id"]), lambda d: d["business_line"] is not None
            )
            service = app.state.hotline.extras["telephony"]
            assert service.config_version == 2
            assert emulator.core.list_channels()  # nobody was cut off

    ids = {d["agent_id"] for d in (first, routed)}
    assert len(ids) == 2  # the second caller went to the other agent (A002, the elective)
    # Under the new menu "1" is local tax: the caller kept the menu it was given on arrival.
    assert chose["business_line"] == "national_tax"
    assert chose["ivr_choices"]["line"] == "national_tax"
