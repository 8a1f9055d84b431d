"""One call's page in real headless Chromium against the live service and the ARI emulator:
a supervisor opens a recorded call, the ``<audio>`` player loads the recording (HTTP 200 from
the API, which fetched it from the emulated Asterisk) and the playback is in the audit log; an
agent is refused the page and the audio."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Page, Response, expect
from sqlalchemy import select

from hotline.db.models import AuditLog, Site
from hotline.db.models.call import Call, CallEvent
from tests.browser import HUMAN, PASSWORD, VIEWPORT, DeskCentre, chromium, desk_centre

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
