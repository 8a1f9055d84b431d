"""The configuration page in real headless Chromium, on the live centre (emulator + service):
paste the example, see every problem of a broken edit listed (focus moves there) in the page's
language, check, publish, compare an edit, publish it, roll back; the running service follows
each version."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser import PASSWORD, VIEWPORT, chromium, desk_centre

from .helpers import EXAMPLE

pytestmark = pytest.mark.asyncio
WAIT_MS = 30_000  # generous: the CPU is shared; nothing here measures speed


async def sign_in_as_admin(page: Page, base_url: str) -> None:
    await page.goto(base_url + "/admin/config")
    await page.fill("#username", "admin")
    await page.fill("#password", PASSWORD)
    await page.press("#password", "Enter")
    await page.wait_for_url(base_url + "/admin/config")


async def test_publish_compare_and_roll_back_from_the_page(tmp_path: Path) -> None:
    source = EXAMPLE.read_text(encoding="utf-8")
    async with desk_centre(tmp_path / "config.db") as centre, chromium() as browser:
        page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        await sign_in_as_admin(page, centre.base_url)
        await expect(page.locator("#in-force")).to_contain_text("尚未发布")

        broken = source.replace("after_s: 45", "after_s: 10").replace('digit: "2"', 'digit: "1"')
        await page.fill("#config-source", broken)
        await page.click("#config-validate")
        problems = page.locator("#config-problems li")
        await expect(problems).to_have_count(3, timeout=WAIT_MS)
        await expect(problems.first).to_have_text(
            "centre.yaml: routing.default.stages[2].after_s: 必须大于 stages[1].after_s"
        )
        await expect(page.locator("#config-problems")).to_be_focused()

        await page.fill("#config-source", source)
        await page.click("#config-validate")
        await expect(page.locator("#config-valid")).to_be_visible(timeout=WAIT_MS)
        await page.fill("#config-reason", "the demo's configuration")
        # Keyboard only: from the reason field to the publish button.
        await page.focus("#config-publish")
        await page.keyboard.press("Enter")
        await expect(page.locator("#in-force-version")).to_have_text("1", timeout=WAIT_MS)

        await page.fill("#config-source", source.replace("max_wait_s: 600", "max_wait_s: 300"))
        await page.click("#config-diff")
        row = page.locator("#config-changes tbody tr")
        await expect(row).to_have_count(1, timeout=WAIT_MS)
        await expect(row).to_contain_text("routing.default.max_wait_s")
        await page.fill("#config-reason", "shorter waits")
        await page.click("#config-publish")
        await expect(page.locator("#in-force-version")).to_have_text("2", timeout=WAIT_MS)

        await page.fill("#rollback-reason-1", "too short")
        await page.click("#rollback-1")
        await expect(page.locator("#in-force-version")).to_have_text("3", timeout=WAIT_MS)
        await expect(page.locator("#version-3")).to_contain_text("too short")
        await page.click("#version-3 a")
        await expect(page.locator("#version-diff")).to_contain_text("max_wait_s: 600")

        service = centre.app.state.hotline.extras["telephony"]
        assert service.config_version == 3
        assert service.acd.policy.default.max_wait_s == 600


async def test_the_problems_read_in_chinese_then_in_english(tmp_path: Path) -> None:
    source = EXAMPLE.read_text(encoding="utf-8")
    broken = (
        source.replace("calendar: chinese", "calendar: lunar")
        .replace("default_line: national_tax", "default_line: customs")
        .replace("closed_message: closed", "closed_message: no-such-sound")
    )
    async with desk_centre(tmp_path / "config.db") as centre, chromium() as browser:
        page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        await sign_in_as_admin(page, centre.base_url)
        await page.fill("#config-source", broken)
        await page.click("#config-validate")
        problems = page.locator("#config-problems li")
        await expect(problems).to_have_text(
            [
                "centre.yaml: hours.calendar: 未知的日历 'lunar'：应为 chinese 或 weekdays",
                "centre.yaml: ivr.default_line: 未知的业务线 'customs'（不在 lines 中）",
                "centre.yaml: ivr.closed_message: 未知的语音 'no-such-sound'",
            ],
            timeout=WAIT_MS,
        )
        await expect(page.locator("#config-problems h3")).to_have_text(
            "配置有以下问题，请逐条修改后再检查："
        )

        await page.goto(f"{centre.base_url}/lang/en?next=/admin/config")
        await page.fill("#config-source", broken)
        await page.click("#config-validate")
        await expect(problems).to_have_text(
            [
                "centre.yaml: hours.calendar: unknown calendar 'lunar': chinese or weekdays",
                "centre.yaml: ivr.default_line: unknown line 'customs' (not in lines)",
                "centre.yaml: ivr.closed_message: unknown sound 'no-such-sound'",
            ],
            timeout=WAIT_MS,
        )
        await expect(page.locator("#config-problems")).to_be_focused()
