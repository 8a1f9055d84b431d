"""``./dev screenshots``: the login page and the agent desktop at 1366x768, in zh-CN and en.

Runs the same live centre as the browser test (emulator + service on a temporary SQLite file),
files one earlier call with a summary so the caller panel has history, then pops a second call
from the same number, answers it and fills part of the summary. Writes PNGs to
``out/screenshots/`` (or the folder given as the first argument).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from playwright.async_api import Page, expect

from tests.browser import (
    HUMAN,
    PASSWORD,
    UNREACHABLE_SIP,
    VIEWPORT,
    DeskCentre,
    chromium,
    desk_centre,
)
from tests.hotline.web.callbacks_seed import seed_callbacks

NUMBER = "13905710001"
WAIT_MS = 30_000


async def _earlier_call(page: Page, centre: DeskCentre) -> None:
    centre.place_call(NUMBER)
    await expect(page.locator("#call-phase")).to_have_text("来电振铃", timeout=WAIT_MS)
    await page.click("#answer")
    await expect(page.locator("#call-phase")).to_have_text("通话中", timeout=WAIT_MS)
    await page.select_option("#summary-area", "IIT")
    await page.select_option("#summary-topic", "IIT.DEDUCT")
    await page.fill("#summary-question", "子女教育专项附加扣除如何填报？")
    await page.fill("#summary-answer", "已告知在个税APP中填报。")
    await page.fill("#summary-taxpayer-name", "张三")
    await page.click("#hangup")
    await expect(page.locator("#call-phase")).to_have_text("通话已结束", timeout=WAIT_MS)
    await page.click("#save-summary")
    await expect(page.locator("#notice")).to_contain_text("小结已保存", timeout=WAIT_MS)
    await page.click("#raise-wo")
    await expect(page.locator("#wo-ref")).to_contain_text("12366-", timeout=WAIT_MS)
    # Filing the summary ended wrap-up: the agent is ready for the next call.


async def _shoot(out: Path) -> list[Path]:
    written = []
    with tempfile.TemporaryDirectory() as folder:
        async with desk_centre(Path(folder) / "shots.db") as centre, chromium() as browser:
            page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
            for lang in ("zh-CN", "en"):
                await page.goto(f"{centre.base_url}/lang/{lang}?next=/login")
                path = out / f"login-{lang}.png"
                await page.screenshot(path=str(path))
                written.append(path)
            await page.goto(f"{centre.base_url}/lang/zh-CN?next=/login")
            await page.fill("#username", HUMAN)
            await page.fill("#password", PASSWORD)
            await page.press("#password", "Enter")
            await page.wait_for_url(centre.base_url + "/desk")
            await page.click("#phone-login")
            await page.click("#ready")
            await expect(page.locator("#state")).to_contain_text("空闲", timeout=WAIT_MS)
            await _earlier_call(page, centre)
            await expect(page.locator("#state")).to_contain_text("空闲", timeout=WAIT_MS)
            centre.place_call(NUMBER)
            await expect(page.locator("#call-phase")).to_have_text("来电振铃", timeout=WAIT_MS)
            await expect(page.locator("#caller-history li")).to_have_count(1, timeout=WAIT_MS)
            await page.click("#answer")
            await expect(page.locator("#call-phase")).to_have_text("通话中", timeout=WAIT_MS)
            for lang in ("zh-CN", "en"):
                await page.goto(f"{centre.base_url}/lang/{lang}?next=/desk")
                await expect(page.locator("#caller-number")).to_have_text(NUMBER, timeout=WAIT_MS)
                # The softphone panel shows the call in hand once it has read its phone's state.
                await expect(page.locator("#softphone")).to_have_attribute(
                    "data-state", "talking", timeout=WAIT_MS
                )
                await page.select_option("#summary-area", "INV")
                await page.select_option("#summary-topic", "INV.RED")
                await page.fill("#summary-question", "开错的数电发票怎么处理？")
                await page.fill("#kb-q", "发票")
                await page.locator("#kb-items button").first.click()
                path = out / f"desk-{lang}.png"
                await page.screenshot(path=str(path))
                written.append(path)
    return written + await _shoot_phone_down(out) + await _shoot_callbacks(out)


async def _shoot_phone_down(out: Path) -> list[Path]:
    """The desk whose softphone cannot reach its SIP server: not ready, and the reason shown."""
    written = []
    with tempfile.TemporaryDirectory() as folder:
        async with (
            desk_centre(Path(folder) / "down.db", softphone=UNREACHABLE_SIP) as centre,
            chromium() as browser,
        ):
            await centre.give_softphone(HUMAN)
            page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
            await page.goto(f"{centre.base_url}/login")
            await page.fill("#username", HUMAN)
            await page.fill("#password", PASSWORD)
            await page.press("#password", "Enter")
            await page.wait_for_url(centre.base_url + "/desk")
            await page.click("#phone-login")
            for lang in ("zh-CN", "en"):
                await page.goto(f"{centre.base_url}/lang/{lang}?next=/desk")
                await expect(page.locator("#phone-down")).to_be_visible(timeout=WAIT_MS)
                await expect(page.locator("#state")).to_contain_text(
                    "技术故障" if lang == "zh-CN" else "Technical", timeout=WAIT_MS
                )
                path = out / f"desk-phone-down-{lang}.png"
                await page.screenshot(path=str(path))
                written.append(path)
    return written


async def _shoot_callbacks(out: Path) -> list[Path]:
    """The supervisors' callbacks page with a callback in every state, the failed one's
    attempts opened."""
    written = []
    with tempfile.TemporaryDirectory() as folder:
        async with desk_centre(Path(folder) / "cb.db") as centre, chromium() as browser:
            ids = await seed_callbacks(centre.app.state.hotline.sessionmaker)
            page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
            await page.goto(f"{centre.base_url}/login?next=/callbacks")
            await page.fill("#username", "supervisor")
            await page.fill("#password", PASSWORD)
            await page.press("#password", "Enter")
            await page.wait_for_url(centre.base_url + "/callbacks")
            for lang in ("zh-CN", "en"):
                await page.goto(f"{centre.base_url}/lang/{lang}?next=/callbacks")
                await page.locator(f"#callback-{ids[2]} summary").click()
                path = out / f"callbacks-{lang}.png"
                await page.screenshot(path=str(path))
                written.append(path)
    return written


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "out/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(_shoot(out)):
        print(path)


if __name__ == "__main__":
    main()
