"""One call's page in real headless Chromium against the live service and the ARI emulator:
a supervisor opens a recorded call, the ``<audio>`` player loads the recording (HTTP 200 from
the API, which fetched it from the emulated Asterisk) and the playback is in the audit log; an
agent is refused the page and the audio. On a live call's page the supervisor listens, then
whispers (by keyboard), then stops, each audited."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, Response, expect
from sqlalchemy import select

from cti.calls.monitor import MONITOR_PREFIX
from cti.emulator import AgentScript
from hotline.db.models import AuditLog, Site
from hotline.db.models.call import Call, CallEvent
from tests.browser import (
    HUMAN,
    PARTNER,
    PASSWORD,
    VIEWPORT,
    DeskCentre,
    chromium,
    desk_centre,
)

pytestmark = pytest.mark.asyncio
WAIT_MS = 30_000  # generous: the CPU is shared; nothing here measures speed
T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


async def recorded_call(centre: DeskCentre) -> int:
    """A finished call whose recording the emulated Asterisk stores (as the recording service
    leaves it: name, start and duration on the row, the file on the PBX)."""
    async with centre.app.state.hotline.sessionmaker() as session, session.begin():
        site_id = await session.scalar(select(Site.id).where(Site.code == "hz"))
        assert site_id is not None
        call = Call(
            site_id=site_id,
            channel_id="page-test-1",
            caller_number="13905710001",
            dialled="12366",
            business_line="national_tax",
            language="zh",
            arrived_at=T0,
            answered_at=T0 + timedelta(seconds=20),
            ended_at=T0 + timedelta(seconds=80),
            talk_s=60.0,
            outcome="answered",
            agent_id=centre.agent_ids[HUMAN],
            recording_started_at=T0 + timedelta(seconds=20),
            recording_duration_s=3.0,
        )
        session.add(call)
        await session.flush()
        call.recording_name = f"hotline-call-{call.id}"
        for seq, (kind, data) in enumerate(
            [("call_arrived", {}), ("offer_answered", {"agent_id": "1"}), ("talk_ended", {})], 1
        ):
            session.add(
                CallEvent(
                    call_id=call.id, seq=seq, at=T0 + timedelta(seconds=seq), kind=kind, data=data
                )
            )
        call_id = call.id
    centre.emulator.core.stored_recordings[f"hotline-call-{call_id}"] = "wav"
    centre.emulator.core.stored_durations[f"hotline-call-{call_id}"] = 3
    return call_id


async def live_call(centre: DeskCentre) -> int:
    """A call in talk: agent002 (a phone that answers by itself) goes ready and takes it; the
    supervisor's phone PJSIP/8001 answers by itself too."""
    centre.emulator.add_endpoint("PJSIP/8001", AgentScript(answer_after_s=0.5))
    async with httpx.AsyncClient(base_url=centre.base_url, timeout=30) as http:
        token = await http.post(
            "/api/v1/auth/token", data={"username": PARTNER, "password": PASSWORD}
        )
        agent = {"Authorization": f"Bearer {token.json()['access_token']}"}
        ready = {"state": "ready"}
        await http.put("/api/v1/agent/session/state", json=ready, headers=agent)
    centre.place_call("13905710002")

    async def answered() -> int | None:
        async with centre.app.state.hotline.sessionmaker() as session:
            found: int | None = await session.scalar(
                select(Call.id).where(Call.answered_at.is_not(None))
            )
            return found

    async def first_answered() -> int:
        while (found := await answered()) is None:
            await asyncio.sleep(0.05)
        return found

    return await asyncio.wait_for(first_answered(), WAIT_MS / 1000)


async def until(predicate: Callable[[], bool]) -> None:
    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), WAIT_MS / 1000)


async def sign_in(page: Page, base_url: str, username: str, target: str) -> None:
    await page.goto(base_url + target)
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.press("#password", "Enter")
    await page.wait_for_url(base_url + target)


async def test_a_supervisor_plays_a_recorded_call_and_an_agent_is_refused(tmp_path: Path) -> None:
    async with desk_centre(tmp_path / "page.db") as centre, chromium() as browser:
        call_id = await recorded_call(centre)
        page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        audio_url = f"{centre.base_url}/api/v1/calls/{call_id}/recording"
        async with page.expect_response(
            lambda r: r.url == audio_url and r.request.method == "GET", timeout=WAIT_MS
        ) as first:
            await sign_in(page, centre.base_url, "supervisor", f"/calls/{call_id}")
        answer: Response = await first.value
        assert answer.status in (200, 206)
        assert answer.headers["content-type"] == "audio/wav"
        # The player read the file's header: the browser knows how long it is.
        await page.wait_for_function(
            "document.querySelector('#call-recording').readyState >= 1", timeout=WAIT_MS
        )
        duration = await page.eval_on_selector("#call-recording", "a => a.duration")
        assert 2.5 < duration < 3.5
        await expect(page.locator("#call-journal")).to_contain_text("offer_answered")
        await expect(page.locator(".call-facts")).to_contain_text("139****0001")
        await page.close()

        agent = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        await sign_in(agent, centre.base_url, HUMAN, f"/calls/{call_id}")
        await expect(agent.locator("#call-refused")).to_be_visible()
        refused = await agent.request.get(audio_url)
        assert refused.status == 403
        assert await agent.locator("#call-recording").count() == 0
        await agent.close()

        async with centre.app.state.hotline.sessionmaker() as session:
            played = (
                await session.scalars(
                    select(AuditLog).where(
                        AuditLog.action == "call_recording_played",
                        AuditLog.subject_id == str(call_id),
                    )
                )
            ).all()
    assert [entry.actor_username for entry in played] == ["supervisor"]


async def test_a_supervisor_listens_then_whispers_from_a_live_calls_page(tmp_path: Path) -> None:
    async with desk_centre(tmp_path / "live.db", speed=10.0) as centre, chromium() as browser:
        call_id = await live_call(centre)
        page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        await sign_in(page, centre.base_url, "supervisor", f"/calls/{call_id}")
        await page.wait_for_function("window.monitorReady === true", timeout=WAIT_MS)
        await page.click("#monitor-listen")  # no phone of their own: the API says what to do
        await expect(page.locator("#monitor-status")).to_contain_text("endpoint", timeout=WAIT_MS)
        await page.fill("#monitor-endpoint", "PJSIP/8001")
        await page.click("#monitor-listen")
        await expect(page.locator("#monitor-status")).to_have_text(
            "正在监听：您的话机正在振铃或已接通。", timeout=WAIT_MS
        )

        def legs() -> list[list[str]]:
            bridges = centre.emulator.core.state_summary()["bridges"]
            return [b["channels"] for b in bridges if b["id"].startswith(MONITOR_PREFIX)]

        await until(lambda: bool(legs()) and len(legs()[0]) == 2)  # the phone answered
        await page.focus("#monitor-whisper")
        await page.keyboard.press("Enter")  # keyboard alone
        await expect(page.locator("#monitor-status")).to_contain_text("耳语", timeout=WAIT_MS)
        await until(lambda: any(member.endswith("-s2") for member in (legs() or [[]])[0]))
        await page.click("#monitor-stop")
        await expect(page.locator("#monitor-status")).to_have_text("未在监听。", timeout=WAIT_MS)
        await until(lambda: not legs())
        async with centre.app.state.hotline.sessionmaker() as session:
            actions = (
                await session.scalars(
                    select(AuditLog.action).where(AuditLog.subject_id == str(call_id))
                )
            ).all()
    assert [a for a in actions if a.startswith("call_monitor")] == [
        "call_monitor_started",
        "call_monitor_switched",
        "call_monitor_stopped",
    ]
