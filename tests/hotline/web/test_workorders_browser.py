"""The work-order console in real headless Chromium against the live service.

A specialist signs for, works and resolves an order; a liaison returns one with the keyboard
alone; a supervisor approves an extension and urges (督办) an overdue order found with the
inbox's filter; an action on an order someone changed meanwhile shows "reload", never
overwrites.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser import VIEWPORT, chromium
from tests.console_centre import ConsoleCentre, console_centre
from tests.fixtures.app import TEST_PASSWORD

pytestmark = pytest.mark.asyncio
WAIT_MS = 30_000  # generous: the CPU is shared; nothing here measures speed


async def _sign_in(page: Page, centre: ConsoleCentre, username: str, lands_on: str) -> None:
    await page.context.clear_cookies()
    await page.goto(centre.base_url + "/login")
    await page.fill("#username", username)
    await page.fill("#password", TEST_PASSWORD)
    await page.press("#password", "Enter")
    await page.wait_for_url(centre.base_url + lands_on)


async def _open(page: Page, reference: str) -> None:
    await page.click(f"a.wo-ref:text-is('{reference}')")
    await expect(page.locator("#wo-reference")).to_have_text(reference, timeout=WAIT_MS)


async def _do(page: Page, action: str, **fields: str) -> None:
    """Open the action's form, fill it, confirm, and wait for the page to show it done."""
    await page.click(f"#btn-{action}")
    for name, value in fields.items():
        await page.fill(f"#f-{action}-{name}", value)
    await page.click(f"#do-{action}")
    await expect(page.locator("#wo-done")).to_be_visible(timeout=WAIT_MS)


async def _specialist_works_an_order(page: Page, centre: ConsoleCentre, reference: str) -> None:
    await _sign_in(page, centre, "spec-a", "/workorders")
    await expect(page.locator("tr.wo-row")).not_to_have_count(0, timeout=WAIT_MS)
    await _open(page, reference)
    await expect(page.locator("#wo-status")).to_have_text("待签收")
    await _do(page, "acknowledge")
    await expect(page.locator("#wo-status")).to_have_text("已签收")
    await _do(page, "start")
    await expect(page.locator("#wo-status")).to_have_text("办理中")
    await _do(page, "resolve", answer="已电话告知：小规模纳税人月销售额10万元以下免征增值税。")
    await expect(page.locator("#wo-status")).to_have_text("已办结待回访")
    await expect(page.locator("#wo-answer")).to_contain_text("免征增值税")
    # The history names people and departments, not ids.
    await expect(page.locator("#wo-history")).to_contain_text("王芳（杭州市上城区税务局）")
    await expect(page.locator("#wo-no-actions")).to_be_visible()


async def _liaison_returns_one_by_keyboard(
    page: Page, centre: ConsoleCentre, reference: str
) -> None:
    await _sign_in(page, centre, "liaison-b", "/workorders")
    await page.goto(f"{centre.base_url}/workorders/{reference}")
    await page.focus("#btn-return")
    await page.keyboard.press("Enter")  # opens the form
    await page.keyboard.press("Tab")
    await page.keyboard.type("不属于本局管辖，请改派上城区税务局")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    # Returned, the order leaves the bureau: the liaison is back in the inbox, told so.
    await expect(page.locator("#wo-done")).to_contain_text(f"退单 · {reference}", timeout=WAIT_MS)
    history = await centre.call("GET", f"/api/v1/workorders/{reference}", "sup")
    assert history["status"] == "returned"
    assert history["history"][-1]["reason"] == "不属于本局管辖，请改派上城区税务局"


async def _supervisor_approves_and_urges(
    page: Page, centre: ConsoleCentre, extension_ref: str, overdue_ref: str
) -> None:
    await _sign_in(page, centre, "sup", "/floor")
    await page.goto(centre.base_url + "/workorders")
    await expect(page.locator("tr.wo-row")).not_to_have_count(0)
    await _open(page, extension_ref)
    await expect(page.locator("#wo-extension")).to_contain_text("2个工作日 · 王芳")
    await _do(page, "approve_extension")
    await expect(page.locator("#wo-extension")).to_have_count(0)
    await expect(page.locator("#wo-history tr[data-action=approve_extension]")).to_have_count(1)
    # The overdue filter (htmx: the list alone is replaced) finds the late order.
    await page.click("#wo-back")
    await page.check("#wo-overdue")
    await expect(page.locator("tr.wo-row")).to_have_count(1, timeout=WAIT_MS)
    await expect(page.locator("tr.wo-row .deadline.overdue")).to_have_count(1)
    assert "overdue=1" in page.url  # the filter is in the address, for the back button
    await _open(page, overdue_ref)
    await _do(page, "supervise", reason="已超期，请于今日内办结")
    await expect(page.locator("#wo-supervised")).to_be_visible()


async def _stale_action_says_reload(page: Page, centre: ConsoleCentre, order_id: str) -> None:
    await _sign_in(page, centre, "spec-a", "/workorders")
    reference = (await centre.call("GET", f"/api/v1/workorders/{order_id}", "sup"))["reference"]
    await page.goto(f"{centre.base_url}/workorders/{reference}")
    await page.click("#btn-acknowledge")
    # Meanwhile the supervisor urges it: the specialist's page is now out of date.
    await centre.act(order_id, "supervise", "sup", reason="纳税人再次来电催办")
    await page.click("#do-acknowledge")
    await expect(page.locator("#wo-stale")).to_contain_text("刷新", timeout=WAIT_MS)
    status = (await centre.call("GET", f"/api/v1/workorders/{order_id}", "sup"))["status"]
    assert status == "dispatched"  # nothing was overwritten
    await page.click("#wo-reload")
    await expect(page.locator("#wo-supervised")).to_be_visible(timeout=WAIT_MS)


async def test_the_back_office_works_orders_in_the_console(tmp_path: Path) -> None:
    async with console_centre(tmp_path / "console.db") as centre, chromium() as browser:
        worked = await centre.order("小规模纳税人免征增值税如何适用？")
        returned = await centre.order("个人所得税汇算清缴退税进度查询", taxpayer=1, to="B")
        extended = await centre.order("企业所得税研发费用加计扣除口径", taxpayer=2)
        await centre.act(extended["id"], "acknowledge", "spec-a")
        await centre.act(
            extended["id"],
            "request_extension",
            "spec-a",
            amount="2 working days",
            reason="需征求市局政策法规处意见",
        )
        late = await centre.order("发票开具被拒绝", category="complaint", priority="urgent")
        stale = await centre.order("社保费缴费基数咨询", taxpayer=1)
        # A working day later the urgent complaint (4 working hours) is overdue.
        centre.clock.advance(days=1)
        for username in ("sup", "spec-a"):
            await centre.sign_in_api(username)

        page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        await _specialist_works_an_order(page, centre, worked["reference"])
        await _liaison_returns_one_by_keyboard(page, centre, returned["reference"])
        await _supervisor_approves_and_urges(page, centre, extended["reference"], late["reference"])
        await _stale_action_says_reload(page, centre, stale["id"])
