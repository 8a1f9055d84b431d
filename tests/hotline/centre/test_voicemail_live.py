"""No question is lost, through the whole service and the ARI emulator (real HTTP and WebSocket):
a caller who reaches the maximum wait hears the voicemail prompt, is recorded up to the
configured length, and a work order names the recording, the number and the IVR choices; a
caller who hangs up in the middle of the message still leaves the order and the partial file."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from cti.calls.controller import ControllerOptions
from cti.emulator import LabConfig, RunningEmulator, TaxpayerScript, run_emulator
from hotline.centre import store
from hotline.centre.files import parse_data
from hotline.clock import utc_now
from hotline.config import Settings
from hotline.db.models import Callback
from hotline.db.session import create_engine, create_sessionmaker
from hotline.demo.runner import import_centre
from hotline.main import create_app, live_telephony
from routing import default_policy
from tests.hotline.live.test_demo_flow import ARI_PASSWORD, SPEED, _eventually, _token

from .helpers import example
from .test_live import _centre


def _document(max_length_s: int) -> dict[str, Any]:
    """Specialists only, nobody ready: routing gives up after 2 s (the service's own clock)."""
    data = copy.deepcopy(example())
    data["lines"] = ["national_tax", "local_tax"]
    data["languages"] = ["zh"]
    data["unserved"] = []
    data["routing"]["default"].update(
        stages=[{"after_s": 0, "max_level": 1}],
        callback_offer_after_s=None,
        max_wait_s=2,
        announce_every_s=None,
        on_max_wait="voicemail",
    )
    ivr = data["ivr"]
    ivr.update(languages=[], digit_timeout_s=60)
    ivr["lines"] = [
        {"digit": "1", "line": "national_tax", "prompt": "line-national_tax"},
        {"digit": "2", "line": "local_tax", "prompt": "line-local_tax"},
    ]
    data["diverts"]["voicemail"]["max_length_s"] = max_length_s
    return data


async def _publish(database_url: str, document: dict[str, Any]) -> None:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            config = parse_data(document, "v1")
            publication = store.Publication(config, "", "voicemail", "test", None)
            await store.publish(session, publication, now=utc_now())
            await session.commit()
    finally:
        await engine.dispose()


async def _voicemail_call(
    database_url: str, max_length_s: int, hangup_after_answer_s: float
) -> tuple[dict[str, Any], dict[str, Any], RunningEmulator]:
    """Place one caller who waits in vain; return its call, its work order, the emulator."""
    settings = Settings(database_url=database_url)
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)})
    telephony = live_telephony(
        policy=default_policy(),
        controller_options=ControllerOptions(timer_scale=SPEED),
        always_open=True,
    )
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        await import_centre(settings, _centre(emulator.base_url))
        await _publish(database_url, _document(max_length_s))
        app = create_app(settings, components=[telephony])
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
        ):
            admin = await _token(http, "admin")
            agent = await _token(http, "agent001")  # signed in, never ready
            await http.post("/api/v1/agent/session", json={"site": "hz"}, headers=agent)
            emulator.place_call(
                TaxpayerScript(
                    caller_number="13905710009",
                    press_on_prompt={"sound:hotline/line-national_tax": "1"},
                    patience_s=3000.0,
                    hangup_after_answer_s=hangup_after_answer_s,
                )
            )

            async def calls() -> list[dict[str, Any]]:
                page = await http.get("/api/v1/calls", headers=admin)
                items: list[dict[str, Any]] = page.json()["items"]
                return items

            async def orders() -> list[dict[str, Any]]:
                page = await http.get("/api/v1/workorders", headers=admin)
                items: list[dict[str, Any]] = page.json()["items"]
                return items

            (call,) = await _eventually(
                calls, lambda items: items and items[0]["ended_at"], timeout=30.0
            )
            (order,) = await _eventually(orders, lambda items: len(items) == 1)
            full = (await http.get(f"/api/v1/workorders/{order['id']}", headers=admin)).json()
            detail = (await http.get(f"/api/v1/calls/{call['id']}", headers=admin)).json()
    # The call's journal says what became of it: diverted at the maximum wait, and the order.
    # (The controller journals its own "divert" too: the service's is the one with a reason.)
    (divert,) = [e["data"] for e in detail["timeline"] if "reason" in e["data"]]
    assert divert["reason"] == "max_wait"
    assert divert["becomes"] == "work_order"
    assert divert["recording"] == f"voicemail-{call['id']}"
    filed = [e["data"] for e in detail["timeline"] if e["kind"] == "work_order"]
    assert filed == [{"reference": full["reference"]}]
    return call, full, emulator


@pytest.mark.asyncio
async def test_max_wait_becomes_a_voicemail_and_a_work_order(database_url: str) -> None:
    call, order, emulator = await _voicemail_call(database_url, 20, 3000.0)
    name = f"voicemail-{call['id']}"
    assert call["outcome"] == "diverted"
    assert emulator.core.stored_durations[name] == 20  # the configured maximum
    assert order["call_id"] == call["id"]
    assert order["taxpayer"]["phone"] == "13905710009"
    assert f"录音 recording: {name}" in order["description"]
    assert "业务线 line: national_tax" in order["description"]
    assert "line=national_tax" in order["description"]  # the IVR choices


@pytest.mark.asyncio
async def test_hanging_up_mid_message_leaves_the_order_and_the_partial_file(
    database_url: str,
) -> None:
    call, order, emulator = await _voicemail_call(database_url, 600, 200.0)
    name = f"voicemail-{call['id']}"
    assert 0 < emulator.core.stored_durations[name] < 600  # what was said, not the maximum
    assert f"录音 recording: {name}" in order["description"]


def _closed_for_hours(now: datetime) -> tuple[dict[str, Any], datetime]:
    """Hours closed at ``now`` (every day 30 minutes, three hours later in China) and the
    opening a callback asked for now must wait for."""
    china = timezone(timedelta(hours=8))
    local = now.astimezone(china)
    start = (local + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    if start.date() != local.date():
        start = start.replace(hour=1)  # past midnight: 01:00, still ahead and still closed now
    window = f"{start:%H:%M}-{start + timedelta(minutes=30):%H:%M}"
    weekly = {day: [window] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    hours = {"calendar": "weekdays", "utc_offset_hours": 8, "weekly": weekly,
             "non_working_dates": [], "extra_working_dates": [], "lines": {}}  # fmt: skip
    return hours, start.astimezone(UTC)


@pytest.mark.asyncio
async def test_after_hours_a_callback_is_due_at_the_next_opening(database_url: str) -> None:
    settings = Settings(database_url=database_url)
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)})
    document = _document(20)
    document["routing"]["default"]["on_closed"] = "callback"
    document["hours"], opening = _closed_for_hours(utc_now())
    telephony = live_telephony(
        policy=default_policy(), controller_options=ControllerOptions(timer_scale=SPEED)
    )
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        await import_centre(settings, _centre(emulator.base_url))
        await _publish(database_url, document)
        app = create_app(settings, components=[telephony])
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
        ):
            admin = await _token(http, "admin")
            emulator.place_call(
                TaxpayerScript(
                    caller_number="13905710008",
                    press_on_prompt={"sound:hotline/closed": "1"},  # "press 1 to be called back"
                )
            )

            async def calls() -> list[dict[str, Any]]:
                page = await http.get("/api/v1/calls", headers=admin)
                items: list[dict[str, Any]] = page.json()["items"]
                return items

            await _eventually(calls, lambda items: items and items[0]["ended_at"], timeout=30.0)
            service = app.state.hotline.extras["telephony"]
            await service.flush()
            engine = create_engine(database_url)
            try:
                async with create_sessionmaker(engine)() as session:
                    (callback,) = (await session.scalars(select(Callback))).all()
            finally:
                await engine.dispose()
    assert callback.number == "13905710008"
    assert callback.status == "pending"
    due = callback.next_attempt_at
    assert due is not None
    assert (due if due.tzinfo else due.replace(tzinfo=UTC)) == opening  # SQLite keeps no zone


@pytest.mark.asyncio
async def test_after_hours_the_language_asked_first_reaches_the_call_and_the_order(
    database_url: str,
) -> None:
    settings = Settings(database_url=database_url)
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)})
    document = _document(20)
    document["languages"] = ["zh", "en"]
    document["unserved"] = ["national_tax/en", "local_tax/en"]  # nobody speaks English here
    document["ivr"]["languages"] = [
        {"digit": "1", "language": "zh", "prompt": "lang-zh"},
        {"digit": "2", "language": "en", "prompt": "lang-en"},
    ]
    document["ivr"]["closed_asks_language"] = True
    document["hours"], _ = _closed_for_hours(utc_now())
    telephony = live_telephony(
        policy=default_policy(), controller_options=ControllerOptions(timer_scale=SPEED)
    )
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        await import_centre(settings, _centre(emulator.base_url))
        await _publish(database_url, document)
        app = create_app(settings, components=[telephony])
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
        ):
            admin = await _token(http, "admin")
            emulator.place_call(
                TaxpayerScript(
                    caller_number="13905710007",
                    press_on_prompt={"sound:hotline/lang-en": "2"},
                    hangup_after_answer_s=200.0,
                )
            )

            async def calls() -> list[dict[str, Any]]:
                page = await http.get("/api/v1/calls", headers=admin)
                items: list[dict[str, Any]] = page.json()["items"]
                return items

            async def orders() -> list[dict[str, Any]]:
                page = await http.get("/api/v1/workorders", headers=admin)
                items: list[dict[str, Any]] = page.json()["items"]
                return items

            (call,) = await _eventually(
                calls, lambda items: items and items[0]["ended_at"], timeout=30.0
            )
            (order,) = await _eventually(orders, lambda items: len(items) == 1)
            full = (await http.get(f"/api/v1/workorders/{order['id']}", headers=admin)).json()
            detail = (await http.get(f"/api/v1/calls/{call['id']}", headers=admin)).json()
    assert detail["language"] == "en"
    assert "语言 language: en" in full["description"]
    assert f"录音 recording: voicemail-{call['id']}" in full["description"]
    assert emulator.core.stored_durations[f"voicemail-{call['id']}"] > 0


@pytest.mark.asyncio
async def test_no_agent_for_the_language_leaves_a_voicemail_heard_in_that_language(
    database_url: str,
) -> None:
    """Open, but nobody speaks English: an English caller is diverted at once (``no_agents``)
    to the voicemail the document says, hears its prompt in English, and leaves a work order."""
    settings = Settings(database_url=database_url)
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)})
    document = _document(20)
    document["languages"] = ["zh", "en"]
    document["unserved"] = ["national_tax/en", "local_tax/en"]
    document["routing"]["default"]["on_no_agents"] = "voicemail"
    document["ivr"]["languages"] = [
        {"digit": "1", "language": "zh", "prompt": "lang-zh"},
        {"digit": "2", "language": "en", "prompt": "lang-en"},
    ]
    telephony = live_telephony(
        policy=default_policy(),
        controller_options=ControllerOptions(timer_scale=SPEED),
        always_open=True,
    )
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        await import_centre(settings, _centre(emulator.base_url))
        await _publish(database_url, document)
        app = create_app(settings, components=[telephony])
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
        ):
            admin = await _token(http, "admin")
            agent = await _token(http, "agent001")  # a Chinese agent, ready: no help in English
            await http.post("/api/v1/agent/session", json={"site": "hz"}, headers=agent)
            await http.put("/api/v1/agent/session/state", json={"state": "ready"}, headers=agent)
            emulator.place_call(
                TaxpayerScript(
                    caller_number="13905710006",
                    press_on_prompt={
                        "sound:hotline/lang-en": "2",
                        "sound:hotline/line-national_tax": "1",
                    },
                    patience_s=3000.0,
                    hangup_after_answer_s=200.0,
                )
            )

            async def calls() -> list[dict[str, Any]]:
                page = await http.get("/api/v1/calls", headers=admin)
                items: list[dict[str, Any]] = page.json()["items"]
                return items

            async def orders() -> list[dict[str, Any]]:
                page = await http.get("/api/v1/workorders", headers=admin)
                items: list[dict[str, Any]] = page.json()["items"]
                return items

            (call,) = await _eventually(
                calls, lambda items: items and items[0]["ended_at"], timeout=30.0
            )
            (order,) = await _eventually(orders, lambda items: len(items) == 1)
            full = (await http.get(f"/api/v1/workorders/{order['id']}", headers=admin)).json()
            detail = (await http.get(f"/api/v1/calls/{call['id']}", headers=admin)).json()
    (divert,) = [e["data"] for e in detail["timeline"] if "reason" in e["data"]]
    assert divert["reason"] == "no_agents"
    assert divert["becomes"] == "work_order"
    assert "语言 language: en" in full["description"]
    assert f"录音 recording: voicemail-{call['id']}" in full["description"]
    heard = [(e.media_uri, e.resolved) for e in emulator.core.played_media(caller="13905710006")]
    assert ("sound:hotline/voicemail", "en") in heard
    assert ("sound:hotline/voicemail", "zh") not in heard
