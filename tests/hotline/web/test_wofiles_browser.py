"""The attachments panel and the admin's notification page in real Chromium (SQLite).

A specialist adds a file to an order of their department with the keyboard, is told plainly
why a disguised web page is refused, and removes the file; an administrator sees a failed
webhook notice with its error and queues it again with "retry now".
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.async_api import Page, expect

from hotline.config import Settings
from hotline.db.models import NoticeOutboxRow, User
from hotline.db.session import transaction
from hotline.workorders.settings import AttachmentSettings, NoticeSettings, WebhookSettings
from tests.browser import VIEWPORT, chromium
from tests.fixtures.app import TEST_PASSWORD
from tests.hotline.live.servers import serve_on_loopback
from tests.hotline.workorders.conftest import Centre, centre  # noqa: F401 (the fixture)

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
WAIT_MS = 15_000
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        attachments=AttachmentSettings(directory=tmp_path / "files"),
        notices=NoticeSettings(
            webhook=WebhookSettings(url="http://127.0.0.1:9/sms"), worker_enabled=False
        ),
    )


async def _sign_in(page: Page, base: str, username: str, then: str, lang: str = "en") -> None:
    await page.goto(f"{base}/lang/{lang}?next=/login")
    await page.fill("#username", username)
    await page.fill("#password", TEST_PASSWORD)
    await page.press("#password", "Enter")
    await page.wait_for_load_state()
    await page.goto(base + then)


async def test_a_specialist_adds_and_removes_a_file_and_a_refusal_says_why(
    app: FastAPI,
    centre: Centre,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    order = await centre.dispatched()  # department A
    good = tmp_path / "税务登记证.pdf"
    good.write_bytes(PDF)
    disguised = tmp_path / "photo.png"
    disguised.write_bytes(b"<!DOCTYPE html><html><script>alert(1)</script></html>")
    async with serve_on_loopback(app) as base, chromium() as browser:
        page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        page.on("dialog", lambda dialog: dialog.accept())
        await _sign_in(page, base, "specialist-a", f"/workorders/{order['id']}/files")
        panel = page.locator("#wo-files")
        await expect(panel.locator("#wo-files-none")).to_have_text("No files yet", timeout=WAIT_MS)

        await page.set_input_files("#wo-file", str(good))
        await page.focus("#wo-file-upload")
        await page.keyboard.press("Enter")
        row = panel.locator("tbody tr")
        await expect(row).to_have_count(1, timeout=WAIT_MS)
        await expect(row.first).to_contain_text("税务登记证.pdf")
        await expect(row.first).to_contain_text("application/pdf")
        link = row.first.locator("a")
        assert (await link.get_attribute("href")) is not None

        await page.set_input_files("#wo-file", str(disguised))
        await page.focus("#wo-file-upload")
        await page.keyboard.press("Enter")
        alert = panel.locator("#wo-files-error")
        await expect(alert).to_contain_text("not accepted", timeout=WAIT_MS)
        await expect(alert).to_contain_text(".pdf")
        await expect(row).to_have_count(1)

        await page.screenshot(path=str(tmp_path / "panel.png"))
        remove = row.first.locator("button")
        await remove.focus()
        await page.keyboard.press("Enter")
        await expect(panel.locator("#wo-files-none")).to_be_visible(timeout=WAIT_MS)


async def test_the_admin_sees_a_failed_notice_and_retries_it(
    app: FastAPI,
    centre: Centre,  # noqa: F811 (the fixture imported above)
) -> None:
    async with transaction(centre.sessionmaker) as session:
        user = await session.get(User, centre.ids["liaison_a"])
        assert user is not None
        session.add(
            NoticeOutboxRow(
                channel="webhook",
                recipient_user_id=user.id,
                kind="dispatch",
                message="a work order was dispatched to your department",
                status="failed",
                attempts=8,
                next_attempt_at=datetime(2026, 3, 2, tzinfo=UTC),
                last_error="RuntimeError: the webhook answered HTTP 503",
                created_at=datetime(2026, 3, 2, tzinfo=UTC),
            )
        )
    async with serve_on_loopback(app) as base, chromium() as browser:
        page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        await _sign_in(page, base, "admin-user", "/admin/notifications")
        webhook = page.locator("#channel-webhook")
        await expect(webhook).to_contain_text("HTTP 503", timeout=WAIT_MS)
        await expect(webhook.locator("td.bad")).to_have_text("1")
        await expect(page.locator("#retry-email")).to_be_disabled()
        await page.focus("#retry-webhook")
        await page.keyboard.press("Enter")
        await expect(page.locator("#notices-retried")).to_contain_text("1", timeout=WAIT_MS)
        await expect(webhook.locator("td.num").first).to_have_text("1")  # pending again
