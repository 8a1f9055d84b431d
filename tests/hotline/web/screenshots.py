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
from datetime import date
from pathlib import Path
from urllib.parse import quote

import httpx
from playwright.async_api import Browser, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.browser import (
    HUMAN,
    PASSWORD,
    UNREACHABLE_SIP,
    VIEWPORT,
    DeskCentre,
    chromium,
    desk_centre,
)
from tests.fixtures.app import TEST_PASSWORD
from tests.hotline.reports.centre import DIRECTOR as REPORT_DIRECTOR
from tests.hotline.reports.centre import report_centre, seed_synthetic
from tests.hotline.reports.topics_seed import summarise_answered_calls
from tests.hotline.web.callbacks_seed import seed_callbacks
from tests.hotline.web.screenshots_workorders import shoot_workorders

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
            written += await _shoot_files_and_notices(browser, centre, out, Path(folder))
    return written + await _shoot_phone_down(out) + await shoot_workorders(out)


async def _sign_in(page: Page, base_url: str, username: str) -> None:
    await page.goto(f"{base_url}/login")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.press("#password", "Enter")
    await page.wait_for_load_state()


async def _shoot_files_and_notices(
    browser: Browser, centre: DeskCentre, out: Path, folder: Path
) -> list[Path]:
    """The attachments panel of the order raised from the earlier call (one file added), and
    the admin's notification status page."""
    written = []
    async with httpx.AsyncClient(base_url=centre.base_url, timeout=30) as http:
        token = await http.post(
            "/api/v1/auth/token", data={"username": "supervisor", "password": PASSWORD}
        )
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        orders = (await http.get("/api/v1/workorders", headers=headers)).json()["items"]
    scan = folder / "纳税人来函扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + bytes(20_000))
    page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
    await _sign_in(page, centre.base_url, "supervisor")
    files = f"/workorders/{orders[0]['id']}/files"
    await page.goto(centre.base_url + files)
    await page.set_input_files("#wo-file", str(scan))
    await page.click("#wo-file-upload")
    await expect(page.locator("#wo-files tbody tr")).to_have_count(1, timeout=WAIT_MS)
    for lang in ("zh-CN", "en"):
        await page.goto(f"{centre.base_url}/lang/{lang}?next={files}")
        await expect(page.locator("#wo-files tbody tr")).to_have_count(1, timeout=WAIT_MS)
        path = out / f"workorder-files-{lang}.png"
        await page.screenshot(path=str(path))
        written.append(path)
    admin = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
    await _sign_in(admin, centre.base_url, "admin")
    for lang in ("zh-CN", "en"):
        await admin.goto(f"{centre.base_url}/lang/{lang}?next=/admin/notifications")
        await expect(admin.locator("#notices-table")).to_be_visible(timeout=WAIT_MS)
        path = out / f"admin-notifications-{lang}.png"
        await admin.screenshot(path=str(path))
        written.append(path)
    return written


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


async def _shoot_call_page(out: Path) -> list[Path]:
    """A recorded call's page (web/calls) as a supervisor sees it, the player loaded."""
    from tests.hotline.web.test_call_page_browser import recorded_call, sign_in

    written = []
    with tempfile.TemporaryDirectory() as folder:
        async with desk_centre(Path(folder) / "call.db") as centre, chromium() as browser:
            call_id = await recorded_call(centre)
            page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
            await sign_in(page, centre.base_url, "supervisor", f"/calls/{call_id}")
            for lang in ("zh-CN", "en"):
                await page.goto(f"{centre.base_url}/lang/{lang}?next=/calls/{call_id}")
                await page.wait_for_function(
                    "document.querySelector('#call-recording').readyState >= 1"
                )
                path = out / f"call-{lang}.png"
                await page.screenshot(path=str(path))
                written.append(path)
    return written


async def _shoot_live_call_page(out: Path) -> list[Path]:
    """A live call's page with the monitor panel, the supervisor listening."""
    from tests.hotline.web.test_call_page_browser import live_call, sign_in

    written = []
    with tempfile.TemporaryDirectory() as folder:
        async with (
            desk_centre(Path(folder) / "live.db", speed=10.0) as centre,
            chromium() as browser,
        ):
            call_id = await live_call(centre)
            page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
            await sign_in(page, centre.base_url, "supervisor", f"/calls/{call_id}")
            await page.fill("#monitor-endpoint", "PJSIP/8001")
            await page.click("#monitor-listen")
            await expect(page.locator("#monitor-status")).to_contain_text("监听", timeout=WAIT_MS)
            path = out / "call-live-zh-CN.png"
            await page.screenshot(path=str(path))
            written.append(path)
    return written


async def _shoot_floor(out: Path) -> list[Path]:
    """The floor with some life: one call talking, one waiting, agents in several states, and
    low alert thresholds (set on the running service) so that the alerts show."""
    import httpx

    from tests.browser import PARTNER

    written = []
    with tempfile.TemporaryDirectory() as folder:
        async with (
            desk_centre(Path(folder) / "floor.db") as centre,
            chromium() as browser,
            httpx.AsyncClient(base_url=centre.base_url, timeout=30) as http,
        ):
            floor = centre.app.state.hotline.settings.floor
            floor.waiting_alert, floor.longest_wait_alert_s, floor.not_ready_alert_s = 1, 5, 5
            token = await http.post(
                "/api/v1/auth/token", data={"username": "supervisor", "password": PASSWORD}
            )
            boss = {"Authorization": f"Bearer {token.json()['access_token']}"}
            partner = centre.agent_ids[PARTNER]
            await http.put(f"/api/v1/agents/{partner}/state", json={"state": "ready"}, headers=boss)
            centre.place_call("13905710001")
            page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
            await page.goto(f"{centre.base_url}/login")
            await page.fill("#username", "supervisor")
            await page.fill("#password", PASSWORD)
            await page.press("#password", "Enter")
            await page.wait_for_url(centre.base_url + "/floor")
            await expect(page.locator(f"#agent-{partner} .state")).to_have_text(
                "通话中", timeout=WAIT_MS
            )
            agent = await http.post(
                "/api/v1/auth/token", data={"username": HUMAN, "password": PASSWORD}
            )
            me = {"Authorization": f"Bearer {agent.json()['access_token']}"}
            await http.post("/api/v1/agent/session", json={"site": "hz"}, headers=me)
            await http.put(
                "/api/v1/agent/session/state",
                json={"state": "not_ready", "reason": "lunch"},
                headers=me,
            )
            centre.place_call("13905710002")  # nobody ready: it waits
            await expect(page.locator("#tile-national_tax-zh .waiting")).to_have_text(
                "1", timeout=WAIT_MS
            )
            await page.wait_for_timeout(6_000)  # the wait and the lunch pass their thresholds
            for lang in ("zh-CN", "en"):
                await page.goto(f"{centre.base_url}/lang/{lang}?next=/floor")
                await expect(page.locator("#alerts li").first).to_be_visible(timeout=WAIT_MS)
                path = out / f"floor-{lang}.png"
                await page.screenshot(path=str(path))
                written.append(path)
            await page.goto(f"{centre.base_url}/lang/zh-CN?next=/floor")
            await page.locator(f"#agent-{partner} .act-listen").click()
            path = out / "floor-confirm-zh-CN.png"
            await page.screenshot(path=str(path))
            written.append(path)
            tv = await browser.new_page(viewport={"width": 1920, "height": 1080})
            await tv.context.add_cookies(await page.context.cookies())
            for lang, live in (("zh-CN", "实时"), ("en", "Live")):
                await tv.goto(f"{centre.base_url}/lang/{lang}?next=/floor/hall")
                await expect(tv.locator("#stream")).to_have_text(live, timeout=WAIT_MS)
                await expect(tv.locator("#alerts li").first).to_be_visible(timeout=WAIT_MS)
                path = out / f"floor-hall-{lang}.png"
                await tv.screenshot(path=str(path))
                written.append(path)
    return written


async def _shoot_reports(out: Path) -> list[Path]:
    """The director's report pages over one synthetic day of twelve agents (zh-CN and en)."""
    written = []
    day = date(2026, 3, 2)

    async def seed(maker: async_sessionmaker[AsyncSession]) -> None:
        await seed_synthetic(maker, day)
        await summarise_answered_calls(maker)

    with tempfile.TemporaryDirectory() as folder:
        async with (
            report_centre(Path(folder) / "reports.db", seed) as centre,
            chromium() as browser,
        ):
            page = await browser.new_page(viewport={"width": 1366, "height": 1100})
            await page.goto(f"{centre.base_url}/login")
            await page.fill("#username", REPORT_DIRECTOR)
            await page.fill("#password", TEST_PASSWORD)
            await page.press("#password", "Enter")
            await page.wait_for_url(centre.base_url + "/reports")
            pages = {
                "reports-interval": "/reports/interval?start=2026-03-02&end=2026-03-02"
                "&interval=30m",
                "reports-abandons": "/reports/abandons?start=2026-03-02&end=2026-03-02",
                "reports-agents": "/reports/agents?start=2026-03-02&end=2026-03-02",
                "reports-standards": "/reports/standards?start=2026-02-27&end=2026-03-02",
                "reports-scorecard": "/reports/scorecard?start=2026-03-02&end=2026-03-02",
                "reports-origin": "/reports/origin?start=2026-03-02&end=2026-03-02",
                "reports-heavy": "/reports/heavy-callers?start=2026-03-02&end=2026-03-02"
                "&threshold=2",
                "reports-topics": "/reports/topics?start=2026-03-02&end=2026-03-02",
                "reports-surveys": "/reports/surveys?start=2026-03-02&end=2026-03-02",
            }
            for lang in ("zh-CN", "en"):
                for name, path in pages.items():
                    await page.goto(f"{centre.base_url}/lang/{lang}?next={quote(path)}")
                    if name not in ("reports-standards", "reports-scorecard", "reports-heavy"):
                        chart = page.locator(".report-chart").first
                        await expect(chart).to_have_attribute("data-drawn", "1", timeout=WAIT_MS)
                    shot = out / f"{name}-{lang}.png"
                    await page.screenshot(path=str(shot))
                    written.append(shot)
    return written


async def _shoot_config(out: Path) -> list[Path]:
    """The configuration page: one version in force, and a broken edit's problems listed."""
    from tests.hotline.centre.helpers import EXAMPLE
    from tests.hotline.centre.test_config_browser import sign_in_as_admin

    written = []
    source = EXAMPLE.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        async with desk_centre(Path(folder) / "config.db") as centre, chromium() as browser:
            page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
            await sign_in_as_admin(page, centre.base_url)
            await page.fill("#config-source", source)
            await page.fill("#config-reason", "演示配置 / the demo's configuration")
            await page.click("#config-publish")
            await expect(page.locator("#in-force-version")).to_have_text("1", timeout=WAIT_MS)
            for lang in ("zh-CN", "en"):
                await page.goto(f"{centre.base_url}/lang/{lang}?next=/admin/config")
                # Several kinds of problem: the routing package's, the document's, a sound.
                broken = (
                    source.replace("after_s: 45", "after_s: 10")
                    .replace("ko, prompt", "fr, prompt")
                    .replace("calendar: chinese", "calendar: lunar")
                    .replace("greeting: welcome", "greeting: welcome-intl")
                )
                await page.fill("#config-source", broken)
                await page.click("#config-validate")
                await expect(page.locator("#config-problems")).to_be_visible(timeout=WAIT_MS)
                path = out / f"config-{lang}.png"
                await page.screenshot(path=str(path), full_page=True)
                written.append(path)
            # Check sounds against the centre's site (its emulator has the whole set).
            await page.fill("#config-source", source)
            await page.click("#config-sounds")
            answer = page.locator("#config-sounds-complete, #config-sounds-missing")
            await expect(answer).to_be_visible(timeout=WAIT_MS)
            await answer.scroll_into_view_if_needed()
            path = out / "config-sounds-en.png"
            await page.screenshot(path=str(path))
            written.append(path)
    return written


async def _shoot_kb(out: Path) -> list[Path]:
    """The editor's pages on the live service with the sample base (no telephony needed)."""
    from tests.hotline.kb.live import AGENT, ARTICLE, EDITOR, NOT_EDITOR, kb_centre

    written: list[Path] = []

    async def shot(page: Page, name: str) -> None:
        path = out / f"{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        written.append(path)

    with tempfile.TemporaryDirectory() as folder:
        async with kb_centre(Path(folder) / "kb.db") as centre, chromium() as browser:
            page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
            base = centre.base_url
            await centre.sign_in(page, NOT_EDITOR, f"/kb/articles/{ARTICLE}/edit")
            answer = await page.input_value("#f-answer")
            await page.fill(
                "#f-answer", answer.replace("2000元", "3000元") + "\n\n**2026年起**提高。"
            )
            await page.fill("#f-effective_from", "2026-01-01")
            await page.click("#kbedit-save")  # no reason given: refused beside the field
            await expect(page.locator("#err-reason")).to_be_visible(timeout=WAIT_MS)
            await shot(page, "kb-edit-zh-CN")
            await page.fill("#f-reason", "2026年标准提高")
            await page.click("#kbedit-save")
            await page.wait_for_url(f"{base}/kb/articles/{ARTICLE}/history", timeout=WAIT_MS)
            draft = page.locator("#kbedit-versions tr[data-status=draft]").first
            number = str(await draft.get_attribute("id")).removeprefix("version-")
            await page.click(f"#submit-{number}")
            await expect(page.locator(f"#version-{number}")).to_have_attribute(
                "data-status", "review", timeout=WAIT_MS
            )
            await shot(page, "kb-history-not-editor-zh-CN")
            await page.goto(f"{base}/lang/en?next=/kb/articles/{ARTICLE}/history")
            await page.click("#diff-go")
            await expect(page.locator("#diff-answer")).to_be_visible(timeout=WAIT_MS)
            await shot(page, "kb-diff-en")
            await page.goto(f"{base}/lang/zh-CN?next=/kb/articles/{ARTICLE}")
            await centre.sign_in(page, AGENT, f"/kb/articles/{ARTICLE}")
            await page.fill("#correction-text", "研究生阶段也适用，答复里漏写了。")
            await page.click("#correction-send")
            await expect(page.locator("#correction-sent")).to_be_visible(timeout=WAIT_MS)
            await shot(page, "kb-article-correction-zh-CN")
            await centre.sign_in(page, EDITOR, "/kb/inbox")
            await shot(page, "kb-inbox-zh-CN")
            await page.goto(f"{base}/kb/articles/{ARTICLE}/history")
            await shot(page, "kb-history-editor-zh-CN")
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


async def _shoot_ops(out: Path) -> list[Path]:
    """The ops simulation page, a day simulated on yesterday's recorded traffic and a staffing
    search (Chinese), and the comparison of the two (English)."""
    from tests.hotline.web.ops_centre import ops_centre

    written = []

    async def shot(page: Page, name: str) -> None:
        path = out / f"{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        written.append(path)

    with tempfile.TemporaryDirectory() as folder:
        async with ops_centre(Path(folder) / "ops.db") as centre, chromium() as browser:
            page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
            await centre.sign_in(page)
            await page.goto(centre.base_url + "/ops")
            await shot(page, "ops-zh-CN")
            await page.fill("#ops-replications", "3")
            await page.check("#ops-history")
            await page.click("#ops-simulate")
            await page.wait_for_url("**/ops/runs/*")
            await expect(page.locator("#chart-day")).to_have_attribute(
                "data-drawn", "1", timeout=8 * WAIT_MS
            )
            await shot(page, "ops-run-history-zh-CN")
            await page.goto(centre.base_url + "/ops")
            await page.fill("#ops-replications", "1")
            await page.click("#ops-staff")
            await page.wait_for_url("**/ops/runs/*")
            await expect(page.locator("#chart-staff")).to_have_attribute(
                "data-drawn", "1", timeout=8 * WAIT_MS
            )
            await shot(page, "ops-run-staffing-zh-CN")
            await page.goto(f"{centre.base_url}/lang/en?next=/ops")
            for box in await page.locator("#ops-runs tbody input[type=checkbox]").all():
                await box.check()
            await page.click("#ops-compare")
            await page.wait_for_url("**/ops/compare?*")
            await shot(page, "ops-compare-en")
            # the heavy-callers report's link to a caller's history (masked for ops)
            await page.goto(f"{centre.base_url}/lang/zh-CN?next=/ops")
            await page.goto(
                centre.base_url + "/reports/heavy-callers?start=2026-03-01&end=2026-03-01"
                "&threshold=5"
            )
            await page.locator("#heavy-table tbody a").first.click()
            await page.wait_for_url("**/callers/history?call=*")
            await shot(page, "caller-history-zh-CN")
    return written


def main() -> None:
    folders = [a for a in sys.argv[1:] if not a.startswith("--")]
    out = Path(folders[0] if folders else "out/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    if "--floor" in sys.argv:
        shooters = [_shoot_floor]
    elif "--config" in sys.argv:
        shooters = [_shoot_config]
    else:
        shooters = [
            _shoot,
            _shoot_floor,
            _shoot_call_page,
            _shoot_live_call_page,
            _shoot_reports,
            _shoot_config,
            _shoot_kb,
            _shoot_callbacks,
            _shoot_ops,
        ]
    for shooter in shooters:
        for path in asyncio.run(shooter(out)):
            print(path)


if __name__ == "__main__":
    main()
