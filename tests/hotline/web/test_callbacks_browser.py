"""The callbacks page in real Chromium against the live service: a supervisor filters the
list, opens a callback's attempts, reschedules one and cancels another with a reason, by the
keyboard, and reads a refusal in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select

from hotline.db.models import AuditLog, Callback
from hotline.db.session import transaction
from tests.browser import PASSWORD, VIEWPORT, chromium, desk_centre
from tests.hotline.web.callbacks_seed import seed_callbacks

pytestmark = pytest.mark.asyncio
WAIT_MS = 30_000


async def sign_in_supervisor(page: Page, base_url: str) -> None:
    await page.goto(base_url + "/lang/en?next=/callbacks")
    assert "/login" in page.url
    await page.fill("#username", "supervisor")
    await page.fill("#password", PASSWORD)
    await page.press("#password", "Enter")
    await page.wait_for_url(base_url + "/callbacks")


async def test_a_supervisor_reschedules_one_callback_and_cancels_another(tmp_path: Path) -> None:
    async with desk_centre(tmp_path / "callbacks.db") as centre, chromium() as browser:
        maker = centre.app.state.hotline.sessionmaker
        due, pending, failed, done = await seed_callbacks(maker)
        page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        await sign_in_supervisor(page, centre.base_url)
        rows = page.locator("#callbacks tbody tr")
        await expect(rows).to_have_count(4)
        await expect(page.locator(f"#callback-{due} .cb-state")).to_have_text("due")
        await expect(page.locator(f"#callback-{failed} .cb-state")).to_have_text("failed")
        # Settled callbacks offer no actions.
        await expect(page.locator(f"#callback-{done} form")).to_have_count(0)
        # The failed one's three attempts.
        await page.locator(f"#callback-{failed} summary").click()
        await expect(page.locator(f"#callback-{failed} .cb-history li")).to_have_count(3)

        # Filter: failed ones only (checkbox and submit by keyboard).
        await page.locator("input[name=state][value=failed]").focus()
        await page.keyboard.press("Space")
        await page.locator("#cb-filter").press("Enter")
        await expect(rows).to_have_count(1)
        await page.goto(centre.base_url + "/callbacks")

        # Cancel with a reason, sent by the keyboard.
        await page.fill(f"#cb-reason-{pending}", "Taxpayer came to the tax office")
        await page.locator(f"#cb-reason-{pending}").press("Enter")
        await expect(page.locator(f"#callback-{pending} .cb-state")).to_have_text(
            "cancelled", timeout=WAIT_MS
        )

        # Reschedule the due one to tomorrow 10:00 in the centre's time.
        zone = ZoneInfo(centre.settings.timezone)
        tomorrow = (datetime.now(zone) + timedelta(days=1)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        await page.fill(f"#cb-due-{due}", tomorrow.strftime("%Y-%m-%dT%H:%M"))
        await page.locator(f"#cb-due-{due}").press("Enter")
        await expect(page.locator(f"#callback-{due} .cb-state")).to_have_text(
            "pending", timeout=WAIT_MS
        )
        await expect(page.locator(f"#callback-{due} .cb-due")).to_have_text(
            tomorrow.strftime("%Y-%m-%d %H:%M")
        )

        # A time beyond the window: the API's 422, shown in words.
        far = datetime.now(zone) + timedelta(days=30)
        await page.fill(f"#cb-due-{due}", far.strftime("%Y-%m-%dT%H:%M"))
        await page.locator(f"#cb-due-{due}").press("Enter")
        await expect(page.locator(f"#callback-{due} .cb-error")).to_contain_text(
            "at most 14 days ahead", timeout=WAIT_MS
        )

        async with transaction(maker) as session:
            moved = await session.get(Callback, due)
            cancelled = await session.get(Callback, pending)
            actions = (
                await session.scalars(
                    select(AuditLog.action).where(AuditLog.subject_type == "callback")
                )
            ).all()
        assert moved is not None
        assert cancelled is not None
        assert moved.next_attempt_at == tomorrow.astimezone(UTC)
        assert (cancelled.status, cancelled.last_outcome) == ("cancelled", "cancelled")
        assert sorted(actions) == ["callback_cancelled", "callback_rescheduled"]
