"""Live work-order notices on back-office pages (web/notices/static/live.js) in real Chromium.

A notice written to a specialist's inbox while their inbox page is open appears at the top of
the page, linked to its order, without a reload; an agent's desktop does not listen.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.async_api import expect

from hotline.db.models import NotificationRow
from hotline.db.session import transaction
from tests.browser import VIEWPORT, chromium
from tests.console_centre import console_centre
from tests.fixtures.app import TEST_PASSWORD

pytestmark = pytest.mark.asyncio
WAIT_MS = 30_000  # generous: the CPU is shared; nothing here measures speed


async def test_a_new_notice_appears_on_the_open_page_linked_to_its_order(tmp_path: Path) -> None:
    async with console_centre(tmp_path / "notices.db") as centre, chromium() as browser:
        state = centre.app.state.hotline
        state.extras["inbox_watch_s"] = 0.1  # the poll finds rows written by "another replica"
        order = await centre.order("小规模纳税人免征增值税如何适用？")
        page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        await page.goto(centre.base_url + "/login")
        await page.fill("#username", "spec-a")
        await page.fill("#password", TEST_PASSWORD)
        await page.press("#password", "Enter")
        await page.wait_for_url(centre.base_url + "/workorders")
        strip = page.locator("#live-notices")
        await expect(strip).to_have_attribute("data-connected", "1", timeout=WAIT_MS)
        before = await strip.locator(".live-notice").count()
        message = "工单被督办：请于今日内办结 <b>不是标记</b>"
        async with transaction(state.sessionmaker) as session:
            session.add(
                NotificationRow(
                    recipient_user_id=centre.ids["spec-a"],
                    kind="supervise",
                    order_id=order["id"],
                    message=message,
                    created_at=datetime.now(UTC),
                )
            )
        notice = strip.locator(".live-notice").first
        await expect(strip.locator(".live-notice")).to_have_count(before + 1, timeout=WAIT_MS)
        link = notice.locator("a")
        await expect(link).to_have_text(message)  # shown as text, never as markup
        assert await link.get_attribute("href") == f"/workorders/{order['id']}"
        await notice.locator("button").click()
        await expect(strip.locator(".live-notice")).to_have_count(before)
