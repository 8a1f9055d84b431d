"""A director in real headless Chromium: signs in, lands on the reports, opens the interval
report, changes the period and the interval, reads the chart and the table, downloads the XLSX."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.async_api import expect

from tests.browser import VIEWPORT, chromium
from tests.fixtures.app import TEST_PASSWORD
from tests.hotline.reports.centre import DIRECTOR, report_centre
from tests.hotline.reports.floor_day import seed_day

pytestmark = pytest.mark.asyncio
WAIT_MS = 30_000  # generous: the CPU is shared; nothing here measures speed


async def test_a_director_reads_and_downloads_the_interval_report(tmp_path: Path) -> None:
    async with report_centre(tmp_path / "reports.db", seed_day) as centre, chromium() as browser:
        page = await browser.new_page(viewport=VIEWPORT, accept_downloads=True)  # type: ignore[arg-type]
        await page.goto(centre.base_url + "/")
        await page.fill("#username", DIRECTOR)
        await page.fill("#password", TEST_PASSWORD)
        await page.press("#password", "Enter")
        await page.wait_for_url(centre.base_url + "/reports")
        await page.click("text=分时段话务与排班")
        await page.wait_for_url(centre.base_url + "/reports/interval")
        # Today (the clock's 2026-03-02) by half hours: 08:30 to 10:00 and the total (the
        # table leaves out intervals with no call and nobody logged in).
        await expect(page.locator("#interval-table tbody tr")).to_have_count(5)

        # A new period and hourly rows, chosen with the keyboard.
        await page.fill("#report-start", "2026-03-01")
        await page.fill("#report-end", "2026-03-02")
        await page.select_option("#report-interval", "60m")
        await page.focus("#report-show")
        await page.keyboard.press("Enter")
        await page.wait_for_url("**/reports/interval?start=2026-03-01*")
        rows = page.locator("#interval-table tbody tr")
        await expect(rows).to_have_count(4)  # 08:00, 09:00, 10:00 and the total
        nine = page.locator("#interval-table tbody tr", has_text="03-02 09:00")
        await expect(nine.locator("td").nth(1)).to_have_text("6")  # offered
        await expect(page.locator("#chart-calls")).to_have_attribute(
            "data-drawn", "1", timeout=WAIT_MS
        )
        await expect(page.locator("#chart-calls .xtick").first).to_be_visible()
        header = page.locator("#interval-table th", has_text="服务水平").first
        assert "受理量" in (await header.get_attribute("title") or "")

        async with page.expect_download() as waiting:
            await page.click("#download-xlsx")
        download = await waiting.value
        assert download.suggested_filename == "interval-2026-03-01-2026-03-03.xlsx"
        saved = tmp_path / download.suggested_filename
        await download.save_as(saved)
        sheet = load_workbook(saved).worksheets[0]
        header_row = [cell.value for cell in sheet[1]]
        offered = header_row.index("受理量")
        values = [row[offered] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert values[-1] == 7  # the total row
        assert sum(values[:-1]) == 7
