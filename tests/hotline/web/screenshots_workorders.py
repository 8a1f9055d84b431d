"""The work-order console's screenshots (run by ``./dev screenshots`` through screenshots.py, or
alone: ``./dev python -m tests.hotline.web.screenshots_workorders [folder]``).

The specialist's inbox with deadlines in every band, an order's page with its history and
deadline trail, and the supervisor's overdue filter, in zh-CN and en at 1366x768.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from playwright.async_api import Page, expect

from tests.browser import VIEWPORT, chromium
from tests.console_centre import ConsoleCentre, console_centre
from tests.fixtures.app import TEST_PASSWORD

WAIT_MS = 30_000


async def _orders(centre: ConsoleCentre) -> str:
    """Orders at different points of their limits; the reference of the one to show."""
    shown = await centre.order("小规模纳税人月销售额未超10万元，免征增值税如何申报？")
    await centre.act(shown["id"], "acknowledge", "spec-a")
    await centre.act(shown["id"], "start", "spec-a")
    await centre.act(
        shown["id"],
        "request_extension",
        "spec-a",
        amount="2 working days",
        reason="需征求市局货物和劳务税处意见",
    )
    await centre.order("发票开具被拒绝，要求说明理由", category="complaint", priority="urgent")
    await centre.order("个人所得税汇算清缴退税进度查询", taxpayer=1)
    await centre.order("企业所得税研发费用加计扣除口径", taxpayer=2, category="help")
    await centre.order("建议延长办税服务厅周末开放时间", category="suggestion", taxpayer=1)
    centre.clock.advance(hours=30)  # the next afternoon: some half-way, one overdue
    await centre.sign_in_api("sup")
    return str(shown["reference"])


async def _sign_in(page: Page, centre: ConsoleCentre, username: str) -> None:
    await page.context.clear_cookies()
    await page.goto(f"{centre.base_url}/login")
    await page.fill("#username", username)
    await page.fill("#password", TEST_PASSWORD)
    await page.press("#password", "Enter")
    await page.wait_for_load_state()


async def shoot_workorders(out: Path) -> list[Path]:
    written = []
    with tempfile.TemporaryDirectory() as folder:
        async with console_centre(Path(folder) / "shots.db") as centre, chromium() as browser:
            reference = await _orders(centre)
            page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
            shots = (
                ("spec-a", "/workorders", "workorders-inbox"),
                ("spec-a", f"/workorders/{reference}", "workorders-order"),
                ("sup", f"/workorders/{reference}", "workorders-order-supervisor"),
                ("sup", "/workorders?overdue=1", "workorders-overdue"),
            )
            for username, url, name in shots:
                await _sign_in(page, centre, username)
                for lang in ("zh-CN", "en"):
                    await page.goto(f"{centre.base_url}/lang/{lang}?next={url}")
                    await expect(page.locator("main")).to_be_visible(timeout=WAIT_MS)
                    whole = name.startswith("workorders-order")
                    if whole:
                        await page.locator("details.woc-action").first.locator("summary").click()
                    path = out / f"{name}-{lang}.png"
                    await page.screenshot(path=str(path), full_page=whole)
                    written.append(path)
    return written


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "out/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(shoot_workorders(out)):
        print(path)


if __name__ == "__main__":
    main()
