"""The agent desktop in real headless Chromium against the emulator and the live service.

One agent's day in miniature: sign in, log the phone in, go ready, an offered call pops the
caller, answer, hold, resume, hang up, file the summary, raise a work order from it; then a second
call handled with the keyboard alone (ready, answer, hold, transfer); sign out.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select

from hotline.db.models import CallSummaryRow, WorkOrderRow
from hotline.telephony import TELEPHONY_KEY
from routing import agent_view
from tests.browser import (
    HUMAN,
    PARTNER,
    PASSWORD,
    UNREACHABLE_SIP,
    VIEWPORT,
    DeskCentre,
    chromium,
    desk_centre,
)

pytestmark = pytest.mark.asyncio
WAIT_MS = 30_000  # generous: the CPU is shared; nothing here measures speed


async def _sign_in(page: Page, base_url: str) -> None:
    await page.goto(base_url + "/desk")
    assert "/login?next=/desk" in page.url
    await page.fill("#username", HUMAN)
    await page.fill("#password", PASSWORD)
    await page.press("#password", "Enter")
    await page.wait_for_url(base_url + "/desk")


async def _first_call(page: Page, centre: DeskCentre) -> None:
    # The desk started the softphone the service chose (the emulator's phone, in the demo).
    await expect(page.locator("#softphone-status")).to_have_text("软电话已就绪", timeout=WAIT_MS)
    await page.click("#phone-login")
    await expect(page.locator("#state")).to_contain_text("示忙", timeout=WAIT_MS)
    await page.click("#ready")
    await expect(page.locator("#state")).to_contain_text("空闲", timeout=WAIT_MS)

    centre.place_call("13905710001")
    await expect(page.locator("#caller-number")).to_have_text("13905710001", timeout=WAIT_MS)
    await expect(page.locator("#call-phase")).to_have_text("来电振铃")
    await expect(page.locator("#caller-region")).not_to_be_empty()

    await page.click("#answer")
    await expect(page.locator("#call-phase")).to_have_text("通话中", timeout=WAIT_MS)
    await expect(page.locator("#softphone-status")).to_have_text("通话中")  # answered there
    await page.click("#hold")
    await expect(page.locator("#call-phase")).to_have_text("保持中", timeout=WAIT_MS)
    await page.click("#hold")
    await expect(page.locator("#call-phase")).to_have_text("通话中", timeout=WAIT_MS)
    # The stream drops (here: the page reloads): the desk catches up with the call in hand.
    await page.reload()
    await expect(page.locator("#call-phase")).to_have_text("通话中", timeout=WAIT_MS)
    await expect(page.locator("#caller-number")).to_have_text("13905710001", timeout=WAIT_MS)

    await page.select_option("#summary-area", "IIT")
    await page.select_option("#summary-topic", "IIT.DEDUCT")
    await page.fill("#summary-question", "子女教育专项附加扣除怎么填报？")
    await page.fill("#kb-q", "扣除")
    await page.locator("#kb-items button").first.click()
    await expect(page.locator("#summary-answer")).not_to_be_empty()

    await page.click("#hangup")
    await expect(page.locator("#call-phase")).to_have_text("通话已结束", timeout=WAIT_MS)
    await expect(page.locator("#state")).to_contain_text("话后整理", timeout=WAIT_MS)
    # Wrap-up cannot end without the summary: the page says so, and routing holds the agent.
    await page.click("#end-wrap")
    await expect(page.locator("#notice")).to_contain_text("请先保存小结")
    assert await _pending_reason(centre) == "summary_pending"
    await page.click("#save-summary")
    await expect(page.locator("#notice")).to_contain_text("小结已保存", timeout=WAIT_MS)
    assert await _pending_reason(centre) is None  # filing the summary lifted the hold
    await page.click("#raise-wo")
    await expect(page.locator("#wo-ref")).to_contain_text("12366-", timeout=WAIT_MS)


async def _pending_reason(centre: DeskCentre) -> str | None:
    telephony = centre.app.state.hotline.extras[TELEPHONY_KEY]
    agent_id = str(centre.agent_ids[HUMAN])
    view = await telephony.acd.read(lambda state, _now: agent_view(state, agent_id))
    return view.pending_reason  # type: ignore[no-any-return]


async def _second_call_by_keyboard(page: Page, centre: DeskCentre) -> None:
    await page.locator("body").focus()
    await page.keyboard.press("Alt+r")
    await expect(page.locator("#state")).to_contain_text("空闲", timeout=WAIT_MS)
    centre.place_call("13905710002")
    await expect(page.locator("#caller-number")).to_have_text("13905710002", timeout=WAIT_MS)
    await page.keyboard.press("Alt+a")
    await expect(page.locator("#call-phase")).to_have_text("通话中", timeout=WAIT_MS)
    await page.keyboard.press("Alt+h")
    await expect(page.locator("#call-phase")).to_have_text("保持中", timeout=WAIT_MS)
    await page.keyboard.press("Alt+h")
    await expect(page.locator("#call-phase")).to_have_text("通话中", timeout=WAIT_MS)
    await page.keyboard.press("Alt+t")
    await page.keyboard.type(str(centre.agent_ids[PARTNER]))
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    # The partner's phone answers by itself: the call leaves this desk.
    await expect(page.locator("#call-phase")).to_have_text("通话已结束", timeout=WAIT_MS)


async def test_an_agent_takes_calls_on_the_desktop(tmp_path: Path) -> None:
    async with desk_centre(tmp_path / "desk.db") as centre, chromium() as browser:
        page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        await _sign_in(page, centre.base_url)
        await _first_call(page, centre)
        await _second_call_by_keyboard(page, centre)
        await page.click("#logout")
        await page.wait_for_url(centre.base_url + "/login")

        async with centre.app.state.hotline.sessionmaker() as session:
            summary = await session.scalar(select(CallSummaryRow))
            order = await session.scalar(select(WorkOrderRow))
        assert summary is not None
        assert (summary.topic_code, summary.result) == ("IIT.DEDUCT", "work_order")
        # The demo centre imports the sample knowledge base (examples/kb): a real article.
        assert summary.kb_articles[0]["id"].startswith("kb-")
        assert order is not None
        assert (order.call_id, order.call_summary_id) == (summary.call_id, str(summary.id))
        assert order.taxpayer_phone == "13905710001"


async def test_a_softphone_that_cannot_register_sets_the_agent_not_ready_and_says_why(
    tmp_path: Path,
) -> None:
    async with desk_centre(tmp_path / "desk.db", softphone=UNREACHABLE_SIP) as centre:
        await centre.give_softphone(HUMAN)
        # The agent is logged in and ready before the page opens: offers could come at once.
        async with httpx.AsyncClient(base_url=centre.base_url, timeout=30) as http:
            token = await http.post(
                "/api/v1/auth/token", data={"username": HUMAN, "password": PASSWORD}
            )
            me = {"Authorization": f"Bearer {token.json()['access_token']}"}
            await http.post("/api/v1/agent/session", json={"site": "hz"}, headers=me)
            ready = await http.put(
                "/api/v1/agent/session/state", json={"state": "ready"}, headers=me
            )
            assert ready.json()["status"] == "idle"
            async with chromium() as browser:
                page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
                await _sign_in(page, centre.base_url)
                await expect(page.locator("#phone-down")).to_contain_text(
                    "无法连接 SIP 服务器", timeout=WAIT_MS
                )
                await expect(page.locator("#state")).to_contain_text("技术故障", timeout=WAIT_MS)
                session_now = (await http.get("/api/v1/agent/session", headers=me)).json()
                assert (session_now["status"], session_now["reason"]) == ("not_ready", "technical")
                # Ready is refused while the phone is down (Alt+R too), with the reason on the page.
                await expect(page.locator("#ready")).to_be_disabled()
                await page.keyboard.press("Alt+r")
                await expect(page.locator("#notice")).to_contain_text("软电话无法注册")
                session_now = (await http.get("/api/v1/agent/session", headers=me)).json()
                assert session_now["status"] == "not_ready"
