"""Listen from the floor with the supervisor's own phone, in real headless Chromium against the
emulator and the live service.

A supervisor without an agent phone gives the phone to ring in the floor's field (kept for them
by the service); Listen on a talking agent rings that phone into the call; the floor lists the
monitor (who, how, which call, since when); after a reload the field and the monitor are still
there, read back from the database; Stop ends it and the list empties.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import expect

from cti.emulator import AgentScript
from tests.browser import PARTNER, PASSWORD, VIEWPORT, chromium, desk_centre
from tests.hotline.live.test_monitor_api import _monitor_legs

pytestmark = pytest.mark.asyncio
WAIT_MS = 30_000  # generous: the CPU is shared; nothing here measures speed
SUPERVISOR_PHONE = "PJSIP/8001"


async def test_a_supervisor_listens_with_the_phone_given_on_the_floor(tmp_path: Path) -> None:
    async with desk_centre(tmp_path / "floor.db") as centre, chromium() as browser:
        centre.emulator.add_endpoint(SUPERVISOR_PHONE, AgentScript(answer_after_s=1.0))
        page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        await page.goto(centre.base_url + "/login")
        await page.fill("#username", "supervisor")
        await page.fill("#password", PASSWORD)
        await page.press("#password", "Enter")
        await page.wait_for_url(centre.base_url + "/floor")
        await expect(page.locator("#stream")).to_have_text("实时", timeout=WAIT_MS)

        # No agent phone and nothing given yet: the field is empty. A malformed phone is refused
        # by the form itself; a good one is kept.
        phone = page.locator("#monitor-phone")
        await expect(phone).to_have_value("")
        await phone.fill("8001")
        await page.click("#monitor-phone-save")
        assert await phone.evaluate("(e) => e.validity.valid") is False
        await expect(page.locator("#notice")).to_be_hidden()
        await phone.fill(SUPERVISOR_PHONE)
        await page.click("#monitor-phone-save")
        await expect(page.locator("#notice")).to_have_text(f"已保存：监听将呼叫 {SUPERVISOR_PHONE}")

        # The partner (whose phone answers by itself) is made ready from the floor, then called.
        row = page.locator(f"#agent-{centre.agent_ids[PARTNER]}")
        await row.locator(".act-ready").click()
        await page.click("#confirm-ok")
        await expect(row.locator(".state")).to_have_text("空闲", timeout=WAIT_MS)
        centre.place_call("13905710021")
        await expect(row.locator(".state")).to_have_text("通话中", timeout=WAIT_MS)
        await row.locator(".act-listen").click()
        await expect(page.locator("#confirm-text")).to_contain_text("监听坐席")
        await page.click("#confirm-ok")
        await expect(page.locator("#notice")).to_have_text(
            re.compile(r"监听中：通话 #\d+"), timeout=WAIT_MS
        )
        call_id = (await row.locator("a[href^='/calls/']").text_content() or "").lstrip("#")
        monitors = page.locator("#monitors li")
        await expect(monitors).to_have_count(1)
        await expect(monitors.first).to_contain_text(f"值班班长 监听通话 #{call_id}")
        await expect(monitors.first).to_contain_text(SUPERVISOR_PHONE)
        # For whoever reviews the page (kept with the test's temporary files).
        await page.screenshot(path=str(tmp_path / "floor-monitoring.png"), full_page=True)
        # The supervisor's phone answered and sits in the monitor's bridge with the snoop.
        for _ in range(100):
            _, bridges = _monitor_legs(centre.emulator)
            if bridges and len(bridges[0]) == 2:
                break
            await page.wait_for_timeout(100)
        assert bridges
        assert len(bridges[0]) == 2

        # A reload reads the phone and the running monitor back from the service.
        await page.reload()
        await expect(page.locator("#stream")).to_have_text("实时", timeout=WAIT_MS)
        await expect(page.locator("#monitor-phone")).to_have_value(SUPERVISOR_PHONE)
        await expect(page.locator("#monitoring")).to_contain_text(f"通话 #{call_id}")
        await expect(page.locator("#monitors li")).to_have_count(1)

        await page.click("#monitor-stop")
        await expect(page.locator("#notice")).to_contain_text(f"已结束对通话 #{call_id} 的监听")
        await expect(page.locator("#monitors li")).to_have_count(0, timeout=WAIT_MS)
        await expect(page.locator("#monitoring")).to_be_hidden()
        for _ in range(100):
            if _monitor_legs(centre.emulator) == ([], []):
                break
            await page.wait_for_timeout(100)
        assert _monitor_legs(centre.emulator) == ([], [])
