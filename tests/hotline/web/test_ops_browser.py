"""Ops in real headless Chromium: open the simulation page from the navigation, get a problem
named by its field, then simulate the Hangzhou weekday with yesterday's recorded traffic and read
the charts; then a staffing search and the side-by-side comparison."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser import VIEWPORT, chromium
from tests.hotline.web.ops_centre import ops_centre

pytestmark = pytest.mark.asyncio
WAIT_MS = 240_000  # generous: the CPU is shared; nothing here measures speed


async def test_ops_simulate_yesterday_and_find_the_staffing(tmp_path: Path) -> None:
    async with ops_centre(tmp_path / "ops.db") as centre, chromium() as browser:
        page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        await centre.sign_in(page)
        await page.click("nav >> text=仿真与排班")
        await page.wait_for_url(centre.base_url + "/ops")
        await expect(page.locator("#ops-source")).to_have_value(re.compile("hangzhou-weekday"))

        await page.fill("#ops-target", "eighty")
        await page.click("#ops-simulate")
        await expect(page.locator("#ops-problems")).to_contain_text(
            "target: 目标 'eighty'：应为 百分比/秒数"
        )

        await page.fill("#ops-target", "80/20")
        await page.fill("#ops-replications", "2")
        await page.check("#ops-history")
        await page.fill("#ops-days", "3")
        await page.click("#ops-simulate")
        await page.wait_for_url("**/ops/runs/*")
        await expect(page.locator("#chart-day")).to_have_attribute(
            "data-drawn", "1", timeout=WAIT_MS
        )
        await expect(page.locator("#ops-notes")).to_contain_text(
            "话务取自 2026-02-27 至 2026-03-01 中有来电的 1 天"
        )
        await expect(page.locator("#ops-intervals tbody tr")).to_have_count(16)
        await expect(page.locator("#chart-day")).to_contain_text("09:00")  # clock times on x

        await page.click("text=← 话务仿真与排班测算")
        await page.wait_for_url(centre.base_url + "/ops")
        small = page.locator("#ops-source")
        await small.fill((await small.input_value()).replace("replications: 10", "replications: 1"))
        await page.fill("#ops-replications", "1")
        await page.click("#ops-staff")
        await page.wait_for_url("**/ops/runs/*")
        await expect(page.locator("#chart-staff")).to_have_attribute(
            "data-drawn", "1", timeout=WAIT_MS
        )
        await expect(page.locator("#ops-plan tbody tr")).to_have_count(16)

        await page.goto(centre.base_url + "/ops")
        await expect(page.locator("#ops-runs tbody tr")).to_have_count(2)
        for box in await page.locator("#ops-runs tbody input[type=checkbox]").all():
            await box.check()
        await page.click("#ops-compare")
        await page.wait_for_url("**/ops/compare?*")
        await expect(page.locator("#ops-compare-table thead th")).to_have_count(3)
