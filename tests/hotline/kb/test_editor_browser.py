"""The knowledge-base editor's pages in real headless Chromium against the live service.

An editor of the owning department writes a new version (a refused field first), submits and
publishes it, and the article page shows it; the diff page shows the changed answer. A specialist
who is not an editor sees why the publish button is disabled, and the service's 403 reason when
pressing it anyway; an agent proposes a correction (keyboard only) that reaches the editor's inbox.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser import VIEWPORT, chromium
from tests.hotline.kb.live import AGENT, ARTICLE, EDITOR, NOT_EDITOR, KbCentre, kb_centre

pytestmark = pytest.mark.asyncio
WAIT_MS = 30_000  # generous: the CPU is shared; nothing here measures speed
NEW_LINE = "自2026年1月1日起，每个子女每月扣除3000元（测试新版本）。"


async def _write_version(page: Page, centre: KbCentre, reason: str) -> str:
    """From the article page, a new draft version via the editor; its row id on the history."""
    await page.goto(f"{centre.base_url}/kb/articles/{ARTICLE}")
    await page.click("#kb-edit-link")
    await expect(page.locator("#kbedit-form")).to_be_visible(timeout=WAIT_MS)
    answer = await page.input_value("#f-answer")
    await page.fill("#f-answer", answer + "\n\n" + NEW_LINE + "\n\n<script>window.bad=1</script>")
    await expect(page.locator("#kb-preview")).to_contain_text("3000元", timeout=WAIT_MS)
    await expect(page.locator("#kb-preview")).to_contain_text("<script>")  # shown as text
    await page.fill("#f-effective_from", "2026-01-01")
    await page.fill("#f-effective_to", "")
    # A refused field comes back with the message beside it, the rest of the form intact.
    await page.fill("#f-title", "")
    await page.click("#kbedit-save")
    await expect(page.locator("#err-title")).to_contain_text("标题", timeout=WAIT_MS)
    await expect(page.locator("#err-reason")).to_contain_text("原因")
    assert NEW_LINE in await page.input_value("#f-answer")
    await page.fill("#f-title", "子女教育专项附加扣除标准（2026）")
    await page.fill("#f-reason", reason)
    await page.click("#kbedit-save")
    await page.wait_for_url(f"{centre.base_url}/kb/articles/{ARTICLE}/history", timeout=WAIT_MS)
    row = page.locator("#kbedit-versions tr[data-status=draft]").first
    await expect(row).to_contain_text(reason)
    return str(await row.get_attribute("id"))


async def test_an_editor_publishes_a_new_version_and_the_diff_shows_the_change(
    tmp_path: Path,
) -> None:
    async with kb_centre(tmp_path / "kb.db") as centre, chromium() as browser:
        page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        await centre.sign_in(page, EDITOR, f"/kb/articles/{ARTICLE}")
        row_id = await _write_version(page, centre, "2026年标准提高")
        number = row_id.removeprefix("version-")
        await page.click(f"#submit-{number}")
        await expect(page.locator(f"#{row_id}")).to_have_attribute(
            "data-status", "review", timeout=WAIT_MS
        )
        await page.fill(f"#note-publish-{number}", "已核对国发文件")
        await page.click(f"#publish-{number}")
        await expect(page.locator(f"#{row_id}")).to_have_attribute(
            "data-status", "published", timeout=WAIT_MS
        )
        await expect(page.locator("#kbedit-events")).to_contain_text("已核对国发文件")

        await page.goto(f"{centre.base_url}/kb/articles/{ARTICLE}")
        title = page.locator("#kb-article-title")
        await expect(title).to_have_text("子女教育专项附加扣除标准（2026）")
        await expect(page.locator("#kb-answer")).to_contain_text(NEW_LINE)
        assert await page.evaluate("window.bad === undefined")

        await page.goto(f"{centre.base_url}/kb/articles/{ARTICLE}/history")
        await page.click("#diff-go")  # newest against the one before it
        added = page.locator("#diff-answer ins", has_text="3000元")
        await expect(added.first).to_be_visible(timeout=WAIT_MS)
        await expect(page.locator("#diff-answer")).to_contain_text(NEW_LINE)
        await expect(page.locator("#diff-fields")).to_contain_text("2026-01-01")


async def test_a_non_editor_cannot_publish_and_an_agents_correction_reaches_the_inbox(
    tmp_path: Path,
) -> None:
    async with kb_centre(tmp_path / "kb.db") as centre, chromium() as browser:
        page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        await centre.sign_in(page, NOT_EDITOR, f"/kb/articles/{ARTICLE}")
        row_id = await _write_version(page, centre, "建议更新标准")
        number = row_id.removeprefix("version-")
        await expect(page.locator("#not-editor")).to_contain_text(EDITOR)
        await page.click(f"#submit-{number}")  # anyone who writes may submit
        await expect(page.locator(f"#{row_id}")).to_have_attribute(
            "data-status", "review", timeout=WAIT_MS
        )
        publish = page.locator(f"#publish-{number}")
        await expect(publish).to_have_attribute("aria-disabled", "true")
        await expect(page.locator(f"#why-publish-{number}")).to_contain_text(EDITOR)
        await publish.focus()  # pressed anyway (it stays focusable): the service says why not
        await page.keyboard.press("Enter")
        await expect(page.locator("#step-error")).to_contain_text("403", timeout=WAIT_MS)
        await expect(page.locator("#step-error")).to_contain_text(f"'{NOT_EDITOR}' 不是其中之一")
        await page.reload()
        await expect(page.locator(f"#{row_id}")).to_have_attribute("data-status", "review")

        # An agent, keyboard only: an empty proposal is refused, then one is sent.
        await centre.sign_in(page, AGENT, f"/kb/articles/{ARTICLE}")
        await expect(page.locator("#kb-edit-link")).to_have_count(0)
        await page.focus("#correction-text")
        await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")
        await expect(page.locator("#correction-error")).to_be_visible(timeout=WAIT_MS)
        await page.focus("#correction-text")
        await page.keyboard.type("研究生阶段也适用，答复里漏写了。")
        await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")
        await expect(page.locator("#correction-sent")).to_be_visible(timeout=WAIT_MS)
        await page.goto(f"{centre.base_url}/kb/inbox")
        await expect(page.locator("#kbedit-refused")).to_be_visible()

        await centre.sign_in(page, EDITOR, "/kb/inbox")
        inbox = page.locator("#kbedit-corrections")
        await expect(inbox).to_contain_text("研究生阶段也适用", timeout=WAIT_MS)
        await expect(inbox).to_contain_text(AGENT)
        await page.fill("#kbedit-corrections input[name=resolution]", "已补充")
        await page.locator("#kbedit-corrections button").first.click()
        await expect(page.locator("#kbedit-corrections li")).to_have_count(0, timeout=WAIT_MS)
