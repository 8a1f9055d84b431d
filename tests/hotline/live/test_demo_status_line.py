"""The demo's status line outlives a read that fails on a saturated service."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from hotline.demo.runner import DemoStats, report_status


@pytest.mark.asyncio
async def test_a_timed_out_read_skips_one_line_not_all_later_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    reads = 0
    printed_twice = asyncio.Event()

    # The service is a third-party edge here: httpx's own mock transport stands in for it.
    def service(request: httpx.Request) -> httpx.Response:
        nonlocal reads
        if request.url.path == "/api/v1/auth/token":
            return httpx.Response(200, json={"access_token": "t"})
        reads += 1
        if reads == 1:
            raise httpx.ReadTimeout("the service is saturated", request=request)
        if reads >= 3:
            printed_twice.set()
        return httpx.Response(200, json=[{"waiting": 1, "offered": 2}])

    async with httpx.AsyncClient(
        transport=httpx.MockTransport(service), base_url="http://demo"
    ) as http:
        task = asyncio.create_task(report_status(http, "pw", DemoStats(placed=5), 0.001))
        printed = asyncio.create_task(printed_twice.wait())
        await asyncio.wait({task, printed}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
        assert not task.done(), task.exception()  # the failed read ended the status line
        assert printed.done()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert capsys.readouterr().err.count("\n") >= 2  # lines after the failed read
